"""Text repair before NLP: undo the damage of PDF and web extraction, keeping an offset map.

This first version handles what the bundled example shows: hard line wraps inside paragraphs, a
page break (run of blank lines) in the middle of a sentence, doubled/mixed quote marks, and
boilerplate lines such as "Related article: …". Dropped lines stay in the stored original; only
the analysed text loses them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from casus.offsets import OffsetMap, Rewriter

BOILERPLATE = re.compile(
    r"^[ \t]*(Related (?:article|story|content)s?:.*|Advertisement|Supported by|Share this article.*"
    r"|Read more:.*|See also:.*)[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
# A blank-line gap is a paragraph break unless the line before it ends mid-sentence.
SENTENCE_END = re.compile(r"""[.!?:]["'\u201d\u2019)\]]*\s*$""")
# Extraction damage to quotation marks: '' used as ", and a stray ' closing a " quote or vice versa.
DOUBLED_SINGLE = re.compile(r"''|\u2018\u2018|\u2019\u2019")
MIXED_CLOSE = re.compile(r"""'"|"'(?=[\s.,;:!?]|$)""")
# An opening " closed by a lone ' ("legitimate' target): the ' is followed by a space or punctuation.
LONE_SINGLE_CLOSE = re.compile(r"""(?<=")[^"'\n]{1,80}?(')(?=[\s.,;:!?])""")


@dataclass
class Repaired:
    text: str
    offsets: OffsetMap
    notes: list[str]


def repair(original: str) -> Repaired:
    notes: list[str] = []
    text = original.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) != len(original):
        # Offsets must point into what the user supplied; redo from scratch on the raw text.
        text = original
    rw = Rewriter(text)
    pos = 0
    lines = list(re.finditer(r"[^\n]*(?:\n|$)", text))
    prev_content_end: str | None = None
    pending_gap: list[tuple[int, int]] = []
    for m in lines:
        if m.start() == m.end():
            break
        line = m.group(0)
        body = line.rstrip("\n")
        start, end = m.start(), m.end()
        if BOILERPLATE.match(body):
            notes.append(f"dropped boilerplate line: {body.strip()[:60]!r}")
            rw.keep(pos, start)
            rw.replace(start, end, "")
            pos = end
            continue
        if not body.strip():
            pending_gap.append((start, end))
            continue
        if pending_gap:
            gap_start = pending_gap[0][0]
            rw.keep(pos, gap_start)
            if prev_content_end is not None and not SENTENCE_END.search(prev_content_end):
                # a page break inside a sentence: the blank lines are not a paragraph break
                rw.replace(gap_start, start, "")
                notes.append("rejoined a sentence split by blank lines")
            else:
                rw.replace(gap_start, start, "\n\n")
            pos = start
            pending_gap = []
        rw.keep(pos, start)
        pos = start
        # within a paragraph a single newline is a hard wrap
        if line.endswith("\n"):
            rw.keep(start, end - 1)
            rw.replace(end - 1, end, " ")
        else:
            rw.keep(start, end)
        pos = end
        prev_content_end = body
    if pending_gap:
        rw.keep(pos, pending_gap[0][0])
        rw.replace(pending_gap[0][0], len(text), "")
        pos = len(text)
    rw.keep(pos, len(text))
    joined, omap = rw.result()
    # paragraph breaks were emitted as "\n\n" after a line already turned into a space
    return _fix_quotes(joined, omap, notes)


def _fix_quotes(text: str, omap: OffsetMap, notes: list[str]) -> Repaired:
    rw = Rewriter(text)
    pos = 0
    for m in re.finditer(f"{DOUBLED_SINGLE.pattern}|{MIXED_CLOSE.pattern}", text):
        rw.keep(pos, m.start())
        rw.replace(m.start(), m.end(), '"')
        pos = m.end()
        notes.append(f"repaired quotation mark {m.group(0)!r}")
    rw.keep(pos, len(text))
    fixed, inner = rw.result()
    fixed, inner = _close_lone_singles(fixed, inner, notes)
    # compose: fixed -> text -> original
    origin = [omap.origin[i] for i in inner.origin]
    return Repaired(fixed, OffsetMap(origin), notes)


def _close_lone_singles(text: str, omap: OffsetMap, notes: list[str]) -> tuple[str, OffsetMap]:
    if text.count('"') % 2 == 0:
        return text, omap
    rw = Rewriter(text)
    pos = 0
    for m in LONE_SINGLE_CLOSE.finditer(text):
        if text[: m.start()].count('"') % 2 == 0:
            continue  # the " before it closes a quote, so this ' is not its partner
        rw.keep(pos, m.start(1))
        rw.replace(m.start(1), m.end(1), '"')
        pos = m.end(1)
        notes.append("closed a quotation opened with \" and ended with '")
    rw.keep(pos, len(text))
    fixed, inner = rw.result()
    return fixed, OffsetMap([omap.origin[i] for i in inner.origin])
