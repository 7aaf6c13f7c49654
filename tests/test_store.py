import json
import os
import signal
import subprocess
import sys
import time

import duckdb
import pytest

from casus.store import Store
from tests.conftest import ROOT, SEED, run_casus


def test_store_is_idempotent_and_queryable(tmp_path, seed_record):
    db = tmp_path / "s.duckdb"
    with Store(db) as store:
        assert store.add_batch([seed_record]) == 1
        assert store.add_batch([seed_record]) == 0
        counts = store.summary()
        assert counts["documents"] == 1
        assert counts["events"] == len(seed_record["events"])
        assert counts["quotes"] == len(seed_record["quotes"])
        rows = store.events(type="THREATEN", min_confidence=0)
        assert rows and all(r["type"] == "THREATEN" for r in rows)
        rows = store.quotes(speaker="rus-putin")
        assert rows and all(r["speaker_actor"] == "rus-putin" for r in rows)
        assert store.events(since="2026-01-01") == []


def test_error_records_are_stored_once(tmp_path):
    record = {"id": "bad", "meta": {}, "text": "", "actors": [], "quotes": [], "events": [],
              "errors": [{"stage": "ingest", "message": "empty document", "level": "error"}]}
    with Store(tmp_path / "e.duckdb") as store:
        store.add_batch([record], ["x.txt"])
        store.add_batch([record], ["x.txt"])
        assert store.summary()["errors"] == 1
        assert store.summary()["documents"] == 0


@pytest.mark.slow
def test_killed_ingest_keeps_committed_batches_and_resumes_without_duplicates(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    n = 400  # the kill comes once 50 are stored (read from the store meanwhile), far from the end
    with open(corpus, "w", encoding="utf-8") as fh:
        for i in range(n):
            text = f"Report {i}: Russia accused Ukraine of shelling the town of Town{i} on Friday."
            fh.write(json.dumps({"id": f"d{i}", "text": text, "published": "2025-09-05"}) + "\n")
    db = tmp_path / "k.duckdb"
    proc = subprocess.Popen([sys.executable, "-m", "casus", "ingest", "--db", str(db), "--batch-size", "10",
                             str(corpus)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 300
    # wait until several batches have been committed, reading the store while the ingest runs
    while time.time() < deadline and proc.poll() is None:
        if db.exists():
            with Store(db, read_only=True) as store:
                if store.summary()["documents"] >= 50:
                    break
        time.sleep(0.1)
    assert proc.poll() is None, "ingest finished before it could be killed; make the corpus larger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    con = duckdb.connect(str(db))
    stored = con.execute("SELECT count(*) FROM documents").fetchone()[0]
    assert 0 < stored < n
    # every stored document has all its events: no half-written batch
    per_doc = con.execute(
        "SELECT d.hash, json_array_length(d.record->'$.events'), count(e.n) FROM documents d "
        "LEFT JOIN events e ON e.doc_hash = d.hash GROUP BY ALL").fetchall()
    assert all(expected == got for _, expected, got in per_doc)
    orphans = con.execute("SELECT count(*) FROM events WHERE doc_hash NOT IN (SELECT hash FROM documents)").fetchone()
    assert orphans[0] == 0
    con.close()

    done = run_casus("ingest", "--db", str(db), "--batch-size", "200", str(corpus))
    assert done.returncode == 0, done.stderr
    assert f"{stored} already stored" in done.stderr
    con = duckdb.connect(str(db))
    assert con.execute("SELECT count(*), count(DISTINCT id) FROM documents").fetchone() == (n, n)
    con.close()


def test_reingest_changes_nothing(tmp_path):
    db = tmp_path / "r.duckdb"
    first = run_casus("ingest", "--db", str(db), str(SEED), check=True)
    assert "1 new documents stored" in first.stderr
    con = duckdb.connect(str(db))
    before = [con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("documents", "events", "quotes")]
    con.close()
    second = run_casus("ingest", "--db", str(db), str(SEED), check=True)
    assert "0 new documents stored, 1 already stored" in second.stderr
    con = duckdb.connect(str(db))
    after = [con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("documents", "events", "quotes")]
    con.close()
    assert before == after and before[0] == 1
