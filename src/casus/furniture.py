"""Page furniture: the parts of a news page that are not the story.

Headlines (and subheads), bylines and desk lines, an outlet's name alone on a line or glued to the
lede ("Al JazeeraHezbollah reports …"), photo credits and the captions they sign, and the dateline
that opens the first paragraph ("KATHMANDU, Nepal —", "MANAGUA (Reuters) –", "Male:"). Left in the
analysed text they become actors, speakers and event arguments ("VLADIVOSTOK" as a speaker, the
Reuters photo desk as the source of a CONSULT). `find` looks at the lines of a document as repair
splits them and says which lines to leave out and how much of a line's start is a dateline; what it
finds is kept as metadata (`meta.dateline`, `meta.furniture`) with offsets into the original text.
The dateline's place is resolved with the gazetteer, so the story's country is known without
reading the dateline as a mention. Shapes and agency names: `data/furniture.yaml`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol

from casus.data_files import load_yaml

SENTENCE_END = re.compile(r"""[.!?:;]["'\u201d\u2019)\]]*$""")
WORD = re.compile(r"[^\W_]+")


class LineLike(Protocol):
    start: int
    end: int
    text: str


@dataclass
class Found:
    drop: dict[int, str] = field(default_factory=dict)  # line index -> kind of furniture
    cut: dict[int, int] = field(default_factory=dict)  # line index -> characters to leave out at its start
    items: list[dict[str, Any]] = field(default_factory=list)  # {kind, text, start, end} in the original
    dateline: dict[str, Any] | None = None

    def meta(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.dateline:
            out["dateline"] = self.dateline
        if self.items:
            out["furniture"] = self.items
        return out


def _alts(names: Sequence[str]) -> str:
    return "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True))


@cache
def _rules() -> dict[str, Any]:
    data = load_yaml("furniture.yaml")
    agency = _alts(data["agencies"])
    months = _alts(data["months"])
    word = r"[^\W\d_][\w.'\u2019&-]*"
    dateline = re.compile(
        rf"(?P<place>{word}(?:[ /]{word}){{0,3}}?)"
        rf"(?:,\s*(?!(?:{months})\b)(?P<region>[A-Z][\w.'\u2019-]*(?:\s+[A-Z][\w.'\u2019-]*){{0,2}}))?"
        rf"(?:,?\s+(?P<date>(?:{months})\.?\s+\d{{1,2}}))?"
        r"(?:\s*\((?P<agency>[^()]{2,40})\))?"
        r"(?P<sep>\s*(?:\u2014|\u2013|--|\.-|:)|\s+-)\s+")
    return {
        "agency": re.compile(rf"\b(?:{agency})\b", re.IGNORECASE),
        "us_states": {n.lower() for n in data["us_states"]},
        "colon_min_population": int(data["colon_min_population"]),
        "outlets": {n.lower() for n in data["outlets"]} | {n.lower() for n in data["agencies"]},
        "small": frozenset(w.lower() for w in data["small_words"]),
        "dateline": dateline,
        # a photo credit ending a line: "REUTERS/Name", "Name/AFP via Getty Images", "(AP Photo/Name).",
        # "(Video: Reuters)", "Picture: UGC via AP", "Handout via REUTERS"
        "credit_tail": re.compile(
            r"\(?\s*(?:photo|picture|image|video|credit|source|foto)s?\s*[:/][^()]{1,80}\)?\.?"
            rf"|\(?\s*(?:{agency})\s+(?:photo|images?|video)\b[^()]{{0,60}}\)?\.?"
            rf"|[^()]{{0,120}}/[^()]{{0,80}}\b(?:{agency})\b[^()]{{0,40}}"
            rf"|[^()]{{0,40}}\b(?:{agency})\s*/\s*[^()]{{1,60}}"
            r"|(?:photo\s+by|courtesy\s+of)\s+[^()]{1,80}"
            rf"|[^()]{{0,80}}\b(?:press office|press service|handout|pool)\b[^()]{{0,40}}\b(?:{agency})\b\.?",
            re.IGNORECASE),
        # a credit opening a caption: "PHOTO/Agency - Troops …", "Name, AFP | Ukrainian President …"
        "credit_head": re.compile(
            r"(?:photo|foto|image|picture)s?\s*[/:]\s*[^|\u2013\u2014]{1,80}?\s[-\u2013\u2014|]\s+"
            rf"|[^|]{{1,60}}\b(?:{agency})\s*\|\s+", re.IGNORECASE),
        "desk": re.compile(r"(?:[A-Z][\w.'\u2019-]*\s+){0,4}(?:" + _alts(data["desk_words"]) +
                           r")\s*(?:,|\bat\b|\bfor\b)\s*.{2,60}"),
    }


def _words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def _title_case(text: str, small: frozenset[str]) -> bool:
    """A headline or subhead: Title Case words and no sentence-final punctuation."""
    if SENTENCE_END.search(text) or text.endswith(","):
        return False
    words = [w.strip("'\"\u201c\u201d\u2018\u2019()[]") for w in text.split()]
    words = [w for w in words if any(c.isalpha() for c in w)]
    if not 2 <= len(words) <= 20:
        return False
    big = [w for w in words if w.lower() not in small]
    return len(big) >= 2 and all(w[0].isupper() or w[0].isdigit() for w in big)


def _credit_tail(text: str) -> int | None:
    """Where a photo credit at the end of the line starts, or None."""
    rules = _rules()
    starts = [0] + [m.end() for m in re.finditer(r"[.!?\u201d\"]\s+(?=\S)", text)]
    for s in starts:
        tail = text[s:]
        if len(tail) > 160:
            continue
        end = tail.rstrip()
        if end.endswith((".", "!", "?")) and not end.endswith(")."):
            continue  # a sentence of the story that mentions an agency
        cue = re.match(r"(?i)photo|picture|image|video|credit|foto|courtesy", tail) or re.search(
            r"(?i)press office|press service|handout|pool", tail)
        if rules["credit_tail"].fullmatch(tail) and ("/" in tail or tail.startswith("(") or cue):
            return s
    return None


def _place(name: str | None, countries: frozenset[str] = frozenset()) -> Any:
    if not name:
        return None
    from casus.places.gazetteer import gazetteer  # the 2 s load only for a document with a dateline

    first = re.split(r"\s*/\s*", name)[0]
    return gazetteer().resolve(first.title() if first.isupper() else first, countries)


def _dateline(text: str) -> tuple[re.Match[str], str | None] | None:
    """A dateline opening `text`, and the ISO3 code of its country (None when unknown)."""
    rules = _rules()
    m = rules["dateline"].match(text)
    if not m:
        return None
    place, region, agency, sep = m.group("place"), m.group("region"), m.group("agency"), m.group("sep").strip()
    known_agency = bool(agency and rules["agency"].fullmatch(agency.strip()))
    caps = place.replace("/", "").replace(" ", "").replace(".", "").replace("'", "").isupper()
    if region and region.lower() in rules["us_states"]:
        region_country: str | None = "USA"
    else:
        where = _place(region)
        region_country = where.country if where is not None and where.feature in {"country", "state"} else None
    found = _place(place, frozenset({region_country}) if region_country else frozenset())
    country = region_country or (found.country if found is not None else None)
    if known_agency or (caps and country):
        return m, country
    big = found is not None and (found.feature != "city" or found.population >= rules["colon_min_population"])
    if (sep in {":", "--"} and big) or (region_country and sep not in {":", ".-"}):
        return m, country  # "Male: Police in the Maldives …", "Kyiv, Ukraine — …"
    return None


def _outlets(meta: Mapping[str, Any]) -> set[str]:
    names = set(_rules()["outlets"])
    outlet = str(meta.get("outlet") or "")
    for part in re.split(r"\s*[()]\s*|\s+via\s+", outlet):
        if part.strip():
            names.add(part.strip().lower())
    return names


def _standalone(lines: Sequence[LineLike], gaps: Sequence[int], i: int) -> bool:
    """The line stands between sentences, not a wrapped piece of one."""
    before = i == 0 or gaps[i] > 0 or SENTENCE_END.search(lines[i - 1].text) is not None \
        or _title_case(lines[i - 1].text, _rules()["small"])
    after = i + 1 >= len(lines) or gaps[i + 1] > 0 or not lines[i + 1].text[:1].islower()
    return before and after


def find(lines: Sequence[LineLike], gaps: Sequence[int], meta: Mapping[str, Any] | None = None) -> Found:
    """Classify the furniture among `lines` (repair's content lines, `gaps[i]` blank lines before line i)."""
    rules = _rules()
    meta = meta or {}
    found = Found()
    title = _words(str(meta.get("title") or ""))
    outlets = _outlets(meta)
    body = False  # has the story's first paragraph been seen?
    lede = 0  # paragraphs seen that may still open with the dateline (a deck line can come first)

    def item(kind: str, i: int, start: int = 0, end: int | None = None) -> None:
        line = lines[i]
        end = len(line.text) if end is None else end
        found.items.append({"kind": kind, "text": line.text[start:end].strip(), "start": line.start + start,
                            "end": line.start + end})

    def drop(kind: str, i: int) -> None:
        found.drop[i] = kind
        item(kind, i)

    for i, line in enumerate(lines):
        text = line.text
        words = _words(text)
        low = " ".join(text.lower().split())
        if title and len(title) >= 3 and (words == title or (
                len(words) >= 5 and min(len(words), len(title)) >= 0.8 * max(len(words), len(title))
                and (title[: len(words)] == words or words[: len(title)] == title))):
            drop("headline", i)
            continue
        if low.strip(" .:-|") in outlets:
            drop("outlet", i)
            continue
        if not body and rules["desk"].fullmatch(text) and not SENTENCE_END.search(text):
            drop("byline", i)
            continue
        tail = _credit_tail(text)
        if tail is not None or rules["credit_head"].match(text):
            drop("credit" if tail == 0 else "caption", i)
            continue
        if not body and i + 1 < len(lines) and found.drop.get(i - 1) == "credit" and _dateline(lines[i + 1].text):
            drop("caption", i)  # the caption under a credit line, before the dateline of the story
            continue
        if not body and len(words) <= 3 and text.isupper() and not SENTENCE_END.search(text) \
                and (place := _place(text)) is not None:
            drop("dateline", i)  # "DOHA" alone above the story
            found.dateline = found.dateline or _dateline_meta(text, line.start, len(text), None, place.country)
            continue
        if _title_case(text, rules["small"]) and _standalone(lines, gaps, i):
            drop("headline" if not body else "subhead", i)
            continue
        if lede < 3 and found.dateline is None:
            cut = _cut_lede(line, title if not body else [], outlets if not body else set(), found)
            if cut:
                found.cut[i] = cut
            lede += 1
        body = body or len(words) >= 8 or SENTENCE_END.search(text) is not None
    if len(found.drop) == len(lines):  # a text that is one headline is still the text to analyse
        for i, kind in list(found.drop.items()):
            if kind in {"headline", "subhead"}:
                del found.drop[i]
        found.items = [it for it in found.items if it["kind"] not in {"headline", "subhead"}]
    return found


def _cut_lede(line: LineLike, title: list[str], outlets: set[str], found: Found) -> int:
    """Characters at the start of the first body line that are not the story: an outlet's name glued
    to it, the headline run into it, one or two datelines."""
    text = line.text
    cut = 0
    for name in sorted(outlets, key=len, reverse=True):
        if len(name) > 3 and text.lower().startswith(name) and text[len(name) : len(name) + 1].isupper():
            found.items.append({"kind": "outlet", "text": text[: len(name)], "start": line.start,
                                "end": line.start + len(name)})
            cut = len(name)
            break
    if title and len(title) >= 4:
        matches = list(WORD.finditer(text[cut:].lower()))
        if len(matches) > len(title) and [m.group(0) for m in matches[: len(title)]] == title:
            end = cut + matches[len(title) - 1].end()
            found.items.append({"kind": "headline", "text": text[cut:end], "start": line.start + cut,
                                "end": line.start + end})
            cut = end + len(text[end:]) - len(text[end:].lstrip(" .:-\u2013\u2014|"))
    for _ in range(2):  # "New Delhi, Aug 05: New Delhi: Bangladesh's …"
        hit = _dateline(text[cut:])
        if not hit:
            break
        m, country = hit
        if found.dateline is None:
            found.dateline = _dateline_meta(text[cut:], line.start + cut, m.start("sep"), m, country)
        found.items.append({"kind": "dateline", "text": text[cut : cut + m.start("sep")].strip(),
                            "start": line.start + cut, "end": line.start + cut + m.end()})
        cut += m.end()
    return cut


def _dateline_meta(text: str, start: int, length: int, m: re.Match[str] | None,
                   country: str | None) -> dict[str, Any]:
    agency = m.group("agency") if m else None
    name = m.group("place") if m else text
    return {"text": text[:length].strip(), "place": name.title() if name.isupper() else name, "country": country,
            "agency": agency.strip() if agency else None, "start": start, "end": start + length}


def dateline_in(text: str) -> tuple[dict[str, Any], int] | None:
    """A dateline opening `text` (a document that did not go through repair): its metadata, with
    offsets into `text`, and where the story after it starts."""
    hit = _dateline(text.lstrip())
    if not hit:
        return None
    lead = len(text) - len(text.lstrip())
    m, country = hit
    return _dateline_meta(text[lead:], lead, m.start("sep"), m, country), lead + m.end()
