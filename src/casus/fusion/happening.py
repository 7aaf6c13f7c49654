"""One happening from its reports: type, actors, days, place, modality, counts, combined confidence."""

from __future__ import annotations

from collections import Counter
from typing import Any

from casus.fusion.report import FLAG_NAMES, Actor, Place, Report, iso

# which of several names a happening goes by when its reports are evenly split ("Qatar" said it in
# three reports, its spokesman in three): the collective before the person speaking for it
KIND_RANK = {"state": 0, "organisation": 1, "group": 2, "person": 3, "text": 4, None: 5}
FEATURE_RANK = {"curated": 0, "city": 0, "state": 1, "region": 1, "country": 2, "continent": 3, None: 4}


def _actor(actors: list[Actor | None]) -> Actor | None:
    counts = Counter(a for a in actors if a is not None)
    if not counts:
        return None
    return min(counts, key=lambda a: (-counts[a], KIND_RANK.get(a.kind, 5), a.key, a.name or ""))


def _place(places: list[Place | None]) -> Place | None:
    counts = Counter(p for p in places if p is not None)
    if not counts:
        return None
    # the most reported place; on a tie the more precise one (a city before its country)
    return min(counts, key=lambda p: (-counts[p], FEATURE_RANK.get(p.feature, 4), p.key, p.name))


def combined_confidence(members: list[Report]) -> float:
    """1 − Π(1 − c) over outlets, each counted with its most confident report: six outlets saying
    it at 0.3 make 0.88; one outlet saying it six times stays at its best report. A wire story
    republished by two outlets counts twice: casus cannot tell syndication from independent reporting."""
    best: dict[str, float] = {}
    for m in members:
        o = m.outlet.casefold()
        best[o] = max(best.get(o, 0.0), min(max(m.confidence, 0.0), 1.0))
    miss = 1.0
    for c in best.values():
        miss *= 1.0 - c
    return round(1.0 - miss, 4)


def outlet_names(members: list[Report]) -> list[str]:
    """The distinct outlets, case-insensitively ("Reuters" and "REUTERS" are one), each as first written."""
    names: dict[str, str] = {}
    for m in sorted(members, key=lambda r: r.key):
        names.setdefault(m.outlet.casefold(), m.outlet)
    return sorted(names.values(), key=str.casefold)


def days(members: list[Report]) -> tuple[int | None, int | None]:
    """The days the texts give: where their dates agree (a day inside a month is that day), else
    the range they span. None when no text dates it (the reports' publication dates still do)."""
    dated = [m for m in members if m.dated]
    if not dated:
        return None, None
    lo, hi = max(m.lo for m in dated), min(m.hi for m in dated)  # type: ignore[type-var]
    if lo > hi:
        lo, hi = min(m.lo for m in dated), max(m.hi for m in dated)  # type: ignore[type-var]
    return lo, hi


def summarise(hid: str, component: str, members: list[Report]) -> dict[str, Any]:
    """The happening's row: what casus knows of it from all its reports together."""
    first = members[0]
    source, target = _actor([m.source for m in members]), _actor([m.target for m in members])
    place = _place([m.place for m in members])
    lo, hi = days(members)
    published = [m.published for m in members if m.published is not None]
    outlets = outlet_names(members)
    row: dict[str, Any] = {
        "id": hid, "component": component, "type": first.type,
        "source_key": source.key if source else None, "source_name": source.name if source else None,
        "source_country": source.country if source else None, "source_sector": source.sector if source else None,
        "target_key": target.key if target else None, "target_name": target.name if target else None,
        "target_country": target.country if target else None, "target_sector": target.sector if target else None,
        "date_start": iso(lo), "date_end": iso(hi),
        "location": place.name if place else None, "location_country": place.country if place else None,
        "lat": place.lat if place else None, "lon": place.lon if place else None,
    }
    for name, bit in FLAG_NAMES.items():
        row[name] = bool(first.flags & bit)
    row.update({
        "n_reports": len(members), "n_documents": len({m.doc for m in members}),
        "n_outlets": len(outlets), "outlets": outlets,
        "first_report": iso(min(published)) if published else None,
        "last_report": iso(max(published)) if published else None,
        "confidence": combined_confidence(members),
    })
    return row


COLUMNS = ["id", "component", "type", "source_key", "source_name", "source_country", "source_sector", "target_key",
           "target_name", "target_country", "target_sector", "date_start", "date_end", "location", "location_country",
           "lat", "lon", *FLAG_NAMES, "n_reports", "n_documents", "n_outlets", "outlets", "first_report",
           "last_report", "confidence"]
