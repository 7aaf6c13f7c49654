"""The store's schema version and migrations, on a real store written by casus 0.1.

`tests/data/store-0.1/` is `EXPORT DATABASE` of a store that casus 0.1 (main at 7ff5e16) built with
`casus ingest examples/ tests/data/store-0.1/extra.jsonl`: dates as text, lists comma-joined, no
schema version. `IMPORT DATABASE` gives back that file exactly.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import pytest

from casus import schema
from casus.store import Store
from tests.conftest import ROOT, run_casus

FIXTURE = ROOT / "tests" / "data" / "store-0.1"
TABLES = ("documents", "actors", "mentions", "quotes", "events", "errors", "lsh_bands", "near_duplicates")


def old_store(path: Path) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute(f"IMPORT DATABASE '{FIXTURE}'")
    return path


def columns(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute("SELECT table_name, column_name, data_type FROM information_schema.columns "
                       "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position").fetchall()


def test_a_0_1_store_is_migrated_with_its_data(tmp_path):
    path = old_store(tmp_path / "old.duckdb")
    with duckdb.connect(str(path)) as con:
        assert schema.version(con) == 1
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
        old_events = {(h, n): (lo, hi, ctx) for h, n, lo, hi, ctx in con.execute(
            "SELECT doc_hash, n, date_start, date_end, contexts FROM events").fetchall()}
        old_members = dict(con.execute("SELECT id, members FROM actors WHERE members IS NOT NULL").fetchall())
        old_published = dict(con.execute("SELECT hash, published FROM documents").fetchall())
    assert counts["events"] > 20 and old_members and any(ctx and "," in ctx for _, _, ctx in old_events.values())

    with Store(path, read_only=True) as store:  # a reader of an old store: it is migrated first, then read
        assert store.schema_version == schema.SCHEMA_VERSION == 3
        types = {(t, c): ty for t, c, ty in columns(store.con)}
        assert types[("documents", "version")] == "INTEGER" and types[("documents", "previous")] == "VARCHAR"
        assert types[("events", "date_start")] == types[("events", "date_end")] == "DATE"
        assert types[("events", "contexts")] == types[("actors", "members")] == "VARCHAR[]"
        assert types[("documents", "published_date")] == "DATE"
        assert {t: store.con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES} == counts
        for h, n, lo, hi, ctx in store.con.execute(
                "SELECT doc_hash, n, date_start, date_end, contexts FROM events").fetchall():
            old_lo, old_hi, old_ctx = old_events[(h, n)]
            assert lo == (dt.date.fromisoformat(old_lo) if old_lo else None)
            assert hi == (dt.date.fromisoformat(old_hi) if old_hi else None)
            assert ctx == (old_ctx.split(",") if old_ctx else [])
        assert dict(store.con.execute("SELECT id, members FROM actors WHERE members IS NOT NULL").fetchall()) == \
            {k: v.split(",") for k, v in old_members.items()}
        for h, day in store.con.execute("SELECT hash, published_date FROM documents").fetchall():
            assert day == (dt.date.fromisoformat(old_published[h]) if old_published[h] else None)
        # the views answer on the migrated data: one row per event, names beside ids
        assert store.count_events(min_confidence=None) == counts["events"]
        assert {r["source_name"] for r in store.events(actor="rus-putin")} >= {"Vladimir Putin"}


def test_migrated_and_fresh_stores_have_one_schema(tmp_path, seed_record):
    migrated = old_store(tmp_path / "old.duckdb")
    with Store(migrated) as store:
        assert store.schema_version == schema.SCHEMA_VERSION
        old_cols = columns(store.con)
        old_views = store.con.execute("SELECT view_name, comment FROM duckdb_views() WHERE NOT internal "
                                      "ORDER BY 1").fetchall()
        before = store.count_events(doc="putin-reassurance-force", min_confidence=None)
        store.add_batch([{**seed_record, "text": seed_record["text"] + "\n(updated)"}])  # new rows still go in
        assert store.count_events(doc="putin-reassurance-force", min_confidence=None) == \
            before + len(seed_record["events"])
    with Store(tmp_path / "new.duckdb") as fresh:
        assert columns(fresh.con) == old_cols
        assert fresh.con.execute("SELECT view_name, comment FROM duckdb_views() WHERE NOT internal "
                                 "ORDER BY 1").fetchall() == old_views
        assert [v for v, in fresh.con.execute("SELECT version FROM casus_schema ORDER BY 1").fetchall()] == \
            list(range(1, schema.SCHEMA_VERSION + 1))


def test_opening_again_migrates_nothing(tmp_path):
    path = old_store(tmp_path / "old.duckdb")
    with duckdb.connect(str(path)) as con:
        assert schema.migrate(con) == [2, 3]
        assert schema.migrate(con) == []
        assert con.execute("SELECT count(*) FROM casus_schema").fetchone()[0] == schema.SCHEMA_VERSION


def test_a_failed_migration_leaves_the_store_as_it_was(tmp_path, monkeypatch):
    path = old_store(tmp_path / "old.duckdb")
    with duckdb.connect(str(path)) as con:
        before = columns(con)

    def broken(con: duckdb.DuckDBPyConnection) -> None:
        con.execute("ALTER TABLE events ADD COLUMN half_done TEXT")
        raise RuntimeError("disk full")

    after = schema.SCHEMA_VERSION + 1
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, schema.Migration(after, "breaks", broken)])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", after)
    with duckdb.connect(str(path)) as con:
        with pytest.raises(RuntimeError, match="disk full"):
            schema.migrate(con)
        assert schema.version(con) == 1 and columns(con) == before  # migrations 2, 3 were rolled back with it


def test_a_store_from_a_newer_casus_is_refused(tmp_path):
    path = tmp_path / "new.duckdb"
    Store(path).close()
    with duckdb.connect(str(path)) as con:
        con.execute("INSERT INTO casus_schema (version, description) VALUES (99, 'from the future')")
    with pytest.raises(schema.SchemaError, match="version 99"):
        Store(path)
    proc = run_casus("events", "--db", str(path))
    assert proc.returncode == 1 and "version 99" in proc.stderr


def test_cli_reads_and_migrates_an_old_store(tmp_path):
    path = old_store(tmp_path / "old.duckdb")
    proc = run_casus("migrate", "--db", str(path), check=True)
    assert f"schema 1 → {schema.SCHEMA_VERSION}" in proc.stderr
    assert "nothing to migrate" in run_casus("migrate", "--db", str(path), check=True).stderr
    other = old_store(tmp_path / "other.duckdb")
    listed = run_casus("events", "--db", str(other), "--place", "Kharkiv", "--format", "json", check=True)
    assert '"location": "Kharkiv"' in listed.stdout


def test_day_takes_iso_days_only():
    assert schema.day("2025-09-05") == dt.date(2025, 9, 5)
    assert schema.day("2025-09-05T10:00:00+02:00") == dt.date(2025, 9, 5)
    assert schema.day(dt.datetime(2025, 9, 5, 23, 59)) == dt.date(2025, 9, 5)
    for not_a_day in ("2025", "2025-09", "2025-W36", "2025-02-30", "Friday", "", None):
        assert schema.day(not_a_day) is None


def test_every_column_is_documented(tmp_path):
    """docs/schema.md has a section per table and view (named in its heading) listing every column."""
    doc = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    sections = re.split(r"^#{2,3} ", doc, flags=re.M)[1:]
    documented: dict[str, set[str]] = {}
    for sec in sections:
        heading, body = sec.split("\n", 1)
        names = set()
        for token in re.findall(r"`([^`]+)`", body):
            names.update(token.split(".")[-1:] + token.split(".")[:1])
            names.update(re.findall(r"\w+", token))
        for table in re.findall(r"`(\w+)`", heading):
            documented.setdefault(table, set()).update(names)
    with Store(tmp_path / "fresh.duckdb") as store:
        cols = columns(store.con)
    missing = [(t, c) for t, c, _ in cols if c not in documented.get(t, set())]
    assert not missing, f"columns not described in docs/schema.md: {missing}"
    assert {t for t, _, _ in cols} <= set(documented)


def test_a_store_killed_after_migrating_opens_again(tmp_path):
    """A process that dies after the migration commits, before DuckDB checkpoints: the write-ahead log
    must replay offline (an ALTER … USING expression would need an extension DuckDB tries to download)."""
    import os
    import subprocess
    import sys

    path = old_store(tmp_path / "old.duckdb")
    # os._exit: no close, so no checkpoint
    code = "import os, sys; from casus.store import Store; s = Store(sys.argv[1]); os._exit(0)"
    subprocess.run([sys.executable, "-c", code, str(path)], check=True, timeout=300)
    assert os.path.exists(str(path) + ".wal")  # the migration is in the log only
    with Store(path, read_only=True) as store:
        assert store.schema_version == schema.SCHEMA_VERSION
        assert store.count_events(min_confidence=None) == 31


def test_an_event_without_a_date_gets_its_publication_day(tmp_path, seed_record):
    """The publication day stands in for a missing date in the store itself, so every reader filters and
    sorts on date_start/date_end alone; written on insert, and filled in by the migration."""
    import copy

    record = copy.deepcopy(seed_record)
    record["events"][0]["date"] = None
    with Store(tmp_path / "new.duckdb") as store:
        store.add_batch([record])
        row = store.con.execute("SELECT date, date_granularity, date_basis, date_start, date_end FROM events "
                                "WHERE n = 0").fetchone()
        assert row == ("2025-09-05", "day", "published", dt.date(2025, 9, 5), dt.date(2025, 9, 5))
        assert 0 in {r["n"] for r in store.events(since="2025-09-05", until="2025-09-05", min_confidence=0)}
        assert store.record(record["id"])["events"][0]["date"] is None  # the record itself is kept as it came

    path = old_store(tmp_path / "old.duckdb")
    with duckdb.connect(str(path)) as con:  # a 0.1 row without a date in a dated document
        key = con.execute("SELECT e.doc_hash, e.n FROM events e JOIN documents d ON d.hash = e.doc_hash "
                          "WHERE d.published = '2016-03-10' LIMIT 1").fetchone()
        con.execute("UPDATE events SET date = NULL, date_start = NULL, date_end = NULL, date_basis = 'none' "
                    "WHERE doc_hash = ? AND n = ?", list(key))
    with Store(path) as store:
        got = store.con.execute("SELECT date, date_basis, date_start, date_end FROM events WHERE doc_hash = ? AND "
                                "n = ?", list(key)).fetchone()
        assert got == ("2016-03-10", "published", dt.date(2016, 3, 10), dt.date(2016, 3, 10))
        # a document without a publication date keeps its events undated
        assert store.con.execute("SELECT count(*) FROM events WHERE doc_id = 'undated' AND date_start IS NULL"
                                 ).fetchone()[0] == 3
