"""Place: find toponyms, geocode them offline, and give each event the location that governs it.

`casus_place` writes `Doc._.casus_places` (every toponym with its gazetteer entry, or why it has none)
and sets `location` on each event in `Doc._.casus_events` to the place in a locative phrase of the
trigger's sentence nearest the trigger in the parse ("said at the Eastern Economic Forum in the
city of Vladivostok" -> Vladivostok), or None. A country named as an actor or a modifier
("Russia warned", "a Russia-U.S. summit") is not where the event happened, so only places in
locative phrases (in, at, near, across, … and "the city of X" inside them) can locate an event.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import numpy as np
from spacy.attrs import ENT_IOB, POS
from spacy.language import Language
from spacy.symbols import PROPN
from spacy.tokens import Doc, Span, Token

from casus.extensions import doc_text, guarded
from casus.places.gazetteer import Gazetteer, Place, gazetteer
from casus.quotes import speech_verbs
from casus.sentences import Sentences
from casus.temporal.attach import BySentence, first_fit, governing, trigger_token

__all__ = ["PlaceResolver", "event_place", "find_places", "gazetteer", "locative"]

if not Doc.has_extension("casus_places"):
    Doc.set_extension("casus_places", default=None)

LABELS = {"GPE", "LOC", "FAC"}
# not "from"/"to": "assurances from Russia", "an envoy to China" name a party, not a place
LOC_PREPS = {"in", "at", "near", "outside", "inside", "across", "throughout", "around", "into", "within", "off",
             "over", "through", "along"}
# nouns through which a place still locates the clause: "in the city of X", "on the outskirts of X"
CONTAINER_NOUNS = {"city", "town", "village", "region", "province", "oblast", "state", "capital", "outskirts",
                   "suburbs", "suburb", "area", "centre", "center", "streets", "port", "district", "part", "parts",
                   "heart", "south", "north", "east", "west", "northeast", "northwest", "southeast", "southwest",
                   "border", "coast", "airport", "camp", "hospital",
                   "base", "county", "territory", "settlement", "neighbourhood", "neighborhood"}
DIRECTIONS = r"(?:north|south|east|west|central|northern|southern|eastern|western|north-?eastern|north-?western|" \
             r"south-?eastern|south-?western|northeast|northwest|southeast|southwest)"
DIRECTION_WORDS = {"north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest"}
FEATURE_WORDS = {"city": "city", "town": "city", "village": "city", "capital": "city", "region": "region",
                 "province": "region", "oblast": "region", "state": "state"}
CITY_OF = re.compile(r"\b(?:the\s+)?(?P<kind>city|town|village|port city|capital|region|province)\s+of\s+"
                     r"(?P<name>[A-Z][\w'’\-]+(?:\s+[A-Z][\w'’\-]+)*)")
REGION_SUFFIX = re.compile(r"^\s+(?P<kind>region|oblast|province|state)\b", re.I)
TOWN_COMMA = re.compile(r"\b[A-Z][a-z]+(?:\s[A-Z][a-z]+)?,\s$")
DIRECTION_BEFORE = re.compile(rf"\b(?P<dir>{DIRECTIONS})\s+$", re.I)


@cache
def _curated_re(gaz: Gazetteer) -> re.Pattern[str]:
    names = sorted({n for n in gaz.curated if n[0].isalpha()}, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(n).replace(r"\ ", r"[\s\-]+") for n in names) + r")\b", re.I)


def _spans(doc: Doc) -> list[tuple[Span, str | None]]:
    """Toponym spans with the feature class their wording asks for ("the city of X" -> city)."""
    found: list[tuple[Span, str | None]] = []
    text = doc_text(doc)
    for ent in doc.ents:
        # the small model often calls a place an organisation ("Moldova's president") or a person
        # ("flooding in Valencia"): take those when the gazetteer knows the whole name as a country,
        # state or large city, or when they sit in a locative phrase
        misread = ent.label_ in {"ORG", "PERSON"} and (
            (ent.label_ == "ORG" and _known_name(ent.text)) or (locative(ent) and gazetteer().candidates(ent.text)))
        if ent.label_ in LABELS or misread:
            start, end, feature = ent.start_char, ent.end_char, None
            before = DIRECTION_BEFORE.search(text[max(0, start - 20):start])
            if before:
                start -= len(before[0])
            if TOWN_COMMA.search(text[max(0, start - 30):start]):
                feature = "state"   # "Plains, Georgia": after a town, a state rather than a country
            after = REGION_SUFFIX.match(text[end:end + 12])
            if after:
                end += len(after[0])
                feature = FEATURE_WORDS[after["kind"].lower()]
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is not None:
                found.append((span, feature))
    for m in CITY_OF.finditer(text):
        span = doc.char_span(m.start("name"), m.end("name"), alignment_mode="expand")
        if span is not None:
            found.append((span, FEATURE_WORDS.get(m["kind"].split()[-1], "city")))
    for m in _curated_re(gazetteer()).finditer(text):
        # curated names the model may miss, but only as written with a capital ("Donbas", "Gaza Strip")
        # or starting with a direction word ("eastern Ukraine")
        word = m[0].split()[0]
        if word[0].isupper() or re.fullmatch(DIRECTIONS, word, re.I):
            span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
            if span is not None:
                found.append((span, None))
    # proper nouns the model did not tag: any name in a locative phrase that the gazetteer knows
    # ("on the outskirts of Kyiv"); elsewhere only countries, states, curated places and large cities,
    # since a small town's name is too often also a surname
    for i, j in _untagged_propn_runs(doc):
        span = doc[i:j]
        if _known_name(span.text) or (locative(span) and gazetteer().candidates(span.text)):
            found.append((span, None))
    found.sort(key=lambda sf: (-(sf[0].end_char - sf[0].start_char), sf[1] is None, sf[0].start_char))
    return sorted(first_fit(found, len(doc)), key=lambda sf: sf[0].start)


def _untagged_propn_runs(doc: Doc) -> list[tuple[int, int]]:
    """(start, end) token ranges of consecutive proper nouns outside every entity, from the POS and
    entity columns (no Token object per word)."""
    cols = doc.to_array([POS, ENT_IOB]).reshape(-1, 2)
    free = (cols[:, 0] == PROPN) & ~np.isin(cols[:, 1], ENTITY_IOB)
    runs: list[tuple[int, int]] = []
    start = None
    for i, ok in enumerate(free.tolist() + [False]):
        if ok and start is None:
            start = i
        elif not ok and start is not None:
            runs.append((start, i))
            start = None
    return runs


MIN_UNTAGGED_CITY = 100_000
ENTITY_IOB = [1, 3]  # Token.ent_iob: 1 inside an entity, 3 its beginning


def _known_name(text: str) -> bool:
    return any(p.source == "casus" or p.feature in ("country", "state") or p.population >= MIN_UNTAGGED_CITY
               for p in gazetteer().candidates(text))


def _resolve(gaz: Gazetteer, text: str, countries: set[str], feature: str | None) -> tuple[Place | None, str]:
    """(entry, name to show). "eastern Ukraine" not in the curated data becomes Ukraine's point with
    feature "region" and its own name; "Kursk region" without an entry becomes Kursk's."""
    place = gaz.resolve(text, countries, feature if feature in ("city", "state") else None)
    if place is not None:
        return place, place.name
    m = re.match(rf"(?P<dir>{DIRECTIONS})\s+(?P<rest>.+)$", text, re.I)
    if m:
        inner = gaz.resolve(m["rest"], countries)
        if inner is not None:
            return Place(f"{m['dir'].lower()} {inner.name}", inner.country, inner.admin1, inner.lat, inner.lon,
                         "region", source=inner.source), f"{m['dir'].lower()} {inner.name}"
    m = re.match(r"(?P<rest>.+?)\s+(?:region|oblast|province|state)$", text, re.I)
    if m:
        inner = gaz.resolve(m["rest"], countries)
        if inner is not None:
            return Place(text.removeprefix("the "), inner.country, inner.admin1, inner.lat, inner.lon, "region",
                         source=inner.source), text
    return None, text


def document_countries(doc: Doc, gaz: Gazetteer, spans: list[Span]) -> set[str]:
    """Countries the story is about: its actors' and the countries it names."""
    out = {a.get("country") for a in (doc._.casus_actors or {}).values() if a.get("country")}
    for span in spans:
        cands = gaz.candidates(span.text)
        if cands and all(c.feature == "country" for c in cands[:1]):
            out.add(cands[0].country)
    return {c for c in out if isinstance(c, str) and len(c) == 3}


def locative(span: Span) -> bool:
    """Whether the place sits in a phrase that says where something happened."""
    t = span.root
    contained = False
    for _ in range(4):
        if t.dep_ == "compound" and t.head.lower_ in CONTAINER_NOUNS:
            t = t.head    # "the Kursk region"
        elif t.dep_ == "pobj" and t.head.lower_ == "of" and t.head.head.lower_ in CONTAINER_NOUNS:
            t = t.head.head   # "the city of Vladivostok", "the outskirts of Kyiv"
        elif t.dep_ == "appos" and t.head.lower_ in CONTAINER_NOUNS:
            t = t.head
        else:
            break
        contained = True
    if contained and t.dep_ in {"advmod", "npadvmod"} and t.lower_ in DIRECTION_WORDS:
        return True   # "stalled north of Kyiv"
    # "on" locates only through a container: "on the outskirts of Kyiv", not "on Russia"
    return t.dep_ == "pobj" and (t.head.lower_ in LOC_PREPS or (contained and t.head.lower_ == "on"))


def find_places(doc: Doc) -> list[tuple[Span, dict[str, Any]]]:
    gaz = gazetteer()
    spans = _spans(doc)
    countries = document_countries(doc, gaz, [s for s, _ in spans])
    out = []
    for span, feature in spans:
        place, name = _resolve(gaz, span.text, countries, feature)
        item: dict[str, Any] = {"text": span.text, "start": span.start_char, "end": span.end_char,
                                "locative": locative(span)}
        if place is None:
            item |= {"name": None, "unresolved": "not in the gazetteer"}
        else:
            item |= {**place.as_dict(), "name": name}
        out.append((span, item))
    return out


def _location(item: dict[str, Any]) -> dict[str, Any]:
    keys = ("name", "country", "admin1", "lat", "lon", "feature", "source", "text", "start", "end")
    return {k: item.get(k) for k in keys}


def is_material(trigger: Token, event: dict[str, Any] | None = None) -> bool:
    """Material events (attacks, seizures, visits) happen where their object is; verbal ones
    ("accused Ukraine") do not. Uses the event's quad class, else the trigger's lemma."""
    quad = (event or {}).get("quad")
    if quad:
        return str(quad).startswith("material")
    return trigger.pos_ == "VERB" and trigger.lemma_.lower() not in speech_verbs()


class PlaceIndex:
    """A document's resolved places, arranged once for placing many events: locative ones by
    sentence, object-like ones by the token they depend on."""

    def __init__(self, places: list[tuple[Span, dict[str, Any]]], sents: Sentences | None = None):
        resolved = [(s, item) for s, item in places if item.get("name")]
        self.locative = BySentence([s for s, item in resolved if item["locative"]], sents)
        self.objects: dict[int, list[Span]] = {}  # head token -> places that are its object or patient
        for s, _ in resolved:
            root = s.root
            if root.dep_ in {"dobj", "nsubjpass"} and root.ent_type_ != "NORP":
                self.objects.setdefault(root.head.i, []).append(s)


def event_place(trigger: Token, places: list[tuple[Span, dict[str, Any]]],
                event: dict[str, Any] | None = None, index: PlaceIndex | None = None) -> Span | None:
    """The place that locates the trigger's event: the governing place in a locative phrase; for a
    material event with none, a place that is its object ("entered Damascus", "Haiti was struck").
    Pass `index` (built once from the same places) when placing many events."""
    index = index or PlaceIndex(places)
    span = governing(trigger, index.locative)
    if span is None and is_material(trigger, event):
        objects = index.objects.get(trigger.i)
        if objects:
            return objects[0]
    return span


class PlaceResolver:
    @guarded("place")
    def __call__(self, doc: Doc) -> Doc:
        places = find_places(doc)
        doc._.casus_places = [item for _, item in places]
        items = {(s.start, s.end): item for s, item in places}
        index = PlaceIndex(places, Sentences(doc))
        for ev in doc._.casus_events or []:
            trig = trigger_token(doc, ev)
            span = event_place(trig, places, ev, index) if trig is not None else None
            ev["location"] = _location(items[(span.start, span.end)]) if span is not None else None
            if ev["location"]:
                ev["location"]["basis"] = "text"
        _same_speaker_same_day(doc._.casus_events or [])
        return doc


def _same_speaker_same_day(events: list[dict[str, Any]]) -> None:
    """A statement with no place of its own gets the place where its speaker spoke that day.

    News reports one appearance over several sentences ("Putin warned on Friday …", then "…," Putin
    said at the forum in Vladivostok): the place is named once. Only verbal events inherit, and only
    from a verbal event of the same source actor on the same day; the location says so (`basis`).
    """
    def key(ev: dict[str, Any]) -> tuple[str, str] | None:
        actor = (ev.get("source") or {}).get("actor")
        date = ev.get("date") or {}
        if not actor or not date.get("value") or date.get("granularity") != "day":
            return None
        if not str(ev.get("quad") or "").startswith("verbal"):
            return None
        return actor, date["value"]

    where: dict[tuple[str, str], dict[str, Any]] = {}
    for ev in events:
        k = key(ev)
        if k and ev.get("location") and k not in where:
            where[k] = ev["location"]
    for ev in events:
        k = key(ev)
        if k and not ev.get("location") and k in where:
            ev["location"] = {**where[k], "basis": "same speaker, same day"}


@Language.factory("casus_place")
def make_place_resolver(nlp: Language, name: str) -> PlaceResolver:
    return PlaceResolver()
