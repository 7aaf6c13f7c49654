"""Reports → happenings: blocking, candidate pairs, components, and average-link clustering.

1. Blocking. Reports are grouped by (type, source group) — the source's country, or its own key —
   and sorted by their first possible day. Only reports of one block whose days overlap are ever
   compared, found by a sweep over the sorted block: O(N log N) for the sort plus the overlapping
   pairs, which a few days' window keeps proportional to N.
2. Components. Pairs that reach the join threshold on their own link reports into components
   (union-find). No happening can span two components: two groups of reports whose every pair is
   below the threshold cannot average above it. A component is the unit of incremental work.
3. Clustering. Within a component, clusters merge greedily, best average first (average linkage),
   as long as every pair across them is compatible (no veto) and their pairs average at least the
   threshold. Points are integers and ties break on the reports' keys (document hash, index), so
   the happenings are a function of the set of reports alone: not of input order, nor of how
   many ingests brought them.
"""

from __future__ import annotations

import hashlib
import heapq
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from casus.fusion.params import Params
from casus.fusion.report import Report
from casus.fusion.rules import pair_points, source_group

Key = tuple[str, int]


def block_of(r: Report) -> str:
    return f"{r.type}|{source_group(r.source)}"


def _sort_key(r: Report) -> tuple[int, int, str, int]:
    return (0 if r.lo is None else 1, r.lo or 0, r.doc, r.n)


def target_group(r: Report) -> str | None:
    """Within a block, two reports can only be compatible when their targets can: the same target
    country, or a target of no known country (none, a text span, an unspecified agent), which may
    be compatible with any (casus.fusion.rules.target_relation)."""
    return r.target.country if r.target is not None and r.target.country else None


def candidate_pairs(block: list[Report]) -> Iterator[tuple[Report, Report]]:
    """Every pair of one block whose days overlap and whose targets may agree (undated-and-unpublished
    reports pair among themselves). A sweep over the block sorted by first day: each report meets the
    reports still open on its first day, of its own target group and of the loose one."""
    block = sorted(block, key=_sort_key)
    undated = [r for r in block if r.lo is None]
    for i, a in enumerate(undated):
        for b in undated[i + 1 :]:
            yield a, b
    active: dict[str | None, list[Report]] = defaultdict(list)
    for b in block[len(undated) :]:
        group = target_group(b)
        for key in list(active) if group is None else (group, None):
            open_ = active.get(key)
            if not open_:
                continue
            still = [a for a in open_ if a.hi >= b.lo]  # type: ignore[operator]  # closed before b's first day
            if len(still) != len(open_):
                active[key] = still
            for a in still:
                yield a, b
        active[group].append(b)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[Key, Key] = {}

    def find(self, x: Key) -> Key:
        parent = self.parent
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    def union(self, a: Key, b: Key) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:  # the smaller key becomes the root: the root is the component's id
            if rb < ra:
                ra, rb = rb, ra
            self.parent[rb] = ra


@dataclass
class Component:
    id: Key  # the smallest report key in it
    reports: list[Report]
    points: dict[tuple[Key, Key], int]  # every compatible pair inside it, smaller key first


def components(reports: Iterable[Report], p: Params) -> Iterator[Component]:
    """The components of one or more blocks, each with the points of its compatible pairs."""
    blocks: dict[str, list[Report]] = defaultdict(list)
    for r in reports:
        blocks[block_of(r)].append(r)
    for name in sorted(blocks):
        yield from _block_components(blocks[name], p)


def _block_components(block: list[Report], p: Params) -> Iterator[Component]:
    uf = _UnionFind()
    edges: list[tuple[Key, Key, int]] = []
    for a, b in candidate_pairs(block):
        pts = pair_points(a, b, p)
        if pts is None:
            continue
        ka, kb = (a.key, b.key) if a.key < b.key else (b.key, a.key)
        edges.append((ka, kb, pts))
        if pts >= p.join_threshold:
            uf.union(ka, kb)
    groups: dict[Key, list[Report]] = defaultdict(list)
    for r in block:
        groups[uf.find(r.key)].append(r)
    points: dict[Key, dict[tuple[Key, Key], int]] = defaultdict(dict)
    for ka, kb, pts in edges:
        root = uf.find(ka)
        if root == uf.find(kb):
            points[root][(ka, kb)] = pts
    for root in sorted(groups):
        yield Component(root, sorted(groups[root], key=lambda r: r.key), points.get(root, {}))


def cluster(component: Component, p: Params) -> list[list[Report]]:
    """Average-link clustering of one component under the no-veto rule; clusters sorted by first key."""
    reports = component.reports
    if len(reports) == 1:
        return [reports]
    if len(reports) == 2:  # most components: one pair, which reached the threshold to be linked at all
        return [reports]
    members: dict[Key, list[Report]] = {r.key: [r] for r in reports}
    # links[a][b] = [sum of points, compatible pairs] between clusters a and b (cluster id = its smallest key)
    links: dict[Key, dict[Key, list[int]]] = defaultdict(dict)
    for (ka, kb), pts in component.points.items():
        links[ka][kb] = [pts, 1]
        links[kb][ka] = links[ka][kb]
    heap: list[tuple[float, Key, Key]] = []

    def consider(a: Key, b: Key) -> None:
        total, count = links[a][b]
        # every pair across must be compatible; an absent pair is a veto
        if count == len(members[a]) * len(members[b]) and total >= p.join_threshold * count:
            heapq.heappush(heap, (-total / count, min(a, b), max(a, b)))

    for a in list(links):
        for b in links[a]:
            if a < b:
                consider(a, b)
    while heap:
        neg, a, b = heapq.heappop(heap)
        if a not in members or b not in members or b not in links[a]:
            continue
        total, count = links[a][b]
        if -neg != total / count or count != len(members[a]) * len(members[b]):
            continue  # stale: one side has grown since
        # merge b into a (a < b, so the merged cluster keeps the smaller key)
        members[a].extend(members.pop(b))
        del links[a][b], links[b][a]
        for x, (t, c) in links.pop(b).items():
            del links[x][b]
            if x in links[a]:
                link = links[a][x]
                link = [link[0] + t, link[1] + c]
            else:
                link = [t, c]
            links[a][x] = links[x][a] = link
        for x in links[a]:
            consider(a, x)
    return [sorted(members[k], key=lambda r: r.key) for k in sorted(members)]


def happening_id(first: Key) -> str:
    """A happening's id: derived from its smallest report key, so it is the same whatever the order
    of ingest (it changes only if a report that sorts before all of its reports joins it)."""
    return "h" + hashlib.sha1(f"{first[0]}:{first[1]}".encode()).hexdigest()[:15]


def component_id(first: Key) -> str:
    return f"{first[0]}:{first[1]}"


def fuse(reports: Iterable[Report], p: Params) -> Iterator[tuple[str, str, list[Report]]]:
    """(happening id, component id, reports) for every happening of these reports."""
    for comp in components(reports, p):
        cid = component_id(comp.id)
        for members in cluster(comp, p):
            yield happening_id(members[0].key), cid, members
