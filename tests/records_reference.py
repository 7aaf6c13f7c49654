"""The fixed corpus whose records must not change when casus gets faster, and its stored reference.

Corpus: the bundled examples, the 84 PolNeAR dev articles (with their dates and outlets), the 54
news articles, and one document of each size-benchmark shape (`bench/shapes.py`) short enough to
stay a single parsing window. The reference (`tests/data/records-reference.jsonl.gz`, records
without their `text`) was written with the code at the branch point of issue 15, before the
speed-ups; `tests/test_records_reference.py` compares today's records with it.

A change that is meant to change records (a better events model, a new field) regenerates it:

    .venv/bin/python -m tests.records_reference --write
"""

from __future__ import annotations

import argparse
import gzip
import json
from collections.abc import Iterator
from typing import Any

from tests.conftest import EXAMPLES, ROOT, SHARED_DATA

REFERENCE = ROOT / "tests" / "data" / "records-reference.jsonl.gz"
NEWS = SHARED_DATA / "news" / "articles"
# (shape, characters): each under the parsing window, so a long-document change cannot move them
SHAPED = [("news", 30_000), ("one-line", 30_000), ("paragraph", 30_000), ("quotes", 6_000), ("quote-run", 3_000)]


def available() -> bool:
    return (SHARED_DATA / "polnear" / "dev" / "text").is_dir() and NEWS.is_dir()


def corpus() -> Iterator[Any]:
    from bench.polnear_corpus import POLNEAR, polnear_documents
    from bench.shapes import make
    from casus.document import Document
    from casus.ingest import read_inputs

    yield from read_inputs([str(EXAMPLES)])
    yield from polnear_documents(10_000, POLNEAR, split="dev")
    yield from read_inputs([str(NEWS)])
    for shape, size in SHAPED:
        yield Document(id=f"shape-{shape}-{size}", text=make(shape, size), meta={"published": "2016-10-01"})


def comparable(record: dict[str, Any]) -> dict[str, Any]:
    """The record without its text (the corpus holds that), as a canonical JSON round trip."""
    return json.loads(json.dumps({k: v for k, v in record.items() if k != "text"}, sort_keys=True))


def current(nlp: Any = None) -> list[dict[str, Any]]:
    from casus.pipeline import extract

    return [comparable(r) for r in extract(corpus(), nlp=nlp, batch_size=16, n_process=1)]


def stored() -> list[dict[str, Any]]:
    with gzip.open(REFERENCE, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def write(records: list[dict[str, Any]]) -> None:
    REFERENCE.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(REFERENCE, "wt", encoding="utf-8", compresslevel=9) as fh:
        for r in records:
            fh.write(json.dumps(r, sort_keys=True, ensure_ascii=False) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--write", action="store_true", help="write the reference from the current code")
    args = ap.parse_args()
    if not available():
        raise SystemExit(f"the corpus needs {SHARED_DATA}/polnear/dev and {NEWS}")
    records = current()
    if args.write:
        write(records)
        print(f"{len(records)} records -> {REFERENCE} ({REFERENCE.stat().st_size:,} bytes)")
        return
    ref = stored()
    diff = [r["id"] for r, s in zip(records, ref, strict=False) if r != s]
    print(f"{len(records)} records, {len(ref)} in the reference, {len(diff)} differ: {diff[:10]}")


if __name__ == "__main__":
    main()
