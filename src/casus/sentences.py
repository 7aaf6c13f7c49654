"""Sentence bounds of a Doc by token index, computed once: what `Token.sent` answers, in O(1).

spaCy's `Token.sent` / `Span.sent` walk from the token to both sentence boundaries on every call, so
asking once per quote, event or pronoun costs the sentence's length each time: quadratic in a long
sentence (a text of quotation marks parses as one sentence of 20,000 tokens). The same answer comes
from one pass over the `SENT_START` column.
"""

from __future__ import annotations

import bisect

from spacy.attrs import SENT_START
from spacy.tokens import Doc, Span


class Sentences:
    def __init__(self, doc: Doc):
        self.doc = doc
        self._starts: list[int] | None = None
        self._memo: dict[int, Span] = {}

    @property
    def starts(self) -> list[int]:
        """Token index of each sentence start, as `Span.sent` finds them (token 0 always starts one)."""
        if self._starts is None:
            if not self.doc.has_annotation("SENT_START"):
                return self._spacy_starts()
            column = self.doc.to_array([SENT_START]).reshape(-1).astype("int64")
            self._starts = [0] + [int(i) for i in (column[1:] == 1).nonzero()[0] + 1]
        return self._starts

    def _spacy_starts(self) -> list[int]:
        self.doc[0:1].sent  # noqa: B018 - raises spaCy's own error (E030) for a Doc without sentences
        raise AssertionError("unreachable")

    def bounds(self, i: int) -> tuple[int, int]:
        """(start, end) token indices of the sentence holding token i."""
        starts = self.starts
        k = bisect.bisect_right(starts, i) - 1
        return starts[k], starts[k + 1] if k + 1 < len(starts) else len(self.doc)

    def of(self, i: int) -> Span:
        """The sentence holding token i: equal to `doc[i].sent`."""
        start, end = self.bounds(i)
        span = self._memo.get(start)
        if span is None:
            span = self._memo[start] = self.doc[start:end]
        return span

    def before(self, sent: Span) -> Span | None:
        """The sentence before `sent`, or None for the first."""
        return self.of(sent.start - 1) if sent.start > 0 else None
