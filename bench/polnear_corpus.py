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
