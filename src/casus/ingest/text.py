"""Plain text files, with an optional `<stem>.json` sidecar holding metadata (published, title, …)."""

from __future__ import annotations

import json
from pathlib import Path

from casus.document import Document, content_hash

META_KEYS = ("title", "outlet", "url", "published", "language", "author")
MAX_BYTES = 50_000_000


def decode(data: bytes, doc_id: str | None, origin: str) -> Document:
    """Bytes to a Document; binary or empty input becomes an error, bad UTF-8 a warning."""
    doc = Document(id=doc_id or "", text="", origin=origin)
    if b"\x00" in data[:8192]:
        doc.fail("ingest", f"binary file, not text: {origin}")
    elif not data.strip():
        doc.fail("ingest", f"empty document: {origin}")
    else:
        try:
            doc.text = data.decode("utf-8-sig") if data.startswith(b"\xef\xbb\xbf") else data.decode("utf-8")
        except UnicodeDecodeError as exc:
            doc.text = data.decode("utf-8", errors="replace")
            doc.errors.append({"stage": "ingest", "level": "warning",
                               "message": f"invalid UTF-8 at byte {exc.start}; decoded with replacement characters"})
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
