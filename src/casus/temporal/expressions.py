"""Normalise one time expression ("on Friday", "in August", "earlier this week") to a calendar value.

The value keeps the expression's granularity: a day is "2025-09-05", a week "2025-W36", a month
"2025-08", a quarter "2025-Q3", a year "2025", a decade "1990s", a vague span an ISO interval
"2025-03-05/2025-09-05". Every resolved value also carries `earliest`/`latest` ISO dates so
timelines and queries can compare values of different granularity.

Relative expressions are resolved against the publication date. News reports mostly tell what
already happened, so a bare weekday or month is taken as the most recent one (the publication day
itself included: "on Friday" in a Friday paper is that Friday) unless the caller says the clause is
about the future. Without a publication date a relative expression stays unresolved, with a reason:
a date is never invented.

Hand-written rules cover the relative and vague expressions news uses (dateparser returns a single
datetime for "in August" and nothing for "earlier this week"); `dateparser` handles the long tail
of explicit formats ("05.09.2025", "Sept 5th, 2025 at 10am").
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from functools import cache, lru_cache
from typing import Any

from casus.data_files import load_yaml

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december"]
MONTH_ABBR = {m[:3]: i + 1 for i, m in enumerate(MONTHS)} | {"sept": 9}
NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
                "thirty": 30, "fifty": 50, "a hundred": 100}
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": 4, "final": 4}

MONTH_RE = (r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
            r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
DAY_RE = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
YEAR_RE = r"(?P<year>\d{4})"
WEEKDAY_RE = r"(?P<weekday>mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?"
NUM_RE = r"(?P<n>\d+|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + ")"
UNIT_RE = r"(?P<unit>day|week|month|year|decade)s?"
DAY_PART = r"(?:\s+(?:morning|afternoon|evening|night))?"

# leading words that frame the expression without changing its value
FRAME = re.compile(r"^(?:(?:on|in|at|by|during|of|as of|since|until|till|from|through|throughout|around|"
                   r"over|about|as early as|as late as|the|this past)\s+)+")


def _norm(expr: str) -> str:
    text = " ".join(expr.lower().replace("’", "'").replace("–", "-").replace("—", "-").split())
    text = text.strip(" ,.;:()\"'")
    return FRAME.sub("", text)


def _month(token: str) -> int:
    token = token.rstrip(".")
    return MONTH_ABBR[token[:4] if token.startswith("sept") else token[:3]]


def _weekday(token: str) -> int:
    return next(i for i, w in enumerate(WEEKDAYS) if w.startswith(token.rstrip(".")[:3]))


def _num(token: str) -> int:
    return int(token) if token.isdigit() else NUMBER_WORDS[token]


@cache
def conventions() -> dict[str, Any]:
    return load_yaml("temporal.yaml")


def _shift_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.year * 12 + d.month - 1 + months, 12)
    return dt.date(y, m + 1, min(d.day, calendar.monthrange(y, m + 1)[1]))


def _month_end(y: int, m: int) -> dt.date:
    return dt.date(y, m, calendar.monthrange(y, m)[1])


# ---- value builders ------------------------------------------------------------------------------

def day(d: dt.date) -> dict[str, Any]:
    return {"value": d.isoformat(), "granularity": "day", "earliest": d.isoformat(), "latest": d.isoformat()}


def week(d: dt.date, earliest: dt.date | None = None, latest: dt.date | None = None) -> dict[str, Any]:
    y, w, _ = d.isocalendar()
    monday = d - dt.timedelta(days=d.weekday())
    lo, hi = max(monday, earliest or monday), min(monday + dt.timedelta(days=6), latest or monday + dt.timedelta(6))
    return {"value": f"{y}-W{w:02d}", "granularity": "week", "earliest": lo.isoformat(), "latest": hi.isoformat()}


def month(y: int, m: int, part: str | None = None) -> dict[str, Any]:
    lo, hi = dt.date(y, m, 1), _month_end(y, m)
    if part:
        a, b = conventions()["parts"][part]
        lo, hi = dt.date(y, m, a), dt.date(y, m, min(b, hi.day))
    return {"value": f"{y:04d}-{m:02d}", "granularity": "month", "earliest": lo.isoformat(), "latest": hi.isoformat()}


def quarter(y: int, q: int) -> dict[str, Any]:
    return {"value": f"{y:04d}-Q{q}", "granularity": "quarter", "earliest": dt.date(y, 3 * q - 2, 1).isoformat(),
            "latest": _month_end(y, 3 * q).isoformat()}


def year(y: int, part: str | None = None) -> dict[str, Any]:
    lo, hi = 1, 12
    if part:
        lo, hi = {"early": (1, 4), "mid": (5, 8), "late": (9, 12)}[part]
    return {"value": f"{y:04d}", "granularity": "year", "earliest": dt.date(y, lo, 1).isoformat(),
            "latest": _month_end(y, hi).isoformat()}


def span(lo: dt.date, hi: dt.date, granularity: str = "range") -> dict[str, Any]:
    lo, hi = min(lo, hi), max(lo, hi)
    return {"value": f"{lo.isoformat()}/{hi.isoformat()}", "granularity": granularity,
            "earliest": lo.isoformat(), "latest": hi.isoformat()}


def unresolved(granularity: str | None, reason: str) -> dict[str, Any]:
    return {"value": None, "granularity": granularity, "earliest": None, "latest": None, "unresolved": reason}


NO_PUBLISHED = "relative expression and the document has no publication date"


# ---- the rules -----------------------------------------------------------------------------------

def _infer_year(m: int, d: int | None, published: dt.date, future: bool) -> int:
    """The year of a month (and day) named without one: the nearest such date on the side of the
    publication date the clause points to (past by default)."""
    probe = dt.date(published.year, m, min(d or 1, calendar.monthrange(published.year, m)[1]))
    if future:
        same = probe >= published.replace(day=1) if d is None else probe >= published
        return published.year if same else published.year + 1
    same = (m <= published.month) if d is None else probe <= published + dt.timedelta(days=1)
    return published.year if same else published.year - 1


def _explicit(text: str, published: dt.date | None, future: bool) -> dict[str, Any] | None:
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:t[\d:.]+z?)?", text):
        return day(dt.date(int(m[1]), int(m[2]), int(m[3])))
    if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
        return month(int(m[1]), int(m[2]))
    wd = rf"(?:{WEEKDAY_RE},?\s+)?"
    patterns = [rf"{wd}{MONTH_RE}\s+{DAY_RE}(?:,?\s+{YEAR_RE})?", rf"{wd}(?:the\s+)?{DAY_RE}\s+(?:of\s+)?{MONTH_RE}"
                rf"(?:,?\s+{YEAR_RE})?"]
    for pat in patterns:
        if m := re.fullmatch(pat + DAY_PART, text):
            mo, d = _month(m["month"]), int(m["day"])
            if not 1 <= d <= 31:
                return None
            if m["year"]:
                y = int(m["year"])
            elif published:
                y = _infer_year(mo, d, published, future)
            else:
                return unresolved("day", "day and month without a year, and no publication date")
            try:
                return day(dt.date(y, mo, d))
            except ValueError:
                return None
    if m := re.fullmatch(rf"(?:(?P<part>early|mid|late)[- ]?)?{MONTH_RE}(?:,?\s+(?:of\s+)?{YEAR_RE})?", text):
        mo = _month(m["month"])
        if m["year"]:
            return month(int(m["year"]), mo, m["part"])
        if published is None:
            return unresolved("month", "month without a year, and no publication date")
        return month(_infer_year(mo, None, published, future), mo, m["part"])
    if m := re.fullmatch(rf"(?:the\s+)?(?:(?P<part>early|mid|late)[- ]?)?(?:the\s+)?(?:year\s+)?{YEAR_RE}", text):
        y = int(m["year"])
        return year(y, m["part"]) if 1000 <= y <= 2200 else None
    if m := re.fullmatch(r"(?:the\s+)?(?:(?:early|mid|late)[- ]?)?(\d{3})0'?s", text):
        lo = int(m[1]) * 10
        return {**span(dt.date(lo, 1, 1), dt.date(lo + 9, 12, 31), "decade"), "value": f"{lo}s"}
    if m := re.fullmatch(rf"(?:the\s+)?(?P<ord>first|second|third|fourth|last|final)\s+quarter(?:\s+of)?"
                         rf"(?:\s+(?P<rel>this|last|next)\s+year|\s+{YEAR_RE})?|"
                         r"q(?P<q>[1-4])\s+(?P<qyear>\d{4})", text):
        q = int(m["q"]) if m["q"] else ORDINALS[m["ord"]]
        if m["year"] or m["qyear"]:
            return quarter(int(m["year"] or m["qyear"]), q)
        if published is None:
            return unresolved("quarter", NO_PUBLISHED)
        y = published.year + {"last": -1, "next": 1}.get(m["rel"] or "", 0)
        if not m["rel"] and not future and 3 * q - 2 > published.month:
            y -= 1
        return quarter(y, q)
    return None


def _relative(text: str, published: dt.date, future: bool) -> dict[str, Any] | None:
    p = published
    if re.fullmatch(r"(?:today|tonight|this (?:morning|afternoon|evening))|now", text):
        return day(p)
    if re.fullmatch(r"yesterday" + DAY_PART + r"|last night", text):
        return day(p - dt.timedelta(days=1))
    if re.fullmatch(r"(?:the )?day before yesterday", text):
        return day(p - dt.timedelta(days=2))
    if re.fullmatch(r"tomorrow" + DAY_PART, text):
        return day(p + dt.timedelta(days=1))
    if m := re.fullmatch(rf"(?:(?:early|late)\s+(?:on\s+)?)?(?:(?P<rel>last|this|next|past|coming|previous)\s+)?"
                         rf"{WEEKDAY_RE}{DAY_PART}", text):
        wd, rel = _weekday(m["weekday"]), m["rel"]
        back, ahead = (p.weekday() - wd) % 7, (wd - p.weekday()) % 7
        if rel in ("next", "coming") or (rel is None and future):
            return day(p + dt.timedelta(days=ahead or 7 if rel else ahead))
        if rel == "this":
            # "this Friday" is the Friday of the publication week
            return day(p - dt.timedelta(days=p.weekday() - wd))
        return day(p - dt.timedelta(days=back or 7 if rel in ("last", "past", "previous") else back))
    if m := re.fullmatch(rf"{NUM_RE}\s+{UNIT_RE}\s+(?P<dir>ago|earlier|before|later|from now|hence)", text):
        n, unit = _num(m["n"]), m["unit"]
        sign = 1 if m["dir"] in ("later", "from now", "hence") else -1
        if unit == "day":
            return day(p + dt.timedelta(days=sign * n))
        if unit == "week":
            return week(p + dt.timedelta(weeks=sign * n))
        if unit == "month":
            d = _shift_months(p, sign * n)
            return month(d.year, d.month)
        if unit == "year":
            return year(p.year + sign * n)
        return year(p.year + sign * 10 * n) | {"granularity": "decade", "value": f"{(p.year + sign * 10 * n) // 10}0s"}
    if m := re.fullmatch(r"(?:(?P<when>earlier|later)\s+)?(?P<rel>this|last|next|the past|past|the previous|"
                         r"previous|the coming|coming|the same)\s+(?P<unit>week|weekend|month|year|century)", text):
        rel = m["rel"].replace("the ", "")
        step = {"last": -1, "past": -1, "previous": -1, "next": 1, "coming": 1}.get(rel, 0)
        unit = m["unit"]
        if unit in ("week", "weekend"):
            d = p + dt.timedelta(weeks=step)
            if unit == "weekend":
                sat = d - dt.timedelta(days=d.weekday()) + dt.timedelta(days=5)
                if step == 0 and not future and p.weekday() < 3:
                    sat -= dt.timedelta(weeks=1)   # "this weekend" early in the week: the one just gone
                return span(sat, sat + dt.timedelta(days=1), "weekend")
            if step == 0 and m["when"] == "earlier":
                return week(d, latest=p - dt.timedelta(days=1) if p.weekday() else p)
            if step == 0 and m["when"] == "later":
                return week(d, earliest=p + dt.timedelta(days=1) if p.weekday() < 6 else p)
            return week(d)
        if unit == "month":
            d = _shift_months(p.replace(day=1), step)
            out = month(d.year, d.month)
            if step == 0 and m["when"] == "earlier":
                out["latest"] = p.isoformat()
            return out
        if unit == "year":
            out = year(p.year + step)
            if step == 0 and m["when"] == "earlier":
                out["latest"] = p.isoformat()
            return out
        return None
    if m := re.fullmatch(r"(?:(?P<rel>last|this|next|past|coming)\s+)?(?P<season>spring|summer|autumn|fall|winter)"
                         r"(?:\s+(?:of\s+)?(?P<year>\d{4}))?", text):
        first, last = conventions()["seasons"][m["season"]]
        if m["year"]:
            y = int(m["year"])
        else:
            # the season that is current or most recent, then step by last/next
            y = p.year if (p.month >= first or (first > last and p.month <= last)) else p.year - 1
            if first > last and p.month <= last:
                y -= 1   # January 2026's winter began in December 2025
            y += {"last": -1, "past": -1, "next": 1, "coming": 1}.get(m["rel"] or "", 0)
            if m["rel"] in (None, "this") and future and dt.date(y, last if last > first else 12, 28) < p:
                y += 1
        lo = dt.date(y, first, 1)
        hi = _month_end(y + (1 if first > last else 0), last)
        return span(lo, hi, "season")
    vague = conventions()["vague"]
    if m := re.fullmatch(r"(?:the\s+)?(?:(?P<q>recent|past|last|previous|preceding)\s+)?(?:(?P<n>few|several|couple"
                         r"(?: of)?|\d+|" + "|".join(NUMBER_WORDS) + r")\s+)?(?P<unit>day|week|month|year)s", text):
        if m["q"] is None:
            return None   # "three years" without "past"/"last" is a duration, not a time
        unit = m["unit"]
        n_word = (m["n"] or "").replace(" of", "")
        if n_word in vague:
            n = vague[n_word]
        elif n_word:
            n = _num(n_word)
        elif m["q"] == "recent":
            n = vague["recent"][unit + "s"]
        else:
            return None   # "past months" without a number is not a span we can bound
        if unit == "day":
            lo = p - dt.timedelta(days=n)
        elif unit == "week":
            lo = p - dt.timedelta(weeks=n)
        elif unit == "month":
            lo = _shift_months(p, -n)
        else:
            lo = _shift_months(p, -12 * n)
        return span(lo, p)
    return None


RELATIVE_WORDS = re.compile(r"\b(?:today|tonight|yesterday|tomorrow|last|this|next|past|recent|coming|previous|ago|"
                            r"earlier|later|now|mon|tue|wed|thu|fri|sat|sun)")
BETWEEN = re.compile(r"^(?:between|from)\s+(?P<a>.+?)\s+(?:and|to|until|till|through|-)\s+(?P<b>.+)$")


def resolve(expr: str, published: dt.date | None, future: bool = False) -> dict[str, Any] | None:
    """{value, granularity, earliest, latest} for a time expression; None if it is not a point or span
    in time (a duration like "for three years", "decades"); {value: None, unresolved: reason} where a
    relative expression meets a document without a publication date.

    `future` says the clause is about the future ("will meet on Monday"), so bare weekdays and
    months are looked for after the publication date rather than before.
    """
    text = _norm(expr)
    if not text:
        return None
    if m := BETWEEN.match(text):
        a, b = resolve(m["a"], published, future), resolve(m["b"], published, future)
        if a and b and a["value"] and b["value"]:
            return span(dt.date.fromisoformat(a["earliest"]), dt.date.fromisoformat(b["latest"]))
    # "2014-2022", "2014 to 2022"
    if m := re.fullmatch(r"(\d{4})\s*(?:-|to|until)\s*(\d{2,4})", text):
        a, b = int(m[1]), int(m[2]) if len(m[2]) == 4 else int(m[1][:2] + m[2])
        if 1000 <= a < b <= 2200:
            return span(dt.date(a, 1, 1), dt.date(b, 12, 31))
    out = _explicit(text, published, future)
    if out is not None:
        return out
    if published is not None:
        out = _relative(text, published, future)
        if out is not None:
            return out
    elif RELATIVE_WORDS.search(text) and _relative(text, dt.date(2000, 1, 3), future) is not None:
        return unresolved(_relative(text, dt.date(2000, 1, 3), future)["granularity"], NO_PUBLISHED)
    # the long tail, but only what looks like a date: a year, a month name, or 5/9/2025 ("13th" alone
    # is an ordinal, "2,200" a number)
    if (re.search(r"\b\d{4}\b|\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b", text) or re.search(MONTH_RE + r"(?![a-z])", text)) \
            and not re.search(r"\b(?:years?|months?|weeks?|days?|hours?)\b", text):
        return _dateparser(text, published)
    return None


def _dateparser(text: str, published: dt.date | None) -> dict[str, Any] | None:
    """The long tail of explicit formats; only trusted when the text names a year, or when a
    publication date anchors it."""
    settings: dict[str, Any] = {"PREFER_DATES_FROM": "past", "RETURN_TIME_AS_PERIOD": True}
    if published:
        settings["RELATIVE_BASE"] = dt.datetime.combine(published, dt.time())
    elif not re.search(r"\d{4}", text):
        return None
    try:
        data = _parser(tuple(sorted(settings.items(), key=str))).get_date_data(text)
    except (ValueError, OverflowError):
        return None
    if data is None or data.date_obj is None:
        return None
    d = data.date_obj.date()
    if data.period == "year":
        return year(d.year)
    if data.period == "month":
        return month(d.year, d.month)
    if data.period == "week":
        return week(d)
    return day(d)


def preload() -> None:
    """Have dateparser load and compile its English locale now (a quarter of a second of regex
    compiling on the first date it parses): in a parent before forking, or before timing."""
    _dateparser("9:30 a.m. on February 8, 2016", dt.date(2016, 2, 9))


@lru_cache(maxsize=32)  # one parser per publication date: bounded, or a corpus's dates pile up in memory
def _parser(settings: tuple) -> Any:
    from dateparser.date import DateDataParser

    return DateDataParser(languages=["en"], settings=dict(settings))
