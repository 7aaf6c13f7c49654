"""Extraction for the API: a bounded pool of worker processes, so that one long text stalls nothing.

`POST /api/extract`, `POST /api/documents` and the UI's "Try text" run the pipeline on the text they
are sent. In the server's own process that would hold a lock for as long as the pipeline runs (a
60k-character text held every other extract 30 s), so the work goes to `workers` processes, each with
its own copy of the pipeline, forked from the server once the pipeline is loaded (pages shared
copy-on-write) or, where fork does not exist, started fresh.

- at most `workers` extractions run at once and `queue` more wait; a request beyond that is
  refused at once with `Busy` (the API answers 503 with a `Retry-After` estimated from recent
  extraction times);
- each request has a time budget (`budget` seconds, waiting included): a worker still busy at the
  deadline is killed and replaced, and the request gets `OverBudget` (503);
- a worker that dies (out of memory, killed) is replaced; its request gets `WorkerDied` (503).

`workers=0` runs the pipeline in the server's process behind a lock, with no budget (for tests and
embedding); every other setting keeps the server responsive.
"""

from __future__ import annotations

import math
import multiprocessing as mp
import os
import queue
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from casus.document import Document

WORKERS = 2
QUEUE = 8
BUDGET = 300.0  # seconds; a 1,000,000-character text takes about two minutes on one core


class Unavailable(Exception):
    """The extraction was not done; `retry_after` (seconds) when trying again later may help."""

    retry_after: int | None = None


class Busy(Unavailable):
    def __init__(self, retry_after: int, running: int, waiting: int):
        self.retry_after = retry_after
        super().__init__(f"the server is busy extracting ({running} running, {waiting} waiting); "
                         f"try again in {retry_after} s")


class OverBudget(Unavailable):
    def __init__(self, budget: float):
        super().__init__(f"extraction did not finish within this server's time budget of {budget:g} s; "
                         "split the text, or run `casus extract` on it")


class WorkerDied(Unavailable):
    def __init__(self, detail: str):
        self.retry_after = 1
        super().__init__(f"the extraction worker stopped ({detail}); try again")


def _serve(conn: Connection, nlp: Any, model: str, parent: int) -> None:
    """A worker's life: receive a Document, send back its record, until the pipe closes."""
    from casus import pipeline

    pipeline._init_worker(nlp, model, parent)
    while True:
        try:
            document = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(pipeline._work([document])[0])


class _Worker:
    def __init__(self, ctx: Any, nlp: Any, model: str):
        self.conn, child = ctx.Pipe()
        # with fork the loaded pipeline is inherited; spawn cannot pickle it, so the worker loads its own
        inherit = nlp if ctx.get_start_method() == "fork" else None
        self.proc = ctx.Process(target=_serve, args=(child, inherit, model, os.getpid()), daemon=True,
                                name="casus-extract")
        self.proc.start()
        child.close()

    def run(self, document: Document, timeout: float) -> dict[str, Any]:
        self.conn.send(document)
        if not self.conn.poll(max(0.0, timeout)):
            raise TimeoutError
        try:
            return self.conn.recv()
        except (EOFError, OSError) as exc:
            raise ChildProcessError(f"exit code {self.proc.exitcode}") from exc

    def stop(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(timeout=10)
        self.conn.close()


class Extractor:
    def __init__(self, load: Callable[[], Any], workers: int = WORKERS, queue_size: int = QUEUE,
                 budget: float = BUDGET, model: str | None = None):
        from casus.pipeline import MODEL

        self._load = load
        self.model = model or MODEL
        self.workers = max(0, workers)
        self.budget = budget
        self._slots = threading.BoundedSemaphore(max(1, self.workers) + max(0, queue_size))
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        self._nlp: Any = None
        self._running = 0
        self._waiting = 0
        self._seconds = 5.0  # recent time per extraction, for Retry-After
        self._closed = False
        start = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
        self._ctx = mp.get_context(start)

    # -- the pipeline and the workers ----------------------------------------------------------------
    def nlp(self) -> Any:
        with self._lock:
            if self._nlp is None:
                self._nlp = self._load()
            return self._nlp

    def _start(self) -> None:
        """Start the pool on first use: load the pipeline here, then fork the workers from it."""
        with self._lock:
            if self._all or self._closed:
                return
            if self._nlp is None:
                self._nlp = self._load()
            if self._ctx.get_start_method() == "fork":
                from casus.pipeline import before_fork

                before_fork(self._nlp)  # lazy data loaded once and shared by every worker
            for _ in range(self.workers):
                self._add()

    def _add(self) -> None:
        worker = _Worker(self._ctx, self._nlp, self.model)
        self._all.append(worker)
        self._idle.put(worker)

    def _replace(self, worker: _Worker) -> None:
        worker.stop()
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
            if not self._closed:
                self._add()

    # -- requests ------------------------------------------------------------------------------------
    def extract(self, document: Document) -> dict[str, Any]:
        if self.workers == 0:
            return self._in_process(document)
        if not self._slots.acquire(blocking=False):
            raise Busy(self.retry_after(), self._running, self._waiting)
        deadline = time.monotonic() + self.budget
        try:
            self._start()
            with self._lock:
                self._waiting += 1
            try:
                worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise OverBudget(self.budget) from None
            finally:
                with self._lock:
                    self._waiting -= 1
            return self._run(worker, document, deadline)
        finally:
            self._slots.release()

    def _run(self, worker: _Worker, document: Document, deadline: float) -> dict[str, Any]:
        with self._lock:
            self._running += 1
        started = time.monotonic()
        try:
            record = worker.run(document, deadline - started)
        except TimeoutError:
            self._replace(worker)
            raise OverBudget(self.budget) from None
        except (ChildProcessError, OSError) as exc:
            self._replace(worker)
            raise WorkerDied(str(exc)) from None
        finally:
            with self._lock:
                self._running -= 1
        self._seconds = 0.8 * self._seconds + 0.2 * (time.monotonic() - started)
        self._idle.put(worker)
        return record

    def _in_process(self, document: Document) -> dict[str, Any]:
        from casus.pipeline import run_batch

        nlp = self.nlp()
        with self._lock:  # spaCy's Language is not documented as thread-safe: one call at a time
            return run_batch(nlp, [document])[0]

    def retry_after(self) -> int:
        """Seconds until a slot is likely free: the queue ahead, shared by the workers, at the recent pace."""
        ahead = self._running + self._waiting
        return max(1, min(math.ceil(self.budget), math.ceil(self._seconds * ahead / max(1, self.workers))))

    def status(self) -> dict[str, Any]:
        return {"workers": self.workers, "running": self._running, "waiting": self._waiting,
                "budget_s": self.budget}

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers, self._all = self._all, []
        for w in workers:
            w.stop()
