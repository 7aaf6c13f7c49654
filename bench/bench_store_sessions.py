"""What holding the store per batch costs, and what readers see while a writer works.

    .venv/bin/python bench/bench_store_sessions.py [--docs 640] [--batch 32] [--seconds 20] [--polnear]

1. Extracts `--docs` short synthetic wire reports (or, with `--polnear`, PolNeAR train articles) with
   the real pipeline (cached, the extraction time printed once), then stores them
   twice into fresh DuckDB files: once through one `Store` kept open (the old way: no other process
   can open the file meanwhile), once with one `Store` per batch (what `casus ingest` does now:
   open read-write, write, commit, close). Prints the median open / add_batch / close time per
   batch, the whole-store time of each way and their ratio.
2. Starts `casus serve --read-only` on a free loopback port and one client asking `/api/events`
   every 100 ms, first for `--seconds` with nothing else running, then for as long as a writer
   process stores the same records, one batch per second (about the pace of extraction of 32 short
   reports here). Prints
   p50 / p95 / max latency and the count of failed requests for both phases.
Say the machine's load when quoting the numbers: they are wall-clock times on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tests.workbench_support import running_server  # noqa: E402

WRITER = """
import json, sys, time
from casus.store import Store
db, path, batch = sys.argv[1], sys.argv[2], int(sys.argv[3])
records = [json.loads(line) for line in open(path, encoding="utf-8")]
for i in range(0, len(records), batch):
    with Store(db) as store:
        store.add_batch(records[i:i + batch])
    time.sleep(1.0)
"""


def records(n: int, cache: Path, batch: int, polnear: bool) -> list[dict]:
    if cache.exists():
        out = [json.loads(line) for line in cache.open(encoding="utf-8")]
        if len(out) >= n:
            return out[:n]
    from casus.document import Document
    from casus.pipeline import extract, load

    if polnear:
        from bench.polnear_corpus import polnear_documents

        docs = list(polnear_documents(n))
    else:
        docs = [Document(id=f"b{i}", meta={"published": "2025-09-05"},
                         text=f"Report {i}: Russia accused Ukraine of shelling the town of Town{i} on Friday. "
                              f"\"We will answer,\" the Kremlin said, as France sent aid to Town{i}.")
                for i in range(n)]
    nlp = load()
    start = time.perf_counter()
    out = list(extract(docs, nlp=nlp, n_process=1, batch_size=batch))
    took = time.perf_counter() - start
    print(f"extraction: {took:.1f} s for {len(out)} documents, {took / len(out) * batch * 1000:.0f} ms per batch "
          f"of {batch} (one process)")
    with cache.open("w", encoding="utf-8") as fh:
        for r in out:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return out


def fresh(path: Path) -> Path:
    for suffix in ("", ".wal", ".lock"):
        p = Path(str(path) + suffix)
        if p.exists():
            p.unlink()
    return path


def store_both_ways(recs: list[dict], batch: int, tmp: Path) -> None:
    from casus.store import Store

    timings = {}
    for way in ("one Store kept open", "one Store per batch"):
        db = fresh(tmp / f"sessions-{way.split()[1]}.duckdb")
        opens, writes, closes = [], [], []
        start = time.perf_counter()
        kept = Store(db) if way.startswith("one Store kept") else None
        for i in range(0, len(recs), batch):
            t0 = time.perf_counter()
            store = kept or Store(db)
            t1 = time.perf_counter()
            store.add_batch(recs[i:i + batch])
            t2 = time.perf_counter()
            if kept is None:
                store.close()
            t3 = time.perf_counter()
            opens.append(t1 - t0)
            writes.append(t2 - t1)
            closes.append(t3 - t2)
        if kept is not None:
            kept.close()
        total = time.perf_counter() - start
        timings[way] = total
        ms = lambda xs: statistics.median(xs) * 1000  # noqa: E731
        print(f"{way:>22}: {total * 1000:7.0f} ms for {len(opens)} batches of {batch}; median per batch: "
              f"open {ms(opens):5.1f} ms, add_batch {ms(writes):6.1f} ms, close {ms(closes):5.1f} ms")
    a, b = timings["one Store kept open"], timings["one Store per batch"]
    print(f"per-batch sessions take {b / a:.2f}x the time of one kept-open store "
          f"(+{(b - a) / (len(recs) / batch) * 1000:.0f} ms per batch)")


def latency(base: str, seconds: float, writer: subprocess.Popen | None = None) -> tuple[list[float], int]:
    """Requests every 100 ms for `seconds`, or for as long as `writer` runs."""
    lat, failed = [], 0
    end = time.monotonic() + seconds
    with httpx.Client(base_url=base, timeout=60) as c:
        while (writer.poll() is None) if writer else time.monotonic() < end:
            t = time.perf_counter()
            try:
                failed += c.get("/api/events", params={"limit": 20}).status_code != 200
            except httpx.HTTPError:
                failed += 1
            lat.append(time.perf_counter() - t)
            time.sleep(0.1)
    return lat, failed


def summary(name: str, lat: list[float], failed: int) -> str:
    q = sorted(lat)
    return (f"{name:>28}: {len(q)} requests, {failed} failed; p50 {q[len(q) // 2] * 1000:.0f} ms, "
            f"p95 {q[int(len(q) * 0.95)] * 1000:.0f} ms, max {q[-1] * 1000:.0f} ms")


def readers_beside_a_writer(recs: list[dict], batch: int, seconds: float, tmp: Path) -> None:
    from casus.store import Store

    db = fresh(tmp / "beside.duckdb")
    with Store(db) as store:
        store.add_batch(recs[:batch])
    dump = tmp / "beside-records.jsonl"
    with dump.open("w", encoding="utf-8") as fh:
        for r in recs[batch:]:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    with running_server(db, "--read-only") as base:
        print(summary("no writer", *latency(base, seconds)))
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(dump), str(batch)], cwd=ROOT,
                                  env={**os.environ})
        print(summary("a writer storing 1 batch/s", *latency(base, seconds, writer)))
        docs = httpx.get(base + "/api/stats").json()["counts"]["documents"]
        print(f"documents seen by the server at the end: {docs} of {len(recs)}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=640)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--tmp", type=Path, default=Path("/tmp/casus-bench-sessions"))
    ap.add_argument("--polnear", action="store_true", help="PolNeAR train articles instead of short reports")
    args = ap.parse_args()
    args.tmp.mkdir(parents=True, exist_ok=True)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    kind = "polnear" if args.polnear else "short"
    recs = records(args.docs, args.tmp / f"records-{kind}-{args.docs}.jsonl", args.batch, args.polnear)
    store_both_ways(recs, args.batch, args.tmp)
    readers_beside_a_writer(recs, args.batch, args.seconds, args.tmp)
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
