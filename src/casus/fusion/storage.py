"""Fusion in the store: the `happenings` table and the event → happening links, kept up to date
incrementally.

Tables (created here, apart from the store's own schema):
- `happenings`: one row per happening (casus.fusion.happening.COLUMNS);
- `happening_reports`: one row per event (doc_hash, n) → happening, with its component, block and
  days, so that new events find the components they may join without reading the store;
- `fusion_state`: the rules the store was fused with (a change needs `casus fuse --rebuild`).

`update` fuses the events that have no link yet: it finds the stored components whose block and
days overlap theirs, re-clusters those components with the new events, and replaces their
happenings; every other happening stays as it is. Because a component's happenings depend only
on its reports (casus.fusion.cluster), this gives the same happenings as fusing everything at once,
in any order of ingest; with nothing new it changes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import duckdb

from casus.fusion.cluster import block_of, fuse
from casus.fusion.happening import COLUMNS, summarise
from casus.fusion.params import Params, load_params
from casus.fusion.report import Report, flags_of, make_actor, make_place, make_report, outlet_of

TABLES = """
CREATE TABLE IF NOT EXISTS happenings (
    id TEXT PRIMARY KEY, component TEXT, type TEXT, source_key TEXT, source_name TEXT, source_country TEXT,
    source_sector TEXT, target_key TEXT, target_name TEXT, target_country TEXT, target_sector TEXT,
    date_start DATE, date_end DATE, location TEXT, location_country TEXT, lat DOUBLE, lon DOUBLE,
    negated BOOLEAN, hypothetical BOOLEAN, future BOOLEAN, historical BOOLEAN,
    n_reports INTEGER, n_documents INTEGER, n_outlets INTEGER, outlets TEXT[], first_report DATE,
    last_report DATE, confidence DOUBLE);
CREATE TABLE IF NOT EXISTS happening_reports (
    doc_hash TEXT, n INTEGER, happening TEXT, component TEXT, block TEXT, lo INTEGER, hi INTEGER,
    PRIMARY KEY (doc_hash, n));
CREATE TABLE IF NOT EXISTS fusion_state (key TEXT PRIMARY KEY, value TEXT);
"""
RULES_KEY = "rules"


class FusionStale(RuntimeError):
    """The store was fused with other rules (casus/data/fusion.yaml changed): re-fuse it whole."""


@dataclass
class UpdateStats:
    new_reports: int = 0
    components_redone: int = 0
    happenings_written: int = 0
    happenings_total: int = 0
    seconds: float = 0.0


def has_tables(con: duckdb.DuckDBPyConnection) -> bool:
    rows = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' AND "
                       "table_name IN ('happenings', 'happening_reports')").fetchone()
    return bool(rows and rows[0] == 2)


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    rows = con.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' "
                       "AND table_name = ?", [table]).fetchall()
    return {r[0] for r in rows}


def _report_sql(con: duckdb.DuckDBPyConnection) -> str:
    cols = _columns(con, "events")

    def col(name: str, cast: bool = False) -> str:
        if name not in cols:
            return "NULL"
        return f"CAST(e.{name} AS VARCHAR)" if cast else f"e.{name}"

    # dates read as text: whether the store keeps them as TEXT or DATE, make_report parses ISO strings
    return ("SELECT e.doc_hash, e.n, e.type, e.source_actor, sa.name, sa.kind, sa.country, sa.sector, e.source, "
            "e.target_actor, ta.name, ta.kind, ta.country, ta.sector, e.target, "
            f"{col('date_start', True)}, {col('date_end', True)}, {col('date_basis')}, "
            "CAST(d.published AS VARCHAR), e.negated, e.hypothetical, e.future, e.historical, "
            f"{col('location')}, {col('country')}, {col('feature')}, {col('lat')}, {col('lon')}, "
            "d.outlet, d.url, e.confidence, e.evidence "
            "FROM events e JOIN documents d ON d.hash = e.doc_hash "
            "LEFT JOIN actors sa ON sa.id = e.source_actor LEFT JOIN actors ta ON ta.id = e.target_actor ")


def report_from_row(row: tuple[Any, ...], p: Params) -> Report:
    (doc, n, type_, s_id, s_name, s_kind, s_country, s_sector, s_text, t_id, t_name, t_kind, t_country, t_sector,
     t_text, d_start, d_end, d_basis, published, neg, hyp, fut, hist, loc, loc_country, feature, lat, lon, outlet,
     url, conf, evidence) = row
    return make_report(
        doc, n, type_, make_actor(s_id, s_name, s_kind, s_country, s_sector, s_text),
        make_actor(t_id, t_name, t_kind, t_country, t_sector, t_text),
        date_start=d_start, date_end=d_end, date_basis=d_basis, published=published,
        flags=flags_of(neg, hyp, fut, hist), place=make_place(loc, loc_country, feature, lat, lon),
        outlet=outlet_of(outlet, url, doc), confidence=conf, evidence=evidence,
        lookback=p.undated_lookback_days, widest=p.widest_interval_days)


def _reports(con: duckdb.DuckDBPyConnection, where: str, params: list[Any], p: Params) -> Iterator[Report]:
    cur = con.execute(_report_sql(con) + where, params)
    while rows := cur.fetchmany(10_000):
        for row in rows:
            yield report_from_row(row, p)


def _insert(con: duckdb.DuckDBPyConnection, table: str, columns: list[str], rows: list[list[Any]]) -> None:
    # one list per column, zipped back into rows by unnest: far cheaper than binding row by row
    for i in range(0, len(rows), 100_000):
        chunk = rows[i : i + 100_000]
        cols = [list(c) for c in zip(*chunk, strict=True)]
        select = ", ".join(f"unnest(${j + 1})" for j in range(len(cols)))
        con.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {select}", cols)


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(TABLES)


def check_rules(con: duckdb.DuckDBPyConnection, p: Params) -> bool:
    """True when the store holds no fusion yet or was fused with these rules."""
    row = con.execute("SELECT value FROM fusion_state WHERE key = ?", [RULES_KEY]).fetchone()
    if row is None:
        return con.execute("SELECT count(*) FROM happening_reports").fetchone()[0] == 0
    return row[0] == p.tag()


def update(con: duckdb.DuckDBPyConnection, p: Params | None = None, rebuild: bool = False) -> UpdateStats:
    """Fuse the events not fused yet into the store's happenings, in one transaction."""
    p = p or load_params()
    t0 = time.perf_counter()
    ensure_tables(con)
    stats = UpdateStats()
    con.execute("BEGIN TRANSACTION")
    try:
        if rebuild:
            con.execute("DELETE FROM happening_reports")
            con.execute("DELETE FROM happenings")
        elif not check_rules(con, p):
            raise FusionStale("the store was fused with other fusion rules; run `casus fuse --rebuild`")
        con.execute("INSERT OR REPLACE INTO fusion_state VALUES (?, ?)", [RULES_KEY, p.tag()])
        new = list(_reports(con, "WHERE NOT EXISTS (SELECT 1 FROM happening_reports r WHERE r.doc_hash = e.doc_hash "
                                 "AND r.n = e.n)", [], p))
        stats.new_reports = len(new)
        if new:
            touched = _touched_components(con, new)
            stats.components_redone = len(touched)
            old = list(_reports(con, "WHERE EXISTS (SELECT 1 FROM happening_reports r WHERE r.doc_hash = e.doc_hash "
                                     "AND r.n = e.n AND r.component IN (SELECT unnest(?)))", [touched], p))
            if touched:
                con.execute("DELETE FROM happenings WHERE component IN (SELECT unnest(?))", [touched])
                con.execute("DELETE FROM happening_reports WHERE component IN (SELECT unnest(?))", [touched])
            stats.happenings_written = write(con, fuse(new + old, p))
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    stats.happenings_total = con.execute("SELECT count(*) FROM happenings").fetchone()[0]
    stats.seconds = time.perf_counter() - t0
    return stats


def _touched_components(con: duckdb.DuckDBPyConnection, new: list[Report]) -> list[str]:
    """Stored components with a report in a new report's block whose days overlap it."""
    spans: dict[tuple[str, int | None, int | None], None] = {}
    for r in new:
        spans[(block_of(r), r.lo, r.hi)] = None
    if not spans:
        return []
    blocks, los, his = (list(c) for c in zip(*spans, strict=True))
    rows = con.execute(
        "SELECT DISTINCT l.component FROM happening_reports l JOIN "
        "(SELECT unnest(?) AS block, unnest(?) AS lo, unnest(?) AS hi) t ON l.block = t.block "
        "AND ((l.lo IS NULL AND t.lo IS NULL) OR (l.lo <= t.hi AND l.hi >= t.lo)) ORDER BY 1",
        [blocks, los, his]).fetchall()
    return [r[0] for r in rows]


def write(con: duckdb.DuckDBPyConnection, happenings: Iterable[tuple[str, str, list[Report]]]) -> int:
    links: list[list[Any]] = []
    rows: list[list[Any]] = []
    for hid, cid, members in happenings:
        summary = summarise(hid, cid, members)
        rows.append([summary[c] for c in COLUMNS])
        for r in members:
            links.append([r.doc, r.n, hid, cid, block_of(r), r.lo, r.hi])
    _insert(con, "happening_reports", ["doc_hash", "n", "happening", "component", "block", "lo", "hi"], links)
    _insert(con, "happenings", COLUMNS, rows)
    return len(rows)
