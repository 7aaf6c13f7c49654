"""Looking up the actor mentions of a document by character span or token, without scanning them all.

`doc._.casus_mentions` is sorted by start. The index kept in `doc.user_data` (rebuilt when the
mention list changes) holds the sorted starts and the running maximum of the ends, so a span query
bisects to the few mentions that can overlap it; a per-token array answers "which mention covers
token i". Both cost O(log n) or O(1) per call instead of O(mentions) (issue 15 measured the scan as
a quadratic hot spot on long articles).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Any

from spacy.tokens import Doc

INDEX_KEY = "casus_mention_index"


def _index(doc: Doc) -> tuple[list[dict[str, Any]], list[int], list[int], list[int]]:
    mentions = doc._.casus_mentions or []
    cached = doc.user_data.get(INDEX_KEY)
    if cached is not None and cached[0] == (id(mentions), len(mentions)):
        return mentions, cached[1], cached[2], cached[3]
    order = sorted(range(len(mentions)), key=lambda k: (mentions[k]["start"], mentions[k]["end"]))
    if order != list(range(len(mentions))):
        mentions.sort(key=lambda m: (m["start"], m["end"]))
    starts = [m["start"] for m in mentions]
    reach, top = [], -1
    for m in mentions:
        top = max(top, m["end"])
        reach.append(top)
    by_token = [-1] * len(doc)
    for k, m in enumerate(mentions):
        for i in range(m.get("tok", 0), min(m.get("tok_end", 0), len(doc))):
            if by_token[i] < 0 or m["end"] - m["start"] < mentions[by_token[i]]["end"] - mentions[by_token[i]]["start"]:
                by_token[i] = k  # the tightest mention over the token
    doc.user_data[INDEX_KEY] = ((id(mentions), len(mentions)), starts, reach, by_token)
    return mentions, starts, reach, by_token


def mentions_overlapping(doc: Doc, start: int, end: int) -> list[dict[str, Any]]:
    """Every mention that shares a character with [start, end)."""
    mentions, starts, reach, _ = _index(doc)
    lo = bisect_right(reach, start)  # mentions before lo all end at or before `start`
    hi = bisect_left(starts, end)  # mentions from hi on all start at or after `end`
    return [m for m in mentions[lo:hi] if m["end"] > start]


def mention_on(doc: Doc, i: int) -> dict[str, Any] | None:
    """The (tightest) mention covering token i, or None."""
    mentions, _, _, by_token = _index(doc)
    k = by_token[i] if 0 <= i < len(by_token) else -1
    return mentions[k] if k >= 0 else None


def mention_at(doc: Doc, start: int, end: int) -> dict[str, Any] | None:
    """The actor mention that best stands for the character span [start, end) of doc.text: the one
    on the span's head word ("Iran, a major supporter of Hamas" is Iran), else the one overlapping
    it most, the tightest on a tie; a state named as a location ("the U.N.'s force in Lebanon") last."""
    cands = mentions_overlapping(doc, start, end)
    if not cands:
        return None
    if len(cands) > 1:
        span = doc.char_span(start, end, alignment_mode="expand")
        head = mention_on(doc, span.root.i) if span is not None and len(span) else None
        if head is not None and head in cands:
            return head
    return max(cands, key=lambda m: (not m.get("locative"), min(end, m["end"]) - max(start, m["start"]),
                                     -(m["end"] - m["start"])))
