"""Fusion over the Parquet output of `casus run` (local or Ray): the Ray path's fusion step.

    casus fuse --parquet records/ --out happenings/

DuckDB reads the records straight from the Parquet files; every event becomes a report through the
same `make_report` as in the store, the same `fuse` forms the happenings, and two Parquet files
come out: `happenings.parquet` (one row per happening, the store's `happenings` columns) and
`happening_reports.parquet` (document id and hash, event index → happening). Query them with DuckDB
next to the records, e.g. the happenings seen by three or more outlets:

    duckdb -c "SELECT type, source_name, target_name, date_start, n_outlets
               FROM 'happenings/happenings.parquet' WHERE n_outlets >= 3 ORDER BY n_outlets DESC"
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from casus.document import content_hash
from casus.fusion.cluster import fuse
from casus.fusion.happening import COLUMNS, summarise
from casus.fusion.params import Params, load_params
from casus.fusion.report import Report, flags_of, make_actor, make_place, make_report, outlet_of


def _span_text(text: str, span: dict[str, Any] | None) -> str | None:
    if not span or span.get("start") is None:
        return None
    return " ".join(text[span["start"] : span["end"]].split())


def reports_from_record(record: dict[str, Any], p: Params) -> Iterator[Report]:
    """The reports of one record (DESIGN.md §4), exactly as the store's event rows would give them."""
    text = record.get("text") or ""
    if not text or not record.get("events"):
        return
    doc = content_hash(text)
    meta = record.get("meta") or {}
    actors = {a["id"]: a for a in record.get("actors") or []}
    outlet = outlet_of(meta.get("outlet"), meta.get("url"), doc)

    def party(span: dict[str, Any] | None) -> Any:
        if not span:
            return None
        aid = span.get("actor")
        a = actors.get(aid) or {}
        return make_actor(aid, a.get("name"), a.get("kind"), a.get("country"), a.get("sector"), _span_text(text, span))

    for n, e in enumerate(record["events"]):
        date, loc, mod = e.get("date") or {}, e.get("location") or {}, e.get("modality") or {}
        yield make_report(
            doc, n, e["type"], party(e.get("source")), party(e.get("target")),
            date_start=date.get("earliest"), date_end=date.get("latest"), date_basis=date.get("basis"),
            published=meta.get("published"),
            flags=flags_of(mod.get("negated"), mod.get("hypothetical"), mod.get("future"), mod.get("historical")),
            place=make_place(loc.get("name"), loc.get("country"), loc.get("feature"), loc.get("lat"), loc.get("lon")),
            outlet=outlet, confidence=e.get("confidence"), evidence=_span_text(text, e.get("evidence")),
            lookback=p.undated_lookback_days, widest=p.widest_interval_days)


def read_reports(source: str | Path, p: Params) -> tuple[list[Report], dict[str, str]]:
    """Every report in a `casus run` directory (or one Parquet file), read by DuckDB; and doc hash → id."""
    import duckdb

    path = Path(source)
    pattern = str(path / "**" / "*.parquet") if path.is_dir() else str(path)
    con = duckdb.connect()
    cur = con.execute("SELECT id, record FROM read_parquet(?, hive_partitioning = true) WHERE NOT failed AND "
                      "n_events > 0", [pattern])
    reports: list[Report] = []
    ids: dict[str, str] = {}
    while rows := cur.fetchmany(2048):
        for doc_id, text in rows:
            for r in reports_from_record(json.loads(text), p):
                ids.setdefault(r.doc, doc_id)
                reports.append(r)
    con.close()
    return reports, ids


def fuse_parquet(source: str | Path, out: str | Path, p: Params | None = None) -> tuple[int, int]:
    """Fuse the records under `source` into `out`/happenings.parquet and happening_reports.parquet."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    p = p or load_params()
    reports, ids = read_reports(source, p)
    rows: list[dict[str, Any]] = []
    links: dict[str, list[Any]] = {"doc_id": [], "doc_hash": [], "n": [], "happening": [], "component": []}
    for hid, cid, members in fuse(reports, p):
        rows.append(summarise(hid, cid, members))
        for r in members:
            for k, v in (("doc_id", ids[r.doc]), ("doc_hash", r.doc), ("n", r.n), ("happening", hid),
                         ("component", cid)):
                links[k].append(v)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    types = {"lat": pa.float64(), "lon": pa.float64(), "confidence": pa.float64(), "outlets": pa.list_(pa.string()),
             "n_reports": pa.int32(), "n_documents": pa.int32(), "n_outlets": pa.int32(), "negated": pa.bool_(),
             "hypothetical": pa.bool_(), "future": pa.bool_(), "historical": pa.bool_()}
    schema = pa.schema([(c, types.get(c, pa.string())) for c in COLUMNS])
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), out / "happenings.parquet")
    pq.write_table(pa.table({**links, "n": pa.array(links["n"], pa.int32())}), out / "happening_reports.parquet")
    return len(reports), len(rows)
