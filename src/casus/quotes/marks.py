"""Find quoted regions in text whose quotation marks may be broken.

News text arrives with straight and curly marks mixed, doubled single quotes standing in for double
ones (``''root causes'"``), closers typed as openers, and the convention of reopening the quote at
each new paragraph of a long quotation without closing the previous one. Each mark is classified by
what flanks it (an opener has space before and a word after), then paired within a paragraph; a
quote left open at a paragraph's end continues when the next paragraph opens with a mark. Marks that
cannot be paired still give a region (to the paragraph's end, or from its start) plus a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# '' and `` stand for one double mark; ' and ’ alone are apostrophes far more often than quotes
MARK = re.compile(r"''|``|\u2018\u2018|\u2019\u2019|[\"\u201c\u201d\u201e\u00ab\u00bb]")
OPENING = {"\u201c", "\u201e", "\u00ab", "``", "\u2018\u2018"}
CLOSING = {"\u201d", "\u00bb", "\u2019\u2019"}
OPEN_BEFORE = set("([{\u2014\u2013-/")
PARAGRAPH = re.compile(r"\n\s*\n|\n(?=[ \t]*[\"\u201c\u201e\u00ab])")
# a lone single mark closing a double-quoted word ("legitimate' target)
LONE_SINGLE = re.compile(r"[A-Za-z.,!?]['\u2019](?=[\s.,;:!?]|$)")


@dataclass
class Region:
    """The text between a pair of marks: [start, end) excludes the marks themselves."""

    start: int
    end: int
    parts: list[tuple[int, int]] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)  # "unclosed", "unopened", "continued"

    def __post_init__(self) -> None:
        if not self.parts:
            self.parts = [(self.start, self.end)]


@dataclass
class _Mark:
    start: int
    end: int
    role: str  # "open", "close" or "either"


def _classify(text: str, m: re.Match[str]) -> str:
    s, e, mark = m.start(), m.end(), m.group(0)
    before = text[s - 1] if s > 0 else "\n"
    after = text[e] if e < len(text) else "\n"
    opens = not after.isspace() and (before.isspace() or before in OPEN_BEFORE)
    closes = not before.isspace() and (after.isspace() or not after.isalnum())
    if mark in OPENING:
        # a curly opener glued to the end of a word and followed by space is a mistyped closer
        return "close" if closes and not opens else "open"
    if mark in CLOSING:
        return "open" if opens and not closes else "close"
    if opens and not closes:
        return "open"
    if closes and not opens:
        return "close"
    return "either"


def _paragraphs(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for m in PARAGRAPH.finditer(text):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, len(text)))
    return [(a, b) for a, b in out if text[a:b].strip()]


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def find_regions(text: str) -> tuple[list[Region], list[str]]:
    """Quoted regions of `text` in order, and warnings about marks that had to be guessed."""
    regions: list[Region] = []
    warnings: list[str] = []
    carry: Region | None = None  # a quote left open at the end of the previous paragraph
    for p_start, p_end in _paragraphs(text):
        inside = _Overlap(regions)
        marks = [_Mark(m.start(), m.end(), _classify(text, m)) for m in MARK.finditer(text, p_start, p_end)]
        if carry is not None:
            if marks and marks[0].role != "close" and not text[p_start : marks[0].start].strip():
                opener = marks.pop(0)
                open_at: int | None = opener.end
                carry.flags.add("continued")
            else:
                regions.append(carry)
                warnings.append(f"quotation opened at {carry.start} is never closed")
                open_at = None
            current = carry if open_at is not None else None
            carry = None
        else:
            open_at, current = None, None
        for mk in marks:
            if open_at is None:
                if mk.role == "close":
                    s, e = _strip(text, p_start, mk.start)
                    if e - s > 1 and not inside.holds(s):
                        regions.append(Region(s, e, flags={"unopened"}))
                        warnings.append(f"closing quotation mark at {mk.start} has no opening mark")
                    continue
                open_at = mk.end
                continue
            if mk.role == "open" and _has_lone_single(text, open_at, mk.start):
                close = _has_lone_single(text, open_at, mk.start)
                assert close is not None
                _close(regions, current, open_at, close, text)
                warnings.append(f"quotation opened at {open_at - 1} closed with a single mark")
                current, open_at = None, mk.end
                continue
            if mk.role == "open":
                # an opener while a quote is open: the earlier one lost its closing mark
                s, e = _strip(text, open_at, mk.start)
                _close(regions, current, s, e, text, flag="unclosed")
                warnings.append(f"quotation opened at {open_at - 1} is not closed before the next one")
                current, open_at = None, mk.end
                continue
            _close(regions, current, open_at, mk.start, text)
            current, open_at = None, None
        if open_at is not None:
            close = _has_lone_single(text, open_at, p_end)
            if close is not None:
                _close(regions, current, open_at, close, text)
                warnings.append(f"quotation opened at {open_at - 1} closed with a single mark")
                continue
            s, e = _strip(text, open_at, p_end)
            if e <= s:
                continue
            if current is None:
                carry = Region(s, e)
            else:
                current.parts.append((s, e))
                current.end = e
                carry = current
    if carry is not None:
        carry.flags.add("unclosed")
        regions.append(carry)
        warnings.append(f"quotation opened at {carry.start} is never closed")
    return [r for r in regions if r.end > r.start], warnings


def regions_overlap(regions: list[Region], pos: int) -> bool:
    return any(r.start <= pos < r.end for r in regions)


class _Overlap:
    """`regions_overlap(regions, pos)` for one paragraph, in linear time.

    A region closed before the paragraph ends before it starts, so only the regions the paragraph adds
    can hold a position in it; those are only ever appended, so each is looked at once per position.
    """

    def __init__(self, regions: list[Region]):
        self.regions = regions
        self.first = len(regions)
        self.pos: int | None = None
        self.seen = self.first
        self.found = False

    def holds(self, pos: int) -> bool:
        if pos != self.pos:
            self.pos, self.seen, self.found = pos, self.first, False
        new = self.regions[self.seen :]
        self.seen = len(self.regions)
        self.found = self.found or regions_overlap(new, pos)
        return self.found


def _has_lone_single(text: str, start: int, end: int) -> int | None:
    # a match further than 60 characters on is refused, so the search need not look further; its
    # lookahead reads one character past the mark, which still lies inside the bound
    m = LONE_SINGLE.search(text, start, min(end, start + 63))
    if m is None or m.start() - start > 60:
        return None
    return m.start() + 1


def _close(regions: list[Region], current: Region | None, start: int, end: int, text: str,
           flag: str | None = None) -> None:
    s, e = _strip(text, start, end)
    if current is None:
        if e > s:
            regions.append(Region(s, e, flags={flag} if flag else set()))
        return
    if e > s:
        current.parts.append((s, e))
        current.end = e
    if flag:
        current.flags.add(flag)
    regions.append(current)
