"""Fusion in a real DuckDB store: incremental, idempotent, independent of ingest order; the same
happenings from the Parquet step; exports at both grains; the CLI."""

from __future__ import annotations

import csv
import io
import json
import random

import duckdb
import pytest

from casus.document import content_hash
from casus.export import export
from casus.fusion import load_params
from casus.fusion.storage import FusionStale, update
from casus.store import Store
from tests.conftest import run_casus
from tests.fusion_support import story

STORY = story()
HASH = {r["id"]: content_hash(r["text"]) for r in STORY}


def snapshot(path) -> tuple[list[tuple], list[tuple]]:  # noqa: ANN001
    con = duckdb.connect(str(path), read_only=True)
    try:
        happenings = con.execute("SELECT * EXCLUDE (component) FROM happenings ORDER BY id").fetchall()
        links = con.execute("SELECT doc_hash, n, happening FROM happening_reports ORDER BY ALL").fetchall()
    finally:
        con.close()
    return happenings, links


def fused_store(path, batches):  # noqa: ANN001, ANN201
    """Store the records batch by batch, fusing after each, as `casus ingest` runs do."""
    with Store(path) as store:
        for batch in batches:
            store.add_batch(batch)
            update(store.con)
    return path


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return fused_store(tmp_path_factory.mktemp("fusion") / "casus.duckdb", [STORY])


def happening_of(path, doc_id: str, n: int) -> dict:  # noqa: ANN001
    con = duckdb.connect(str(path), read_only=True)
    try:
        cur = con.execute("SELECT h.* FROM happenings h JOIN happening_reports r ON r.happening = h.id "
                          "WHERE r.doc_hash = ? AND r.n = ?", [HASH[doc_id], n])
        return dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))
    finally:
        con.close()


def test_one_strike_from_four_outlets_is_one_happening(db):
    strike = happening_of(db, "wire-a", 0)
    assert (strike["type"], strike["n_reports"], strike["n_documents"], strike["n_outlets"]) == ("ASSAULT", 4, 4, 4)
    assert strike["outlets"] == ["Daily D", "Paper B", "Site C", "Wire A"]
    assert str(strike["date_start"]) == str(strike["date_end"]) == "2025-09-08"
    assert strike["location"] == "Kharkiv" and strike["source_key"] == "rus-mil" and strike["target_key"] == "ukr-cvl"
    assert (str(strike["first_report"]), str(strike["last_report"])) == ("2025-09-09", "2025-09-10")
    # four outlets at 0.9, 0.8, 0.7, 0.6: more certain together than any alone
    assert strike["confidence"] == pytest.approx(1 - 0.1 * 0.2 * 0.3 * 0.4, abs=1e-4)
    for doc, n in (("paper-b", 0), ("site-c", 0), ("daily-d", 2)):
        assert happening_of(db, doc, n)["id"] == strike["id"]


def test_what_must_stay_apart_stays_apart(db):
    strike = happening_of(db, "wire-a", 0)["id"]
    apart = {"the Wednesday strike": ("site-c", 1), "the 2022 attack": ("site-c", 2),
             "the denied attack": ("wire-a", 2), "the threat": ("wire-a", 3), "the denial": ("paper-b", 2)}
    ids = {name: happening_of(db, *key)["id"] for name, key in apart.items()}
    assert strike not in ids.values() and len(set(ids.values())) == len(ids)
    parliament, home = happening_of(db, "daily-d", 0), happening_of(db, "daily-d", 1)
    assert parliament["id"] != home["id"] and parliament["n_reports"] == home["n_reports"] == 1
    # "Ukraine accused Russia" and "Zelensky accused Russia": one accusation from the state and its president
    assert happening_of(db, "wire-a", 1)["id"] == happening_of(db, "paper-b", 1)["id"]


def test_every_event_is_in_exactly_one_happening(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        n_events = con.execute("SELECT count(*) FROM events").fetchone()[0]
        n_links, n_distinct = con.execute("SELECT count(*), count(DISTINCT (doc_hash, n)) FROM happening_reports"
                                          ).fetchone()
        total = con.execute("SELECT sum(n_reports) FROM happenings").fetchone()[0]
        orphans = con.execute("SELECT count(*) FROM happening_reports r WHERE r.happening NOT IN "
                              "(SELECT id FROM happenings)").fetchone()[0]
    finally:
        con.close()
    assert n_events == n_links == n_distinct == total == sum(len(r["events"]) for r in STORY)
    assert orphans == 0


def test_rerunning_changes_nothing(db):
    before = snapshot(db)
    with Store(db) as store:
        stats = update(store.con)
        store.add_batch(STORY)  # re-ingest: no new documents
        again = update(store.con)
    assert (stats.new_reports, stats.happenings_written, again.new_reports) == (0, 0, 0)
    assert snapshot(db) == before


def test_result_does_not_depend_on_ingest_order_or_increments(db, tmp_path):
    batch = snapshot(db)
    reverse = fused_store(tmp_path / "reverse.duckdb", [[r] for r in reversed(STORY)])
    assert snapshot(reverse) == batch
    rng = random.Random(14)
    shuffled = STORY[:]
    rng.shuffle(shuffled)
    in_two = fused_store(tmp_path / "two.duckdb", [shuffled[:2], shuffled[2:]])
    assert snapshot(in_two) == batch


def test_an_increment_redoes_only_the_components_it_touches(tmp_path):
    path = fused_store(tmp_path / "inc.duckdb", [STORY[:3]])
    before = {row[0]: row for row in snapshot(path)[0]}
    with Store(path) as store:
        store.add_batch(STORY[3:])
        stats = update(store.con)
    after = {row[0]: row for row in snapshot(path)[0]}
    assert stats.new_reports == len(STORY[3]["events"]) and 1 <= stats.components_redone < len(before)
    strike = happening_of(path, "wire-a", 0)
    assert strike["n_outlets"] == 4  # the fourth outlet's report joined the stored happening
    unchanged = [h for h in before if h in after and before[h] == after[h]]
    assert len(unchanged) >= len(before) - stats.components_redone


def test_changed_rules_need_a_rebuild(tmp_path):
    path = fused_store(tmp_path / "rules.duckdb", [STORY])
    other = load_params().with_(join_threshold=5.0)
    with Store(path) as store:
        with pytest.raises(FusionStale):
            update(store.con, other)
        stats = update(store.con, other, rebuild=True)
    assert stats.new_reports == sum(len(r["events"]) for r in STORY)


def test_parquet_step_gives_the_store_happenings(db, tmp_path):
    from casus.fusion.parquet import fuse_parquet
    from casus.scale.local import write_partitioned

    write_partitioned(iter(STORY), str(tmp_path / "records"))
    n_reports, n_happenings = fuse_parquet(tmp_path / "records", tmp_path / "out")
    con = duckdb.connect()
    links = con.execute("SELECT doc_hash, n, happening FROM read_parquet(?) ORDER BY ALL",
                        [str(tmp_path / "out" / "happening_reports.parquet")]).fetchall()
    rows = con.execute("SELECT id, n_reports, n_outlets FROM read_parquet(?) ORDER BY id",
                       [str(tmp_path / "out" / "happenings.parquet")]).fetchall()
    _, stored_links = snapshot(db)
    store = duckdb.connect(str(db), read_only=True)
    try:
        stored = store.execute("SELECT id, n_reports, n_outlets FROM happenings ORDER BY id").fetchall()
    finally:
        store.close()
    assert links == stored_links and n_reports == len(links)
    assert n_happenings == len(rows) and rows == stored


def test_records_export_carries_happening_ids(db, tmp_path):
    with Store(db, read_only=True) as store:
        export(store, "jsonl", str(tmp_path / "r.jsonl"), table="records")
    records = [json.loads(x) for x in (tmp_path / "r.jsonl").read_text(encoding="utf-8").splitlines()]
    _, links = snapshot(db)
    got = sorted((content_hash(r["text"]), n, e["happening"]) for r in records for n, e in enumerate(r["events"]))
    assert got == links


def test_happening_grain_exports(db, tmp_path):
    strike = happening_of(db, "wire-a", 0)
    with Store(db, read_only=True) as store:
        n_jsonl = export(store, "jsonl", str(tmp_path / "h.jsonl"), grain="happening")
        n_csv = export(store, "csv", str(tmp_path / "h.csv"), grain="happening", type="ASSAULT")
        n_gdelt = export(store, "gdelt", str(tmp_path / "h.tsv"), grain="happening")
        n_events = export(store, "gdelt", str(tmp_path / "e.tsv"))
        n_parquet = export(store, "parquet", str(tmp_path / "h.parquet"), grain="happening")
    items = [json.loads(x) for x in (tmp_path / "h.jsonl").read_text(encoding="utf-8").splitlines()]
    total = len(snapshot(db)[0])
    assert n_jsonl == len(items) == total == n_parquet
    one = next(h for h in items if h["id"] == strike["id"])
    assert len(one["reports"]) == 4 and {r["doc_id"] for r in one["reports"]} == {"wire-a", "paper-b", "site-c",
                                                                                  "daily-d"}
    assert all(r["evidence"] and r["evidence_start"] is not None for r in one["reports"])
    rows = list(csv.DictReader(io.StringIO((tmp_path / "h.csv").read_text(encoding="utf-8"))))
    assert n_csv == len(rows) and {r["type"] for r in rows} == {"ASSAULT"}
    assert next(r for r in rows if r["id"] == strike["id"])["n_outlets"] == "4"
    gdelt = list(csv.DictReader(io.StringIO((tmp_path / "h.tsv").read_text(encoding="utf-8")), delimiter="\t"))
    negated = sum(1 for h in items if h["negated"])
    assert negated and n_gdelt == len(gdelt) == total - negated
    g = next(r for r in gdelt if r["NumSources"] == "4")
    assert (g["NumArticles"], g["NumMentions"], g["Day"], g["EventRootCode"]) == ("4", "4", "20250908", "18")
    # at event grain each report carries its happening's counts
    ev = list(csv.DictReader(io.StringIO((tmp_path / "e.tsv").read_text(encoding="utf-8")), delimiter="\t"))
    assert n_events == len(ev) and sum(1 for r in ev if r["NumSources"] == "4") == 4
    assert {r["NumSources"] for r in ev} >= {"1", "2", "4"}


def test_cli_fuse_happenings_and_export(tmp_path):
    path = tmp_path / "cli.duckdb"
    with Store(path) as store:
        store.add_batch(STORY)
    proc = run_casus("happenings", "--db", str(path))
    assert proc.returncode == 1 and "casus fuse" in proc.stderr
    proc = run_casus("fuse", "--db", str(path), check=True)
    assert "13 new events" in proc.stderr
    proc = run_casus("fuse", "--db", str(path), check=True)
    assert "0 new events" in proc.stderr
    proc = run_casus("happenings", "--db", str(path), "--min-outlets", "2", "--reports", check=True)
    assert "ASSAULT" in proc.stdout and ": 4 / 4 / 4 (Daily D, Paper B, Site C, Wire A)" in proc.stdout
    assert "wire-a #0" in proc.stdout and "PROTEST" not in proc.stdout
    proc = run_casus("happenings", "--db", str(path), "--actor", "Zelensky", "--format", "json", check=True)
    [accusation] = json.loads(proc.stdout)
    assert accusation["type"] == "ACCUSE" and accusation["n_outlets"] == 2
    proc = run_casus("happenings", "--db", str(path), "--id", accusation["id"], "--format", "json", check=True)
    assert len(json.loads(proc.stdout)[0]["reports"]) == 2
    proc = run_casus("export", "--db", str(path), "--grain", "happening", "--format", "csv", "-", check=True)
    assert proc.stdout.count("\n") == 1 + len(snapshot(path)[0]) and "happenings →" in proc.stderr


@pytest.mark.slow
def test_real_ingest_in_two_orders_gives_the_same_happenings(tmp_path):
    """The whole path: `casus ingest` (real pipeline, real store) of one multi-outlet story, in two
    orders and two increments each; fusion runs after every ingest."""
    from tests.conftest import SHARED_DATA

    articles = sorted((SHARED_DATA / "news" / "articles").glob("cl-doha-*.txt"))
    if len(articles) < 4:
        pytest.skip("../shared/data/news not present")
    files = [str(p) for p in articles]
    one, two = tmp_path / "one.duckdb", tmp_path / "two.duckdb"
    for db, order in ((one, files), (two, files[::-1])):
        for part in (order[:2], order[2:]):
            proc = run_casus("ingest", "--db", str(db), "--processes", "1", *part, check=True)
            assert "fusion:" in proc.stderr
    assert snapshot(one) == snapshot(two)
    happenings, links = snapshot(one)
    con = duckdb.connect(str(one), read_only=True)
    try:
        n_events = con.execute("SELECT count(*) FROM events").fetchone()[0]
        n_outlets = con.execute("SELECT count(DISTINCT outlet) FROM documents").fetchone()[0]
    finally:
        con.close()
    assert len(links) == n_events > 0 and n_outlets == 4
    # a re-ingest stores nothing and changes nothing
    run_casus("ingest", "--db", str(one), "--processes", "1", *files, check=True)
    assert snapshot(one) == (happenings, links)
