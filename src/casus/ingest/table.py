"""CSV and TSV corpora: one document per row, columns named by ReadOptions (--text-field, …)."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator

from casus.document import Document
from casus.ingest.decode import decode_bytes
from casus.ingest.errors import failed, warn
from casus.ingest.fields import row_document
from casus.ingest.options import DEFAULT, ReadOptions

# Article bodies are longer than csv's default 128 KiB field limit.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def read_table_bytes(data: bytes, origin: str, delimiter: str = ",",
                     options: ReadOptions = DEFAULT) -> Iterator[Document]:
    decoded = decode_bytes(data)
    if decoded.text is None:
        yield failed(origin, origin, f"binary file, not text: {origin}")
        return
    text = decoded.text
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    if not reader.fieldnames or options.text_field not in reader.fieldnames:
        yield failed(origin, origin, f"{origin}: no {options.text_field!r} column (columns: "
                     f"{', '.join(reader.fieldnames or []) or 'none'}); choose one with --text-field")
        return
    try:
        for rowno, row in enumerate(reader, 2):  # row 1 is the header
            doc = row_document(row, f"{origin}:{rowno}", f"row-{rowno}", options)
            for message in decoded.warnings:
                warn(doc, f"{message} (in the file)")
            yield doc
    except csv.Error as exc:
        yield failed(f"row-{reader.line_num}", f"{origin}:{reader.line_num}", f"malformed CSV: {exc}")
