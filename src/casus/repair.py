"""Text repair before NLP: undo the damage of PDF and web extraction, keeping an offset map.

What it repairs, each visible in the record's `repairs` notes:
- hard line wraps inside a paragraph become spaces; a short line followed by a capitalised one in
  hard-wrapped text is a paragraph end (PDF text layers lose blank lines between paragraphs);
- a sentence split by a page break (a form feed, or a run of blank lines) is rejoined when it
  plainly goes on (the next line starts in lower case, or the line ends in "the", ",", …);
- page headers and footers (lines repeated at page edges, page numbers) and boilerplate lines
  ("Related article: …", "Advertisement", bylines, share bars; `data/boilerplate.yaml`) are dropped;
- a word hyphenated at a line end is joined only when the joined form is a word: the document's own
  usage decides first ("post-war" elsewhere keeps the hyphen), then pyspellchecker's English list;
- quotation marks are normalised (`` '' „ « » ″ → " “ ”) and broken pairs repaired
  (`''root causes'"` → `"root causes"`, `"legitimate'` → `"legitimate"`, `“x"` → `“x”`).
Dropped text stays in the stored original; only the analysed text loses it. Every output character
maps to an original index (`OffsetMap`), so spans found later point at what the user supplied.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from casus import furniture
from casus.data_files import load_yaml
from casus.offsets import OffsetMap, Rewriter

# A blank-line gap is a paragraph break unless the line before it ends mid-sentence.
SENTENCE_END = re.compile(r"""[.!?:]["'\u201d\u2019)\]]*\s*$""")
# Extraction damage to quotation marks: '' used as ", and a stray ' closing a " quote or vice versa.
DOUBLED_SINGLE = re.compile(r"''|\u2018\u2018|\u2019\u2019|``")
MIXED_CLOSE = re.compile(r"""'"|"'(?=[\s.,;:!?]|$)""")
# An opening " closed by a lone ' ("legitimate' target): the ' is followed by a space or punctuation.
LONE_SINGLE_CLOSE = re.compile(r"""(?<=")[^"'\n]{1,80}?(')(?=[\s.,;:!?])""")
# Quotation marks other than " “ ” that mean a double quote in English news text.
QUOTE_MAP = {"\u201e": "\u201c", "\u201f": "\u201c", "\u00ab": "\u201c", "\u00bb": "\u201d", "\u2033": '"',
             "\uff02": '"'}
LINE = re.compile(r"[^\n\r\f]*(?:\r\n|\n|\r|\f|$)")
HYPHEN_END = re.compile(r"([A-Za-z]+)-$")
WORD_START = re.compile(r"([a-z]+)")
# A paragraph break is " \n\n", not "\n\n": en_core_web_sm ends a sentence at the break more reliably
# when a space precedes it. Measured on PolNeAR dev (eval/quotes.py): quote+speaker F1 0.400 with
# " \n\n" against 0.384 with "\n\n", whose run-on sentences gave quotes the next paragraph's speaker.
PARAGRAPH = " \n\n"
OPENING = ('"', "\u201c", "'", "\u2018", "(", "[")


@dataclass
class Repaired:
    text: str
    offsets: OffsetMap
    notes: list[str]
    meta: dict[str, Any] = field(default_factory=dict)  # page furniture found: dateline, headline, credits …


@dataclass
class _Line:
    start: int  # first non-space character
    end: int  # after the last non-space character
    text: str
    page: int
    drop: str | None = None


@cache
def _rules() -> dict[str, object]:
    data = load_yaml("boilerplate.yaml")

    def anyof(key: str) -> re.Pattern[str]:
        return re.compile("(?:" + "|".join(f"(?:{p})" for p in data[key]) + r")\Z", re.IGNORECASE)

    return {"lines": anyof("lines"), "bylines": anyof("bylines"), "page_numbers": anyof("page_numbers"),
            "continuation": frozenset(data["continuation_words"])}


@cache
def english_words() -> frozenset[str]:
    """pyspellchecker's English frequency list (OpenSubtitles-derived, cleaned; ~160k word forms)."""
    from spellchecker import SpellChecker

    return frozenset(SpellChecker(language="en", distance=1).word_frequency.dictionary)


def _lines(text: str) -> tuple[list[_Line], list[int]]:
    """Content lines and, per line, the number of blank lines / page breaks before it."""
    lines: list[_Line] = []
    gaps: list[int] = []
    page, gap = 0, 0
    for m in LINE.finditer(text):
        if m.start() == m.end():
            break
        raw = m.group(0)
        term = raw[-1] if raw and raw[-1] in "\n\r\f" else ""
        body = raw.rstrip("\n\r\f")
        stripped = body.strip()
        if stripped:
            lead = len(body) - len(body.lstrip())
            lines.append(_Line(m.start() + lead, m.start() + lead + len(stripped), stripped, page))
            gaps.append(gap)
            gap = 0
        else:
            gap += 1
        if term == "\f":
            page += 1
            gap += 2  # a page break is at least as strong as a blank line
    return lines, gaps


def _pages_from_gaps(lines: list[_Line], gaps: list[int]) -> None:
    """Without form feeds, a run of two or more blank lines is taken as a page boundary."""
    if any(line.page for line in lines):
        return
    page = 0
    for line, gap in zip(lines, gaps, strict=True):
        if gap >= 2:
            page += 1
        line.page = page


def _mark_page_furniture(lines: list[_Line], gaps: list[int], notes: list[str],
                         meta: Mapping[str, Any] | None) -> dict[str, Any]:
    """Headlines, bylines, credits, captions and the dateline (casus.furniture): left out of the
    analysed text, returned as metadata."""
    found = furniture.find(lines, gaps, meta)
    for i, kind in found.drop.items():
        lines[i].drop = kind
    for i, n in found.cut.items():
        line = lines[i]
        rest = line.text[n:]
        lead = len(rest) - len(rest.lstrip())
        notes.append(f"left out {line.text[: n + lead].strip()!r} at the start of a paragraph")
        line.start, line.text = line.start + n + lead, rest.lstrip()
        if not line.text:
            line.drop = "dateline"
    return found.meta()


def _mark_furniture(lines: list[_Line], gaps: list[int], notes: list[str]) -> None:
    rules = _rules()
    _pages_from_gaps(lines, gaps)
    edges: list[int] = []
    for i, line in enumerate(lines):
        first = i == 0 or lines[i - 1].page != line.page
        last = i == len(lines) - 1 or lines[i + 1].page != line.page
        if first or last:
            edges.append(i)
    pages = len({line.page for line in lines})
    if pages > 1:
        def norm(s: str) -> str:
            return re.sub(r"\d+", "#", " ".join(s.lower().split()))
        counts = Counter(norm(lines[i].text) for i in edges)
        for i in edges:
            line = lines[i]
            if rules["page_numbers"].match(line.text):
                line.drop = "page number"
            elif len(line.text) <= 100 and counts[norm(line.text)] >= 2:
                line.drop = "page header/footer"
    prev: _Line | None = None  # the last line before this one that stays
    for i, line in enumerate(lines):
        if line.drop:
            continue
        kind = ("boilerplate" if rules["lines"].match(line.text)
                else "byline" if rules["bylines"].match(line.text) else None)
        if kind is None:
            prev = line
            continue
        # Only a line that stands between sentences, never a wrapped piece of one.
        after = gaps[i + 1] if i + 1 < len(lines) else 1
        nxt = lines[i + 1].text if i + 1 < len(lines) else ""
        before_ok = prev is None or gaps[i] > 0 or SENTENCE_END.search(prev.text) is not None
        after_ok = after > 0 or not nxt or not nxt[0].islower()
        if before_ok and after_ok:
            line.drop = kind
        else:
            prev = line
    for line in lines:
        if line.drop:
            notes.append(f"dropped {line.drop} line: {line.text[:60]!r}")


def _continues(prev: str, nxt: str) -> bool:
    """Does the sentence in `prev` go on in `nxt` across a paragraph or page gap?"""
    if nxt[:1].islower():
        return True
    if prev.endswith((",", ";", "(", "-", "\u2013", "\u2014")):
        return True
    last = re.findall(r"[A-Za-z]+$", prev)
    return bool(last) and last[0] in _rules()["continuation"] and not SENTENCE_END.search(prev)


class _Usage:
    """The document's own words, for `_dehyphenate`: which words it writes, and which hyphenated.

    Searching the whole text for `\\bleft-right\\b` and `\\bleftright\\b` at every hyphen at a
    line end is quadratic in hard-wrapped text. Both patterns match exactly a whole word (a maximal
    run of word characters), or two whole words joined by one hyphen, so one pass over the words
    answers them. Words with non-ASCII characters keep the regular-expression test, since
    case-insensitive matching folds a few of them onto ASCII letters (the Kelvin sign onto "k").
    """

    def __init__(self, text: str):
        self.text = text
        self.words: set[str] = set()
        self.pairs: set[tuple[str, str]] = set()
        self.exotic: dict[int, list[str]] = {}  # words and hyphen pairs with non-ASCII characters, by length
        prev: re.Match[str] | None = None
        for m in re.finditer(r"\w+", text):
            word = m.group(0)
            if word.isascii():
                self.words.add(word.lower())
            else:
                self.exotic.setdefault(len(word), []).append(word)
            if prev is not None and prev.end() + 1 == m.start() and text[prev.end()] == "-":
                pair = prev.group(0), word
                if pair[0].isascii() and word.isascii():
                    self.pairs.add((pair[0].lower(), word.lower()))
                else:
                    self.exotic.setdefault(len(word) + 1 + len(pair[0]), []).append(f"{pair[0]}-{word}")
            prev = m

    def has(self, written: str) -> bool:
        """Does the text hold `written` (ASCII letters, maybe one hyphen) as a whole word, ignoring case?"""
        left, hyphen, right = written.lower().partition("-")
        if (left, right) in self.pairs if hyphen else left in self.words:
            return True
        # case-insensitive matching folds one character onto one, so only words of the same length can match
        pattern = re.compile(re.escape(written), re.IGNORECASE)
        return any(pattern.fullmatch(w) for w in self.exotic.get(len(written), ()))


def _dehyphenate(left: str, right: str, usage: _Usage) -> bool:
    """Join "left-" + "right" when the joined form is a word; the document's own usage decides first."""
    joined = (left + right).lower()
    if usage.has(f"{left}-{right}"):
        return False
    if usage.has(joined):
        return True
    return joined in english_words()


def _wrap_width(lines: list[_Line], gaps: list[int]) -> float | None:
    """Typical width of hard-wrapped lines, or None when the text is not hard-wrapped."""
    widths = sorted(len(lines[i].text) for i in range(len(lines) - 1) if gaps[i + 1] == 0 and not lines[i].drop)
    if len(widths) < 5:
        return None
    return widths[int(len(widths) * 0.75)]


def repair(original: str, meta: Mapping[str, Any] | None = None) -> Repaired:
    """The analysed text and its offset map; `meta` (title, outlet) helps find the headline and
    the outlet's name in the text."""
    notes: list[str] = []
    lines, gaps = _lines(original)
    if not lines:
        return Repaired("", OffsetMap([len(original)]), notes)
    found = _mark_page_furniture(lines, gaps, notes, meta)
    _mark_furniture(lines, gaps, notes)
    bylines = [{"kind": "byline", "text": line.text, "start": line.start, "end": line.end}
               for line in lines if line.drop == "byline"]
    if bylines:
        found["furniture"] = sorted(found.get("furniture", []) + [b for b in bylines if b not in found.get(
            "furniture", [])], key=lambda it: it["start"])
    width = _wrap_width(lines, gaps)
    kept = [(line, gap) for line, gap in zip(lines, gaps, strict=True) if not line.drop]
    # A dropped line counts as a gap between the lines around it.
    gap_before: list[int] = []
    dropped_between = 0
    for line, gap in zip(lines, gaps, strict=True):
        if line.drop:
            dropped_between += 1 + gap
            continue
        gap_before.append(gap + dropped_between)
        dropped_between = 0
    rw = Rewriter(original)
    unwrapped = 0
    usage: _Usage | None = None  # built at the first hyphen at a line end
    if not kept:
        rw.replace(0, len(original), "")
        notes.append("nothing left after dropping boilerplate")
        text, omap = rw.result()
        return Repaired(text, omap, notes, found)
    rw.replace(0, kept[0][0].start, "")
    for k, (line, _) in enumerate(kept):
        if k + 1 == len(kept):
            rw.keep(line.start, line.end)
            rw.replace(line.end, len(original), "")
            break
        nxt = kept[k + 1][0]
        gap = gap_before[k + 1]
        hy = HYPHEN_END.search(line.text)
        word = WORD_START.match(nxt.text)
        if hy and nxt.text[:1].isalnum():
            hyphen_at = line.end - 1
            usage = usage or _Usage(original)
            if word and _dehyphenate(hy.group(1), word.group(1), usage):
                left, right = hy.group(1), word.group(1)
                rw.keep(line.start, hyphen_at)
                rw.replace(hyphen_at, nxt.start, "")
                notes.append(f"de-hyphenated {left}-{right} -> {left}{right}")
            else:
                rw.keep(line.start, line.end)
                rw.replace(line.end, nxt.start, "")
            continue
        rw.keep(line.start, line.end)
        if gap == 0:
            short = width is not None and len(line.text) < 0.6 * width
            if short and (nxt.text[:1].isupper() or nxt.text.startswith(OPENING) or nxt.text[:1].isdigit()):
                sep = PARAGRAPH
            else:
                sep = " "
                unwrapped += 1
        elif _continues(line.text, nxt.text):
            sep = " "
            notes.append(f"rejoined a sentence split by a {'page' if nxt.page != line.page else 'paragraph'} "
                         f"break: {line.text[-20:]!r} + {nxt.text[:20]!r}")
        else:
            sep = PARAGRAPH
        rw.replace(line.end, nxt.start, sep)
    if unwrapped:
        notes.append(f"unwrapped {unwrapped} hard line break(s)")
    joined, omap = rw.result()
    fixed = _fix_quotes(joined, omap, notes)
    fixed.meta = found
    return fixed


def _compose(outer: OffsetMap, inner: OffsetMap) -> OffsetMap:
    """fixed -> text (inner) then text -> original (outer)."""
    return OffsetMap([outer.origin[i] for i in inner.origin])


def _fix_quotes(text: str, omap: OffsetMap, notes: list[str]) -> Repaired:
    rw = Rewriter(text)
    pos = 0
    pattern = re.compile(f"{DOUBLED_SINGLE.pattern}|{MIXED_CLOSE.pattern}|[{''.join(QUOTE_MAP)}]")
    for m in pattern.finditer(text):
        rw.keep(pos, m.start())
        found = m.group(0)
        if found in QUOTE_MAP:
            rw.replace(m.start(), m.end(), QUOTE_MAP[found])
            notes.append(f"normalised quotation mark {found!r}")
        elif found == "``":
            rw.replace(m.start(), m.end(), "\u201c")
            notes.append("normalised quotation mark '``'")
        else:
            rw.replace(m.start(), m.end(), '"')
            notes.append(f"repaired quotation mark {found!r}")
        pos = m.end()
    rw.keep(pos, len(text))
    fixed, inner = rw.result()
    omap = _compose(omap, inner)
    fixed, omap = _close_lone_singles(fixed, omap, notes)
    fixed, omap = _close_curly(fixed, omap, notes)
    return Repaired(fixed, omap, notes)


def _close_lone_singles(text: str, omap: OffsetMap, notes: list[str]) -> tuple[str, OffsetMap]:
    if text.count('"') % 2 == 0:
        return text, omap
    rw = Rewriter(text)
    pos = 0
    counted, marks = 0, 0  # marks = text[:counted].count('"'), kept up to date as the matches move on
    for m in LONE_SINGLE_CLOSE.finditer(text):
        marks += text.count('"', counted, m.start())
        counted = m.start()
        if marks % 2 == 0:
            continue  # the " before it closes a quote, so this ' is not its partner
        rw.keep(pos, m.start(1))
        rw.replace(m.start(1), m.end(1), '"')
        pos = m.end(1)
        notes.append("closed a quotation opened with \" and ended with '")
    rw.keep(pos, len(text))
    fixed, inner = rw.result()
    return fixed, _compose(omap, inner)


def _close_curly(text: str, omap: OffsetMap, notes: list[str]) -> tuple[str, OffsetMap]:
    """A “ closed by a straight " (two extraction sources mixed): make the closer a ”."""
    if "\u201c" not in text:
        return text, omap
    chars = list(text)
    changed = False
    open_curly = False
    for m in re.finditer('[\u201c\u201d"\n]', text):
        i, ch = m.start(), m.group(0)
        if ch == "\n":
            open_curly = False  # quotes do not pair across paragraphs
            continue
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        closes = not before.isspace() and (after.isspace() or after in ".,;:!?)")
        if ch == "\u201c" and open_curly and closes:
            # a German-style pair („x“, normalised to “x“): the second mark closes
            chars[i] = "\u201d"
            open_curly = False
            changed = True
            notes.append("closed a quotation opened with \u201c and ended with \u201c")
        elif ch == "\u201c":
            open_curly = True
        elif ch == "\u201d":
            open_curly = False
        elif ch == '"' and open_curly and closes:
            chars[i] = "\u201d"
            open_curly = False
            changed = True
            notes.append("closed a quotation opened with \u201c and ended with \"")
    # same length, one for one: the offset map is unchanged
    return ("".join(chars), omap) if changed else (text, omap)
