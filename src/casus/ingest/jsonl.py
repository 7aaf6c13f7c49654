"""JSON Lines corpora: one `{"id", "text", …}` object per line, one document per line."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from casus.document import Document
from casus.ingest.decode import utf8_lines
from casus.ingest.errors import failed, warn
from casus.ingest.fields import row_document
from casus.ingest.options import DEFAULT, ReadOptions


def parse_line(raw: bytes, lineno: int, origin: str, options: ReadOptions = DEFAULT) -> Document | None:
    where = f"{origin}:{lineno}"
    if not raw.strip():
        return None
    bad_utf8 = None
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.decode("utf-8", errors="replace")
        bad_utf8 = f"invalid UTF-8 at byte {exc.start} of line {where}; decoded with replacement characters"
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return failed(f"line-{lineno}", where, f"malformed JSON line {where}: {exc}")
    if not isinstance(obj, dict):
        return failed(f"line-{lineno}", where, f"line {where} is not an object")
    doc = row_document(obj, where, f"line-{lineno}", options)
    if bad_utf8:
        warn(doc, bad_utf8)
    return doc


def read_jsonl_lines(lines: Iterable[bytes], origin: str, options: ReadOptions = DEFAULT) -> Iterator[Document]:
    # a byte-order mark names the file's encoding: UTF-16/32 corpora are re-encoded line by line
    for lineno, raw in enumerate(utf8_lines(lines), 1):
        doc = parse_line(raw, lineno, origin, options)
        if doc is not None:
            yield doc
