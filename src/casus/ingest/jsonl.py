"""JSON Lines corpora: one `{"id", "text", …}` object per line, one document per line."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from casus.document import Document
from casus.ingest.errors import failed
from casus.ingest.fields import row_document
from casus.ingest.options import DEFAULT, ReadOptions


def parse_line(raw: bytes, lineno: int, origin: str, options: ReadOptions = DEFAULT) -> Document | None:
    where = f"{origin}:{lineno}"
    if not raw.strip():
        return None
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        line = raw.decode("utf-8", errors="replace")
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return failed(f"line-{lineno}", where, f"malformed JSON line {where}: {exc}")
    if not isinstance(obj, dict):
        return failed(f"line-{lineno}", where, f"line {where} is not an object")
    return row_document(obj, where, f"line-{lineno}", options)


def read_jsonl_lines(lines: Iterable[bytes], origin: str, options: ReadOptions = DEFAULT) -> Iterator[Document]:
    for lineno, raw in enumerate(lines, 1):
        doc = parse_line(raw, lineno, origin, options)
        if doc is not None:
            yield doc
