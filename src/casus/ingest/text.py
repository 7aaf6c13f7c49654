"""Plain text files, with an optional `<stem>.json` sidecar holding metadata (published, title, …)."""

from __future__ import annotations

import json
from pathlib import Path

from casus.document import Document, content_hash
from casus.ingest.decode import decode_bytes

META_KEYS = ("title", "outlet", "url", "published", "language", "author")
MAX_BYTES = 50_000_000


def decode(data: bytes, doc_id: str | None, origin: str) -> Document:
    """Bytes to a Document; binary or empty input becomes an error, bad sequences a warning."""
    doc = Document(id=doc_id or "", text="", origin=origin)
    decoded = decode_bytes(data)
    if decoded.text is None:
        doc.fail("ingest", f"binary file, not text: {origin}")
    elif not decoded.text.strip():
        doc.fail("ingest", f"empty document: {origin}")
    else:
        doc.text = decoded.text
        for message in decoded.warnings:
            doc.errors.append({"stage": "ingest", "level": "warning", "message": message})
    if not doc.id:
        doc.id = content_hash(doc.text)[:16] if doc.text else "empty"
    return doc


def read_sidecar(path: Path) -> tuple[dict, list[dict[str, str]]]:
    side = path.with_suffix(".json")
    if not side.is_file():
        return {}, []
    try:
        data = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return {}, [{"stage": "ingest", "level": "warning", "message": f"unreadable sidecar {side.name}: {exc}"}]
    if not isinstance(data, dict):
        return {}, [{"stage": "ingest", "level": "warning", "message": f"sidecar {side.name} is not an object"}]
    return {k: data[k] for k in META_KEYS if data.get(k) is not None}, []
