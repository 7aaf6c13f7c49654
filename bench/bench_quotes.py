"""Cost of the quote stage as a ratio of spaCy's own parse time on the same texts.

Usage: .venv/bin/python bench/bench_quotes.py [N_TEXTS]
Texts: PolNeAR dev articles when ../shared/data is present, else the bundled examples repeated.
Prints seconds and the ratio quotes/parse (the design target for all of casus is < 0.25).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POLNEAR_DEV = ROOT.parent / "shared" / "data" / "polnear" / "dev" / "text"


def texts(n: int) -> list[str]:
    files = sorted(POLNEAR_DEV.glob("*.txt")) if POLNEAR_DEV.is_dir() else []
    out = [f.read_text(encoding="utf-8") for f in files[:n]]
    if not out:
        seeds = [f.read_text(encoding="utf-8") for f in sorted((ROOT / "examples").glob("*.txt"))]
        out = (seeds * n)[:n]
    return out


def main() -> None:
    from casus.pipeline import load
    from casus.quotes import QuoteFinder
    from casus.repair import repair

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    nlp = load()
    sample = [repair(t).text for t in texts(n)]
    model_pipes = [name for name in nlp.pipe_names if not name.startswith("casus_")]
    with nlp.select_pipes(enable=model_pipes):
        list(nlp.pipe(sample[:2]))  # warm up
        t0 = time.perf_counter()
        docs = list(nlp.pipe(sample, batch_size=16))
        parse = time.perf_counter() - t0
    actors = nlp.get_pipe("casus_actors")
    docs = [actors(d) for d in docs]
    finder = QuoteFinder()
    t0 = time.perf_counter()
    found = sum(len(finder(d)._.casus_quotes or []) for d in docs)
    quotes = time.perf_counter() - t0
    chars = sum(len(t) for t in sample)
    print(f"texts {len(sample)}  chars {chars:,}  quotes found {found}")
    print(f"spaCy parse   {parse:8.3f} s")
    print(f"quote stage   {quotes:8.3f} s")
    print(f"ratio quotes/parse {quotes / parse:.3f}")


if __name__ == "__main__":
    main()
