"""Shared by the API and UI tests: a real store built by the real pipeline, and a real server on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import httpx

from tests.conftest import EXAMPLES, ROOT

# The seed article's remarks were made in Vladivostok (examples/putin-reassurance-force.json, "note").
SEED_PLACE = ("Vladivostok", "RUS", 43.12, 131.89)


def build_store(path: Path, nlp, extra_documents=()) -> Path:  # noqa: ANN001
    """Ingest examples/ (and any extra Documents) through the real pipeline into a DuckDB file."""
    from casus.ingest import read_inputs
    from casus.pipeline import extract
    from casus.store import Store

    docs = list(read_inputs([str(EXAMPLES)])) + list(extra_documents)
    records = list(extract(docs, nlp=nlp))
    with Store(path) as store:
        store.add_batch(records)
    locate_seed(path)
    return path


def locate_seed(path: Path) -> None:
    """Give the seed article's events the place it names when no event has coordinates yet.

    Geocoding is the pipeline's place step (another branch); until it fills lat/lon the map would
    have nothing to draw, so the fixture writes the coordinates that step would write.
    """
    con = duckdb.connect(str(path))
    try:
        if con.execute("SELECT count(*) FROM events WHERE lat IS NOT NULL").fetchone()[0] == 0:
            name, country, lat, lon = SEED_PLACE
            con.execute("UPDATE events SET location = ?, country = ?, lat = ?, lon = ? "
                        "WHERE doc_id = 'putin-reassurance-force'", [name, country, lat, lon])
    finally:
        con.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_servers(db: Path, *variants: tuple[str, ...], timeout: float = 60) -> Iterator[list[str]]:
    """Several `casus serve` processes on one store, started together, each with its own extra arguments."""
    procs, logs, bases = [], [], []
    try:
        for extra in variants:
            port = free_port()
            log = open(db.with_suffix(f".{port}.log"), "w")  # noqa: SIM115
            logs.append(log)
            procs.append(subprocess.Popen([sys.executable, "-m", "casus", "serve", "--db", str(db), "--port",
                                           str(port), *extra], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                          env={**os.environ}))
            bases.append(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + timeout
        for proc, log, base in zip(procs, logs, bases, strict=True):
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"server exited {proc.returncode}: {Path(log.name).read_text()}")
                try:
                    if httpx.get(base + "/api/stats", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("server did not start: " + Path(log.name).read_text())
                time.sleep(0.2)
        yield bases
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for log in logs:
            log.close()


@contextmanager
def running_server(db: Path, *extra: str, timeout: float = 60) -> Iterator[str]:
    """`casus serve` in a subprocess on a free loopback port; yields its base URL, stops it after."""
    with running_servers(db, extra, timeout=timeout) as [base]:
        yield base
