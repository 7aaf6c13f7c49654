"""The fusion view of one event: a *report* of a happening, with what fusion compares and nothing else.

Reports come from the store's event rows (casus.fusion.storage), from records (the Parquet path,
casus.fusion.parquet) or from anything else that can fill the fields (the gold-event bench). All
of them go through `make_report`, so the three paths compare exactly the same things.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from dataclasses import dataclass
from typing import Any

from casus.actors.kb import norm

NEGATED, HYPOTHETICAL, FUTURE, HISTORICAL = 1, 2, 4, 8
FLAG_NAMES = {"negated": NEGATED, "hypothetical": HYPOTHETICAL, "future": FUTURE, "historical": HISTORICAL}

# The function words of news clauses; what is left says what happened to what ("parliament", "fire").
_STOP = frozenset("""a an the and or but of in on at to for from by with without as into onto over under after
before since during about against between through it its it's he she they them their his her him we our you
your i me my this that these those there here which who whom whose what when where while also even still
is are was were be been being has have had do does did will would shall should can could may might must
not no nor so than then too very just only said says say told tell according new one two three first last
mr mrs ms dr more most other such some any each all both several many much""".split())
_WORD = re.compile(r"[^\W\d_]{3,}")


@dataclass(frozen=True, slots=True)
class Actor:
    """An event party as fusion sees it. `key` is its identity across documents: a KB id, or the
    normalised name of a document-scoped actor (a person by surname), or `text:` + the words."""

    key: str
    name: str | None
    country: str | None
    sector: str | None
    kind: str | None  # state, group, organisation, person; "text" for an unresolved span


@dataclass(frozen=True, slots=True)
class Place:
    key: str
    name: str
    country: str | None
    feature: str | None  # country, state, city, curated, … (casus.places)
    lat: float | None = None
    lon: float | None = None


@dataclass(slots=True)
class Report:
    doc: str  # document hash
    n: int  # the event's index in its document
    type: str
    source: Actor | None
    target: Actor | None
    lo: int | None  # the happening's possible days, as proleptic ordinals, inclusive
    hi: int | None
    dated: bool  # the text dates it (not only the publication date)
    flags: int  # NEGATED | HYPOTHETICAL | FUTURE | HISTORICAL
    place: Place | None
    outlet: str
    published: int | None
    confidence: float
    words: tuple[str, ...]  # content words, sorted and interned: a tuple costs a fifth of a frozenset
    key: tuple[str, int]  # (doc, n): the report's identity and its place in every tie-break

    @property
    def day(self) -> bool:
        return self.dated and self.lo is not None and self.lo == self.hi


def ordinal(value: Any) -> int | None:
    """Day ordinal of an ISO date (or a date/datetime); None when it is not one."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().toordinal()
    if isinstance(value, dt.date):
        return value.toordinal()
    try:
        return dt.date.fromisoformat(str(value)[:10]).toordinal()
    except ValueError:
        return None


def iso(day: int | None) -> str | None:
    return None if day is None else dt.date.fromordinal(day).isoformat()


def content_words(text: str | None) -> tuple[str, ...]:
    """Lower-cased content words of an evidence clause, crudely stemmed so "strikes" meets "strike"."""
    if not text:
        return ()
    out = set()
    for w in _WORD.findall(text.lower().replace("’", "'")):
        if w in _STOP:
            continue
        if w.endswith("s") and not w.endswith("ss") and len(w) > 4:
            w = w[:-1]
        for suffix in ("ing", "ed", "e"):
            if w.endswith(suffix) and len(w) - len(suffix) >= 4:
                w = w[: -len(suffix)]
                break
        out.add(sys.intern(w))
    return tuple(sorted(out))


_ACTORS: dict[tuple[Any, ...], Actor] = {}


def make_actor(actor_id: str | None, name: str | None = None, kind: str | None = None, country: str | None = None,
               sector: str | None = None, text: str | None = None) -> Actor | None:
    """The fusion identity of an event party.

    KB actors keep their id. Document-scoped actors (`doc:<hash>:…`) have a different id in every
    document, so they are keyed by name; a person by surname ("Oli", "KP Sharma Oli" and "Khadga
    Prasad Oli" are one man), since a block only ever holds one type, source country and a few days.
    An unresolved span is keyed by its words and joins only the same words.
    """
    if actor_id and not actor_id.startswith("doc:"):
        key = actor_id
    elif actor_id and name:
        words = re.findall(r"[\w'-]+", norm(name))
        # a person by surname; a role without a name ("Prime Minister (Nepal)") by all of it
        person = kind == "person" and words and "(" not in name
        key = f"person:{words[-1]}" if person else f"name:{' '.join(words)}"
    elif text and text.strip():
        key, kind, country, sector, name = f"text:{norm(text)}", "text", None, None, text
    else:
        return None
    memo = (key, name, country, sector, kind)
    actor = _ACTORS.get(memo)
    if actor is None:  # interned: a million reports share a few thousand actors
        actor = _ACTORS[memo] = Actor(key, name, country, sector, kind)
        if len(_ACTORS) > 500_000:
            _ACTORS.clear()
    return actor


def make_place(name: str | None, country: str | None = None, feature: str | None = None, lat: float | None = None,
               lon: float | None = None) -> Place | None:
    if not name:
        return None
    return Place(norm(name), name, country, feature, lat, lon)


def make_report(doc: str, n: int, type_: str, source: Actor | None, target: Actor | None, *,
                date_start: Any = None, date_end: Any = None, date_basis: str | None = None,
                published: Any = None, flags: int = 0, place: Place | None = None, outlet: str | None = None,
                confidence: float | None = None, evidence: str | None = None,
                lookback: int = 3, widest: int = 400) -> Report:
    """One report. Its days: the text's date interval when the text dates it; else the publication
    date and the `lookback` days before it (what a news story reports without a date happened lately).
    A text interval wider than `widest` days ("in recent years") dates nothing."""
    pub = ordinal(published)
    lo, hi = ordinal(date_start), ordinal(date_end)
    dated = date_basis == "text" and lo is not None and hi is not None and hi - lo <= widest
    if not dated:
        lo, hi = (pub - lookback, pub) if pub is not None else (None, None)
    return Report(doc=doc, n=n, type=type_, source=source, target=target, lo=lo, hi=hi, dated=dated, flags=flags,
                  place=place, outlet=outlet or doc, published=pub, confidence=float(confidence or 0.0),
                  words=content_words(evidence), key=(doc, n))


def flags_of(negated: Any = False, hypothetical: Any = False, future: Any = False, historical: Any = False) -> int:
    return ((NEGATED if negated else 0) | (HYPOTHETICAL if hypothetical else 0) | (FUTURE if future else 0)
            | (HISTORICAL if historical else 0))


def outlet_of(outlet: str | None, url: str | None, doc: str) -> str:
    """Who published it: the outlet's name as written, else the URL's host, else the document itself.
    Outlets are told apart case-insensitively (casus.fusion.happening)."""
    if outlet and outlet.strip():
        return " ".join(outlet.split())
    m = re.match(r"^[a-z]+://(?:www\.)?([^/:?#]+)", url or "", re.I)
    return m[1].lower() if m else doc
