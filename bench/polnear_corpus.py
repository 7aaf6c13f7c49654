"""PolNeAR train texts with their metadata as casus Documents (for benchmarks and UI fixtures)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from casus.document import Document

POLNEAR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "polnear"


def polnear_documents(limit: int, root: Path = POLNEAR, split: str = "train") -> Iterator[Document]:
    """`limit` articles of a split spread over file-name order (publisher_date_slug), with title/outlet/date."""
    meta: dict[str, dict[str, str]] = {}
    with open(root / "metadata.tsv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            meta[row["filename"]] = row
    files = sorted((root / split / "text").glob("*.txt"))
    # spread over the whole set (it is sorted by outlet) rather than 300 Breitbart stories
    step = max(1, len(files) // max(1, limit))
    for path in files[::step][:limit]:
        m = meta.get(path.stem, {})
        yield Document(id=path.stem, text=path.read_text(encoding="utf-8"), origin=str(path),
                       meta={"title": m.get("title"), "outlet": m.get("publisher"),
                             "published": m.get("publication_date"), "language": "en"})


NEWS = POLNEAR.parent / "news" / "articles"


def distinct_documents(root: Path = POLNEAR) -> list[Document]:
    """Every development article there is: PolNeAR train and dev, and the news set."""
    docs = list(polnear_documents(10_000, root, "train")) + list(polnear_documents(10_000, root, "dev"))
    if NEWS.is_dir():
        from casus.ingest import read_inputs

        docs += list(read_inputs([str(NEWS)]))
    return docs


def corpus(n: int, seed: int = 15) -> tuple[list[Document], int]:
    """`n` documents for memory-over-corpus measurements, and how many of them are distinct articles.

    The distinct articles come first, in a seeded random order; when more are asked for, each further
    document joins paragraphs drawn from different articles (seeded), with one of their dates, so that
    texts, dates and speakers keep changing as they would in a longer corpus.
    """
    import random

    rng = random.Random(seed)
    base = distinct_documents()
    rng.shuffle(base)
    docs = base[:n]
    paragraphs = [(p, d.meta.get("published")) for d in base for p in d.text.split("\n\n") if p.strip()]
    k = 0
    while len(docs) < n:
        picked = rng.sample(paragraphs, rng.randint(6, 24))
        docs.append(Document(id=f"remix-{k}", text="\n\n".join(p for p, _ in picked),
                             meta={"published": picked[0][1], "language": "en"}, origin="remix"))
        k += 1
    return docs, min(n, len(base))
