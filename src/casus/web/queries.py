"""SQL for the workbench API: filters, sorting, paging and the aggregations behind the charts.

Every value reaches DuckDB as a bound parameter. Identifiers (sort keys, optional columns) can't be
bound, so they come only from whitelists checked against the columns the store file really has:
other branches add columns (admin1, …) and an older store may lack some, so nothing here assumes
a column beyond the ones it looked up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb

QUADS = ("verbal_cooperation", "material_cooperation", "verbal_conflict", "material_conflict")


class QueryError(ValueError):
    """A request the store can't answer as asked (bad sort key, bad date…): a 400 for the API."""


def table_columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    rows = con.execute("SELECT table_name, column_name FROM information_schema.columns "
                       "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position").fetchall()
    out: dict[str, list[str]] = {}
    for table, column in rows:
        out.setdefault(table, []).append(column)
    return out


@dataclass
class Page:
    limit: int = 50
    offset: int = 0
    sort: str | None = None
    order: str = "asc"


@dataclass
class EventFilter:
    actor: str | None = None
    type: str | None = None
    quad: str | None = None
    since: str | None = None
    until: str | None = None
    place: str | None = None
    q: str | None = None
    doc: str | None = None
    min_confidence: float | None = None
    include_negated: bool = True


@dataclass
class Where:
    clauses: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, clause: str, *params: Any) -> None:
        self.clauses.append(clause)
        self.params.extend(params)

    def sql(self) -> str:
        return (" WHERE " + " AND ".join(self.clauses)) if self.clauses else ""


def _like(s: str) -> str:
    return "%" + s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _check_date(value: str, name: str) -> str:
    parts = value.split("-")
    if not (1 <= len(parts) <= 3 and all(p.isdigit() for p in parts) and len(parts[0]) == 4):
        raise QueryError(f"{name} must be YYYY, YYYY-MM or YYYY-MM-DD, not {value!r}")
    return value


class Queries:
    """Read queries over one store; `cur` is a per-request cursor (DuckDB connections aren't thread-safe)."""

    # the event date: temporal falls back to the publication date itself, so no join is needed to sort
    EVENT_SORTS = {"date": "e.date", "type": "e.type", "quad": "e.quad", "confidence": "e.confidence",
                   "goldstein": "e.goldstein", "source": "coalesce(sa.name, e.source)",
                   "target": "coalesce(ta.name, e.target)", "doc": "e.doc_id", "location": "e.location"}
    DOC_SORTS = {"published": "d.published", "title": "d.title", "outlet": "d.outlet", "id": "d.id",
                 "events": "n_events", "quotes": "n_quotes", "ingested": "d.ingested_at"}
    QUOTE_SORTS = {"doc": "q.doc_id", "speaker": "speaker_name", "kind": "q.kind", "confidence": "q.confidence",
                   "published": "d.published"}
    ACTOR_SORTS = {"mentions": "mentions", "documents": "documents", "events": "events", "name": "a.name",
                   "id": "a.id", "country": "a.country"}

    def __init__(self, columns: dict[str, list[str]]):
        self.columns = columns
        self.event_cols = columns.get("events", [])
        # location columns a geocoding branch may add, searched by the place filter when present
        self.place_cols = [c for c in ("location", "country", "admin1", "admin2", "location_country")
                           if c in self.event_cols]

    # ---- events ----------------------------------------------------------------------------------

    def _event_from(self, f: EventFilter | None = None, docs: bool = False, actors: bool = False) -> str:
        """Events joined only to the tables the filters (or the caller) need: joins cost at 100k events."""
        docs = docs or f is None or bool(f.since or f.until)
        actors = actors or f is None
        return ("FROM events e" + (" LEFT JOIN documents d ON d.hash = e.doc_hash" if docs else "") +
                (" LEFT JOIN actors sa ON sa.id = e.source_actor LEFT JOIN actors ta ON ta.id = e.target_actor"
                 if actors else ""))

    def _event_where(self, f: EventFilter) -> Where:
        w = Where()
        if f.actor:
            # matching actor ids come from the small actors table first: no join over every event
            w.add("(e.source_actor IN (SELECT id FROM actors WHERE id = ? OR name ILIKE ? ESCAPE '\\') OR "
                  "e.target_actor IN (SELECT id FROM actors WHERE id = ? OR name ILIKE ? ESCAPE '\\') OR "
                  "e.source ILIKE ? ESCAPE '\\' OR e.target ILIKE ? ESCAPE '\\')",
                  f.actor, _like(f.actor), f.actor, _like(f.actor), _like(f.actor), _like(f.actor))
        if f.type:
            types = [t.strip().upper() for t in f.type.split(",") if t.strip()]
            w.add("e.type IN (SELECT unnest(?))", types)
        if f.quad:
            quads = [t.strip() for t in f.quad.split(",") if t.strip()]
            bad = [q for q in quads if q not in QUADS]
            if bad:
                raise QueryError(f"unknown quad class {bad[0]!r}; one of {', '.join(QUADS)}")
            w.add("e.quad IN (SELECT unnest(?))", quads)
        if f.since:
            w.add("coalesce(e.date, d.published) >= ?", _check_date(f.since, "since"))
        if f.until:
            w.add("coalesce(e.date, d.published) <= ?", _check_date(f.until, "until") + "\uffff")
        if f.place and self.place_cols:
            w.add("(" + " OR ".join(f"CAST(e.{c} AS TEXT) ILIKE ? ESCAPE '\\'" for c in self.place_cols) + ")",
                  *([_like(f.place)] * len(self.place_cols)))
        elif f.place:
            w.add("false")
        if f.q:
            w.add("(e.evidence ILIKE ? ESCAPE '\\' OR e.trigger ILIKE ? ESCAPE '\\' OR "
                  "e.doc_hash IN (SELECT hash FROM documents WHERE title ILIKE ? ESCAPE '\\'))", *([_like(f.q)] * 3))
        if f.doc:
            w.add("(e.doc_hash = ? OR e.doc_id = ?)", f.doc, f.doc)
        if f.min_confidence is not None:
            w.add("e.confidence >= ?", f.min_confidence)
        if not f.include_negated:
            w.add("NOT coalesce(e.negated, false)")
        return w

    def _order(self, page: Page, sorts: dict[str, str], default: str, tiebreak: str) -> str:
        key = page.sort or default
        if key not in sorts:
            raise QueryError(f"cannot sort by {key!r}; one of {', '.join(sorts)}")
        order = page.order.lower()
        if order not in ("asc", "desc"):
            raise QueryError("order must be asc or desc")
        return f" ORDER BY {sorts[key]} {order.upper()} NULLS LAST, {tiebreak}"

    def event_select(self) -> str:
        base = ["doc_hash", "doc_id", "n", "type", "quad", "cameo_root", "goldstein", "source_actor", "source",
                "target_actor", "target", "trigger", "evidence", "date", "date_granularity", "location", "country",
                "lat", "lon", "negated", "hypothetical", "future", "historical", "reported", "mode", "contexts",
                "confidence"]
        # every column the store has, known ones first, so added columns (admin1…) reach the API too
        cols = [c for c in base if c in self.event_cols] + [c for c in self.event_cols if c not in base]
        return ("SELECT " + ", ".join(f"e.{c}" for c in cols) +
                ", coalesce(e.date, d.published) AS day, d.title AS doc_title, d.outlet AS doc_outlet, "
                "coalesce(sa.name, e.source) AS source_name, coalesce(ta.name, e.target) AS target_name ")

    def _page_sql(self, f: EventFilter, page: Page, w: Where, limit_sql: str) -> str:
        # sort and cut on the narrow key columns first, then fetch and join the page's rows only
        order = self._order(page, self.EVENT_SORTS, "date", "e.doc_id, e.n")
        key = self.EVENT_SORTS[page.sort or "date"]
        frm = self._event_from(f, actors=key.startswith("coalesce(sa") or key.startswith("coalesce(ta"))
        inner = f"SELECT e.doc_hash AS k_hash, e.n AS k_n {frm}{w.sql()}{order}{limit_sql}"
        # the page's few rows are sorted again by the same keys (sa, ta are joined here too)
        return (self.event_select() + f"FROM ({inner}) k JOIN events e ON e.doc_hash = k.k_hash AND e.n = k.k_n "
                "LEFT JOIN documents d ON d.hash = e.doc_hash LEFT JOIN actors sa ON sa.id = e.source_actor "
                "LEFT JOIN actors ta ON ta.id = e.target_actor" + order)

    def events(self, cur: duckdb.DuckDBPyConnection, f: EventFilter, page: Page) -> dict[str, Any]:
        w = self._event_where(f)
        total = cur.execute(f"SELECT count(*) {self._event_from(f)}{w.sql()}", w.params).fetchone()[0]
        sql = self._page_sql(f, page, w, " LIMIT ? OFFSET ?")
        return {"total": total, "limit": page.limit, "offset": page.offset,
                "items": _dicts(cur.execute(sql, w.params + [page.limit, page.offset]))}

    def events_cursor(self, cur: duckdb.DuckDBPyConnection, f: EventFilter, page: Page,
                      limit: int) -> duckdb.DuckDBPyConnection:
        """All matching events (up to `limit`) as an open cursor, for streaming CSV."""
        w = self._event_where(f)
        return cur.execute(self._page_sql(f, page, w, " LIMIT ?"), w.params + [limit])

    def timeline(self, cur: duckdb.DuckDBPyConnection, f: EventFilter, bucket: str) -> dict[str, Any]:
        width = {"year": 4, "month": 7, "day": 10}.get(bucket)
        if width is None:
            raise QueryError("bucket must be year, month or day")
        day = "coalesce(e.date, d.published)"
        frm = self._event_from(f, docs=True)
        w = self._event_where(f)
        # a date coarser than the bucket ("2016" in a month view) can't be placed: counted, not drawn
        w.add(f"length({day}) >= {width}")
        sql = (f"SELECT substr({day}, 1, {width}) AS period, e.quad, count(*) AS n "
               f"{frm}{w.sql()} GROUP BY ALL ORDER BY period, e.quad")
        rows = _dicts(cur.execute(sql, w.params))
        w2 = self._event_where(f)
        sql = (f"SELECT count(*) FILTER (WHERE {day} IS NULL), count(*) FILTER (WHERE length({day}) < {width}) "
               f"{frm}{w2.sql()}")
        undated, coarser = cur.execute(sql, w2.params).fetchone()
        return {"bucket": bucket, "series": rows, "undated": undated, "coarser": coarser}

    def network(self, cur: duckdb.DuckDBPyConnection, f: EventFilter, max_edges: int,
                min_count: int, resolved: bool = False) -> dict[str, Any]:
        w = self._event_where(f)
        if resolved:  # only parties resolved to a canonical actor, not "it", "who", "the notion"
            w.add("e.source_actor IS NOT NULL AND e.target_actor IS NOT NULL")
        else:
            w.add("coalesce(e.source_actor, e.source) IS NOT NULL AND coalesce(e.target_actor, e.target) IS NOT NULL")
        sql = ("SELECT coalesce(e.source_actor, lower(e.source)) AS src, any_value(coalesce(sa.name, e.source)) AS "
               "src_name, coalesce(e.target_actor, lower(e.target)) AS tgt, any_value(coalesce(ta.name, e.target)) "
               f"AS tgt_name, e.quad, count(*) AS n {self._event_from(f, actors=True)}{w.sql()} "
               "GROUP BY src, tgt, e.quad "
               "HAVING count(*) >= ? ORDER BY n DESC, src, tgt LIMIT ?")
        edges = _dicts(cur.execute(sql, w.params + [min_count, max_edges]))
        nodes: dict[str, dict[str, Any]] = {}
        for e in edges:
            for key, name, role in ((e["src"], e["src_name"], "out"), (e["tgt"], e["tgt_name"], "in")):
                node = nodes.setdefault(key, {"id": key, "name": name, "out": 0, "in": 0})
                node[role] += e["n"]
        return {"nodes": list(nodes.values()),
                "edges": [{"source": e["src"], "target": e["tgt"], "quad": e["quad"], "n": e["n"]} for e in edges]}

    def map_points(self, cur: duckdb.DuckDBPyConnection, f: EventFilter, max_points: int) -> dict[str, Any]:
        if not {"lat", "lon"} <= set(self.event_cols):
            return {"points": [], "located": 0, "unlocated": 0}
        w = self._event_where(f)
        w.add("e.lat IS NOT NULL AND e.lon IS NOT NULL")
        name = "e.location" if "location" in self.event_cols else "NULL"
        sql = (f"SELECT any_value({name}) AS name, round(e.lat, 2) AS lat, round(e.lon, 2) AS lon, count(*) AS n, "
               "mode(e.quad) AS quad, count(*) FILTER (WHERE e.quad LIKE '%conflict') AS conflict "
               f"{self._event_from(f)}{w.sql()} GROUP BY 2, 3 ORDER BY n DESC LIMIT ?")
        points = _dicts(cur.execute(sql, w.params + [max_points]))
        located = cur.execute(f"SELECT count(*) {self._event_from(f)}{w.sql()}", w.params).fetchone()[0]
        w2 = self._event_where(f)
        w2.add("(e.lat IS NULL OR e.lon IS NULL)")
        unlocated = cur.execute(f"SELECT count(*) {self._event_from(f)}{w2.sql()}", w2.params).fetchone()[0]
        return {"points": points, "located": located, "unlocated": unlocated}

    def facets(self, cur: duckdb.DuckDBPyConnection) -> dict[str, Any]:
        types = _dicts(cur.execute("SELECT type, quad, count(*) AS n FROM events GROUP BY ALL ORDER BY n DESC"))
        span = cur.execute("SELECT min(coalesce(e.date, d.published)), max(coalesce(e.date, d.published)) "
                           "FROM events e LEFT JOIN documents d ON d.hash = e.doc_hash").fetchone()
        return {"types": types, "quads": list(QUADS), "first_date": span[0], "last_date": span[1]}

    # ---- documents ---------------------------------------------------------------------------------

    def documents(self, cur: duckdb.DuckDBPyConnection, q: str | None, outlet: str | None, since: str | None,
                  until: str | None, page: Page) -> dict[str, Any]:
        w = Where()
        if q:
            w.add("(d.title ILIKE ? ESCAPE '\\' OR d.text ILIKE ? ESCAPE '\\' OR d.id ILIKE ? ESCAPE '\\')",
                  *([_like(q)] * 3))
        if outlet:
            w.add("d.outlet ILIKE ? ESCAPE '\\'", _like(outlet))
        if since:
            w.add("d.published >= ?", _check_date(since, "since"))
        if until:
            w.add("d.published <= ?", _check_date(until, "until") + "\uffff")
        total = cur.execute(f"SELECT count(*) FROM documents d{w.sql()}", w.params).fetchone()[0]
        sql = ("SELECT d.hash, d.id, d.title, d.outlet, d.url, d.published, d.language, length(d.text) AS chars, "
               "coalesce(ev.n, 0) AS n_events, coalesce(qu.n, 0) AS n_quotes, "
               "left(regexp_replace(left(d.text, 400), '\\s+', ' ', 'g'), 160) AS snippet FROM documents d "
               "LEFT JOIN (SELECT doc_hash, count(*) AS n FROM events GROUP BY ALL) ev ON ev.doc_hash = d.hash "
               "LEFT JOIN (SELECT doc_hash, count(*) AS n FROM quotes GROUP BY ALL) qu ON qu.doc_hash = d.hash"
               + w.sql() + self._order(page, self.DOC_SORTS, "published", "d.id, d.hash") + " LIMIT ? OFFSET ?")
        return {"total": total, "limit": page.limit, "offset": page.offset,
                "items": _dicts(cur.execute(sql, w.params + [page.limit, page.offset]))}

    def document(self, cur: duckdb.DuckDBPyConnection, key: str) -> dict[str, Any] | None:
        row = cur.execute("SELECT hash, record FROM documents WHERE hash = ? "
                          "UNION ALL SELECT hash, record FROM documents WHERE id = ? AND hash <> ? LIMIT 1",
                          [key, key, key]).fetchone()
        if row is None:
            return None
        return {"hash": row[0], "record": row[1]}

    # ---- quotes, actors ------------------------------------------------------------------------------

    def quotes(self, cur: duckdb.DuckDBPyConnection, speaker: str | None, kind: str | None, q: str | None,
               doc: str | None, page: Page) -> dict[str, Any]:
        w = Where()
        if speaker:
            w.add("(q.speaker_actor = ? OR q.speaker ILIKE ? ESCAPE '\\' OR a.name ILIKE ? ESCAPE '\\')",
                  speaker, _like(speaker), _like(speaker))
        if kind:
            w.add("q.kind = ?", kind)
        if q:
            w.add("q.content ILIKE ? ESCAPE '\\'", _like(q))
        if doc:
            w.add("(q.doc_hash = ? OR q.doc_id = ?)", doc, doc)
        frm = "FROM quotes q LEFT JOIN documents d ON d.hash = q.doc_hash LEFT JOIN actors a ON a.id = q.speaker_actor"
        total = cur.execute(f"SELECT count(*) {frm}{w.sql()}", w.params).fetchone()[0]
        sql = ("SELECT q.doc_hash, q.doc_id, q.n, q.kind, q.content, q.content_start, q.content_end, q.speaker_actor, "
               "q.speaker, coalesce(a.name, q.speaker) AS speaker_name, q.cue, q.confidence, d.title AS doc_title, "
               f"d.published {frm}{w.sql()}" + self._order(page, self.QUOTE_SORTS, "doc", "q.doc_id, q.n") +
               " LIMIT ? OFFSET ?")
        return {"total": total, "limit": page.limit, "offset": page.offset,
                "items": _dicts(cur.execute(sql, w.params + [page.limit, page.offset]))}

    def actors(self, cur: duckdb.DuckDBPyConnection, q: str | None, country: str | None, kind: str | None,
               page: Page) -> dict[str, Any]:
        w = Where()
        if q:
            w.add("(a.id = ? OR a.name ILIKE ? ESCAPE '\\')", q, _like(q))
        if country:
            w.add("a.country = ?", country.upper())
        if kind:
            w.add("a.kind = ?", kind)
        if page.sort is None:
            page = Page(page.limit, page.offset, "mentions", "desc")
        total = cur.execute(f"SELECT count(*) FROM actors a{w.sql()}", w.params).fetchone()[0]
        sql = ("SELECT a.id, a.name, a.kind, a.country, a.sector, coalesce(m.n, 0) AS mentions, "
               "coalesce(m.docs, 0) AS documents, coalesce(ev.n, 0) AS events FROM actors a "
               "LEFT JOIN (SELECT actor_id, count(*) AS n, count(DISTINCT doc_hash) AS docs FROM mentions "
               "GROUP BY ALL) m ON m.actor_id = a.id "
               "LEFT JOIN (SELECT actor, count(*) AS n FROM (SELECT source_actor AS actor FROM events UNION ALL "
               "SELECT target_actor FROM events) WHERE actor IS NOT NULL GROUP BY ALL) ev ON ev.actor = a.id"
               + w.sql() + self._order(page, self.ACTOR_SORTS, "mentions", "a.id") + " LIMIT ? OFFSET ?")
        return {"total": total, "limit": page.limit, "offset": page.offset,
                "items": _dicts(cur.execute(sql, w.params + [page.limit, page.offset]))}

    def stats(self, cur: duckdb.DuckDBPyConnection) -> dict[str, int]:
        out = {}
        for table in ("documents", "actors", "mentions", "quotes", "events", "errors"):
            if table in self.columns:
                out[table] = cur.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        return out


def _dicts(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]
