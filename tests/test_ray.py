"""`casus run --engine ray` on a real local Ray cluster gives the local pipeline's records; `casus load`
stores them idempotently; DuckDB reads the Parquet in place."""

from __future__ import annotations

import json
import re

import duckdb

from casus.ingest import read_inputs
from casus.pipeline import extract
from casus.scale.records import read_records
from casus.store import Store
from tests.conftest import SEED, run_casus
from tests.test_scale import SENTENCES


def _corpus(path):
    rows = [{"id": "seed", "text": SEED.read_text(encoding="utf-8"), "published": "2025-09-05"}]
    rows += [{"id": f"s{i}", "text": s, "published": f"2025-{9 + i % 2:02d}-1{i}"} for i, s in enumerate(SENTENCES)]
    rows.append({"text": "Georgia's president accused Russia of meddling.", "title": "no id, no date"})
    rows.append({"id": "empty", "text": ""})
    lines = [json.dumps(r) for r in rows] + ["{not json"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _without_location(record: dict) -> dict:
    # The Ray reader sees lines, not line numbers: only an error's "file:line" differs.
    errors = [{**e, "message": re.sub(r"\S+:\d+", "<where>", e["message"])} for e in record["errors"]]
    return {**record, "id": "line" if record["id"].startswith("line-") else record["id"], "errors": errors}


def test_ray_job_equals_local_pipeline_then_loads_and_queries(tmp_path, nlp):
    corpus = _corpus(tmp_path / "corpus.jsonl")
    out = tmp_path / "records"
    proc = run_casus("run", "--engine", "ray", "--processes", "2", "--batch-size", "3",
                     f"file://{corpus}", str(out))
    assert proc.returncode == 0, proc.stderr[-3000:]

    local = {r["id"]: r for r in map(_without_location, extract(read_inputs([str(corpus)]), nlp=nlp))}
    on_ray = {r["id"]: r for r in map(_without_location, read_records(out))}
    assert len(local) == 9 and set(on_ray) == set(local)
    for key, record in local.items():
        assert on_ray[key] == record, key
    assert on_ray["seed"]["events"] and on_ray["seed"]["quotes"]

    assert sorted(p.name for p in out.iterdir()) == ["month=2025-09", "month=2025-10", "month=unknown"]
    months = dict(duckdb.sql(
        f"SELECT month, count(*) FROM read_parquet('{out}/**/*.parquet', hive_partitioning = true) GROUP BY month"
    ).fetchall())
    assert months == {"2025-09": 4, "2025-10": 2, "unknown": 3}

    db = tmp_path / "loaded.duckdb"
    first = run_casus("load", str(out), "--db", str(db), check=True)
    again = run_casus("load", str(out), "--db", str(db), check=True)
    assert "9 records read, 7 new documents" in first.stderr
    assert "9 records read, 0 new documents" in again.stderr
    with Store(db, read_only=True) as store:
        assert store.summary()["documents"] == 7
        assert store.summary()["events"] == sum(len(r["events"]) for r in local.values())
