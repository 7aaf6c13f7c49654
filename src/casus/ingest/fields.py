"""Turn one corpus row (a JSONL object or a CSV row) into a Document, by the configured columns."""

from __future__ import annotations

from typing import Any

from casus.document import Document, content_hash
from casus.ingest.errors import failed
from casus.ingest.options import ReadOptions
from casus.ingest.text import META_KEYS


def row_document(row: dict[str, Any], where: str, fallback_id: str, options: ReadOptions) -> Document:
    text = row.get(options.text_field)
    raw_id = row.get(options.id_field)
    doc_id = str(raw_id) if raw_id not in (None, "") else None
    if not isinstance(text, str) or not text.strip():
        return failed(doc_id or fallback_id, where, f"{where} has no text (column {options.text_field!r})")
    meta = {k: row[k] for k in META_KEYS if row.get(k) not in (None, "")}
    for key, column in (("published", options.date_field), ("url", options.url_field),
                        ("title", options.title_field)):
        if row.get(column) not in (None, ""):
            meta[key] = row[column]
    if isinstance(row.get("meta"), dict):
        meta.update({k: v for k, v in row["meta"].items() if v is not None})
    return Document(id=doc_id or content_hash(text)[:16], text=text, meta=meta, origin=where)
