"""Time and peak memory against document length, casus beside spaCy's own parse of the same text.

    .venv/bin/python bench/bench_size.py                      # 1k, 10k, 100k, 1M characters, every shape
    .venv/bin/python bench/bench_size.py --sizes 1000 10000 --shapes news quotes --stages

Shapes (`bench/shapes.py`): realistic news (PolNeAR train articles concatenated), one line with no
sentence ends, one giant paragraph, only quotation marks with spaces, one run of quotation marks.
Each (shape, size) runs in fresh processes, one for spaCy (`en_core_web_sm`: `nlp(text)`, every
component) and one for casus (`run_batch`: language check, repair, parse, casus components, record),
`--repeat` times alternately; the table shows median CPU seconds, their ratio (goal ≤ 1.5) and each
process's peak RSS (goal ≤ 1.5 GB for casus at 1M characters). `--stages` adds casus's CPU per stage,
where a super-linear path shows as a stage whose share grows with the size. The load average is
printed before and after: the machine may be shared, so read CPU-time ratios, not wall clock.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.shapes import NEEDS_ARTICLES, SHAPES, TRAIN, make  # noqa: E402

SIZES = (1_000, 10_000, 100_000, 1_000_000)
WARM = ("Russia warned on Friday that any Western troops sent to Ukraine would be legitimate targets, "
        "President Vladimir Putin said in Vladivostok. \"We will respond,\" he said. The troops were de-\n"
        "ployed in Kyiv last week.")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def child_spacy(text: str) -> dict[str, Any]:
    import spacy

    from casus.pipeline import MODEL

    nlp = spacy.load(MODEL)
    nlp.max_length = max(nlp.max_length, len(text) + 1)
    nlp(WARM)
    base = rss_mb()
    stages: dict[str, float] = {}
    t = time.process_time()
    doc = nlp.make_doc(text)
    stages["tokenizer"] = time.process_time() - t
    for name, proc in nlp.pipeline:  # what nlp(text) does, one component at a time
        t = time.process_time()
        doc = proc(doc)
        stages[name] = time.process_time() - t
    return {"cpu": sum(stages.values()), "peak": peak_mb(), "base": base, "stages": stages, "tokens": len(doc)}


def child_casus(text: str, staged: bool) -> dict[str, Any]:
    from casus.document import Document
    from casus.pipeline import load, run_batch, warm

    nlp = load()
    warm(nlp)  # what every casus worker and the server do before their first document
    base = rss_mb()
    doc = Document(id="size", text=text, meta={"published": "2016-10-01"})
    t, wall = time.process_time(), time.perf_counter()
    [record] = run_batch(nlp, [doc])
    cpu, wall = time.process_time() - t, time.perf_counter() - wall
    out = {"cpu": cpu, "wall": wall, "peak": peak_mb(), "base": base, "events": len(record["events"]),
           "quotes": len(record["quotes"]), "errors": [e["message"][:120] for e in record["errors"]
                                                       if e.get("level", "error") == "error"]}
    if staged:  # on a second pipeline: the first one's tokenizer and lemmatizer caches now hold this text
        del record
        fresh = load()
        warm(fresh)
        out["stages"] = stage_times(fresh, Document(id="size", text=text, meta={"published": "2016-10-01"}))
    return out


def stage_times(nlp: Any, document: Any) -> dict[str, float]:
    """run_batch's steps for one document, timed one by one (after the measured run_batch)."""
    from casus import pipeline
    from casus.record import build_record
    from casus.repair import repair

    stages: dict[str, float] = {}

    def timed(name: str, fn: Any) -> Any:
        t = time.process_time()
        out = fn()
        stages[name] = stages.get(name, 0.0) + time.process_time() - t
        return out

    model, rest = pipeline.split_pipeline(nlp)
    with nlp.memory_zone():
        document = timed("check", lambda: pipeline._check(document))
        repaired = timed("repair", lambda: repair(document.text))
        if len(repaired.text) > pipeline.WINDOW_CHARS:
            doc = timed("parse by windows", lambda: pipeline.parse_windows(nlp, repaired.text))
        else:
            doc = timed("tokenizer", lambda: pipeline.tokenize(nlp, repaired.text))
            for name, proc in model:
                doc = timed(name, lambda proc=proc, doc=doc: proc(doc))
        doc = pipeline._attach(doc, document, repaired)
        for name, proc in rest:
            doc = timed(name, lambda proc=proc, doc=doc: proc(doc))
        timed("record", lambda: build_record(doc, document))
    return stages


def child(args: argparse.Namespace) -> None:
    text = Path(args.file).read_text(encoding="utf-8")
    out = child_spacy(text) if args.child == "spacy" else child_casus(text, args.stages)
    print("RESULT " + json.dumps(out))


def run_child(engine: str, path: Path, timeout: float, stages: bool) -> dict[str, Any] | None:
    cmd = [sys.executable, __file__, "--child", engine, "--file", str(path)] + (["--stages"] if stages else [])
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return None
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError(f"{engine} child failed ({proc.returncode}): {proc.stderr[-2000:]}")


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    ap.add_argument("--shapes", nargs="+", default=list(SHAPES), choices=SHAPES)
    ap.add_argument("--repeat", type=int, default=1, help="runs per engine and case; the medians are shown")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per process before it counts as too slow")
    ap.add_argument("--stages", action="store_true", help="print casus's CPU seconds per stage")
    ap.add_argument("--child", choices=["spacy", "casus"], help=argparse.SUPPRESS)
    ap.add_argument("--file", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return
    shapes = [s for s in args.shapes if s not in NEEDS_ARTICLES or TRAIN.is_dir()]
    if len(shapes) < len(args.shapes):
        print(f"SKIP shapes {sorted(set(args.shapes) - set(shapes))}: no PolNeAR train texts at {TRAIN}")
    print(f"{os.cpu_count()} CPUs; python {sys.version.split()[0]}; load average before: {loadavg()}")
    print(f"{'shape':<10} {'chars':>9} {'tokens':>8} {'spaCy s':>8} {'casus s':>8} {'ratio':>6} "
          f"{'spaCy MB':>9} {'casus MB':>9}  notes")
    with tempfile.TemporaryDirectory(prefix="casus-size-") as tmp:
        for shape in shapes:
            for size in args.sizes:
                path = Path(tmp) / f"{shape}-{size}.txt"
                path.write_text(make(shape, size), encoding="utf-8")
                runs: dict[str, list[dict[str, Any] | None]] = {"spacy": [], "casus": []}
                for _ in range(args.repeat):
                    for engine in ("spacy", "casus"):
                        runs[engine].append(run_child(engine, path, args.timeout, args.stages))
                report(shape, size, runs, args)
    print(f"load average after: {loadavg()}")


def report(shape: str, size: int, runs: dict[str, list[dict[str, Any] | None]], args: argparse.Namespace) -> None:
    def med(engine: str, key: str) -> float | None:
        vals = [r[key] for r in runs[engine] if r is not None]
        return statistics.median(vals) if len(vals) == len(runs[engine]) else None

    s_cpu, c_cpu = med("spacy", "cpu"), med("casus", "cpu")
    s_mb, c_mb = med("spacy", "peak"), med("casus", "peak")
    too_slow = f"> {args.timeout:.0f}"
    ratio = f"{c_cpu / s_cpu:6.2f}" if s_cpu and c_cpu is not None else f"{'?':>6}"
    last = next((r for r in reversed(runs["casus"]) if r is not None), {})
    tokens = next((r["tokens"] for r in runs["spacy"] if r is not None), 0)
    notes = f"{last.get('events', '?')} events, {last.get('quotes', '?')} quotes"
    if last.get("errors"):
        notes += f"; ERRORS: {last['errors'][:2]}"
    print(f"{shape:<10} {size:>9,} {tokens:>8,} {s_cpu if s_cpu is None else round(s_cpu, 2)!s:>8} "
          f"{too_slow if c_cpu is None else f'{c_cpu:.2f}':>8} {ratio} "
          f"{'-' if s_mb is None else f'{s_mb:,.0f}':>9} {'-' if c_mb is None else f'{c_mb:,.0f}':>9}  {notes}",
          flush=True)
    if args.stages and last.get("stages"):
        spacy_stages = next((r["stages"] for r in runs["spacy"] if r is not None), {})
        print("    casus stages: " + ", ".join(f"{k} {v:.2f}" for k, v in last["stages"].items()))
        print("    spaCy stages: " + ", ".join(f"{k} {v:.2f}" for k, v in spacy_stages.items()))


if __name__ == "__main__":
    main()
