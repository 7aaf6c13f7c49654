"""The API's extraction pool: long texts run beside short ones, a full pool says so, a budget holds.

The unit tests fork real worker processes from this process's pipeline; the last test starts
`casus serve` and talks HTTP to it, as a browser or a script would.
"""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from casus.document import Document
from casus.web.extractor import Busy, Extractor, OverBudget
from tests.conftest import SEED
from tests.workbench_support import running_server

SHORT = "Iran accused Israel on Monday of attacking its embassy in Damascus."


def long_text(chars: int) -> str:
    article = SEED.read_text(encoding="utf-8").strip()
    return "\n\n".join([article] * (chars // len(article) + 1))[:chars]


def wait_for(predicate, what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def in_background(fn):
    out: dict = {}

    def run():
        try:
            out["value"] = fn()
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            out["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


def test_short_extraction_runs_beside_a_long_one_and_a_full_pool_says_busy(nlp):
    ex = Extractor(lambda: nlp, workers=2, queue_size=0, budget=600)
    try:
        first, long_out = in_background(lambda: ex.extract(Document("long", long_text(300_000))))
        wait_for(lambda: ex.status()["running"] == 1, "the long extraction to start")
        record = ex.extract(Document("short", SHORT, meta={"published": "2024-04-02"}))
        assert first.is_alive() and "value" not in long_out  # the long one is still running
        assert any(e["type"] == "ACCUSE" for e in record["events"])
        # both workers busy, no queue: the next request is refused at once, with a time to come back
        second, _ = in_background(lambda: ex.extract(Document("long-2", long_text(300_000))))
        wait_for(lambda: ex.status()["running"] == 2, "both workers to be busy")
        with pytest.raises(Busy) as busy:
            ex.extract(Document("short-2", SHORT))
        assert busy.value.retry_after >= 1 and "busy" in str(busy.value)
    finally:
        ex.close()


def test_time_budget_kills_the_worker_and_the_next_request_gets_a_fresh_one(nlp):
    ex = Extractor(lambda: nlp, workers=1, queue_size=0, budget=10)
    try:
        ex._start()
        [worker] = ex._all
        pid = worker.proc.pid
        with pytest.raises(OverBudget, match="time budget of 10 s"):
            ex.extract(Document("long", long_text(600_000)))
        assert not worker.proc.is_alive()
        record = ex.extract(Document("short", SHORT, meta={"published": "2024-04-02"}))
        assert record["events"] and ex._all[0].proc.pid != pid
    finally:
        ex.close()


@pytest.mark.slow
def test_server_answers_a_short_extract_while_a_long_one_runs(tmp_path):
    db = tmp_path / "empty.duckdb"
    with running_server(db, "--extract-workers", "2", "--extract-queue", "0", timeout=120) as base:
        long_body = {"text": long_text(500_000), "meta": {"published": "2025-09-05"}}
        first, long_out = in_background(lambda: httpx.post(base + "/api/extract", json=long_body, timeout=600))

        def running() -> int:
            return httpx.get(base + "/api/stats", timeout=10).json()["extraction"]["running"]

        wait_for(lambda: running() == 1, "the long extraction to start", seconds=300)
        short = httpx.post(base + "/api/extract", json={"text": SHORT, "meta": {"published": "2024-04-02"}},
                           timeout=60)
        assert short.status_code == 200 and first.is_alive() and not long_out
        assert any(e["type"] == "ACCUSE" for e in short.json()["events"])
        second, _ = in_background(lambda: httpx.post(base + "/api/extract", json=long_body, timeout=600))
        wait_for(lambda: running() == 2, "both workers to be busy", seconds=60)
        full = httpx.post(base + "/api/extract", json={"text": SHORT}, timeout=60)
        assert full.status_code == 503 and int(full.headers["retry-after"]) >= 1
        assert "busy" in full.json()["error"]
