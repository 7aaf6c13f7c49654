#!/usr/bin/env python3
"""Share of PLV gold source/target spans that casus links to an actor of the right country.

Gold countries: bench/data/plv_actor_countries.tsv, a random sample of PLV_train spans labelled by
hand (see its header). A span counts as linked right when `mention_at` over the gold span returns a
mention whose actor's country is the gold one (for "A|B" either); IGO spans count when the actor
is an intergovernmental body or a part of one ("NATO troops"); "-" spans are left out.

    .venv/bin/python bench/actor_country_plv.py [--show]
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLV = ROOT.parent / "shared" / "data" / "plv" / "PLV_train.tsv"
LABELS = {"development sample": ROOT / "bench" / "data" / "plv_actor_countries.tsv",
          "held-out sample": ROOT / "bench" / "data" / "plv_actor_countries_heldout.tsv"}


def load_plv(path: Path) -> dict[str, str]:
    sys.path.insert(0, str(ROOT.parent / "shared" / "eval"))
    from events import load_gold  # the scorer's own reading of the <s>/<t> marks

    return {g["id"]: g["text"] for g in load_gold(str(path))}


def score(title: str, rows: list[dict[str, str]], docs: dict, show: bool) -> None:
    from casus.actors import mention_at

    right = total = igo_right = igo_total = linked = 0
    for r in rows:
        gold = r["country"]
        if gold == "-":
            continue
        doc = docs[r["uid"]]
        m = mention_at(doc, int(r["start"]), int(r["end"]))
        actor = doc._.casus_actors[m["actor"]] if m else None
        got = actor.get("country") if actor else None
        if gold == "IGO":
            igo_total += 1
            ok = bool(actor) and not got and (actor.get("sector") in {"IGO", "JUD"} or bool(actor.get("org")))
            igo_right += ok
        else:
            total += 1
            linked += actor is not None
            ok = got in gold.split("|")
            right += ok
        if show and not ok:
            print(f"  miss {r['uid']:>5} {r['role']:<6} gold={gold:<8} got={got or '-':<5} "
                  f"{(actor or {}).get('id', '-'):<40} {r['span']}")
    print(f"{title}: {len(rows)} hand-labelled spans ({len(rows) - total - igo_total} without a country left out)")
    print(f"  country spans: {right}/{total} linked to an actor of the right country = {right / total:.3f}"
          f" (linked to any actor: {linked / total:.3f})")
    print(f"  IGO spans:     {igo_right}/{igo_total} linked to an intergovernmental actor")


def main() -> int:
    if not PLV.exists():
        print(f"skipped: {PLV} not found")
        return 0
    from casus.pipeline import load

    texts = load_plv(PLV)
    nlp = load()
    show = "--show" in sys.argv
    for title, path in LABELS.items():
        with open(path, encoding="utf-8") as fh:
            rows = list(csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t"))
        uids = sorted({r["uid"] for r in rows}, key=int)
        docs = dict(zip(uids, nlp.pipe(texts[u] for u in uids), strict=True))
        score(title, rows, docs, show)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
