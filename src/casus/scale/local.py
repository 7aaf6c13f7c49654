"""The local engine of `casus run`: the worker-process pipeline writing partitioned Parquet records.

The same output layout as the Ray job, so `casus load` and DuckDB read either. It streams: records
are written in row groups as they come, one open file per month.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from casus.document import Document
from casus.scale.records import PARTITION, SCHEMA, read_parquet_documents, to_table


def documents(inputs: list[str]) -> Iterator[Document]:
    from casus.ingest import read_inputs

    for arg in inputs:
        if arg.endswith(".parquet") or (Path(arg).is_dir() and any(Path(arg).rglob("*.parquet"))):
            yield from read_parquet_documents(arg)
        else:
            yield from read_inputs([arg])


def write_partitioned(records: Iterable[dict[str, Any]], output: str | Path, rows_per_group: int = 512) -> int:
    """Write records under `output/month=YYYY-MM/`; returns how many were written."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    out = Path(output)
    writers: dict[str, pq.ParquetWriter] = {}
    it = iter(records)
    n = 0
    try:
        while chunk := list(islice(it, rows_per_group)):
            table = to_table(chunk)
            n += table.num_rows
            for month in sorted(set(table.column(PARTITION).to_pylist())):
                part = table.filter(pc.equal(table.column(PARTITION), month))
                if month not in writers:
                    folder = out / f"{PARTITION}={month}"
                    folder.mkdir(parents=True, exist_ok=True)
                    writers[month] = pq.ParquetWriter(folder / "part-local-0.parquet", SCHEMA.remove(
                        SCHEMA.get_field_index(PARTITION)))
                writers[month].write_table(part.drop_columns([PARTITION]))
    finally:
        for w in writers.values():
            w.close()
    return n
