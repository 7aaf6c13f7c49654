"""The store's schema: its tables, the analyst views over them, the schema version and the migrations.

A store records its version in the `casus_schema` table; a store written by casus 0.1 has none and is
version 1. Opening a store read-write brings it to `SCHEMA_VERSION` by running every later migration
in order, all in one transaction. A new store is built the same way (version 1's tables, then every
migration), so a migrated store and a fresh one cannot drift apart.

To change the schema: append a `Migration` to `MIGRATIONS` (its SQL runs on a store of the version
before), describe the columns in docs/schema.md, and add to `VIEWS` if analysts should see them. The
views are dropped before the migrations run and recreated after them, so a migration may alter any
column a view reads.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb

# Version 1: the tables as casus 0.1 wrote them (dates as text, lists comma-joined). Frozen: every
# change since is a migration below.
V1_TABLES = """
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

VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS casus_schema (
    version INTEGER PRIMARY KEY, description TEXT, applied_at TIMESTAMP DEFAULT current_timestamp)"""


def day(value: Any) -> dt.date | None:
    """An ISO day (`2025-09-05`, also the day of `2025-09-05T10:00Z`) as a date; None for anything else.

    The store's DATE columns go through this, on insert and in the migration, so a value that is not a
    day ("2025", "last week", a typo) becomes NULL instead of failing the batch.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "")[:10]
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _rebuild(con: duckdb.DuckDBPyConnection, table: str, create: str, select: str) -> None:
    """Replace `table` by `create` (its new DDL, with a `{name}` placeholder) filled from `select` over the old.

    Not ALTER … SET DATA TYPE … USING: DuckDB replays such an ALTER from the write-ahead log by binding
    its expression again, which needs an extension it would try to download (a store killed before its
    next checkpoint could not be opened offline). Rows copied by INSERT are logged as data.
    """
    con.execute(create.format(name=f"{table}__new"))
    con.execute(f"INSERT INTO {table}__new {select}")
    con.execute(f"DROP TABLE {table}")
    con.execute(f"ALTER TABLE {table}__new RENAME TO {table}")


def _typed_dates_and_lists(con: duckdb.DuckDBPyConnection) -> None:
    # the date range of an event as DATE, lists as LIST, the publication day as DATE
    _rebuild(con, "events", "CREATE TABLE {name} AS SELECT * REPLACE (CAST(NULL AS DATE) AS date_start, "
                            "CAST(NULL AS DATE) AS date_end, CAST(NULL AS VARCHAR[]) AS contexts) FROM events LIMIT 0",
             "SELECT * REPLACE (try_cast(date_start AS DATE) AS date_start, try_cast(date_end AS DATE) AS date_end, "
             "CASE WHEN coalesce(contexts, '') = '' THEN []::VARCHAR[] ELSE string_split(contexts, ',') END "
             "AS contexts) FROM events")
    _rebuild(con, "actors", "CREATE TABLE {name} (id TEXT PRIMARY KEY, name TEXT, kind TEXT, country TEXT, "
                            "sector TEXT, scope TEXT, members VARCHAR[])",
             "SELECT * REPLACE (CASE WHEN coalesce(members, '') = '' THEN NULL ELSE string_split(members, ',') END "
             "AS members) FROM actors")
    con.execute("ALTER TABLE documents ADD COLUMN IF NOT EXISTS published_date DATE")
    rows = con.execute("SELECT hash, published FROM documents WHERE published IS NOT NULL").fetchall()
    days = [(h, day(p)) for h, p in rows]
    days = [(h, d) for h, d in days if d is not None]
    if days:
        con.execute("UPDATE documents SET published_date = u.d FROM (SELECT unnest(?) AS h, unnest(?) AS d) u "
                    "WHERE documents.hash = u.h", [[h for h, _ in days], [d for _, d in days]])
    # an event without a date of its own takes its document's publication day, as the store now writes it
    con.execute("UPDATE events SET date = strftime(d.published_date, '%Y-%m-%d'), date_granularity = 'day', "
                "date_basis = 'published', date_start = d.published_date, date_end = d.published_date "
                "FROM documents d WHERE d.hash = events.doc_hash AND events.date_start IS NULL "
                "AND d.published_date IS NOT NULL")


@dataclass(frozen=True)
class Migration:
    version: int  # the version the store has after it
    description: str
    apply: Callable[[duckdb.DuckDBPyConnection], None]


def _document_versions(con: duckdb.DuckDBPyConnection) -> None:
    # new text under a stored id is a new version of that id, linked to the one before (docs/store.md);
    # what was stored before is version 1 of its id (NULL reads as 1)
    con.execute("ALTER TABLE documents ADD COLUMN IF NOT EXISTS version INTEGER")
    con.execute("ALTER TABLE documents ADD COLUMN IF NOT EXISTS previous TEXT")


MIGRATIONS: list[Migration] = [
    Migration(2, "typed DATE columns (events.date_start/date_end, documents.published_date) and LIST columns "
                 "(events.contexts, actors.members)", _typed_dates_and_lists),
    Migration(3, "documents.version and documents.previous: an id stored again with other text is a new "
                 "version, linked to the previous one", _document_versions),
]
SCHEMA_VERSION = MIGRATIONS[-1].version if MIGRATIONS else 1

# ---- the analyst views: one row per event, quote or actor, with what an analyst needs beside it ----------

# `code` is the CAMEO-style actor code, country then sector (RUSGOV, USAMIL), as in the GDELT export
_ACTOR_COLS = ("{p}_actor", "{a}.name AS {p}_name", "{a}.kind AS {p}_kind", "{a}.country AS {p}_country",
               "{a}.sector AS {p}_sector", "nullif(concat(coalesce({a}.country, ''), coalesce({a}.sector, '')), '')"
               " AS {p}_code", "{a}.members AS {p}_members")


def _actor_cols(prefix: str, alias: str, table: str) -> list[str]:
    cols = [c.format(p=prefix, a=alias) for c in _ACTOR_COLS]
    cols[0] = f"{table}.{cols[0]}"
    return cols


def events_full(events: str = "events") -> str:
    """The SQL of `events_full` over `events` (the table, or a subquery of its rows: one page of them)."""
    return EVENTS_FULL.replace("FROM events e JOIN", f"FROM {events} e JOIN", 1)


EVENTS_FULL = ("SELECT e.doc_id, e.doc_hash, e.n, d.published_date AS published, d.title, d.outlet, d.url, "
               "e.date, e.date_granularity, e.date_start, e.date_end, e.date_basis, "
               "e.type, e.quad, e.cameo_root, e.goldstein, "
               + ", ".join(_actor_cols("source", "sa", "e")) + ", e.source, "
               + ", ".join(_actor_cols("target", "ta", "e")) + ", e.target, "
               "e.trigger, e.evidence, e.evidence_start, e.evidence_end, "
               "e.location, e.country, e.admin1, e.feature, e.lat, e.lon, "
               "e.negated, e.hypothetical, e.future, e.historical, e.reported, e.mode, e.contexts, e.confidence, "
               "d.ingested_at "
               "FROM events e JOIN documents d ON d.hash = e.doc_hash "
               "LEFT JOIN actors sa ON sa.id = e.source_actor LEFT JOIN actors ta ON ta.id = e.target_actor")

QUOTES_FULL = ("SELECT q.doc_id, q.doc_hash, q.n, d.published_date AS published, d.title, d.outlet, d.url, "
               "q.kind, q.content, q.content_start, q.content_end, "
               + ", ".join(_actor_cols("speaker", "a", "q")) + ", q.speaker, q.speaker_start, q.speaker_end, "
               "q.cue, q.confidence "
               "FROM quotes q JOIN documents d ON d.hash = q.doc_hash LEFT JOIN actors a ON a.id = q.speaker_actor")

ACTORS_FULL = ("SELECT a.id, a.name, a.kind, a.country, a.sector, "
               "nullif(concat(coalesce(a.country, ''), coalesce(a.sector, '')), '') AS code, a.scope, a.members, "
               "coalesce(m.n, 0) AS mentions, coalesce(m.docs, 0) AS documents, "
               "coalesce(ev.as_source, 0) + coalesce(ev.as_target, 0) AS events, "
               "coalesce(ev.as_source, 0) AS events_as_source, coalesce(ev.as_target, 0) AS events_as_target, "
               "m.first_published, m.last_published "
               "FROM actors a LEFT JOIN (SELECT mm.actor_id, count(*) AS n, count(DISTINCT mm.doc_hash) AS docs, "
               "min(d.published_date) AS first_published, max(d.published_date) AS last_published "
               "FROM mentions mm JOIN documents d ON d.hash = mm.doc_hash GROUP BY ALL) m ON m.actor_id = a.id "
               "LEFT JOIN (SELECT actor, count(*) FILTER (WHERE role = 's') AS as_source, "
               "count(*) FILTER (WHERE role = 't') AS as_target FROM (SELECT source_actor AS actor, 's' AS role "
               "FROM events UNION ALL SELECT target_actor, 't' FROM events) WHERE actor IS NOT NULL GROUP BY ALL) ev "
               "ON ev.actor = a.id")

VIEWS: dict[str, str] = {"events_full": EVENTS_FULL, "quotes_full": QUOTES_FULL, "actors_full": ACTORS_FULL}


# ---- opening a store -------------------------------------------------------------------------------------

class SchemaError(RuntimeError):
    """A store this casus can't read as it is: older (`migratable`: opening it read-write fixes that) or newer."""

    def __init__(self, message: str, migratable: bool = False):
        super().__init__(message)
        self.migratable = migratable


def version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The store's schema version; None for an empty file, 1 for a casus 0.1 store."""
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                        "WHERE table_schema = 'main' AND table_type = 'BASE TABLE'").fetchall()}
    if "casus_schema" in tables:
        return con.execute("SELECT max(version) FROM casus_schema").fetchone()[0] or 1
    return 1 if "documents" in tables else None


def _fingerprint(sql: str) -> str:
    # DuckDB stores a view's SQL reformatted, so a view is recognised by a hash of ours, kept as its comment
    return "casus:" + hashlib.sha1(sql.encode()).hexdigest()[:16]


def _create_view(con: duckdb.DuckDBPyConnection, name: str) -> None:
    con.execute(f"CREATE OR REPLACE VIEW {name} AS {VIEWS[name]}")
    con.execute(f"COMMENT ON VIEW {name} IS '{_fingerprint(VIEWS[name])}'")


def _stale_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    have = dict(con.execute("SELECT view_name, comment FROM duckdb_views() WHERE NOT internal").fetchall())
    return [name for name, sql in VIEWS.items() if have.get(name) != _fingerprint(sql)]


def check(con: duckdb.DuckDBPyConnection) -> int | None:
    """The version of a store that can be read as it is; SchemaError if it needs migrating or is too new."""
    have = version(con)
    if have is not None and have > SCHEMA_VERSION:
        raise SchemaError(f"the store has schema version {have}; this casus reads up to {SCHEMA_VERSION} "
                          "(upgrade casus)")
    if have is None or have < SCHEMA_VERSION or _stale_views(con):
        raise SchemaError(f"the store has schema version {have or 0} and needs migrating to {SCHEMA_VERSION}: "
                          "open it once read-write (e.g. `casus migrate --db …`)", migratable=True)
    return have


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Bring the store to SCHEMA_VERSION (a new file gets every table); returns the versions applied."""
    have = version(con)
    if have is not None and have > SCHEMA_VERSION:
        check(con)
    if have == SCHEMA_VERSION:
        _ensure_views(con)
        return []
    applied: list[int] = []
    con.execute("BEGIN TRANSACTION")
    try:
        for name in VIEWS:
            con.execute(f"DROP VIEW IF EXISTS {name}")
        if have is None or have == 1:
            con.execute(V1_TABLES)  # idempotent: also adds the columns early 0.1 stores lacked
        con.execute(VERSION_TABLE)
        if have is None or have == 1:
            con.execute("INSERT OR IGNORE INTO casus_schema (version, description) VALUES (1, 'casus 0.1 tables')")
        for m in MIGRATIONS:
            if m.version > (have or 1):
                m.apply(con)
                con.execute("INSERT INTO casus_schema (version, description) VALUES (?, ?)",
                            [m.version, m.description])
                applied.append(m.version)
        for name in VIEWS:
            _create_view(con, name)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return applied


def _ensure_views(con: duckdb.DuckDBPyConnection) -> None:
    """Views of an up-to-date store, recreated when their SQL changed within a version (a development store)."""
    for name in _stale_views(con):
        _create_view(con, name)
