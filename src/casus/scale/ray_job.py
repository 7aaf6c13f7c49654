"""`casus run --engine ray`: the casus pipeline as a Ray Data job.

read (JSONL lines or Parquet rows, local paths or any fsspec URL) → `map_batches` over an actor
pool, one loaded pipeline per actor (`CasusActor`, a callable class) → Parquet records partitioned
by publication month. Each actor runs `casus.pipeline.run_batch`, the very function the local
engine runs, so the science has one code path.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from casus.scale.records import PARTITION, SCHEMA, document_from_row, to_table

# Reading lines and writing Parquet is light next to parsing; with a whole CPU each, read and write
# tasks would wait forever behind an actor pool that holds every core.
IO_CPUS = 0.0
BLOCK_BYTES = 16 * 2**20  # input bytes per block (~4,000 news articles)


class CasusActor:
    """One loaded casus pipeline per Ray actor; called with a batch of input rows."""

    def __init__(self, model: str | None = None):
        from casus.pipeline import MODEL, load

        self.nlp = load(model or MODEL)

    def __call__(self, batch: pa.Table) -> pa.Table:
        from casus.pipeline import run_batch

        rows = batch.to_pylist()
        documents = [self._document(row, n) for n, row in enumerate(rows, 1)]
        return to_table(run_batch(self.nlp, documents))

    @staticmethod
    def _document(row: dict[str, Any], n: int):  # noqa: ANN205
        from casus.ingest.jsonl import parse_line

        origin = str(row.pop("path", "") or "<ray>")
        if set(row) == {"text"}:  # a raw JSONL line from read_text: parse it like the local reader
            doc = parse_line(row["text"].encode("utf-8"), 0, origin)
            if doc is not None:
                return doc
        return document_from_row(row, n, origin)


def _filesystem(url: str) -> tuple[Any, str]:
    """A pyarrow filesystem for any fsspec URL (s3://, gs://, http://, file://, …); None for plain paths."""
    if "://" not in url:
        return None, url
    import fsspec
    from pyarrow.fs import FSSpecHandler, PyFileSystem

    fs, path = fsspec.core.url_to_fs(url)
    return PyFileSystem(FSSpecHandler(fs)), path


def _blocks(path: str, fs: Any, actors: int) -> int | None:
    """Enough blocks to keep every actor busy: Ray hands whole blocks to actors, and its default
    splits a small file into as few blocks as there are CPUs, leaving actors idle at the tail."""
    if fs is not None:
        return None
    from pathlib import Path

    p = Path(path)
    files = [f for f in p.rglob("*") if f.is_file()] if p.is_dir() else [p] if p.is_file() else []
    size = sum(f.stat().st_size for f in files)
    return max(8 * actors, -(-size // BLOCK_BYTES))


def read(inputs: list[str], actors: int = 1):  # noqa: ANN201
    import ray.data

    datasets = []
    for url in inputs:
        fs, path = _filesystem(url)
        blocks = _blocks(path, fs, actors)
        if path.endswith(".parquet") or (fs is None and _is_parquet_dir(path)):
            datasets.append(ray.data.read_parquet(path, filesystem=fs, num_cpus=IO_CPUS, override_num_blocks=blocks))
        else:
            # Lines, not ray.data.read_json: the JSONL reader's rules (malformed line → error record,
            # metadata keys, ids) then hold on Ray exactly as they do locally.
            datasets.append(ray.data.read_text(path, filesystem=fs, file_extensions=["jsonl", "ndjson", "json"],
                                              num_cpus=IO_CPUS, override_num_blocks=blocks))
    ds = datasets[0]
    return ds.union(*datasets[1:]) if len(datasets) > 1 else ds


def _is_parquet_dir(path: str) -> bool:
    from pathlib import Path

    p = Path(path)
    return p.is_dir() and any(p.rglob("*.parquet")) and not any(p.rglob("*.jsonl"))


def run(inputs: list[str], output: str, address: str | None = None, actors: int | None = None,
        batch_size: int = 32, num_cpus: int | None = None) -> int:
    """Run the job; returns the number of records written. Starts a local cluster when address is None."""
    import logging

    import ray
    import ray.data

    started = not ray.is_initialized()
    if started:
        ray.init(address=address, num_cpus=num_cpus if address is None else None, include_dashboard=False,
                 log_to_driver=False, configure_logging=False)
    ray.data.DataContext.get_current().enable_progress_bars = False
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    try:
        return _job(inputs, output, actors, batch_size)
    finally:
        if started:
            ray.shutdown()


def _job(inputs: list[str], output: str, actors: int | None, batch_size: int) -> int:
    import ray
    import ray.data

    n_actors = actors or max(1, int(ray.cluster_resources().get("CPU", 1)))
    ds = read(inputs, n_actors).map_batches(CasusActor, batch_size=batch_size, batch_format="pyarrow",
                                  compute=ray.data.ActorPoolStrategy(size=n_actors), num_cpus=1)
    fs, path = _filesystem(output)
    # Streaming execution: blocks flow read → actors → files; nothing holds the whole record set.
    ds.write_parquet(path, filesystem=fs, partition_cols=[PARTITION], ray_remote_args={"num_cpus": IO_CPUS})
    import pyarrow.dataset as pads

    return pads.dataset(path, filesystem=fs, format="parquet", partitioning="hive").count_rows()


__all__ = ["SCHEMA", "CasusActor", "read", "run"]
