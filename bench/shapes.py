"""Documents of a given length and shape, for the size benchmark and the records-reference test.

Realistic text is PolNeAR train articles concatenated in file-name order (paragraph breaks between
articles), cut at the requested length. The adversarial shapes are built from it or from nothing:

- `news`       — the concatenated articles as they are;
- `one-line`   — the same words on one line with no sentence ends (no newline, no . ! ? ; :);
- `paragraph`  — the same text as one giant paragraph (every line break a space);
- `quotes`     — only quotation marks (" “ ” '' cycling), one space between marks;
- `quote-run`  — only straight double quotes with no space at all (the issue's 8,500-mark text).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

TRAIN = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "polnear" / "train" / "text"
SHAPES = ("news", "one-line", "paragraph", "quotes", "quote-run")
NEEDS_ARTICLES = {"news", "one-line", "paragraph"}
MARKS = ('"', "\u201c", "\u201d", "''")


@cache
def articles(root: Path = TRAIN) -> tuple[str, ...]:
    return tuple(p.read_text(encoding="utf-8").strip() for p in sorted(root.glob("*.txt")))


def news(size: int, root: Path = TRAIN) -> str:
    parts: list[str] = []
    total = 0
    for text in articles(root):
        parts.append(text)
        total += len(text) + 2
        if total >= size:
            break
    out = "\n\n".join(parts)
    if len(out) < size:  # fewer articles than the size asks for: go round again
        out = "\n\n".join([out] * (size // max(1, len(out)) + 1))
    return out[:size]


def make(shape: str, size: int, root: Path = TRAIN) -> str:
    """A text of exactly `size` characters in the given shape."""
    if shape == "news":
        return news(size, root)
    if shape == "one-line":
        flat = re.sub(r"[.!?;:]", "", news(2 * size + 1000, root))
        return re.sub(r"\s+", " ", flat)[:size]
    if shape == "paragraph":
        return re.sub(r"\s*\n\s*", " ", news(2 * size + 1000, root))[:size]
    if shape == "quotes":
        marks = " ".join(MARKS[i % len(MARKS)] for i in range(size // 2 + 2))
        return marks[:size]
    if shape == "quote-run":
        return '"' * size
    raise ValueError(f"unknown shape {shape!r}; one of {', '.join(SHAPES)}")
