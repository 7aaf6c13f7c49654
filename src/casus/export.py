"""`casus export`: the analyst tables (events, quotes, actors) as CSV, Parquet, JSON or JSONL, the whole
records, and a GDELT 2.0-shaped event table.

The tables are the store's views (`events_full`, `quotes_full`, `actors_full`; docs/schema.md), read
through the query layer with the filters of `casus events`, so an export holds exactly the rows the
CLI and the API list. Parquet keeps the types (DATE, LIST, BOOLEAN, DOUBLE): DuckDB writes it
straight from the query. Everything else streams in chunks, in constant memory. The GDELT mapping
is documented in docs/export.md.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from casus.data_files import plover_types
from casus.query import EventFilter
from casus.store import Store

CHUNK = 2048

# The GDELT 2.0 event table, in file order (GDELT-Event_Codebook-V2.0). Columns casus cannot fill
# (ethnic and religion codes, tone, ADM2, feature ids) stay empty so positional readers still work.
_ACTOR = ["Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code", "Religion2Code",
          "Type1Code", "Type2Code", "Type3Code"]
_GEO = ["Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID"]
GDELT_COLUMNS = (
    ["GlobalEventID", "Day", "MonthYear", "Year", "FractionDate"]
    + [f"Actor1{c}" for c in _ACTOR] + [f"Actor2{c}" for c in _ACTOR]
    + ["IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
       "NumMentions", "NumSources", "NumArticles", "AvgTone"]
    + [f"Actor1Geo_{c}" for c in _GEO] + [f"Actor2Geo_{c}" for c in _GEO] + [f"ActionGeo_{c}" for c in _GEO]
    + ["DATEADDED", "SOURCEURL"]
)

TABLES = ("events", "quotes", "actors", "records")
FORMATS = {"events": ("csv", "parquet", "json", "jsonl", "gdelt"), "quotes": ("csv", "parquet", "json", "jsonl"),
           "actors": ("csv", "parquet", "json", "jsonl"), "records": ("jsonl", "json", "parquet")}
# the event filters that select documents for the records table (confidence alone keeps every document)
_CONTENT_FILTERS = ("actor", "type", "quad", "since", "until", "place", "text", "doc")


class ExportError(ValueError):
    """An export that can't be written as asked (format not offered for that table, parquet to stdout…)."""


def _chunks(cur: Any) -> Iterator[dict[str, Any]]:
    columns = [d[0] for d in cur.description]
    while rows := cur.fetchmany(CHUNK):
        for row in rows:
            yield dict(zip(columns, row, strict=True))


def table_select(store: Store, table: str, **filters: Any) -> tuple[str, list[Any]]:
    """The query of an export table: the events with the filters of `casus events`, or every quote or actor."""
    q = store.queries()
    if table == "events":
        return q.event_select(EventFilter(**filters))
    if any(v is not None for k, v in filters.items() if k != "min_confidence"):
        raise ExportError(f"event filters select events (and records), not {table}")
    from casus.query import ActorFilter, QuoteFilter

    return q.quote_select(QuoteFilter()) if table == "quotes" else q.actor_select(ActorFilter())


def event_rows(store: Store, **filters: Any) -> Iterator[dict[str, Any]]:
    """Rows of `events_full` for the filters (with their happening in a fused store), in date order, streamed."""
    yield from _chunks(store.queries().event_rows(EventFilter(**filters)))


def records(store: Store, **filters: Any) -> Iterator[dict[str, Any]]:
    """Whole records: every document, or with content filters the documents with at least one matching event.
    In a fused store each event carries the id of its `happening`."""
    from casus.fusion.storage import has_tables

    links = (", (SELECT list(struct_pack(n := r.n, h := r.happening)) FROM happening_reports r "
             "WHERE r.doc_hash = d.hash) AS happenings") if has_tables(store.con) else ", NULL AS happenings"
    order = " ORDER BY d.published_date NULLS LAST, d.published, d.id"
    if any(filters.get(k) for k in _CONTENT_FILTERS):
        w = EventFilter(**filters).where()
        sql = (f"SELECT d.record{links} FROM documents d WHERE d.hash IN (SELECT e.doc_hash FROM events e{w.sql()})"
               + order)
        params = w.params
    else:
        sql, params = f"SELECT d.record{links} FROM documents d" + order, []
    for row in _chunks(store.con.execute(sql, params)):
        record = json.loads(row["record"])
        for link in row["happenings"] or ():
            if 0 <= link["n"] < len(record.get("events", [])):
                record["events"][link["n"]]["happening"] = link["h"]
        yield record


# ---- GDELT ---------------------------------------------------------------------------------------

def _quad_codes() -> dict[str, int]:
    return {t["quad"]: t["quad_code"] for t in plover_types().values()}


def _event_id(doc_hash: str, n: int) -> int:
    # Stable across exports and machines; 60 bits fit GDELT's integer column.
    return int(hashlib.sha1(f"{doc_hash}:{n}".encode()).hexdigest()[:15], 16)


def _day(row: dict[str, Any]) -> str | None:
    """The event's own date when known to the day, else the publication date (as GDELT does)."""
    for value in (row["date"] if row["date_granularity"] == "day" else None, row["published"]):
        digits = str(value or "")[:10].replace("-", "")
        if len(digits) == 8 and digits.isdigit():
            return digits
    return None


def _actor(prefix: str, actor_id: str | None, name: str | None, text: str | None, country: str | None,
           sector: str | None) -> dict[str, Any]:
    code = "".join(x for x in (country, sector) if x)
    return {f"{prefix}Code": code or None, f"{prefix}Name": (name or text or "").upper() or None,
            f"{prefix}CountryCode": country, f"{prefix}Type1Code": sector}


def gdelt_row(row: dict[str, Any], quads: dict[str, int]) -> dict[str, Any]:
    out: dict[str, Any] = dict.fromkeys(GDELT_COLUMNS)
    day = _day(row)
    if day:
        year, month, dd = int(day[:4]), int(day[4:6]), int(day[6:])
        out.update(Day=day, MonthYear=day[:6], Year=day[:4],
                   FractionDate=f"{year + ((month - 1) * 30 + dd) / 365:.4f}")
    out["GlobalEventID"] = _event_id(row["doc_hash"], row["n"])
    out.update(_actor("Actor1", row["source_actor"], row["source_name"], row["source"], row["source_country"],
                      row["source_sector"]))
    out.update(_actor("Actor2", row["target_actor"], row["target_name"], row["target"], row["target_country"],
                      row["target_sector"]))
    out["IsRootEvent"] = 1 if (row["evidence_start"] or 0) < 500 else 0
    root = row["cameo_root"]
    # an event fused into a happening carries the happening's counts (every report of it the same)
    out.update(EventCode=root, EventBaseCode=root, EventRootCode=root, QuadClass=quads.get(row["quad"]),
               GoldsteinScale=row["goldstein"], NumMentions=row.get("happening_reports") or 1,
               NumSources=row.get("happening_outlets") or 1, NumArticles=row.get("happening_documents") or 1)
    if row["location"] or row["lat"] is not None:
        point = row["lat"] is not None and row["lon"] is not None
        is_country = bool(row["location"]) and not point
        out.update(ActionGeo_Type=1 if is_country else 4, ActionGeo_FullName=row["location"],
                   ActionGeo_CountryCode=row["country"], ActionGeo_Lat=row["lat"], ActionGeo_Long=row["lon"])
    if row["ingested_at"] is not None:
        out["DATEADDED"] = row["ingested_at"].strftime("%Y%m%d%H%M%S")
    out["SOURCEURL"] = row["url"]
    return out


def gdelt_rows(store: Store, include_negated: bool = False, **filters: Any) -> Iterator[dict[str, Any]]:
    """GDELT-shaped rows. Negated events ("did not attack") are left out unless asked for: GDELT has no
    negation column, so a consumer would read them as events that happened."""
    quads = _quad_codes()
    for row in event_rows(store, **filters):
        if row["negated"] and not include_negated:
            continue
        yield gdelt_row(row, quads)


# ---- writers -------------------------------------------------------------------------------------

@contextmanager
def _open_text(out: str) -> Iterator[IO[str]]:
    if out == "-":
        yield sys.stdout
        return
    with open(out, "w", encoding="utf-8", newline="") as fh:
        yield fh


def _cell(v: Any) -> Any:
    return "" if v is None else v


# Excel, LibreOffice and Google Sheets run a cell that starts with one of these as a formula
# (`=cmd|' /C calc'!A1`, `=HYPERLINK(…)`); some skip a leading tab or carriage return first (OWASP, CSV injection)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_value(v: Any) -> Any:
    """A cell of a CSV table: LIST values joined with ';' (contexts, members), dates in ISO form, and text
    that a spreadsheet would run as a formula behind a `'`, which spreadsheets show as text.

    Every CSV and TSV casus writes (exports, `--format csv`, the workbench's download) goes through
    here. Numbers stay numbers: a Goldstein score of -2.0 is written -2.0.
    """
    v = _cell(";".join(str(x) for x in v) if isinstance(v, list) else v)
    if isinstance(v, str) and v.startswith(FORMULA_START):
        return "'" + v
    return v


def write_jsonl(items: Iterator[dict[str, Any]], out: str) -> int:
    n = 0
    with _open_text(out) as fh:
        for item in items:
            fh.write(json.dumps(item, ensure_ascii=False, default=str) + "\n")
            n += 1
    return n


def write_delimited(items: Iterator[dict[str, Any]], columns: list[str], out: str, delimiter: str = ",",
                    header: bool = True) -> int:
    n = 0
    with _open_text(out) as fh:
        w = csv.writer(fh, delimiter=delimiter, lineterminator="\n")
        if header:
            w.writerow(columns)
        for item in items:
            w.writerow([csv_value(item.get(c)) for c in columns])
            n += 1
    return n


def write_json(items: Iterator[dict[str, Any]], out: str) -> int:
    """One JSON array, written as the rows come."""
    n = 0
    with _open_text(out) as fh:
        for item in items:
            fh.write(("[" if n == 0 else ",\n") + json.dumps(item, ensure_ascii=False, default=str))
            n += 1
        fh.write("]\n" if n else "[]\n")
    return n


def write_parquet_table(store: Store, sql: str, params: list[Any], out: str) -> int:
    """DuckDB writes the query result itself, with its column types (DATE, LIST…), as one Parquet file."""
    path = out.replace("'", "''")  # a file name is not a bindable parameter in COPY
    store.con.execute(f"COPY ({sql}) TO '{path}' (FORMAT parquet)", params)
    return store.con.execute("SELECT count(*) FROM read_parquet(?)", [out]).fetchone()[0]


def write_parquet_records(items: Iterator[dict[str, Any]], out: str) -> int:
    """One Parquet file with the `casus run` schema (record JSON + flat columns, month included)."""
    from itertools import islice

    import pyarrow.parquet as pq

    from casus.scale.records import SCHEMA, to_table

    n = 0
    with pq.ParquetWriter(out, SCHEMA) as writer:
        while chunk := list(islice(items, 512)):
            writer.write_table(to_table(chunk))
            n += len(chunk)
    return n


def export(store: Store, fmt: str, out: str, table: str = "events", include_negated: bool = False,
           header: bool = True, grain: str = "event", **filters: Any) -> int:
    """Write `table` (events, quotes, actors or records) as `fmt`; returns how many rows or records were written.
    At `grain="happening"` a row is a happening (casus.fusion.export), not an event or a document."""
    if grain == "happening":
        from casus.fusion.export import export_happenings

        return export_happenings(store, fmt, out, include_negated=include_negated, header=header, **filters)
    if grain != "event":
        raise ExportError(f"unknown grain {grain!r}; event or happening")
    if table not in TABLES:
        raise ExportError(f"unknown table {table!r}; one of {', '.join(TABLES)}")
    if fmt not in FORMATS[table]:
        raise ExportError(f"{table} export as {fmt!r} is not offered; {table}: {', '.join(FORMATS[table])}")
    if fmt == "parquet" and out == "-":
        raise ExportError("parquet needs an output file, not stdout")
    if table == "records":
        items = records(store, **filters)
        if fmt == "parquet":
            return write_parquet_records(items, out)
        return write_json(items, out) if fmt == "json" else write_jsonl(items, out)
    if fmt == "gdelt":
        return write_delimited(gdelt_rows(store, include_negated, **filters), GDELT_COLUMNS, out, "\t", header)
    sql, params = table_select(store, table, **filters)
    if fmt == "parquet":
        return write_parquet_table(store, sql, params, out)
    cur = store.con.execute(sql, params)
    columns = [d[0] for d in cur.description]
    if fmt == "csv":
        return write_delimited(_chunks(cur), columns, out, header=header)
    return write_json(_chunks(cur), out) if fmt == "json" else write_jsonl(_chunks(cur), out)

