"""Records written by hand for the fusion tests: several outlets telling of the same happenings.

Fusion consumes records (DESIGN.md §4), so these tests build the records they need instead of
depending on what the extractor makes of a text today; the store, fusion, exports and server
they go through are the real ones.
"""

from __future__ import annotations

from typing import Any

ACTORS = {
    "rus": {"name": "Russia", "kind": "state", "country": "RUS", "sector": "GOV"},
    "rus-mil": {"name": "Russia (military)", "kind": "group", "country": "RUS", "sector": "MIL"},
    "rus-putin": {"name": "Vladimir Putin", "kind": "person", "country": "RUS", "sector": "GOV"},
    "ukr": {"name": "Ukraine", "kind": "state", "country": "UKR", "sector": "GOV"},
    "ukr-zelensky": {"name": "Volodymyr Zelensky", "kind": "person", "country": "UKR", "sector": "GOV"},
    "ukr-cvl": {"name": "Ukrainian civilians", "kind": "group", "country": "UKR", "sector": "CVL"},
    "npl-cvl": {"name": "Nepal (civilians)", "kind": "group", "country": "NPL", "sector": "CVL"},
    "npl-leg": {"name": "Parliament of Nepal", "kind": "organisation", "country": "NPL", "sector": "LEG"},
    "npl-oli": {"name": "KP Sharma Oli", "kind": "person", "country": "NPL", "sector": "GOV"},
}
PLACES = {"Kharkiv": {"name": "Kharkiv", "country": "UKR", "lat": 49.99, "lon": 36.23, "feature": "city"},
          "Kyiv": {"name": "Kyiv", "country": "UKR", "lat": 50.45, "lon": 30.52, "feature": "city"},
          "Kathmandu": {"name": "Kathmandu", "country": "NPL", "lat": 27.7, "lon": 85.32, "feature": "city"}}
QUADS = {"ASSAULT": ("material_conflict", "18"), "ACCUSE": ("verbal_conflict", "11"),
         "REJECT": ("verbal_conflict", "12"), "PROTEST": ("material_conflict", "14"),
         "THREATEN": ("verbal_conflict", "13"), "AGREE": ("verbal_cooperation", "05"),
         "MOBILIZE": ("material_conflict", "15")}


def ev(sentence: str, type_: str, source: tuple[str, str] | None, target: tuple[str, str] | None, trigger: str, *,
       day: str | None = None, place: str | None = None, confidence: float = 0.8, **modality: bool) -> dict[str, Any]:
    """One event as the sentence that reports it; source and target are (actor id, the words naming it);
    `day` None = dated only by its publication."""
    return {"sentence": sentence, "type": type_, "source": source, "target": target, "trigger": trigger, "day": day,
            "place": place, "confidence": confidence, "modality": modality}


def record(doc_id: str, outlet: str, published: str, events: list[dict[str, Any]]) -> dict[str, Any]:
    text = " ".join(e["sentence"] for e in events)
    out_events, used = [], set()
    pos = 0
    for e in events:
        start = text.index(e["sentence"], pos)
        pos = start + len(e["sentence"])
        sent = (start, pos)

        def span(words: str | None, actor: str | None, sent: tuple[int, int] = sent) -> dict[str, Any] | None:
            if words is None:
                return None
            i = text.index(words, sent[0], sent[1])
            return {"start": i, "end": i + len(words), "actor": actor}

        src = span(e["source"][1], e["source"][0]) if e["source"] else None
        tgt = span(e["target"][1], e["target"][0]) if e["target"] else None
        used |= {a[0] for a in (e["source"], e["target"]) if a}
        day = e["day"] or published
        quad, root = QUADS[e["type"]]
        mod = {k: bool(e["modality"].get(k)) for k in ("negated", "hypothetical", "future", "historical", "reported")}
        out_events.append({
            "type": e["type"], "quad": quad, "cameo_root": root, "goldstein": -5.0, "source": src, "target": tgt,
            "trigger": span(e["trigger"], None), "evidence": {"start": sent[0], "end": sent[1]}, "mode": None,
            "contexts": [], "modality": mod,
            "date": {"value": day, "granularity": "day", "earliest": day, "latest": day,
                     "basis": "text" if e["day"] else "published"},
            "location": PLACES.get(e["place"]) if e["place"] else None, "confidence": e["confidence"]})
    actors = [{"id": a, **ACTORS[a], "mentions": []} for a in sorted(used)]
    return {"id": doc_id, "meta": {"title": f"{outlet}: {doc_id}", "outlet": outlet, "url": f"https://{doc_id}.example",
                                   "published": published, "language": "en"},
            "text": text, "actors": actors, "quotes": [], "events": out_events, "errors": []}


def story() -> list[dict[str, Any]]:
    """Four outlets on a Russian strike on Kharkiv (Monday 2025-09-08) and what came around it; one
    of them also on Nepal's protests the same day (two targets of one actor on one day)."""
    return [
        record("wire-a", "Wire A", "2025-09-09", [
            ev("Russian forces struck Kharkiv on Monday, killing six civilians.", "ASSAULT",
               ("rus-mil", "Russian forces"), ("ukr-cvl", "six civilians"), "struck", day="2025-09-08",
               place="Kharkiv", confidence=0.9),
            ev("Ukraine accused Russia of deliberately targeting homes.", "ACCUSE", ("ukr", "Ukraine"),
               ("rus", "Russia"), "accused"),
            ev("Russia said it did not attack civilians in Kharkiv on Monday.", "ASSAULT", ("rus", "Russia"),
               ("ukr-cvl", "civilians"), "attack", day="2025-09-08", place="Kharkiv", negated=True, confidence=0.5),
            ev("Putin warned that Russia would strike Kyiv if the attacks continued.", "THREATEN",
               ("rus-putin", "Putin"), ("ukr", "Kyiv"), "warned", hypothetical=True, confidence=0.7),
        ]),
        record("paper-b", "Paper B", "2025-09-09", [
            ev("Russia launched a strike on Kharkiv on Monday that killed six civilians.", "ASSAULT",
               ("rus", "Russia"), ("ukr-cvl", "six civilians"), "strike", day="2025-09-08", place="Kharkiv",
               confidence=0.8),
            ev("Zelensky accused Russia of terror against civilians.", "ACCUSE", ("ukr-zelensky", "Zelensky"),
               ("rus", "Russia"), "accused"),
            ev("Russia denied it had struck Kharkiv.", "REJECT", ("rus", "Russia"), ("ukr", "Kharkiv"), "denied",
               confidence=0.6),
        ]),
        record("site-c", "Site C", "2025-09-10", [
            ev("The Monday strike by Russian forces on Kharkiv killed six civilians.", "ASSAULT",
               ("rus-mil", "Russian forces"), ("ukr-cvl", "six civilians"), "strike", day="2025-09-08",
               place="Kharkiv", confidence=0.7),
            ev("Russia struck Kharkiv civilians again on Wednesday.", "ASSAULT", ("rus", "Russia"),
               ("ukr-cvl", "Kharkiv civilians"), "struck", day="2025-09-10", place="Kharkiv", confidence=0.8),
            ev("Russia attacked Kharkiv civilians in 2022 as well.", "ASSAULT", ("rus", "Russia"),
               ("ukr-cvl", "Kharkiv civilians"), "attacked", day="2022-05-01", historical=True, confidence=0.4),
        ]),
        record("daily-d", "Daily D", "2025-09-09", [
            ev("In Kathmandu, protesters set fire to the parliament building on Monday.", "PROTEST",
               ("npl-cvl", "protesters"), ("npl-leg", "the parliament building"), "set fire", day="2025-09-08",
               place="Kathmandu"),
            ev("Protesters also burned the home of KP Sharma Oli on Monday.", "PROTEST", ("npl-cvl", "Protesters"),
               ("npl-oli", "KP Sharma Oli"), "burned", day="2025-09-08", place="Kathmandu"),
            ev("Russian forces struck Kharkiv on Monday and six civilians were killed.", "ASSAULT",
               ("rus-mil", "Russian forces"), ("ukr-cvl", "six civilians"), "struck", day="2025-09-08",
               place="Kharkiv", confidence=0.6),
        ]),
    ]
