"""The embedded DuckDB store: documents, actors, mentions, quotes, events and errors.

Records go in per batch, one transaction each, so a killed run keeps every batch it finished.
A document's identity is the hash of its normalised text: re-ingesting it changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb

from casus.document import content_hash
from casus.record import is_failed

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    hash TEXT PRIMARY KEY, id TEXT, title TEXT, outlet TEXT, url TEXT, published TEXT, language TEXT,
    text TEXT, record JSON, ingested_at TIMESTAMP DEFAULT current_timestamp);
CREATE TABLE IF NOT EXISTS actors (
    id TEXT PRIMARY KEY, name TEXT, kind TEXT, country TEXT, sector TEXT, scope TEXT, members TEXT);
CREATE TABLE IF NOT EXISTS mentions (
    doc_hash TEXT, doc_id TEXT, actor_id TEXT, start_char INTEGER, end_char INTEGER, via TEXT, text TEXT);
CREATE TABLE IF NOT EXISTS quotes (
    doc_hash TEXT, doc_id TEXT, n INTEGER, kind TEXT, content TEXT, content_start INTEGER, content_end INTEGER,
    speaker_actor TEXT, speaker TEXT, speaker_start INTEGER, speaker_end INTEGER, cue TEXT, confidence DOUBLE);
CREATE TABLE IF NOT EXISTS events (
    doc_hash TEXT, doc_id TEXT, n INTEGER, type TEXT, quad TEXT, cameo_root TEXT, goldstein DOUBLE,
    source_actor TEXT, source TEXT, target_actor TEXT, target TEXT, trigger TEXT, evidence TEXT,
    evidence_start INTEGER, evidence_end INTEGER, date TEXT, date_granularity TEXT, date_basis TEXT,
    location TEXT, country TEXT, lat DOUBLE, lon DOUBLE,
    negated BOOLEAN, hypothetical BOOLEAN, future BOOLEAN, historical BOOLEAN, reported BOOLEAN,
    mode TEXT, contexts TEXT, confidence DOUBLE);
ALTER TABLE events ADD COLUMN IF NOT EXISTS admin1 TEXT;
ALTER TABLE events ADD COLUMN IF NOT EXISTS feature TEXT;
ALTER TABLE events ADD COLUMN IF NOT EXISTS date_start TEXT;
ALTER TABLE events ADD COLUMN IF NOT EXISTS date_end TEXT;
CREATE TABLE IF NOT EXISTS lsh_bands (band TEXT, hash TEXT);
CREATE TABLE IF NOT EXISTS near_duplicates (
    hash TEXT, duplicate_of TEXT, similarity DOUBLE, PRIMARY KEY (hash, duplicate_of));
CREATE TABLE IF NOT EXISTS errors (
    doc_id TEXT, origin TEXT, stage TEXT, level TEXT, message TEXT,
    PRIMARY KEY (doc_id, origin, stage, message));
"""


def event_filter(actor: str | None = None, type_: str | None = None, since: str | None = None,
                 until: str | None = None, place: str | None = None, min_confidence: float | None = None,
                 alias: str = "") -> tuple[str, list[Any]]:
    """The event filters of `casus events` and `casus export`, as a WHERE clause over the events table
    (columns prefixed with `alias`, e.g. "e.")."""
    a = alias
    where, params = [], []
    if actor:
        # by canonical name too, so "--actor Putin" finds events whose source is "he" resolved to him
        where.append(f"({a}source_actor = ? OR {a}target_actor = ? OR {a}source ILIKE ? OR {a}target ILIKE ? OR "
                     f"{a}source_actor IN (SELECT id FROM actors WHERE name ILIKE ?) OR "
                     f"{a}target_actor IN (SELECT id FROM actors WHERE name ILIKE ?))")
        params += [actor, actor, f"%{actor}%", f"%{actor}%", f"%{actor}%", f"%{actor}%"]
    if min_confidence:
        where.append(f"{a}confidence >= ?")
        params.append(min_confidence)
    if type_:
        where.append(f"{a}type = ?")
        params.append(type_.upper())
    # a value with a span ("2025-W36", "2025-08", a range) is in [since, until] when all of its
    # span is: a vague "in recent months" does not match a one-day window
    if since:
        where.append(f"coalesce({a}date_start, {a}date) >= ?")
        params.append(since)
    if until:
        where.append(f"coalesce({a}date_end, {a}date) <= ?")
        params.append(until + "\uffff")
    if place:
        where.append(f"({a}location ILIKE ? OR {a}country = ? OR {a}admin1 ILIKE ?)")
        params += [f"%{place}%", place.upper(), f"%{place}%"]
    return (" WHERE " + " AND ".join(where)) if where else "", params


def _text(record: dict[str, Any], span: dict[str, Any] | None) -> str | None:
    if not span or span.get("start") is None:
        return None
    return " ".join(record["text"][span["start"] : span["end"]].split())


def _get(d: dict[str, Any] | None, key: str) -> Any:
    return d.get(key) if d else None


class Store:
    def __init__(self, path: str | Path = "casus.duckdb", read_only: bool = False):
        self.path = str(path)
        self.con = duckdb.connect(self.path, read_only=read_only)
        if not read_only:
            self.con.execute(SCHEMA)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def known_hashes(self, hashes: Iterable[str]) -> set[str]:
        hashes = list(hashes)
        if not hashes:
            return set()
        rows = self.con.execute("SELECT hash FROM documents WHERE hash IN (SELECT unnest(?))", [hashes]).fetchall()
        return {r[0] for r in rows}

    def has(self, text: str) -> bool:
        return bool(self.known_hashes([content_hash(text)]))

    def add_batch(self, records: list[dict[str, Any]], origins: list[str] | None = None) -> int:
        """Store a batch of records in one transaction; returns how many documents were new.

        Rows are gathered for the whole batch and written with one multi-row INSERT per table:
        DuckDB's per-row executemany cost as much as the extraction itself.
        """
        origins = origins or [""] * len(records)
        rows: dict[str, dict[Any, list[Any]] | list[list[Any]]] = {
            "errors": {}, "actors": {}, "mentions": [], "quotes": [], "events": []}
        added = 0
        self.con.execute("BEGIN TRANSACTION")
        try:
            for record, origin in zip(records, origins, strict=True):
                added += self._add(record, origin, rows)
            self._insert("errors", list(rows["errors"].values()), ignore=True)
            self._insert("actors", list(rows["actors"].values()), ignore=True,
                         columns=("id", "name", "kind", "country", "sector", "scope", "members"))
            for table in ("mentions", "quotes", "events"):
                self._insert(table, rows[table])
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        return added

    def add_records(self, records: Iterable[dict[str, Any]], batch_size: int = 256) -> tuple[int, int]:
        """Bulk load a stream of records, one transaction per batch; returns (records read, new documents)."""
        from itertools import islice

        it = iter(records)
        seen = added = 0
        while batch := list(islice(it, batch_size)):
            seen += len(batch)
            added += self.add_batch(batch)
        return seen, added

    def _insert(self, table: str, rows: list[list[Any]], ignore: bool = False,
                columns: tuple[str, ...] | None = None) -> None:
        if not rows:
            return
        verb = "INSERT OR IGNORE INTO" if ignore else "INSERT INTO"
        # rows without named columns are in the table's column order
        names = f" ({', '.join(columns)})" if columns else ""
        # one list parameter per column, zipped back into rows by unnest: far cheaper than binding rows
        cols = [list(c) for c in zip(*rows, strict=True)]
        select = ", ".join(f"unnest(${i + 1})" for i in range(len(cols)))
        self.con.execute(f"{verb} {table}{names} SELECT {select}", cols)

    def _add(self, record: dict[str, Any], origin: str, rows: dict[str, Any]) -> int:
        for err in record.get("errors", []):
            key = (record["id"], origin, err.get("stage"), err.get("message"))
            rows["errors"][key] = [record["id"], origin, err.get("stage"), err.get("level", "error"),
                                   err.get("message")]
        if is_failed(record) and not record["text"]:
            return 0
        h = content_hash(record["text"])
        if self.known_hashes([h]):
            return 0
        meta = record.get("meta", {})
        self.con.execute(
            "INSERT INTO documents (hash, id, title, outlet, url, published, language, text, record)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [h, record["id"], meta.get("title"), meta.get("outlet"), meta.get("url"), meta.get("published"),
             meta.get("language"), record["text"], json.dumps(record, ensure_ascii=False)])
        for a in record.get("actors", []):
            # KB ids are global, document-scoped ids ("doc:<text hash>:…") never collide across documents
            rows["actors"].setdefault(a["id"], [a["id"], a.get("name"), a.get("kind"), a.get("country"),
                                                a.get("sector"), a.get("scope"),
                                                ",".join(a.get("members") or []) or None])
            for m in a.get("mentions", []):
                rows["mentions"].append([h, record["id"], a["id"], m["start"], m["end"], m.get("via"),
                                         record["text"][m["start"] : m["end"]]])
        self._link_near_duplicates(h, record["text"])
        for n, q in enumerate(record.get("quotes", [])):
            spk, content, cue = q.get("speaker"), q.get("content"), q.get("cue")
            rows["quotes"].append([h, record["id"], n, q.get("kind"), _text(record, content), _get(content, "start"),
                                   _get(content, "end"), _get(spk, "actor"), _text(record, spk),
                                   _get(spk, "start"), _get(spk, "end"), _text(record, cue), q.get("confidence")])
        for n, e in enumerate(record.get("events", [])):
            src, tgt, date, loc = e.get("source"), e.get("target"), e.get("date"), e.get("location")
            mod = e.get("modality") or {}
            ev = e.get("evidence")
            rows["events"].append([
                h, record["id"], n, e["type"], e.get("quad"), e.get("cameo_root"), e.get("goldstein"),
                _get(src, "actor"), _text(record, src), _get(tgt, "actor"), _text(record, tgt),
                _text(record, e.get("trigger")), _text(record, ev), _get(ev, "start"), _get(ev, "end"),
                _get(date, "value"), _get(date, "granularity"), _get(date, "basis"),
                _get(loc, "name"), _get(loc, "country"), _get(loc, "lat"), _get(loc, "lon"),
                mod.get("negated"), mod.get("hypothetical"), mod.get("future"), mod.get("historical"),
                mod.get("reported"), e.get("mode"), ",".join(e.get("contexts") or []), e.get("confidence"),
                _get(loc, "admin1"), _get(loc, "feature"), _get(date, "earliest"), _get(date, "latest")])
        return 1

    def _link_near_duplicates(self, h: str, text: str) -> None:
        """Link a new document to stored ones that tell nearly the same story (kept, not dropped)."""
        from casus.ingest import similarity as sim_


        if sim_.too_short(text):
            return
        sh = sim_.shingles(text)
        keys = sim_.band_keys(sim_.signature(sh))
        # the documents sharing most LSH bands are the likeliest copies; a bounded few are checked exactly
        rows = self.con.execute(
            "SELECT d.hash, d.text FROM (SELECT hash, count(*) AS n FROM lsh_bands WHERE band IN (SELECT unnest(?))"
            " AND hash <> ? GROUP BY hash HAVING count(*) >= ? ORDER BY n DESC, hash LIMIT ?) c"
            " JOIN documents d ON d.hash = c.hash", [keys, h, sim_.MIN_BANDS, sim_.MAX_CANDIDATES]).fetchall()
        for other, other_text in rows:
            sim = sim_.jaccard(sh, sim_.shingles(other_text))
            if sim >= sim_.THRESHOLD:
                self.con.execute("INSERT OR IGNORE INTO near_duplicates VALUES (?, ?, ?)", [h, other, round(sim, 3)])
        self.con.execute("INSERT INTO lsh_bands SELECT unnest(?), ?", [keys, h])

    def near_duplicates(self, limit: int = 100) -> tuple[list[str], list[tuple]]:
        return self.query(
            "SELECT a.id, a.outlet, a.title, b.id AS duplicate_of, b.outlet AS duplicate_outlet, n.similarity"
            " FROM near_duplicates n JOIN documents a ON a.hash = n.hash JOIN documents b ON b.hash = n.duplicate_of"
            " ORDER BY n.similarity DESC, a.id LIMIT ?", [limit])

    # ---- queries -------------------------------------------------------------------------------

    def query(self, sql: str, params: list[Any] | None = None) -> tuple[list[str], list[tuple]]:
        cur = self.con.execute(sql, params or [])
        return [d[0] for d in cur.description], cur.fetchall()

    def events(self, actor: str | None = None, type_: str | None = None, since: str | None = None,
               until: str | None = None, limit: int = 100,
               place: str | None = None, min_confidence: float | None = None) -> tuple[list[str], list[tuple]]:
        where, params = event_filter(actor, type_, since, until, place, min_confidence)
        sql = ("SELECT doc_id, date, type, source_actor, source, target_actor, target, trigger, location, country, "
               "negated, hypothetical, future, historical, reported, confidence FROM events")
        sql += where + " ORDER BY date NULLS LAST, doc_id, n LIMIT ?"
        return self.query(sql, params + [limit])

    def quotes(self, speaker: str | None = None, kind: str | None = None,
               limit: int = 100) -> tuple[list[str], list[tuple]]:
        where, params = [], []
        if speaker:
            # by actor too, so "--speaker Putin" also lists the quotes he is given as "he said"
            where.append("(speaker_actor = ? OR speaker ILIKE ? OR speaker_actor IN "
                         "(SELECT id FROM actors WHERE name ILIKE ?))")
            params += [speaker, f"%{speaker}%", f"%{speaker}%"]
        if kind:
            where.append("kind = ?")
            params.append(kind)
        sql = "SELECT doc_id, kind, speaker_actor, speaker, cue, content, confidence FROM quotes"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY doc_id, content_start LIMIT ?"
        return self.query(sql, params + [limit])

    def actors(self, name: str | None = None, country: str | None = None,
               limit: int = 100) -> tuple[list[str], list[tuple]]:
        where, params = [], []
        if name:
            where.append("(a.id = ? OR a.name ILIKE ?)")
            params += [name, f"%{name}%"]
        if country:
            where.append("a.country = ?")
            params.append(country.upper())
        sql = ("SELECT a.id, a.name, a.kind, a.country, a.sector, a.members, count(m.actor_id) AS mentions, "
               "count(DISTINCT m.doc_hash) AS documents FROM actors a LEFT JOIN mentions m ON m.actor_id = a.id")
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " GROUP BY ALL ORDER BY mentions DESC, a.id LIMIT ?"
        return self.query(sql, params + [limit])

    def summary(self) -> dict[str, int]:
        out = {}
        for table in ("documents", "actors", "mentions", "quotes", "events", "errors", "near_duplicates"):
            out[table] = self.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        return out
