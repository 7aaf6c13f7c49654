"""Time: find the document's time expressions, resolve them against the publication date, date events.

`casus_time` writes `Doc._.casus_times` (every expression with its resolved value, or the reason it
could not be resolved) and gives each event in `Doc._.casus_events` a `date`:

- `basis: "text"` — the expression that governs the event's trigger in the parse, in the same
  sentence (`attach.governing`), with its character span;
- `basis: "published"` — no expression governs it, so the publication date stands in, marked so;
- `basis: "none"` — neither: the value stays empty rather than invented.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from casus.extensions import doc_text, guarded
from casus.sentences import Sentences
from casus.temporal.attach import BySentence, first_fit, governing, trigger_token
from casus.temporal.expressions import resolve

__all__ = ["DateResolver", "find_times", "published_date", "resolve"]

if not Doc.has_extension("casus_times"):
    Doc.set_extension("casus_times", default=None)

# expressions the small English model often leaves out of its DATE entities
PATTERNS = [
    r"\b(?:(?:last|this|next|past|coming)\s+)?(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
    r"(?:,?\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}(?:,\s+\d{4})?)?"
    r"(?:\s+(?:morning|afternoon|evening|night))?\b",
    r"\b(?:early|late)\s+(?:on\s+)?(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b",
    r"\b(?:earlier|later)\s+this\s+(?:week|month|year)\b",
    r"\b(?:(?:this|last|next)\s+(?:week|weekend|month|year)|yesterday|today|tomorrow|last\s+night)\b",
    r"\b(?:the\s+)?(?:recent|past|last|previous)\s+(?:(?:few|several|couple of|\d+|two|three|four|five|six|seven|"
    r"eight|nine|ten|twelve)\s+)?(?:days|weeks|months|years)\b",
    r"\b(?:(?:early|mid|late)[- ])?(?:January|February|March|April|June|July|August|September|October|November|"
    r"December)(?:\s+\d{1,2}(?:st|nd|rd|th)?)?(?:,?\s+\d{4})?\b",
    r"\b\d{1,2}\s+(?:January|February|March|April|May|June|July|August|September|October|November|December)"
    r"(?:\s+\d{4})?\b",
    r"(?<=\b[Ii]n )May(?:\s+\d{4})?\b",
    r"\b(?:in|since|by|until|of)\s+(?P<year>(?:(?:early|mid|late)[- ])?(?:1[89]\d\d|20\d\d))\b",
    r"\b\d{4}-\d{2}-\d{2}\b",
]
PATTERN_RE = re.compile("|".join(f"(?:{p})" for p in PATTERNS))
FUTURE_AUX = {"will", "shall", "'ll", "wo"}


def published_date(meta: dict[str, Any] | None) -> dt.date | None:
    value = (meta or {}).get("published")
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _is_future(span: Span) -> bool:
    """Whether the clause the expression sits in speaks of the future ("will meet on Monday")."""
    verb: Token | None = next((t for t in [span.root, *span.root.ancestors] if t.pos_ in {"VERB", "AUX"}), None)
    if verb is None:
        return False
    if any(c.dep_ == "aux" and c.lower_ in FUTURE_AUX for c in verb.children):
        return True
    # "is due to meet", "plans to visit", "is scheduled for", "going to"
    return verb.lemma_ in {"plan", "schedule", "due", "expect"} or any(
        c.lower_ == "going" and c.dep_ == "aux" for c in verb.children)


def _candidate_spans(doc: Doc) -> list[Span]:
    found: list[Span] = [e for e in doc.ents if e.label_ in {"DATE", "TIME"}]
    for m in PATTERN_RE.finditer(doc_text(doc)):
        # "in 1994": the year alone; the preposition only told us that the number is a year
        start, end = m.span("year") if m["year"] else m.span()
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None and len(span):
            found.append(span)
    return found


def find_times(doc: Doc, published: dt.date | None) -> list[tuple[Span, dict[str, Any]]]:
    """Every time expression in the doc that names a point or span in time, with its value.
    Where a model entity and a pattern overlap, the longest one that resolves wins: an over-long
    entity ("last Thursday after months") yields to the pattern inside it."""
    resolved = []
    for span in _candidate_spans(doc):
        value = resolve(span.text, published, future=_is_future(span))
        if value is not None:
            resolved.append((span, value))
    resolved.sort(key=lambda sv: (-(sv[0].end_char - sv[0].start_char), sv[0].start_char))
    return sorted(first_fit(resolved, len(doc)), key=lambda sv: sv[0].start)


def _date(span: Span, value: dict[str, Any]) -> dict[str, Any]:
    return {**value, "text": span.text, "start": span.start_char, "end": span.end_char, "basis": "text"}


class DateResolver:
    @guarded("time")
    def __call__(self, doc: Doc) -> Doc:
        published = published_date(doc._.casus_meta)
        times = find_times(doc, published)
        doc._.casus_times = [{**value, "text": span.text, "start": span.start_char, "end": span.end_char}
                       for span, value in times]
        by_span = {(s.start, s.end): v for s, v in times}
        spans = BySentence([s for s, _ in times], Sentences(doc))
        for ev in doc._.casus_events or []:
            trig = trigger_token(doc, ev)
            span = governing(trig, spans) if trig is not None else None
            historical = bool((ev.get("modality") or {}).get("historical"))
            if span is not None:
                ev["date"] = _date(span, by_span[(span.start, span.end)])
            elif historical and trig is not None:
                # an act of years ago is not dated to the day it was reported ("Under that accord, Kyiv
                # surrendered its arsenal" after "the 1994 Budapest Memorandum")
                earlier = _referenced(trig, times, published)
                ev["date"] = ({**_date(*earlier), "basis": "referenced"} if earlier else
                              {"value": None, "granularity": None, "earliest": None, "latest": None, "text": None,
                               "start": None, "end": None, "basis": "none"})
            elif published:
                ev["date"] = {**_published(published), "text": None, "start": None, "end": None, "basis": "published"}
            else:
                ev["date"] = {"value": None, "granularity": None, "earliest": None, "latest": None, "text": None,
                              "start": None, "end": None, "basis": "none"}
        return doc


def _referenced(trig: Token, times: list[tuple[Span, dict[str, Any]]],
                published: dt.date | None) -> tuple[Span, dict[str, Any]] | None:
    """The last expression of the previous sentence that lies in an earlier year."""
    sent = trig.sent
    if sent.start == 0:
        return None
    previous = trig.doc[sent.start - 1].sent
    found = [(s, v) for s, v in times if previous.start <= s.start < previous.end
             and str(v.get("value") or "")[:4].isdigit()
             and (published is None or int(str(v["value"])[:4]) < published.year)]
    return found[-1] if found else None


def _published(published: dt.date) -> dict[str, Any]:
    iso = published.isoformat()
    return {"value": iso, "granularity": "day", "earliest": iso, "latest": iso}


@Language.factory("casus_time")
def make_date_resolver(nlp: Language, name: str) -> DateResolver:
    return DateResolver()
