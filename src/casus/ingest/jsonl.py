"""JSON Lines corpora: one `{"id", "text", …}` object per line, one document per line."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from casus.document import Document, content_hash
from casus.ingest.text import META_KEYS


def parse_line(raw: bytes, lineno: int, origin: str) -> Document | None:
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
        return Document(id=f"line-{lineno}", text="", origin=where).fail(
            "ingest", f"malformed JSON line {where}: {exc}")
    if not isinstance(obj, dict):
        return Document(id=f"line-{lineno}", text="", origin=where).fail("ingest", f"line {where} is not an object")
    text = obj.get("text")
    doc_id = str(obj["id"]) if obj.get("id") is not None else None
    if not isinstance(text, str) or not text.strip():
        return Document(id=doc_id or f"line-{lineno}", text="", origin=where).fail(
            "ingest", f"line {where} has no text")
    meta = {k: obj[k] for k in META_KEYS if obj.get(k) is not None}
    if isinstance(obj.get("meta"), dict):
        meta.update({k: v for k, v in obj["meta"].items() if v is not None})
    return Document(id=doc_id or content_hash(text)[:16], text=text, meta=meta, origin=where)


def read_jsonl_lines(lines: Iterable[bytes], origin: str) -> Iterator[Document]:
    for lineno, raw in enumerate(lines, 1):
        doc = parse_line(raw, lineno, origin)
        if doc is not None:
            yield doc
