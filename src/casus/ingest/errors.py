"""Small helpers so every reader reports problems the same way."""

from __future__ import annotations

from casus.document import Document


def failed(doc_id: str, origin: str, message: str) -> Document:
    return Document(id=doc_id, text="", origin=origin).fail("ingest", message)


def warn(doc: Document, message: str) -> Document:
    doc.errors.append({"stage": "ingest", "level": "warning", "message": message})
    return doc
