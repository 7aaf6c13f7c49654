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
    id TEXT PRIMARY KEY, name TEXT, kind TEXT, country TEXT, sector TEXT);
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
CREATE TABLE IF NOT EXISTS errors (
    doc_id TEXT, origin TEXT, stage TEXT, level TEXT, message TEXT,
    PRIMARY KEY (doc_id, origin, stage, message));
"""


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
        """Store a batch of records in one transaction; returns how many documents were new."""
        origins = origins or [""] * len(records)
        added = 0
        self.con.execute("BEGIN TRANSACTION")
        try:
            for record, origin in zip(records, origins, strict=True):
                added += self._add(record, origin)
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

    def _add(self, record: dict[str, Any], origin: str) -> int:
        for err in record.get("errors", []):
            self.con.execute("INSERT OR IGNORE INTO errors VALUES (?, ?, ?, ?, ?)",
                             [record["id"], origin, err.get("stage"), err.get("level", "error"), err.get("message")])
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
        mention_rows = []
        for a in record.get("actors", []):
            self.con.execute("INSERT OR IGNORE INTO actors VALUES (?, ?, ?, ?, ?)",
                             [a["id"], a.get("name"), a.get("kind"), a.get("country"), a.get("sector")])
            for m in a.get("mentions", []):
                mention_rows.append([h, record["id"], a["id"], m["start"], m["end"], m.get("via"),
                                     record["text"][m["start"] : m["end"]]])
        if mention_rows:
            self.con.executemany("INSERT INTO mentions VALUES (?, ?, ?, ?, ?, ?, ?)", mention_rows)
        quote_rows = []
        for n, q in enumerate(record.get("quotes", [])):
            spk, content, cue = q.get("speaker"), q.get("content"), q.get("cue")
            quote_rows.append([h, record["id"], n, q.get("kind"), _text(record, content), _get(content, "start"),
                               _get(content, "end"), _get(spk, "actor"), _text(record, spk), _get(spk, "start"),
                               _get(spk, "end"), _text(record, cue), q.get("confidence")])
        if quote_rows:
            self.con.executemany("INSERT INTO quotes VALUES (" + ", ".join("?" * 13) + ")", quote_rows)
        event_rows = []
        for n, e in enumerate(record.get("events", [])):
            src, tgt, date, loc = e.get("source"), e.get("target"), e.get("date"), e.get("location")
            mod = e.get("modality") or {}
            ev = e.get("evidence")
            event_rows.append([
                h, record["id"], n, e["type"], e.get("quad"), e.get("cameo_root"), e.get("goldstein"),
                _get(src, "actor"), _text(record, src), _get(tgt, "actor"), _text(record, tgt),
                _text(record, e.get("trigger")), _text(record, ev), _get(ev, "start"), _get(ev, "end"),
                _get(date, "value"), _get(date, "granularity"), _get(date, "basis"),
                _get(loc, "name"), _get(loc, "country"), _get(loc, "lat"), _get(loc, "lon"),
                mod.get("negated"), mod.get("hypothetical"), mod.get("future"), mod.get("historical"),
                mod.get("reported"), e.get("mode"), ",".join(e.get("contexts") or []), e.get("confidence")])
        if event_rows:
            self.con.executemany("INSERT INTO events VALUES (" + ", ".join("?" * 30) + ")", event_rows)
        return 1

    # ---- queries -------------------------------------------------------------------------------

    def query(self, sql: str, params: list[Any] | None = None) -> tuple[list[str], list[tuple]]:
        cur = self.con.execute(sql, params or [])
        return [d[0] for d in cur.description], cur.fetchall()

    def events(self, actor: str | None = None, type_: str | None = None, since: str | None = None,
               until: str | None = None, limit: int = 100) -> tuple[list[str], list[tuple]]:
        where, params = [], []
        if actor:
            where.append("(source_actor = ? OR target_actor = ? OR source ILIKE ? OR target ILIKE ?)")
            params += [actor, actor, f"%{actor}%", f"%{actor}%"]
        if type_:
            where.append("type = ?")
            params.append(type_.upper())
        if since:
            where.append("date >= ?")
            params.append(since)
        if until:
            where.append("date <= ?")
            params.append(until + "\uffff")
        sql = ("SELECT doc_id, date, type, source_actor, source, target_actor, target, trigger, negated, "
               "hypothetical, reported, confidence FROM events")
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY date NULLS LAST, doc_id, n LIMIT ?"
        return self.query(sql, params + [limit])

    def quotes(self, speaker: str | None = None, kind: str | None = None,
               limit: int = 100) -> tuple[list[str], list[tuple]]:
        where, params = [], []
        if speaker:
            where.append("(speaker_actor = ? OR speaker ILIKE ?)")
            params += [speaker, f"%{speaker}%"]
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
        sql = ("SELECT a.id, a.name, a.kind, a.country, a.sector, count(m.actor_id) AS mentions, "
               "count(DISTINCT m.doc_hash) AS documents FROM actors a LEFT JOIN mentions m ON m.actor_id = a.id")
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " GROUP BY ALL ORDER BY mentions DESC, a.id LIMIT ?"
        return self.query(sql, params + [limit])

    def summary(self) -> dict[str, int]:
        out = {}
        for table in ("documents", "actors", "mentions", "quotes", "events", "errors"):
            out[table] = self.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        return out
