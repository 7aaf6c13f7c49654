"""`casus export`: records (JSONL, Parquet), event rows (CSV) and a GDELT 2.0-shaped event table.

Everything streams from the store in chunks, so an export of millions of events runs in constant
memory. The filters are those of `casus events`; for record formats they keep the documents that
have at least one matching event. The GDELT mapping is documented in docs/export.md.
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
from casus.store import Store, event_filter

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

EVENT_SQL = """
SELECT e.doc_id, e.doc_hash, e.n, d.published, d.url, d.title, e.date, e.date_granularity, e.type, e.quad,
       e.cameo_root, e.goldstein, e.source_actor, sa.name AS source_name, sa.country AS source_country,
       sa.sector AS source_sector, e.source, e.target_actor, ta.name AS target_name,
       ta.country AS target_country, ta.sector AS target_sector, e.target, e.trigger, e.evidence,
       e.evidence_start, e.evidence_end, e.location, e.country, e.lat, e.lon, e.negated, e.hypothetical,
       e.future, e.historical, e.reported, e.mode, e.contexts, e.confidence, d.ingested_at{happening}
FROM events e JOIN documents d ON d.hash = e.doc_hash
LEFT JOIN actors sa ON sa.id = e.source_actor LEFT JOIN actors ta ON ta.id = e.target_actor{happening_join}
"""
# each event's happening and its counts (casus.fusion), when the store has been fused
HAPPENING_COLUMNS = (", hr.happening, h.n_reports AS happening_reports, h.n_documents AS happening_documents, "
                     "h.n_outlets AS happening_outlets")
HAPPENING_JOIN = ("\nLEFT JOIN happening_reports hr ON hr.doc_hash = e.doc_hash AND hr.n = e.n "
                  "LEFT JOIN happenings h ON h.id = hr.happening")
CSV_COLUMNS = ["doc_id", "n", "published", "url", "title", "date", "date_granularity", "type", "quad", "cameo_root",
               "goldstein", "source_actor", "source_name", "source", "target_actor", "target_name", "target",
               "trigger", "evidence", "evidence_start", "evidence_end", "location", "country", "lat", "lon",
               "negated", "hypothetical", "future", "historical", "reported", "mode", "contexts", "confidence",
               "happening", "happening_reports", "happening_outlets"]


def _chunks(store: Store, sql: str, params: list[Any]) -> Iterator[tuple[list[str], list[tuple]]]:
    cur = store.con.execute(sql, params)
    columns = [d[0] for d in cur.description]
    while rows := cur.fetchmany(CHUNK):
        yield columns, rows


def records(store: Store, **filters: Any) -> Iterator[dict[str, Any]]:
    """The stored records; in a fused store each event carries the id of its `happening`."""
    from casus.fusion.storage import has_tables

    where, params = event_filter(**filters, alias="e.")
    fused = has_tables(store.con)
    links = (", (SELECT list(struct_pack(n := r.n, h := r.happening)) FROM happening_reports r "
             "WHERE r.doc_hash = d.hash)") if fused else ", NULL"
    if where:
        sql = (f"SELECT d.record{links} FROM documents d WHERE d.hash IN (SELECT e.doc_hash FROM events e{where})"
               " ORDER BY d.published NULLS LAST, d.id")
    else:
        sql = f"SELECT d.record{links} FROM documents d ORDER BY d.published NULLS LAST, d.id"
    for _, rows in _chunks(store, sql, params):
        for text, happenings in rows:
            record = json.loads(text)
            for link in happenings or ():
                if 0 <= link["n"] < len(record.get("events", [])):
                    record["events"][link["n"]]["happening"] = link["h"]
            yield record


def _event_sql(store: Store) -> str:
    from casus.fusion.storage import has_tables

    if has_tables(store.con):
        return EVENT_SQL.format(happening=HAPPENING_COLUMNS, happening_join=HAPPENING_JOIN)
    return EVENT_SQL.format(happening=", NULL AS happening, NULL AS happening_reports, NULL AS happening_documents, "
                                      "NULL AS happening_outlets", happening_join="")


def event_rows(store: Store, **filters: Any) -> Iterator[dict[str, Any]]:
    where, params = event_filter(**filters, alias="e.")
    sql = _event_sql(store) + where + " ORDER BY e.date NULLS LAST, e.doc_id, e.n"
    for columns, rows in _chunks(store, sql, params):
        for row in rows:
            yield dict(zip(columns, row, strict=True))


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
            w.writerow([_cell(item.get(c)) for c in columns])
            n += 1
    return n


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


def export(store: Store, fmt: str, out: str, include_negated: bool = False, header: bool = True,
           grain: str = "event", **filters: Any) -> int:
    """Write the export; returns how many records or rows were written. At `grain="happening"` a
    row is a happening (casus.fusion.export), not an event or a document."""
    if grain == "happening":
        from casus.fusion.export import export_happenings

        return export_happenings(store, fmt, out, include_negated=include_negated, header=header, **filters)
    if grain != "event":
        raise ValueError(f"unknown grain {grain!r}; event or happening")
    if fmt == "jsonl":
        return write_jsonl(records(store, **filters), out)
    if fmt == "parquet":
        if out == "-":
            raise ValueError("parquet needs an output file, not stdout")
        return write_parquet_records(records(store, **filters), out)
    if fmt == "csv":
        return write_delimited(event_rows(store, **filters), CSV_COLUMNS, out, header=header)
    if fmt == "gdelt":
        return write_delimited(gdelt_rows(store, include_negated, **filters), GDELT_COLUMNS, out, "\t", header)
    raise ValueError(f"unknown export format {fmt!r}")
