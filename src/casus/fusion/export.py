"""`casus export --grain happening`: one row per happening instead of one per event or document.

- jsonl: each happening with all its reports (document, outlet, publication date, evidence span);
- csv: the happening columns;
- parquet: the happening columns, plus the reports as a JSON column;
- gdelt: the GDELT 2.0 event table with one row per happening, as GDELT itself counts: NumMentions
  = reports, NumSources = distinct outlets, NumArticles = distinct documents; the CAMEO code, URL
  and DATEADDED of its first report.
The event filters keep the happenings with at least one matching report.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from casus.export import GDELT_COLUMNS, _quad_codes, gdelt_row, write_delimited, write_jsonl
from casus.fusion import queries
from casus.query import EventFilter
from casus.store import Store

CSV_COLUMNS = ["id", "type", "date_start", "date_end", "source_name", "source_key", "source_country", "source_sector",
               "target_name", "target_key", "target_country", "target_sector", "location", "location_country", "lat",
               "lon", "negated", "hypothetical", "future", "historical", "n_reports", "n_documents", "n_outlets",
               "outlets", "first_report", "last_report", "confidence"]
CHUNK = 512

# the first report of each happening: what GDELT's one-row-per-event table takes from "the" article
FIRST_REPORT = """
SELECT r.happening, e.quad, e.cameo_root, e.goldstein, e.source_actor, e.source, e.target_actor, e.target,
       e.evidence_start, d.url, d.ingested_at
FROM happening_reports r JOIN events e ON e.doc_hash = r.doc_hash AND e.n = r.n JOIN documents d ON d.hash = e.doc_hash
WHERE r.happening IN (SELECT unnest(?))
QUALIFY row_number() OVER (PARTITION BY r.happening ORDER BY d.published NULLS LAST, e.doc_id, e.n) = 1
"""


def happenings(store: Store, with_reports: bool = False, **filters: Any) -> Iterator[dict[str, Any]]:
    """Matching happenings in date order, streamed in chunks (with their reports when asked)."""
    w = EventFilter(**filters).where()
    cur = queries.cursor(store.con.cursor(), w.sql(), w.params, sort="date", order="asc")
    cols = [d[0] for d in cur.description]
    while rows := cur.fetchmany(CHUNK):
        items = [dict(zip(cols, row, strict=True)) for row in rows]
        if with_reports:
            reps = queries.reports(store.con, [h["id"] for h in items])
            for h in items:
                h["reports"] = reps[h["id"]]
        yield from items


def _first_reports(store: Store, ids: list[str]) -> dict[str, dict[str, Any]]:
    cur = store.con.execute(FIRST_REPORT, [ids])
    cols = [d[0] for d in cur.description]
    return {row[0]: dict(zip(cols, row, strict=True)) for row in cur.fetchall()}


def gdelt_rows(store: Store, include_negated: bool = False, **filters: Any) -> Iterator[dict[str, Any]]:
    """One GDELT row per happening (negated ones left out unless asked for, as at event grain)."""
    quads = _quad_codes()
    chunk: list[dict[str, Any]] = []

    def flush() -> Iterator[dict[str, Any]]:
        first = _first_reports(store, [h["id"] for h in chunk])
        for h in chunk:
            f = first.get(h["id"], {})
            one_day = h["date_start"] is not None and h["date_start"] == h["date_end"]
            row = {"doc_hash": h["id"], "n": 0, "published": h["first_report"], "url": f.get("url"),
                   "date": h["date_start"] if one_day else None, "date_granularity": "day" if one_day else None,
                   "quad": f.get("quad"), "cameo_root": f.get("cameo_root"), "goldstein": f.get("goldstein"),
                   "source_actor": f.get("source_actor"), "source_name": h["source_name"],
                   "source_country": h["source_country"], "source_sector": h["source_sector"],
                   "source": f.get("source"), "target_actor": f.get("target_actor"), "target_name": h["target_name"],
                   "target_country": h["target_country"], "target_sector": h["target_sector"],
                   "target": f.get("target"),
                   "evidence_start": f.get("evidence_start"), "location": h["location"],
                   "country": h["location_country"], "lat": h["lat"], "lon": h["lon"],
                   "ingested_at": f.get("ingested_at"), "happening_reports": h["n_reports"],
                   "happening_outlets": h["n_outlets"], "happening_documents": h["n_documents"]}
            out = gdelt_row(row, quads)
            out["GlobalEventID"] = int(h["id"][1:16], 16)  # the happening id's 60 bits: stable like the id
            yield out
        chunk.clear()

    for h in happenings(store, **filters):
        if h["negated"] and not include_negated:
            continue
        chunk.append(h)
        if len(chunk) >= CHUNK:
            yield from flush()
    if chunk:
        yield from flush()


def _csv_rows(store: Store, **filters: Any) -> Iterator[dict[str, Any]]:
    for h in happenings(store, **filters):
        yield {**h, "outlets": "; ".join(h["outlets"] or [])}


def write_parquet(store: Store, out: str, **filters: Any) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(c, pa.list_(pa.string()) if c == "outlets" else
                         pa.int32() if c.startswith("n_") else
                         pa.float64() if c in ("lat", "lon", "confidence") else
                         pa.bool_() if c in ("negated", "hypothetical", "future", "historical") else pa.string())
                        for c in CSV_COLUMNS] + [("reports", pa.string())])
    n = 0
    batch: list[dict[str, Any]] = []
    with pq.ParquetWriter(out, schema) as writer:
        for h in happenings(store, with_reports=True, **filters):
            batch.append({**{c: h[c] for c in CSV_COLUMNS},
                          "reports": json.dumps(h["reports"], default=str, ensure_ascii=False)})
            if len(batch) >= CHUNK:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                n += len(batch)
                batch = []
        if batch:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            n += len(batch)
    return n


def export_happenings(store: Store, fmt: str, out: str, include_negated: bool = False, header: bool = True,
                      **filters: Any) -> int:
    queries.require(store.con)
    if fmt == "jsonl":
        return write_jsonl(happenings(store, with_reports=True, **filters), out)
    if fmt == "csv":
        return write_delimited(_csv_rows(store, **filters), CSV_COLUMNS, out, header=header)
    if fmt == "parquet":
        if out == "-":
            raise ValueError("parquet needs an output file, not stdout")
        return write_parquet(store, out, **filters)
    if fmt == "gdelt":
        return write_delimited(gdelt_rows(store, include_negated, **filters), GDELT_COLUMNS, out, "\t", header)
    raise ValueError(f"unknown export format {fmt!r}")
