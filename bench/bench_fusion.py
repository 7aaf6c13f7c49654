#!/usr/bin/env python3
"""Fusion at scale: a million synthetic event reports fused into happenings, with time and peak memory.

    .venv/bin/python bench/bench_fusion.py [--events 1000000] [--steps 4] [--seed 14] [--store]

The generator draws happenings (type, source, target, day, place, modality) among 60 countries'
states, armed forces, police, officials, protesters and rebels over three years (countries by a
Zipf law: the first is in the news sixty times as often as the last), and has each
reported by 1 to 40 outlets (most by one or two, a few by dozens, as news is), with the noise
extraction leaves: a report names the state where another names its army or minister, loses its
target or place, is dated only by its publication, or words it differently. Reports are then
shuffled and fused by casus.fusion (the same code the store and the Parquet step use).

Printed: for each size (N/8 … N) the fusion time and its ratio to N log N of the smallest size,
peak RSS, and the pairwise precision/recall against the generator's truth; with --store also the
time to write and re-read the links of the largest run in a DuckDB file. Timing is wall-clock on
whatever else the machine is doing: read the ratios, not the seconds.
"""

from __future__ import annotations

import argparse
import gc
import math
import random
import resource
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from casus.fusion import fuse, load_params  # noqa: E402
from casus.fusion.report import (  # noqa: E402
    FUTURE,
    HYPOTHETICAL,
    NEGATED,
    Report,
    make_actor,
    make_place,
    make_report,
)

TYPES = ["AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST", "ACCUSE", "REJECT",
         "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT"]
START = 739_000  # an ordinal in 2024
DAYS = 3 * 365
# pseudo-words of letters only, as evidence words are (casus.fusion.report.content_words drops digits)
WORDS = ["".join("bcdfghjklmnpqrstvwxz"[(i // 20 ** k) % 20] + "aeiou"[(i // 7 ** k) % 5] for k in range(3))
         for i in range(5000)]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


class World:
    def __init__(self, rng: random.Random, countries: int = 60):
        self.rng = rng
        self.countries = [f"C{i:02d}" for i in range(countries)]
        self.weights = [1 / (i + 1) for i in range(countries)]
        self.actors: dict[str, list] = {}
        self.cities: dict[str, list] = {}
        for c in self.countries:
            low = c.lower()
            state = make_actor(low, f"State {c}", "state", c, "GOV")
            mil = make_actor(f"{low}-mil", f"{c} army", "group", c, "MIL")
            cop = make_actor(f"{low}-cop", f"{c} police", "group", c, "COP")
            officials = [make_actor(f"{low}-p{i}", f"Official {i} of {c}", "person", c, "GOV") for i in range(6)]
            cvl = make_actor(f"{low}-cvl", f"{c} protesters", "group", c, "CVL")
            reb = make_actor(f"{low}-reb", f"{c} rebels", "group", c, "REB")
            self.actors[c] = [state, mil, cop, *officials, cvl, reb]
            self.cities[c] = [make_place(f"City {j} of {c}", c, "city", 0.0, 0.0) for j in range(8)]

    def country(self) -> str:
        # news is about a few countries most of the time (Zipf): their blocks are the crowded ones
        return self.rng.choices(self.countries, self.weights)[0]

    def actor(self, country: str):  # noqa: ANN201
        return self.rng.choice(self.actors[country])

    def stand_in(self, actor):  # noqa: ANN001, ANN201
        """Another name for the same party, as a different outlet may give it: the state for its army."""
        group = self.actors[actor.country]
        if actor.kind == "state":
            return self.rng.choice(group[1:3] + group[3:9])
        if actor.sector in ("GOV", "MIL", "COP"):
            return group[0]
        return actor


def outlets_per_happening(rng: random.Random) -> int:
    # heavy-tailed: most happenings reported once or twice, a few by dozens of outlets
    return min(40, int(rng.paretovariate(1.3)))


def generate(n: int, seed: int) -> tuple[list[Report], dict[tuple[str, int], int]]:
    rng = random.Random(seed)
    world = World(rng)
    p = load_params()
    reports: list[Report] = []
    truth: dict[tuple[str, int], int] = {}
    h = 0
    while len(reports) < n:
        h += 1
        type_ = rng.choice(TYPES)
        sc = world.country()
        tc = sc if rng.random() < 0.5 else world.country()
        source, target = world.actor(sc), world.actor(tc)
        if target is source:
            target = None
        day = START + rng.randrange(DAYS)
        place = rng.choice(world.cities[rng.choice((sc, tc))]) if rng.random() < 0.6 else None
        flags = rng.choice((0,) * 17 + (NEGATED, HYPOTHETICAL, FUTURE))
        words = rng.sample(WORDS, 6)
        for k in range(outlets_per_happening(rng)):
            if len(reports) >= n:
                break
            doc = f"d{h:07d}-{k:02d}"
            src = world.stand_in(source) if rng.random() < 0.2 else source
            tgt = None if rng.random() < 0.1 else target
            pub = day + rng.choice((0, 0, 0, 1, 1, 2))
            dated = rng.random() < 0.7
            evidence = " ".join(rng.sample(words, 4) + rng.sample(WORDS, 4))
            r = make_report(doc, 0, type_, src, tgt, date_start=dated and day_iso(day), date_end=dated and day_iso(day),
                            date_basis="text" if dated else "published", published=day_iso(pub), flags=flags,
                            place=place if rng.random() < 0.5 else None, outlet=f"outlet{rng.randrange(500)}",
                            confidence=rng.random(), evidence=evidence, lookback=p.undated_lookback_days,
                            widest=p.widest_interval_days)
            reports.append(r)
            truth[r.key] = h
    rng.shuffle(reports)
    return reports, truth


def day_iso(day: int) -> str:
    import datetime as dt

    return dt.date.fromordinal(day).isoformat()


def pairwise(pred: dict[tuple[str, int], str], truth: dict[tuple[str, int], int]) -> tuple[float, float]:
    """Pairwise precision and recall, counted from cluster sizes (no enumeration of pairs)."""
    def pairs(counter: Counter) -> int:
        return sum(c * (c - 1) // 2 for c in counter.values())

    both = pairs(Counter((pred[k], truth[k]) for k in pred))
    p_pairs, t_pairs = pairs(Counter(pred.values())), pairs(Counter(truth.values()))
    return (both / p_pairs if p_pairs else 1.0), (both / t_pairs if t_pairs else 1.0)


def run(n: int, seed: int) -> dict[str, float]:
    t0 = time.perf_counter()
    reports, truth = generate(n, seed)
    t_gen = time.perf_counter() - t0
    gc.collect()
    p = load_params()
    t0 = time.perf_counter()
    pred: dict[tuple[str, int], str] = {}
    happenings = 0
    for hid, _, members in fuse(reports, p):
        happenings += 1
        for r in members:
            pred[r.key] = hid
    t_fuse = time.perf_counter() - t0
    prec, rec = pairwise(pred, truth)
    return {"n": n, "generate_s": t_gen, "fuse_s": t_fuse, "happenings": happenings,
            "true_happenings": len(set(truth.values())), "precision": prec, "recall": rec, "rss_mb": peak_rss_mb(),
            "reports": reports}


def store_roundtrip(reports: list[Report]) -> tuple[float, float]:
    """Write the happenings and links of `reports` into a fresh DuckDB file, then read the links back."""
    import tempfile

    import duckdb

    from casus.fusion.storage import ensure_tables, write

    p = load_params()
    with tempfile.TemporaryDirectory() as tmp:
        con = duckdb.connect(str(Path(tmp) / "bench.duckdb"))
        ensure_tables(con)
        t0 = time.perf_counter()
        con.execute("BEGIN TRANSACTION")
        write(con, fuse(reports, p))
        con.execute("COMMIT")
        t_write = time.perf_counter() - t0
        t0 = time.perf_counter()
        con.execute("SELECT happening, count(*) FROM happening_reports GROUP BY 1").fetchall()
        t_read = time.perf_counter() - t0
        con.close()
    return t_write, t_read


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--steps", type=int, default=4, help="sizes N/2^(steps-1) … N")
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--store", action="store_true", help="also write the largest run's happenings to DuckDB")
    args = ap.parse_args()
    sizes = [args.events // 2 ** i for i in reversed(range(args.steps))]
    base = None
    last = None
    print(f"{'events':>10} {'fuse s':>8} {'per N log N':>12} {'happenings':>11} {'true':>9} {'P':>6} {'R':>6} "
          f"{'peak RSS MB':>12}")
    for n in sizes:
        last = run(n, args.seed)
        cost = last["fuse_s"] / (n * math.log2(n))
        base = base or cost
        print(f"{n:>10,} {last['fuse_s']:>8.1f} {cost / base:>12.2f} {last['happenings']:>11,} "
              f"{last['true_happenings']:>9,} {last['precision']:>6.3f} {last['recall']:>6.3f} "
              f"{last['rss_mb']:>12,.0f}", flush=True)
    assert last is not None
    print(f"generating the {last['n']:,} reports took {last['generate_s']:.1f} s (not counted above); "
          f"peak RSS includes them")
    if args.store:
        t_write, t_read = store_roundtrip(last["reports"])
        print(f"store: fuse + write {last['happenings']:,} happenings and {last['n']:,} links {t_write:.1f} s, "
              f"read the links back {t_read:.2f} s; peak RSS {peak_rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
