"""The embedded DuckDB store and its queries: `Store(path)` is what the CLI, the web app, the exports
and Python users open.

Records go in per batch, one transaction each, so a killed run keeps every batch it finished.
A document's identity is the hash of its normalised text: re-ingesting it changes nothing. An id
that comes back with different text is stored as a new version of that id, linked to the one
before (`version`, `previous`); lookups by id return the newest (docs/store.md). The tables, views
and schema version are in `schema.py` (docs/schema.md); the filters in `query.py`.

A `Store` holds the file from opening to `close()`; other processes wait meanwhile (casus.storefile),
so callers open one per unit of work (a batch, a query) rather than one per run.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from casus import schema
from casus.document import content_hash
from casus.query import DISPLAY_MIN_CONFIDENCE, ActorFilter, EventFilter, Page, Queries, QuoteFilter, _dicts
from casus.storefile import Session
from casus.textsafe import scrub_value, warning


def _text(record: dict[str, Any], span: dict[str, Any] | None) -> str | None:
    if not span or span.get("start") is None:
        return None
    return " ".join(record["text"][span["start"] : span["end"]].split())


def _get(d: dict[str, Any] | None, key: str) -> Any:
    return d.get(key) if d else None


def _encodable(record: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The record and its JSON, lone surrogates replaced if any reached it without passing through a
    Document (a record built by hand or loaded from elsewhere): DuckDB cannot store them."""
    payload = json.dumps(record, ensure_ascii=False, default=str)
    try:
        payload.encode("utf-8")
    except UnicodeEncodeError:
        record, n = scrub_value(record)
        record["errors"] = [*record.get("errors", []), warning(n, "the record")]
        payload = json.dumps(record, ensure_ascii=False, default=str)
    return record, payload


class Store:
    """A casus store: `Store(path)` opens (or creates) it read-write, `Store(path, read_only=True)` for
    reading beside a writer. Either way an older store is migrated first (docs/schema.md)."""

    def __init__(self, path: str | Path = "casus.duckdb", read_only: bool = False, wait: float | None = None,
                 notice: Callable[[str], None] | None = None):
        """Open the store, waiting up to `wait` seconds (default CASUS_STORE_WAIT) while another process
        writes to it, then `StoreBusy`; `notice` hears once when the wait gets long."""
        self.path = str(path)
        self.read_only = read_only
        # what the last add_batch stored: one {"hash", "id", "version", "previous"} per new document
        self.last_stored: list[dict[str, Any]] = []
        self._session = Session(self.path, read_only, wait, notice)
        self.con = self._session.con
        if not read_only:
            try:
                schema.migrate(self.con)
            except BaseException:
                self._session.close()
                raise
            return
        try:
            schema.check(self.con)
        except schema.SchemaError as exc:
            self._session.close()
            if not exc.migratable:
                raise
            # a read-only reader of an older store: migrate it once, read-write, then read as asked
            Store(self.path, wait=wait, notice=notice).close()
            self._session = Session(self.path, True, wait, notice)
            self.con = self._session.con

    @property
    def schema_version(self) -> int | None:
        return schema.version(self.con)

    def close(self) -> None:
        self._session.close()

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

    def latest_versions(self, ids: Iterable[str]) -> dict[str, tuple[int, str]]:
        """id → (newest version number, its hash), for the ids that are stored."""
        ids = list(ids)
        if not ids:
            return {}
        rows = self.con.execute(
            "SELECT id, max(coalesce(version, 1)), arg_max(hash, coalesce(version, 1)) FROM documents "
            "WHERE id IN (SELECT unnest(?)) GROUP BY id", [ids]).fetchall()
        return {r[0]: (r[1], r[2]) for r in rows}

    def add_batch(self, records: list[dict[str, Any]], origins: list[str] | None = None) -> int:
        """Store a batch of records in one transaction; returns how many documents were new.

        Rows are gathered for the whole batch and written with one multi-row INSERT per table:
        DuckDB's per-row executemany cost as much as the extraction itself.
        """
        origins = origins or [""] * len(records)
        rows: dict[str, dict[Any, list[Any]] | list[list[Any]]] = {
            "errors": {}, "actors": {}, "mentions": [], "quotes": [], "events": []}
        self.last_stored = []
        self.con.execute("BEGIN TRANSACTION")
        try:
            # what is stored already, looked up once for the batch and kept up to date as it goes in
            prepared = [_encodable(r) for r in records]
            seen = self.known_hashes(content_hash(r["text"]) for r, _ in prepared if r["text"].strip())
            versions = self.latest_versions({r["id"] for r, _ in prepared})
            for (record, payload), origin in zip(prepared, origins, strict=True):
                self._add(record, payload, origin, rows, seen, versions)
            self._insert("errors", list(rows["errors"].values()), ignore=True)
            self._insert("actors", list(rows["actors"].values()), ignore=True,
                         columns=("id", "name", "kind", "country", "sector", "scope", "members"))
            for table in ("mentions", "quotes", "events"):
                self._insert(table, rows[table])
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            self.last_stored = []
            raise
        return len(self.last_stored)

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

    def _add(self, record: dict[str, Any], payload: str, origin: str, rows: dict[str, Any], seen: set[str],
             versions: dict[str, tuple[int, str]]) -> None:
        for err in record.get("errors", []):
            key = (record["id"], origin, err.get("stage"), err.get("message"))
            rows["errors"][key] = [record["id"], origin, err.get("stage"), err.get("level", "error"),
                                   err.get("message")]
        if not record["text"].strip():
            return  # nothing to store but its errors (an analysed record always has text)
        h = content_hash(record["text"])
        if h in seen:
            return
        seen.add(h)
        # the same id with other text: a new version, linked to the newest one stored
        version, previous = versions.get(record["id"], (0, None))
        versions[record["id"]] = (version + 1, h)
        meta = record.get("meta", {})
        published = meta.get("published")
        self.con.execute(
            "INSERT INTO documents (hash, id, title, outlet, url, published, language, text, record, published_date,"
            " version, previous) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [h, record["id"], meta.get("title"), meta.get("outlet"), meta.get("url"),
             None if published is None else str(published), meta.get("language"), record["text"],
             payload, schema.day(published), version + 1, previous])
        self.last_stored.append({"hash": h, "id": record["id"], "version": version + 1, "previous": previous})
        for a in record.get("actors", []):
            # KB ids are global, document-scoped ids ("doc:<text hash>:…") never collide across documents
            rows["actors"].setdefault(a["id"], [a["id"], a.get("name"), a.get("kind"), a.get("country"),
                                                a.get("sector"), a.get("scope"), list(a["members"])
                                                if a.get("members") else None])
            for m in a.get("mentions", []):
                rows["mentions"].append([h, record["id"], a["id"], m["start"], m["end"], m.get("via"),
                                         record["text"][m["start"] : m["end"]]])
        self._link_near_duplicates(h, record["text"])
        for n, q in enumerate(record.get("quotes", [])):
            spk, content, cue = q.get("speaker"), q.get("content"), q.get("cue")
            rows["quotes"].append([h, record["id"], n, q.get("kind"), _text(record, content), _get(content, "start"),
                                   _get(content, "end"), _get(spk, "actor"), _text(record, spk),
                                   _get(spk, "start"), _get(spk, "end"), _text(record, cue), q.get("confidence")])
        published_day = schema.day(published)
        for n, e in enumerate(record.get("events", [])):
            src, tgt, date, loc = e.get("source"), e.get("target"), e.get("date"), e.get("location")
            if published_day and not (date and schema.day(date.get("earliest"))):
                # no date of its own: the publication day, as the time step gives an event it can't date
                date = {"value": published_day.isoformat(), "granularity": "day", "basis": "published",
                        "earliest": published_day, "latest": published_day}
            mod = e.get("modality") or {}
            ev = e.get("evidence")
            rows["events"].append([
                h, record["id"], n, e["type"], e.get("quad"), e.get("cameo_root"), e.get("goldstein"),
                _get(src, "actor"), _text(record, src), _get(tgt, "actor"), _text(record, tgt),
                _text(record, e.get("trigger")), _text(record, ev), _get(ev, "start"), _get(ev, "end"),
                _get(date, "value"), _get(date, "granularity"), _get(date, "basis"),
                _get(loc, "name"), _get(loc, "country"), _get(loc, "lat"), _get(loc, "lon"),
                mod.get("negated"), mod.get("hypothetical"), mod.get("future"), mod.get("historical"),
                mod.get("reported"), e.get("mode"), list(e.get("contexts") or []), e.get("confidence"),
                _get(loc, "admin1"), _get(loc, "feature"), schema.day(_get(date, "earliest")),
                schema.day(_get(date, "latest"))])

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

    # ---- queries: rows of the analyst views, filtered as everywhere else (query.py) ----------------------

    def query(self, sql: str, params: list[Any] | None = None) -> tuple[list[str], list[tuple]]:
        cur = self.con.execute(sql, params or [])
        return [d[0] for d in cur.description], cur.fetchall()

    def queries(self) -> Queries:
        return Queries(self.con)

    def events(self, *, actor: str | None = None, type: str | list[str] | None = None,  # noqa: A002
               quad: str | list[str] | None = None, since: str | None = None, until: str | None = None,
               place: str | None = None, text: str | None = None, doc: str | None = None,
               min_confidence: float | None = DISPLAY_MIN_CONFIDENCE, negated: bool = True,
               limit: int | None = None, offset: int = 0, sort: str = "date",
               order: str = "asc") -> list[dict[str, Any]]:
        """Events as rows of `events_full` (one per event, actor names and codes beside the ids)."""
        f = EventFilter(actor=actor, type=type, quad=quad, since=since, until=until, place=place, text=text,
                        doc=doc, min_confidence=min_confidence, negated=negated)
        return _dicts(self.queries().event_rows(f, Page(limit, offset, sort, order)))

    def count_events(self, **filters: Any) -> int:
        return self.queries().count_events(EventFilter(**filters))

    def quotes(self, *, speaker: str | None = None, kind: str | None = None, text: str | None = None,
               doc: str | None = None, limit: int | None = None, offset: int = 0, sort: str = "doc",
               order: str = "asc") -> list[dict[str, Any]]:
        """Quotes as rows of `quotes_full` (speaker id, name and code beside the speaker's words)."""
        f = QuoteFilter(speaker=speaker, kind=kind, text=text, doc=doc)
        return self.queries().quotes(f, Page(limit, offset, sort, order))["items"]

    def actors(self, *, name: str | None = None, country: str | None = None, kind: str | None = None,
               limit: int | None = None, offset: int = 0, sort: str | None = None,
               order: str = "asc") -> list[dict[str, Any]]:
        """Actors as rows of `actors_full` (with mention, document and event counts), most mentioned first."""
        f = ActorFilter(name=name, country=country, kind=kind)
        return self.queries().actors(f, Page(limit, offset, sort, order))["items"]

    def documents(self, *, q: str | None = None, outlet: str | None = None, since: str | None = None,
                  until: str | None = None, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        """Stored documents (metadata and counts, not the text), by publication date."""
        return self.queries().documents(q, outlet, since, until, Page(limit, offset))["items"]

    def record(self, key: str) -> dict[str, Any] | None:
        """The full record of a document, by content hash or id."""
        row = self.queries().document(key)
        return json.loads(row["record"]) if row else None

    def near_duplicates(self, limit: int = 100) -> list[dict[str, Any]]:
        return _dicts(self.con.execute(
            "SELECT a.id, a.outlet, a.title, b.id AS duplicate_of, b.outlet AS duplicate_outlet, n.similarity"
            " FROM near_duplicates n JOIN documents a ON a.hash = n.hash JOIN documents b ON b.hash = n.duplicate_of"
            " ORDER BY n.similarity DESC, a.id LIMIT ?", [limit]))

    def summary(self) -> dict[str, int]:
        return self.queries().stats()


def add_records(path: str | Path, records: Iterable[dict[str, Any]], batch_size: int = 256,
                notice: Callable[[str], None] | None = None) -> tuple[int, int]:
    """`Store.add_records`, opening the store for one batch at a time so that readers go on between
    batches; returns (records read, new documents)."""
    from itertools import islice

    it = iter(records)
    seen = added = 0
    while batch := list(islice(it, batch_size)):
        with Store(path, notice=notice) as store:
            n, new = store.add_records(batch, batch_size)
        seen += n
        added += new
    return seen, added
