"""Map character offsets in a rewritten text back to the text as read.

Every later stage works on the repaired text; records must point at the original. A rewrite is
built left to right from kept slices and replacements, and remembers for each output character
the original index it came from.
"""

from __future__ import annotations


class OffsetMap:
    """`origin[i]` is the original index of output character i; one extra entry marks the end."""

    def __init__(self, origin: list[int]):
        self.origin = origin

    @classmethod
    def identity(cls, n: int) -> OffsetMap:
        return cls(list(range(n + 1)))

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of the output span [start, end)."""
        n = len(self.origin) - 1
        start = min(max(start, 0), n)
        end = min(max(end, start), n)
        if end == start:
            o = self.origin[start]
            return o, o
        return self.origin[start], self.origin[end - 1] + 1

    def to_list(self) -> list[int]:
        return self.origin


class Rewriter:
    """Builds an output string and its OffsetMap from an original string."""

    def __init__(self, original: str):
        self.original = original
        self.parts: list[str] = []
        self.origin: list[int] = []

    def keep(self, start: int, end: int) -> None:
        self.parts.append(self.original[start:end])
        self.origin.extend(range(start, end))

    def replace(self, start: int, end: int, new: str) -> None:
        """Output `new` in place of original[start:end]; its characters point into that range."""
        self.parts.append(new)
        if not new:
            return
        width = max(end - start, 1)
        for k in range(len(new)):
            self.origin.append(min(start + (k * width) // max(len(new), 1), max(end - 1, start)))

    def result(self) -> tuple[str, OffsetMap]:
        text = "".join(self.parts)
        return text, OffsetMap(self.origin + [len(self.original)])
