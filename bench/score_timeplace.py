"""Score casus_time and casus_place on eval/timeplace/sentences.tsv, and measure their cost.

Each row is one sentence with a publication date, a trigger word, a time expression with its
expected value and granularity, and a place with its expected country (and coordinates for
cities and buildings). `time_governs`/`place_governs` say whether the expression is the one that
dates/locates the trigger's event (1) or belongs to something else in the sentence (0).

    .venv/bin/python bench/score_timeplace.py [--verbose]

Reports: time expressions found, value accuracy, granularity accuracy, attachment accuracy;
places found, right country, within 50 km (rows with coordinates), attachment accuracy; and the
time + place components' run time as a share of the spaCy model's own components on the same
texts (the seed example and the sentences).
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
import time
from collections import defaultdict
from pathlib import Path

from casus.document import Document
from casus.pipeline import load, make_doc
from casus.places import event_place
from casus.temporal.attach import governing

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "eval" / "timeplace" / "sentences.tsv"
SEED = ROOT / "examples" / "putin-reassurance-force.txt"
OURS = {"casus_time", "casus_place"}


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(a))


def run_timed(nlp, doc, clock):  # noqa: ANN001, ANN201
    for name, proc in nlp.pipeline:
        t = time.perf_counter()
        doc = proc(doc)
        clock[name] += time.perf_counter() - t
    return doc


def overlapping(items: list[dict], start: int, end: int) -> dict | None:
    return next((i for i in items if i["start"] < end and start < i["end"]), None)


def pct(n: int, d: int) -> str:
    return f"{n}/{d} = {n / d:.3f}" if d else "0/0"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--verbose", "-v", action="store_true", help="print every miss")
    ap.add_argument("--data", default=str(DATA))
    args = ap.parse_args()
    nlp = load()
    rows = list(csv.DictReader(open(args.data, encoding="utf-8"), delimiter="\t"))
    clock: dict[str, float] = defaultdict(float)
    # warm up: gazetteer, dateparser and spaCy's first-call costs are not per-document costs
    run_timed(nlp, make_doc(nlp, Document(id="w", text=rows[0]["text"], meta={"published": "2025-09-05"})),
              defaultdict(float))
    c: dict[str, int] = defaultdict(int)
    misses: list[str] = []
    for row in rows:
        text = row["text"]
        doc = run_timed(nlp, make_doc(nlp, Document(id=row["id"], text=text, meta={"published": row["published"]})),
                        clock)
        trig = next((t for t in doc if t.text == row["trigger"]), None)
        if row["time"]:
            c["time"] += 1
            start = text.index(row["time"])
            found = overlapping(doc._.casus_times or [], start, start + len(row["time"]))
            if found:
                c["time_found"] += 1
                c["time_value"] += found["value"] == row["time_value"]
                c["time_gran"] += found["granularity"] == row["time_granularity"]
                if found["value"] != row["time_value"] or found["granularity"] != row["time_granularity"]:
                    misses.append(f"{row['id']} time {row['time']!r}: {found['value']} {found['granularity']}"
                                  f" != {row['time_value']} {row['time_granularity']}")
            else:
                misses.append(f"{row['id']} time {row['time']!r}: not found")
            spans = [doc.char_span(t["start"], t["end"]) for t in doc._.casus_times or [] if t.get("value")]
            gov = governing(trig, [s for s in spans if s is not None]) if trig is not None else None
            hit = gov is not None and gov.start_char < start + len(row["time"]) and start < gov.end_char
            ok = hit if row["time_governs"] == "1" else not hit
            c["time_attach"] += ok
            if not ok:
                misses.append(f"{row['id']} time attachment for {row['trigger']!r}: {gov}")
        if row["place"]:
            c["place"] += 1
            start = text.index(row["place"])
            found = overlapping(doc._.casus_places or [], start, start + len(row["place"]))
            expected_country = None if row["country"] == "-" else row["country"]
            if found and found.get("name"):
                c["place_found"] += 1
                c["place_country"] += found["country"] == expected_country
                if found["country"] != expected_country:
                    misses.append(f"{row['id']} place {row['place']!r}: {found['name']} {found['country']}"
                                  f" != {expected_country}")
            else:
                misses.append(f"{row['id']} place {row['place']!r}: " + ("unresolved" if found else "not found"))
            if row["lat"]:
                c["place_coords"] += 1
                if found and found.get("name"):
                    d = km(found["lat"], found["lon"], float(row["lat"]), float(row["lon"]))
                    c["place_50km"] += d <= 50
                    if d > 50:
                        misses.append(f"{row['id']} place {row['place']!r}: {d:.0f} km off")
            places = [(doc.char_span(p["start"], p["end"]), p) for p in doc._.casus_places or []]
            gov = event_place(trig, [(s, p) for s, p in places if s is not None]) if trig is not None else None
            hit = gov is not None and gov.start_char < start + len(row["place"]) and start < gov.end_char
            ok = hit if row["place_governs"] == "1" else not hit
            c["place_attach"] += ok
            if not ok:
                misses.append(f"{row['id']} place attachment for {row['trigger']!r}: {gov}")
    seed = Document(id="seed", text=SEED.read_text(encoding="utf-8"), meta={"published": "2025-09-05"})
    for _ in range(3):
        run_timed(nlp, make_doc(nlp, seed), clock)
    if args.verbose:
        print("\n".join(misses))
        print()
    print(f"sentences: {len(rows)} ({args.data})")
    print(f"time expressions: {c['time']}")
    print(f"  found                {pct(c['time_found'], c['time'])}")
    print(f"  value correct        {pct(c['time_value'], c['time'])}")
    print(f"  granularity correct  {pct(c['time_gran'], c['time'])}")
    print(f"  attachment correct   {pct(c['time_attach'], c['time'])}")
    print(f"places: {c['place']}")
    print(f"  found and resolved   {pct(c['place_found'], c['place'])}")
    print(f"  right country        {pct(c['place_country'], c['place'])}")
    print(f"  within 50 km         {pct(c['place_50km'], c['place_coords'])} (rows with coordinates)")
    print(f"  attachment correct   {pct(c['place_attach'], c['place'])}")
    spacy_time = sum(v for k, v in clock.items() if not k.startswith("casus_"))
    print("cost (same texts: the sentences + 3 x the seed story):")
    for name in ("casus_time", "casus_place"):
        print(f"  {name:<12} {clock[name]:.3f} s = {clock[name] / spacy_time:.3f} x spaCy model ({spacy_time:.3f} s)")
    ours = sum(clock[k] for k in OURS)
    print(f"  time + place {ours:.3f} s = {ours / spacy_time:.3f} x spaCy model")
    return 0


if __name__ == "__main__":
    sys.exit(main())
