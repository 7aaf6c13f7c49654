"""One DuckDB store file shared by several casus processes: each holds it only while it uses it.

DuckDB lets one process open a file read-write, or any number of processes open it read-only, never
both at once. So no casus process keeps a store open longer than one unit of work: `casus ingest`
opens it read-write for one batch (write, commit, close), queries and each workbench request read it
read-only. A lock file beside the store (`<db>.lock`, flock) puts them in order:

- a writer holds the lock file exclusively from before it opens the store until after it closed it;
- a reader passes the lock file (waits while a writer holds it), then opens the store read-only;
- the workbench keeps its read-only connection between requests and closes it as soon as a writer
  waits (a watcher thread looks every 50 ms), so a running server never starves an ingest.

A race between a reader's pass and a writer's open, or a program that holds the file outside this
protocol (the duckdb CLI, a notebook), shows as DuckDB's lock error: casus retries until
`CASUS_STORE_WAIT` seconds (default 120) have passed, then raises `StoreBusy` with one line naming
the holder. The design and its measurements are in docs/store.md.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

try:
    import fcntl
except ImportError:  # Windows: no flock; retries on DuckDB's own lock still keep processes apart
    fcntl = None  # type: ignore[assignment]

DEFAULT_WAIT = 120.0
POLL = 0.02  # seconds between attempts: a batch commit takes tens of milliseconds
WATCH = 0.05  # how often the workbench looks for a waiting writer
NOTICE_AFTER = 2.0  # a wait longer than this is announced (once) through the `notice` callback


class StoreBusy(RuntimeError):
    """The store stayed locked by another process for longer than the caller would wait."""


def store_wait() -> float:
    try:
        return max(0.0, float(os.environ.get("CASUS_STORE_WAIT", DEFAULT_WAIT)))
    except ValueError:
        return DEFAULT_WAIT


def _is_lock_error(exc: BaseException) -> bool:
    text = str(exc)
    # another process holds DuckDB's file lock / this process has it open with the other configuration
    return "Could not set lock on file" in text or "different configuration" in text


def _holder(exc: BaseException) -> str:
    m = re.search(r"held in (.+?) \(PID (\d+)\)", str(exc))
    if m:
        return f"another program ({Path(m.group(1)).name}, PID {m.group(2)})"
    if "different configuration" in str(exc):
        return "this process, opened the other way (read-only vs read-write)"
    return "another program"


def busy_message(path: str, holder: str, waited: float) -> str:
    return (f"{path} is in use by {holder}, which keeps it open; waited {waited:.0f} s. Close that program "
            "(casus itself holds a store only for a batch or a query), or set CASUS_STORE_WAIT=SECONDS to wait "
            "longer.")


# Descriptors of lock files this process has open. flock belongs to the open file, which a forked
# child shares: a worker forked while a thread held the gate (a reader passing it, the watcher
# looking) would keep that lock for its whole life and every writer would wait for it. The child
# closes its copies at once; the parent's lock lasts until the parent closes its own.
_OPEN: set[int] = set()


def _close_inherited() -> None:
    for fd in list(_OPEN):
        try:
            os.close(fd)
        except OSError:
            pass
    _OPEN.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_inherited)


def _close(fd: int) -> None:
    _OPEN.discard(fd)
    os.close(fd)


class Gate:
    """The lock file beside a store: writers hold it exclusively, readers pass it (see the module doc)."""

    def __init__(self, path: str):
        self.path = path + ".lock"
        self.fd: int | None = None

    def _open(self) -> int | None:
        if fcntl is None:
            return None
        for flags in (os.O_RDWR | os.O_CREAT, os.O_RDONLY):  # another user's file: flock works read-only too
            try:
                fd = os.open(self.path, flags | os.O_CLOEXEC, 0o666)
            except OSError:
                continue
            _OPEN.add(fd)
            return fd
        return None  # a store in a read-only place: readers there cannot race a writer anyway

    def _wait(self, fd: int, mode: int, deadline: float, notice: Callable[[str], None] | None) -> None:
        announced = False
        start = time.monotonic()
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                pass
            now = time.monotonic()
            if now >= deadline:
                db = self.path[: -len(".lock")]
                raise StoreBusy(f"{db} has been written by another casus process for {now - start:.0f} s (a "
                                "program keeping a casus Store open?); let it finish or close it, or set "
                                "CASUS_STORE_WAIT=SECONDS to wait longer.")
            if notice and not announced and now - start > NOTICE_AFTER:
                notice(f"waiting for a casus process writing to {self.path[: -len('.lock')]} …")
                announced = True
            time.sleep(POLL)

    def acquire(self, deadline: float, notice: Callable[[str], None] | None = None) -> None:
        """Hold the gate exclusively (a writer), waiting for another writer to finish its batch."""
        fd = self._open()
        if fd is None:
            return
        try:
            self._wait(fd, fcntl.LOCK_EX, deadline, notice)
        except BaseException:
            _close(fd)
            raise
        self.fd = fd

    def release(self) -> None:
        if self.fd is None:
            return
        # unlock explicitly: a forked child holding a copy of the descriptor would otherwise keep the lock
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        _close(self.fd)
        self.fd = None

    def pass_(self, deadline: float, notice: Callable[[str], None] | None = None) -> None:
        """Wait until no writer holds the gate (a reader); holds nothing afterwards."""
        fd = self._open()
        if fd is None:
            return
        try:
            self._wait(fd, fcntl.LOCK_SH, deadline, notice)
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            _close(fd)

    def writer_waiting(self) -> bool:
        fd = self._open()
        if fd is None:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            fcntl.flock(fd, fcntl.LOCK_UN)  # unlocked, not only closed: see _OPEN
        except BlockingIOError:
            return True
        finally:
            _close(fd)
        return False


def connect(path: str, read_only: bool, deadline: float, gate: Gate | None = None,
            notice: Callable[[str], None] | None = None) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection, retried while another process holds the file; a reader passes `gate` first."""
    start = time.monotonic()
    announced = False
    while True:
        if gate is not None:
            gate.pass_(deadline, notice)
        try:
            return duckdb.connect(path, read_only=read_only)
        except (duckdb.IOException, duckdb.ConnectionException) as exc:
            if not _is_lock_error(exc):
                raise
            now = time.monotonic()
            if now >= deadline:
                raise StoreBusy(busy_message(path, _holder(exc), now - start)) from None
            if notice and not announced and now - start > NOTICE_AFTER:
                notice(f"waiting for {_holder(exc)} to close {path} …")
                announced = True
            time.sleep(POLL)


def _once(notice: Callable[[str], None] | None) -> Callable[[str], None] | None:
    """`notice`, called at most once: a wait is announced once, however many retries it takes."""
    if notice is None:
        return None
    said: list[str] = []

    def say(message: str) -> None:
        if not said:
            said.append(message)
            notice(message)

    return say


class Session:
    """One opening of the store: read-only, or read-write holding the gate until it is closed."""

    def __init__(self, path: str | Path, read_only: bool, wait: float | None = None,
                 notice: Callable[[str], None] | None = None):
        self.path = str(path)
        deadline = time.monotonic() + (store_wait() if wait is None else wait)
        self.gate = Gate(self.path)
        notice = _once(notice)
        if read_only:
            self.con = connect(self.path, True, deadline, gate=self.gate, notice=notice)
            return
        self.gate.acquire(deadline, notice)
        try:
            self.con = connect(self.path, False, deadline, notice=notice)
        except BaseException:
            self.gate.release()
            raise

    def close(self) -> None:
        try:
            self.con.close()  # a read-write close checkpoints: the next reader opens without a WAL to replay
        finally:
            self.gate.release()


class SharedReader:
    """The workbench's read-only connection: kept between requests, given up while a writer waits.

    Requests read through cursors of one connection (DuckDB's idiom for threads). The watcher
    closes it when no request uses it and a writer holds the gate; the next request waits at the
    gate until the writer has closed the store, then reopens it and sees what was committed.
    """

    def __init__(self, path: str | Path, wait: float | None = None):
        self.path = str(path)
        self.wait = store_wait() if wait is None else wait
        self.gate = Gate(self.path)
        self._con: duckdb.DuckDBPyConnection | None = None
        self._users = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name="casus-store-watch", daemon=True)
        self._watcher.start()

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        deadline = time.monotonic() + self.wait
        while True:
            self.gate.pass_(deadline)
            with self._lock:
                if self._con is None:
                    try:
                        self._con = duckdb.connect(self.path, read_only=True)
                    except (duckdb.IOException, duckdb.ConnectionException) as exc:
                        if not _is_lock_error(exc):
                            raise
                        if time.monotonic() >= deadline:
                            raise StoreBusy(busy_message(self.path, _holder(exc), self.wait)) from None
                if self._con is not None:
                    self._users += 1
                    cur = self._con.cursor()
                    break
            time.sleep(POLL)
        try:
            yield cur
        finally:
            cur.close()
            with self._lock:
                self._users -= 1

    def release_if_writer_waits(self) -> bool:
        with self._lock:
            if self._con is not None and self._users == 0 and self.gate.writer_waiting():
                self._con.close()
                self._con = None
                return True
        return False

    def _watch(self) -> None:
        while not self._stop.wait(WATCH):
            self.release_if_writer_waits()

    def close(self) -> None:
        self._stop.set()
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None
