#!/usr/bin/env python3
"""Cost of the actor stage as a ratio of spaCy's own parse time, on PolNeAR train texts.

Parses the texts once with the model alone (timed), then runs `casus_actors` over the parsed
docs (timed), and prints both and their ratio. Skips cleanly when the shared data is absent.

    .venv/bin/python bench/bench_actors.py [N_TEXTS]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXTS = ROOT.parent / "shared" / "data" / "polnear" / "train" / "text"


def main() -> int:
    if not TEXTS.is_dir():
        print(f"skipped: {TEXTS} not found")
        return 0
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 150
    paths = sorted(TEXTS.glob("*.txt"))[:n]
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in paths]

    import spacy

    from casus.actors import default_kb, make_actor_resolver
    from casus.pipeline import MODEL

    nlp = spacy.load(MODEL)
    t0 = time.perf_counter()
    kb = default_kb()
    kb_load = time.perf_counter() - t0
    resolver = make_actor_resolver(nlp, "casus_actors", [])
    list(nlp.pipe(texts[:5]))  # warm up
    t0 = time.perf_counter()
    resolver(nlp("Warm up."))  # builds the KB phrase matcher, once per process
    matcher = time.perf_counter() - t0
    t0 = time.perf_counter()
    # a dateline loads the gazetteer that resolves its place (the place stage loads it in a full pipeline)
    resolver(nlp("PARIS (AFP) — Warm up."))
    gazetteer = time.perf_counter() - t0
    t0 = time.perf_counter()
    docs = list(nlp.pipe(texts, batch_size=32))
    parse = time.perf_counter() - t0
    for d in docs:
        d._.casus_meta = {"published": "2016-06-01"}
    t0 = time.perf_counter()
    for d in docs:
        resolver(d)
    actors = time.perf_counter() - t0
    mentions = sum(len(d._.casus_mentions or []) for d in docs)
    errors = [e for d in docs for e in d._.casus_errors or []]
    words = sum(len(d) for d in docs)
    print(f"{len(docs)} PolNeAR train texts, {words:,} tokens, {mentions:,} actor mentions; KB {len(kb.actors)} actors"
          f" loaded in {kb_load:.2f} s, phrase matcher built in {matcher:.2f} s, gazetteer for datelines loaded in"
          f" {gazetteer:.2f} s (once per process)")
    print(f"spaCy parse  {parse:7.2f} s  ({words / parse:,.0f} tokens/s)")
    print(f"casus_actors {actors:7.2f} s  ({words / actors:,.0f} tokens/s)")
    print(f"actor stage / parse = {actors / parse:.3f}; {len(errors)} documents with an actor-stage error")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
