"""Records as Parquet rows: the whole record as a JSON string plus flat columns to filter on.

The JSON column makes the round trip exact (`json.loads(row["record"]) == record`) whatever the
record grows into; the flat columns let DuckDB, Spark or pandas filter and partition without
parsing it. Files are hive-partitioned by publication month: `OUT/month=2025-09/part-….parquet`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from casus.document import Document
from casus.ingest.jsonl import parse_line
from casus.record import is_failed

SCHEMA = pa.schema([
    ("id", pa.string()),
    ("published", pa.string()),
    ("month", pa.string()),
    ("title", pa.string()),
    ("outlet", pa.string()),
    ("url", pa.string()),
    ("n_actors", pa.int32()),
    ("n_quotes", pa.int32()),
    ("n_events", pa.int32()),
    ("n_errors", pa.int32()),
    ("failed", pa.bool_()),
    ("record", pa.string()),
])
PARTITION = "month"
UNKNOWN_MONTH = "unknown"
_MONTH = re.compile(r"^(\d{4})-(\d{2})")


def month_of(published: Any) -> str:
    """`YYYY-MM` of an ISO-like publication date, `unknown` when there is none."""
    m = _MONTH.match(str(published or ""))
    return f"{m[1]}-{m[2]}" if m else UNKNOWN_MONTH


def to_row(record: dict[str, Any]) -> dict[str, Any]:
    meta = record.get("meta") or {}
    published = meta.get("published")
    return {
        "id": record["id"], "published": None if published is None else str(published),
        "month": month_of(published), "title": meta.get("title"), "outlet": meta.get("outlet"),
        "url": meta.get("url"), "n_actors": len(record.get("actors", [])), "n_quotes": len(record.get("quotes", [])),
        "n_events": len(record.get("events", [])), "n_errors": len(record.get("errors", [])),
        "failed": is_failed(record), "record": json.dumps(record, ensure_ascii=False),
    }


def to_table(records: Iterable[dict[str, Any]]) -> pa.Table:
    rows = [to_row(r) for r in records]
    return pa.Table.from_pylist(rows, schema=SCHEMA)


def from_rows(table: pa.Table | pa.RecordBatch) -> Iterator[dict[str, Any]]:
    for text in table.column("record").to_pylist():
        yield json.loads(text)


def document_from_row(row: dict[str, Any], n: int, origin: str) -> Document:
    """A corpus row (JSONL line or Parquet row) as a Document, with the JSONL reader's exact rules."""
    raw = json.dumps({k: v for k, v in row.items() if v is not None}, ensure_ascii=False, default=str)
    doc = parse_line(raw.encode("utf-8"), n, origin)
    assert doc is not None  # only blank lines give None, and a serialised row is never blank
    return doc


def read_parquet_documents(path: str, batch_rows: int = 256) -> Iterator[Document]:
    """Documents from a Parquet corpus (columns id, text, and optional metadata), streamed by batch."""
    import pyarrow.parquet as pq

    files = sorted(Path(path).rglob("*.parquet")) if Path(path).is_dir() else [Path(path)]
    for file in files:
        n = 0
        for batch in pq.ParquetFile(file).iter_batches(batch_size=batch_rows):
            for row in batch.to_pylist():
                n += 1
                yield document_from_row(row, n, str(file))


def read_records(path: str | Path, batch_rows: int = 1024) -> Iterator[dict[str, Any]]:
    """Records back from a Parquet directory (or file) written by `casus run`, streamed by batch."""
    import pyarrow.dataset as ds

    dataset = ds.dataset(str(path), format="parquet", partitioning="hive")
    for batch in dataset.to_batches(columns=["record"], batch_size=batch_rows):
        yield from from_rows(batch)
