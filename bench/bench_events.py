#!/usr/bin/env python3
"""Cost of the events stage against spaCy's own parse of the same texts.

    .venv/bin/python bench/bench_events.py [--texts PLV_train.tsv|FILE.txt …] [--repeat 3]

Parses the texts with the spaCy model (timed: the parse), runs the casus stages before events
(untimed), then the events stage alone (timed), and prints both rates and the ratio. The issue's
budget is events ≤ 25 % of the parse.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

import spacy

from casus.document import Document
from casus.pipeline import MODEL, load, make_doc

ROOT = Path(__file__).resolve().parents[1]
PLV = ROOT.parent / "shared" / "data" / "plv" / "PLV_train.tsv"


def texts(paths: list[Path]) -> list[str]:
    out: list[str] = []
    for p in paths:
        if p.suffix == ".tsv":
            csv.field_size_limit(10**8)
            with open(p, encoding="utf-8", newline="") as fh:
                out += [r["sentence"] for r in csv.DictReader(fh, delimiter="\t")]
        else:
            out.append(p.read_text(encoding="utf-8"))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--texts", nargs="*", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    paths = a.texts or ([PLV] if PLV.exists() else sorted((ROOT / "examples").glob("*.txt")))
    data = texts(paths)
    parser = spacy.load(MODEL)
    nlp = load()
    events = nlp.get_pipe("casus_events")
    before = [name for name in nlp.pipe_names if name.startswith("casus_") and name != "casus_events"]
    words = 0
    best_parse, best_events = float("inf"), float("inf")
    for _ in range(a.repeat):
        made = [make_doc(nlp, Document(id=str(i), text=t)) for i, t in enumerate(data)]
        t0 = time.perf_counter()
        docs = list(parser.pipe(made, batch_size=64))
        best_parse = min(best_parse, time.perf_counter() - t0)
        for name in before:
            docs = [nlp.get_pipe(name)(d) for d in docs]
        t0 = time.perf_counter()
        for d in docs:
            events(d)
        best_events = min(best_events, time.perf_counter() - t0)
        words = sum(len(d) for d in docs)
        n_events = sum(len(d._.casus_events or []) for d in docs)
    print(f"texts: {len(data)} from {', '.join(p.name for p in paths)} ({words:,} tokens), best of {a.repeat}")
    print(f"spaCy parse  : {best_parse:7.3f} s  ({words / best_parse:,.0f} tokens/s)")
    print(f"events stage : {best_events:7.3f} s  ({words / best_events:,.0f} tokens/s, {n_events} events)")
    print(f"events / parse ratio: {best_events / best_parse:.3f} (budget 0.25)")


if __name__ == "__main__":
    main()
