"""The gold events of the multi-outlet stories (`gold-clusters.jsonl`) as fusion reports, and their score.

The fusion logic measured apart from extraction errors: each gold event becomes a report with its
coded type, actors, date, place and modality; actor names that the casus KB knows get its id and
kind (a coder's "Qatar" is the state `qat`), places are geocoded with the casus gazetteer. The
happenings are then written into records (the article text, one event per gold clause with its
trigger inside the clause) and scored by `../shared/eval/fusion.py` itself, so the figure is the
scorer's own definition.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from casus.actors.kb import default_kb, norm
from casus.fusion import Params, fuse, load_params
from casus.fusion.report import Actor, Report, flags_of, make_actor, make_place, make_report, outlet_of
from casus.places.gazetteer import gazetteer

ROOT = Path(__file__).resolve().parents[1]
NEWS = ROOT.parent / "shared" / "data" / "news"
FUSION_PY = ROOT.parent / "shared" / "eval" / "fusion.py"


def available() -> bool:
    return (NEWS / "gold-clusters.jsonl").exists() and FUSION_PY.exists()


def _actor(side: dict[str, Any] | None) -> Actor | None:
    if not side or not side.get("name"):
        return None
    kb = default_kb()
    hit = kb.names.get(norm(side["name"]))
    kind = kb.actors[hit[0]].get("kind") if hit else None
    # the coder's country and sector are the truth; the KB contributes an id and a kind
    return make_actor(hit[0] if hit else f"doc:gold:{norm(side['name'])}", side["name"], kind or "organisation",
                      side.get("country"), side.get("sector"))


def _bounds(value: str | None) -> tuple[str | None, str | None]:
    if not value:
        return None, None
    if len(value) == 4:
        return f"{value}-01-01", f"{value}-12-31"
    if len(value) == 7:
        import calendar

        y, m = int(value[:4]), int(value[5:])
        return f"{value}-01", f"{value}-{calendar.monthrange(y, m)[1]:02d}"
    return value, value


def gold_reports(p: Params | None = None) -> tuple[list[Report], dict[str, Any]]:
    """Reports for every gold event of the cluster stories, and the records skeleton to score them."""
    p = p or load_params()
    reports: list[Report] = []
    records: dict[str, Any] = {}
    for line in (NEWS / "gold-clusters.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        text = (NEWS / "articles" / f"{row['id']}.txt").read_text(encoding="utf-8")
        meta = json.loads((NEWS / "articles" / f"{row['id']}.json").read_text(encoding="utf-8"))
        records[row["id"]] = {"id": row["id"], "text": text, "events": []}
        for n, g in enumerate(row["events"]):
            start = text.find(g["clause"])
            lo, hi = _bounds(g.get("date"))
            place = None
            if g.get("place"):
                geo = gazetteer().resolve(g["place"])
                place = make_place(g["place"], geo.country if geo else None, geo.feature if geo else None)
            source, target = _actor(g.get("source")), _actor(g.get("target"))
            r = make_report(row["id"], n, g["type"], source, target, date_start=lo, date_end=hi,
                            date_basis="text" if lo else "published", published=meta.get("published"),
                            flags=flags_of(g.get("negated"), g.get("hypothetical"), g.get("future"),
                                           g.get("historical")),
                            place=place, outlet=outlet_of(meta.get("outlet"), meta.get("url"), row["id"]),
                            confidence=1.0, evidence=g["clause"], lookback=p.undated_lookback_days,
                            widest=p.widest_interval_days)
            reports.append(r)
            trig = {"start": start, "end": start + len(g["clause"])} if start >= 0 else None
            records[row["id"]]["events"].append({"type": g["type"], "trigger": trig, "evidence": trig,
                                                 "confidence": 1.0})
    return reports, records


def score(p: Params | None = None, out: Path | None = None) -> dict[str, Any]:
    """Fuse the gold events and score the happenings with fusion.py; returns its --json figures."""
    p = p or load_params()
    reports, records = gold_reports(p)
    for hid, _, members in fuse(reports, p):
        for r in members:
            records[r.doc]["events"][r.n]["happening"] = hid
    out = out or Path("/tmp/casus-fusion-gold.jsonl")
    out.write_text("".join(json.dumps(rec, ensure_ascii=False) + "\n" for rec in records.values()), encoding="utf-8")
    proc = subprocess.run([sys.executable, str(FUSION_PY), str(NEWS), str(out), "--json"], capture_output=True,
                          text=True, check=True, timeout=120)
    return json.loads(proc.stdout)
