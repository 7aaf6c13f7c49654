"""Time: resolve date expressions against the publication date and date each event.

First version: weekdays, month names and years in the event's sentence; otherwise the
publication date, marked `basis: published`. Issue 7 deepens it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from casus.extensions import guarded

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december"]


def published_date(meta: dict[str, Any] | None) -> dt.date | None:
    value = (meta or {}).get("published")
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def resolve(expr: str, published: dt.date | None) -> tuple[str, str] | None:
    """(value, granularity) for a date expression, or None where it cannot be resolved."""
    words = re.findall(r"[a-z]+|\d+", expr.lower())
    year = next((int(w) for w in words if w.isdigit() and len(w) == 4), None)
    for w in words:
        if w in WEEKDAYS and published:
            back = (published.weekday() - WEEKDAYS.index(w)) % 7
            return (published - dt.timedelta(days=back)).isoformat(), "day"
    for w in words:
        if w in MONTHS:
            month = MONTHS.index(w) + 1
            if year is None and published:
                year = published.year if month <= published.month else published.year - 1
            if year is not None:
                return f"{year:04d}-{month:02d}", "month"
    if year is not None:
        return f"{year:04d}", "year"
    return None


class DateResolver:
    @guarded("time")
    def __call__(self, doc: Doc) -> Doc:
        published = published_date(doc._.casus_meta)
        dates: dict[int, tuple[Span, tuple[str, str]]] = {}
        for ent in doc.ents:
            if ent.label_ == "DATE":
                value = resolve(ent.text, published)
                if value:
                    dates.setdefault(ent.sent.start, (ent, value))
        for ev in doc._.events or []:
            sent = doc[ev["trigger"]["token"]].sent
            if sent.start in dates:
                ent, (value, gran) = dates[sent.start]
                ev["date"] = {"value": value, "granularity": gran, "start": ent.start_char,
                              "end": ent.end_char, "basis": "text"}
            elif published:
                ev["date"] = {"value": published.isoformat(), "granularity": "day", "start": None,
                              "end": None, "basis": "published"}
        return doc


@Language.factory("casus_time")
def make_date_resolver(nlp: Language, name: str) -> DateResolver:
    return DateResolver()
