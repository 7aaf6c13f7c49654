"""Load benchmark of the workbench API: requests/s and latency on a store of ≥ 50k events.

    .venv/bin/python bench/bench_api.py [--texts 300] [--target-events 50000] [--seconds 15]

1. Runs the real pipeline on `--texts` PolNeAR train articles (skips cleanly when the data is absent).
2. Stores those records with `Store.add_batch`, then replicates them in SQL, with new hashes and
   ids, a marker appended to the text and day dates shifted by a week per copy, until the store
   holds at least `--target-events` events. The replication is stated in the output: the store's
   size is real, its variety is that of the base articles.
3. Starts `casus serve --read-only` on a free loopback port and drives it with `--concurrency`
   keep-alive clients per scenario, each scenario bounded by `--seconds` and `--max-requests`.
Prints requests per second, p50/p95/max latency and the error count per scenario.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import httpx  # noqa: E402

from bench.polnear_corpus import POLNEAR, polnear_documents  # noqa: E402
from tests.workbench_support import running_server  # noqa: E402


def base_records(texts: int, processes: int, cache: Path) -> list[dict]:
    """The real pipeline on PolNeAR train articles; the records are cached as JSONL for reruns."""
    from casus.pipeline import extract

    if cache.exists():
        records = [json.loads(line) for line in cache.open(encoding="utf-8")]
        if len(records) >= texts:
            print(f"pipeline: reusing {len(records)} records from {cache}")
            return records[:texts]
    t0 = time.perf_counter()
    records = [r for r in extract(polnear_documents(texts), n_process=processes, batch_size=16) if r["text"]]
    elapsed = time.perf_counter() - t0
    with cache.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"pipeline: {len(records)} PolNeAR train articles → {sum(len(r['events']) for r in records)} events "
          f"in {elapsed:.1f}s ({len(records) / elapsed:.1f} docs/s, {processes} process(es), model load included)")
    return records


# Copy k of a document: new hash and id, a marker after the text (so it is a new document for the
# content-hash dedup, with every offset still valid) and day dates moved on by k weeks.
REPLICATE = {
    "documents": """INSERT INTO documents (hash, id, title, outlet, url, published, language, text, record,
                                           published_date)
        SELECT sha256(d.hash || '~r' || c.k), d.id || '~r' || c.k, d.title, d.outlet, d.url,
               coalesce(strftime(TRY_CAST(d.published AS DATE) + 7 * c.k, '%Y-%m-%d'), d.published),
               d.language, d.text || chr(10) || chr(10) || '[replica ' || c.k || ']',
               json_merge_patch(d.record, json_object('id', d.id || '~r' || c.k)), d.published_date + 7 * c.k
        FROM documents d, copies c""",
    "events": """INSERT INTO events BY NAME
        SELECT e.* REPLACE (sha256(e.doc_hash || '~r' || c.k) AS doc_hash, e.doc_id || '~r' || c.k AS doc_id,
               CASE WHEN length(e.date) = 10 THEN coalesce(strftime(TRY_CAST(e.date AS DATE) + 7 * c.k,
                    '%Y-%m-%d'), e.date) ELSE e.date END AS date,
               CASE WHEN length(e.date) = 10 THEN e.date_start + 7 * c.k ELSE e.date_start END AS date_start,
               CASE WHEN length(e.date) = 10 THEN e.date_end + 7 * c.k ELSE e.date_end END AS date_end)
        FROM events e, copies c""",
    "mentions": """INSERT INTO mentions BY NAME
        SELECT m.* REPLACE (sha256(m.doc_hash || '~r' || c.k) AS doc_hash, m.doc_id || '~r' || c.k AS doc_id)
        FROM mentions m, copies c""",
    "quotes": """INSERT INTO quotes BY NAME
        SELECT q.* REPLACE (sha256(q.doc_hash || '~r' || c.k) AS doc_hash, q.doc_id || '~r' || c.k AS doc_id)
        FROM quotes q, copies c""",
}


def build(db: Path, records: list[dict], target: int) -> None:
    from casus.store import Store

    base_events = sum(len(r["events"]) for r in records)
    t0 = time.perf_counter()
    with Store(db) as store:
        for i in range(0, len(records), 50):
            store.add_batch(records[i : i + 50])
    print(f"stored {len(records)} records with Store.add_batch in {time.perf_counter() - t0:.1f}s")
    copies = max(1, math.ceil(target / max(1, base_events)))
    t0 = time.perf_counter()
    con = duckdb.connect(str(db))
    con.execute("CREATE TEMP TABLE copies AS SELECT CAST(range AS INTEGER) AS k FROM range(1, ?)", [copies])
    con.execute("BEGIN TRANSACTION")
    for sql in REPLICATE.values():  # the originals are read before any copy is added: one statement each
        con.execute(sql)
    con.execute("COMMIT")
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("documents", "actors", "mentions", "quotes", "events")}
    con.close()
    print(f"replicated in SQL: {copies} copies of each document (new hash and id, text marker, day dates "
          f"+7 days per copy) in {time.perf_counter() - t0:.1f}s → " + ", ".join(f"{v} {k}" for k, v in counts.items()))


def scenario(base: str, name: str, make: Callable[[random.Random], tuple[str, dict]], concurrency: int,
             seconds: float, max_requests: int) -> dict:
    lat: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker(seed: int) -> None:
        nonlocal errors
        rng = random.Random(seed)
        with httpx.Client(base_url=base, timeout=30) as c:
            while time.perf_counter() < deadline:
                with lock:
                    if len(lat) + errors >= max_requests:
                        return
                path, params = make(rng)
                t = time.perf_counter()
                try:
                    ok = c.get(path, params=params).status_code == 200
                except httpx.HTTPError:
                    ok = False
                d = time.perf_counter() - t
                with lock:
                    if ok:
                        lat.append(d)
                    else:
                        errors += 1

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    lat.sort()
    p = (lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000) if lat else (lambda q: float("nan"))
    row = {"name": name, "n": len(lat), "errors": errors, "rps": len(lat) / wall, "p50": p(0.50), "p95": p(0.95),
           "max": lat[-1] * 1000 if lat else float("nan"), "mean": statistics.fmean(lat) * 1000 if lat else 0}
    print(f"  {name:<44} {row['n']:>6} {row['errors']:>4} {row['rps']:>8.1f} {row['p50']:>8.1f} "
          f"{row['p95']:>8.1f} {row['max']:>8.1f}", flush=True)
    return row


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=Path, default=Path("/tmp/casus-bench-api.duckdb"))
    ap.add_argument("--texts", type=int, default=300)
    ap.add_argument("--target-events", type=int, default=50_000)
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=15.0, help="Time bound per scenario.")
    ap.add_argument("--max-requests", type=int, default=3000, help="Request bound per scenario.")
    ap.add_argument("--rebuild", action="store_true", help="Build the store even if one of the size exists.")
    args = ap.parse_args()

    if not (POLNEAR / "train" / "text").is_dir():
        print(f"SKIP: PolNeAR train texts not found under {POLNEAR}")
        return 0
    have = 0
    if args.db.exists() and not args.rebuild:
        con = duckdb.connect(str(args.db), read_only=True)
        have = con.execute("SELECT count(*) FROM events").fetchone()[0]
        con.close()
    if have < args.target_events:
        args.db.unlink(missing_ok=True)
        Path(str(args.db) + ".wal").unlink(missing_ok=True)
        build(args.db, base_records(args.texts, args.processes, args.db.with_suffix(".records.jsonl")),
              args.target_events)
    else:
        print(f"reusing {args.db} ({have} events; --rebuild to build anew)")

    con = duckdb.connect(str(args.db), read_only=True)
    hashes = [h for (h,) in con.execute("SELECT hash FROM documents").fetchall()]
    n_events = con.execute("SELECT count(*) FROM events").fetchone()[0]
    types = [t for (t,) in con.execute("SELECT type FROM events GROUP BY type ORDER BY count(*) DESC").fetchall()]
    actors = [a for (a,) in con.execute("SELECT source_actor FROM events WHERE source_actor IS NOT NULL "
                                        "GROUP BY 1 ORDER BY count(*) DESC LIMIT 30").fetchall()]
    con.close()
    print(f"store: {len(hashes)} documents, {n_events} events; {args.concurrency} concurrent keep-alive clients, "
          f"≤ {args.seconds:.0f}s and ≤ {args.max_requests} requests per scenario; loopback only")
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else ["?"]
    print(f"machine: {os.cpu_count()} CPUs, load average {' '.join(load)} before the run")

    scenarios: list[tuple[str, Callable[[random.Random], tuple[str, dict]]]] = [
        ("row counts (/api/stats: the server's floor)", lambda r: ("/api/stats", {})),
        ("events list, first page (50, by date)", lambda r: ("/api/events", {"limit": 50})),
        ("events list, random page (50)", lambda r: ("/api/events", {"limit": 50,
                                                                      "offset": r.randrange(0, n_events - 50)})),
        ("events list, type filter + sort by confidence",
         lambda r: ("/api/events", {"type": r.choice(types), "sort": "confidence", "order": "desc", "limit": 50})),
        ("events list, actor filter", lambda r: ("/api/events", {"actor": r.choice(actors), "limit": 50})),
        ("events list, text search", lambda r: ("/api/events", {"q": r.choice(["said", "attack", "support", "vote"]),
                                                                 "limit": 50})),
        ("document view (text + record + highlights)", lambda r: (f"/api/documents/{r.choice(hashes)}", {})),
        ("timeline aggregation (month × quad)", lambda r: ("/api/events/timeline", {"bucket": "month"})),
        ("network aggregation (top 60 resolved edges)",
         lambda r: ("/api/events/network", {"max_edges": 60, "resolved": True})),
    ]
    with running_server(args.db, "--read-only") as base:
        httpx.get(base + "/api/events", timeout=60)  # warm the file cache before timing
        print(f"  {'scenario':<44} {'ok':>6} {'err':>4} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
        for name, make in scenarios:
            scenario(base, name, make, args.concurrency, args.seconds, args.max_requests)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
