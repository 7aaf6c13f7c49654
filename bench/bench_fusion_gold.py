#!/usr/bin/env python3
"""Fusion measured apart from extraction: the gold events of `gold-clusters.jsonl` fused and scored
by `../shared/eval/fusion.py` (pairwise precision/recall, B-cubed).

    .venv/bin/python bench/bench_fusion_gold.py [--set join_threshold=7 …]

`--set NAME=VALUE` changes one of the rules' numbers (casus/data/fusion.yaml) for this run only:
how the weights were chosen, and how sensitive the result is to them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import fusion_gold  # noqa: E402
from casus.fusion import load_params  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    args = ap.parse_args()
    if not fusion_gold.available():
        print("../shared/data/news or ../shared/eval/fusion.py not present; nothing to measure")
        return
    p = load_params()
    changes = {}
    for item in args.set:
        name, value = item.split("=", 1)
        changes[name] = float(value) if name == "join_threshold" else int(value)
    p = p.with_(**changes)
    res = fusion_gold.score(p)
    pp, rr = res["pairwise_precision"], res["pairwise_recall"]
    f1 = 2 * pp * rr / (pp + rr) if pp and rr else 0.0
    print(f"gold events {res['matched_events']}, happenings gold {res['gold_happenings']} / fused "
          f"{res['predicted_happenings']}")
    print(f"pairwise P/R/F1 {pp:.3f} / {rr:.3f} / {f1:.3f}; B-cubed P/R/F1 "
          + " / ".join(f"{x:.3f}" for x in res["bcubed_prf"]))


if __name__ == "__main__":
    main()
