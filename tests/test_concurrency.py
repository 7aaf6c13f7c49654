"""Readers while writing: the workbench and the query commands keep working while `casus ingest` runs.

Real processes on one real DuckDB file: `casus ingest`, `casus serve` (read-write and read-only),
`casus events`, and a program that holds the file outside casus's protocol.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import httpx
import pytest

from casus.store import Store
from tests.conftest import ROOT, run_casus
from tests.workbench_support import running_server, running_servers

BATCH = 25
N_SOAK = 500


def _record(i: int) -> dict:
    text = f"Bulletin {i}: France sent aid to the city of City{i} on Monday."
    return {"id": f"r{i}", "meta": {"published": "2025-09-05"}, "text": text, "actors": [], "quotes": [],
            "events": [], "times": [], "places": [], "repairs": [], "errors": []}


def _corpus(path, n: int) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            text = f"Report {i}: Russia accused Ukraine of shelling the town of Town{i} on Friday."
            fh.write(json.dumps({"id": f"d{i}", "text": text, "published": "2025-09-05"}) + "\n")


def test_a_writer_waits_for_the_shared_reader_and_readers_see_its_commit(tmp_path):
    from casus.storefile import SharedReader

    db = tmp_path / "s.duckdb"
    with Store(db) as store:
        store.add_batch([_record(0)])
    reader = SharedReader(db, wait=30)
    try:
        with reader.cursor() as cur:
            assert cur.execute("SELECT count(*) FROM documents").fetchone()[0] == 1
        done = threading.Event()

        def write() -> None:
            with Store(db, wait=30) as store:  # waits until the reader has let go of its connection
                store.add_batch([_record(1), _record(2)])
            done.set()

        writer = threading.Thread(target=write)
        writer.start()
        writer.join(30)
        assert done.is_set(), "the writer never got the store while the workbench's reader was idle"
        with reader.cursor() as cur:
            assert cur.execute("SELECT count(*) FROM documents").fetchone()[0] == 3
    finally:
        reader.close()


def test_a_program_holding_the_file_gets_one_clear_line_not_a_traceback(tmp_path):
    db = tmp_path / "held.duckdb"
    with Store(db) as store:
        store.add_batch([_record(0)])
    # a program outside casus (the duckdb CLI, a notebook) that keeps the file open read-write
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('ready', flush=True); time.sleep(120)", str(db)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        env = {**os.environ, "CASUS_STORE_WAIT": "1"}
        text = tmp_path / "a.txt"
        text.write_text("Russia accused Ukraine of shelling the town on Friday.", encoding="utf-8")
        commands = (["ingest", "--db", str(db), "-p", "1", str(text)], ["events", "--db", str(db)],
                    ["serve", "--db", str(db), "--port", "1"], ["serve", "--read-only", "--db", str(db), "--port", "1"])
        for args in commands:
            proc = subprocess.run([sys.executable, "-m", "casus", *args], capture_output=True, text=True, cwd=ROOT,
                                  env=env, timeout=300)
            lines = [ln for ln in proc.stderr.splitlines() if ln.strip() and "casus workbench on" not in ln]
            assert proc.returncode == 1, (args, proc.stderr)
            assert "Traceback" not in proc.stderr, proc.stderr
            assert len(lines) == 1, (args, proc.stderr)
            assert "in use by another program" in lines[0] and f"PID {holder.pid}" in lines[0], lines[0]
            assert "CASUS_STORE_WAIT" in lines[0]
    finally:
        holder.kill()
        holder.wait()


def test_store_busy_is_raised_in_process_too(tmp_path):
    from casus.storefile import StoreBusy

    db = tmp_path / "b.duckdb"
    Store(db).close()
    with Store(db) as writer:
        writer.add_batch([_record(0)])
        with pytest.raises(StoreBusy, match="written by another casus process"):
            # this process holds it read-write: a reader here cannot open it the other way meanwhile
            Store(db, read_only=True, wait=0.2)


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is what shares the lock file")
def test_a_process_forked_while_the_gate_was_held_does_not_keep_it(tmp_path):
    """A worker forked while a thread was passing the gate (the API forks its extraction workers
    while the reader's watcher looks) must not hold the lock for its whole life."""
    import fcntl

    from casus.storefile import Gate, StoreBusy

    db = str(tmp_path / "forked.duckdb")
    reader = Gate(db)
    fd = reader._open()
    fcntl.flock(fd, fcntl.LOCK_SH)  # the watcher in the middle of writer_waiting
    child = os.fork()
    if child == 0:  # the worker: lives on without touching the store
        time.sleep(5)
        os._exit(0)
    try:
        os.close(fd)  # the watcher is done (closing, not unlocking); only the child's copy could hold the lock
        writer = Gate(db)
        try:
            writer.acquire(time.monotonic() + 1.5)
        except StoreBusy as exc:
            pytest.fail(f"the forked child kept the gate: {exc}")
        assert writer.fd is not None
        writer.release()
    finally:
        os.kill(child, 9)
        os.waitpid(child, 0)


def test_soak_ingest_while_the_workbench_and_queries_run(tmp_path, nlp):
    """500 documents ingested while a client queries the API every 100 ms; servers and `casus events`
    started during the ingest work too; no failed query, no lost document, consistent counts."""
    db = tmp_path / "soak.duckdb"
    with Store(db) as store:
        store.add_batch([_record(0)])
    corpus = tmp_path / "corpus.jsonl"
    _corpus(corpus, N_SOAK)
    failures: list[str] = []
    seen: list[int] = []
    with running_server(db, "--read-only") as base:
        ingest = subprocess.Popen([sys.executable, "-m", "casus", "ingest", "--db", str(db), "--processes", "1",
                                   "--batch-size", str(BATCH), str(corpus)], cwd=ROOT, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True)
        stop = threading.Event()

        def poll() -> None:
            paths = ("/api/stats", "/api/events?limit=5", "/api/documents?limit=3&sort=ingested&order=desc")
            with httpx.Client(base_url=base, timeout=60) as client:
                k = 0
                while not stop.is_set():
                    path = paths[k % len(paths)]
                    k += 1
                    try:
                        r = client.get(path)
                    except httpx.HTTPError as exc:
                        failures.append(f"{path}: {exc!r}")
                        continue
                    if r.status_code != 200:
                        failures.append(f"{path}: {r.status_code} {r.text[:200]}")
                    elif path == "/api/stats":
                        seen.append(r.json()["counts"]["documents"])
                    stop.wait(0.1)

        poller = threading.Thread(target=poll)
        poller.start()
        try:
            # once the first batches are in: the other readers start while the ingest is still running
            deadline = time.monotonic() + 300
            while (not seen or seen[-1] < 1 + 2 * BATCH) and time.monotonic() < deadline and ingest.poll() is None:
                time.sleep(0.2)
            assert ingest.poll() is None, "the ingest ended before the readers could start: make the corpus larger"
            with running_servers(db, (), ("--read-only",)) as started:
                mid = [httpx.get(b + "/api/stats", timeout=60).json()["counts"]["documents"] for b in started]
                events = run_casus("events", "--db", str(db), "--format", "json", "--limit", "5")
                running = ingest.poll() is None
            assert events.returncode == 0, events.stderr
            assert json.loads(events.stdout), "casus events printed no events mid-ingest"
            assert all(1 < m <= N_SOAK + 1 for m in mid), mid
            assert running, "the ingest ended before every reader had been tried beside it"
            _, err = ingest.communicate(timeout=600)
            assert ingest.returncode == 0, err
            assert f"{N_SOAK} new documents stored" in err
            time.sleep(0.5)  # one more query after the last commit
        finally:
            stop.set()
            poller.join(60)
            if ingest.poll() is None:
                ingest.kill()
        final = httpx.get(base + "/api/stats", timeout=60).json()["counts"]
        total_events = httpx.get(base + "/api/events", params={"limit": 1, "min_confidence": 0},
                                 timeout=60).json()["total"]

    assert not failures, failures[:5]
    assert len(seen) > 20, f"only {len(seen)} queries answered during the ingest"
    # each answer shows whole batches: what was there before plus some number of committed batches
    assert seen == sorted(seen), "a query saw fewer documents than an earlier one"
    assert all(n == N_SOAK + 1 or (n - 1) % BATCH == 0 for n in seen), sorted(set(seen))
    assert final["documents"] == N_SOAK + 1 and seen[-1] == N_SOAK + 1
    with Store(db, read_only=True) as store:
        _, [(docs, ids)] = store.query("SELECT count(*), count(DISTINCT id) FROM documents")
        _, [(stored_events, recorded)] = store.query(
            "SELECT (SELECT count(*) FROM events), (SELECT sum(json_array_length(record->'$.events')) FROM documents)")
    assert docs == ids == N_SOAK + 1
    assert stored_events == recorded == total_events == final["events"] > N_SOAK
