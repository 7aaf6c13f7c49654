"""Local scale-out: worker processes give the same records in the same order, errors stay per document,
and the input is read lazily (bounded read-ahead is what keeps memory flat on a 2 GB corpus)."""

from __future__ import annotations

import itertools

import pytest
from spacy.language import Language

from casus.document import Document
from casus.extensions import guarded
from casus.pipeline import IN_FLIGHT, extract, load

SENTENCES = [
    "Putin threatened Ukraine on Friday, the Kremlin said.",
    "Macron said France would send troops to Kyiv.",
    "Protesters marched in Tbilisi against the government.",
    "The United Nations accused Israel of blocking aid to Gaza.",
    "Zelensky met Biden in Washington to ask for more weapons.",
]


def corpus(n: int) -> list[Document]:
    docs = []
    for i in range(n):
        text = " ".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(1 + i % 3))
        docs.append(Document(id=f"d{i:03d}", text="" if i == 13 else text, meta={"published": "2025-09-05"}))
    docs[13].fail("ingest", "empty document: test")
    return docs


@Language.factory("test_guarded_boom")
def _guarded_boom(nlp: Language, name: str):  # noqa: ANN202
    class Boom:
        @guarded("test_guarded_boom")
        def __call__(self, doc):  # noqa: ANN001, ANN204
            if "EXPLODE" in doc.text:
                raise RuntimeError("guarded component failed")
            return doc

    return Boom()


@Language.factory("test_raw_boom")
def _raw_boom(nlp: Language, name: str):  # noqa: ANN202
    # Not guarded, like a spaCy model component: the exception escapes nlp.pipe for the whole batch.
    def boom(doc):  # noqa: ANN001, ANN202
        if "DETONATE" in doc.text:
            raise ValueError("model component failed")
        return doc

    return boom


def test_workers_give_the_serial_records_in_input_order(nlp):
    serial = list(extract(corpus(40), nlp=nlp, batch_size=4, n_process=1))
    parallel = list(extract(corpus(40), nlp=nlp, batch_size=4, n_process=2))
    assert [r["id"] for r in parallel] == [f"d{i:03d}" for i in range(40)]
    assert parallel == serial
    # the Doc._ extensions made it back from the workers: actors, events and time were filled in
    assert sum(len(r["actors"]) for r in parallel) > 40
    assert any(r["events"] for r in parallel)
    assert parallel[13]["errors"][0]["message"] == "empty document: test"


def test_a_component_error_in_a_worker_is_an_error_record_and_spares_its_batch():
    nlp = load()
    nlp.add_pipe("test_guarded_boom")
    nlp.add_pipe("test_raw_boom")
    docs = corpus(24)
    docs[5].text += " EXPLODE"
    docs[9].text += " DETONATE"
    records = list(extract(docs, nlp=nlp, batch_size=4, n_process=2))
    assert [r["id"] for r in records] == [d.id for d in docs]
    assert [e["stage"] for e in records[5]["errors"]] == ["test_guarded_boom"]
    assert "guarded component failed" in records[5]["errors"][0]["message"]
    assert [e["stage"] for e in records[9]["errors"]] == ["test_raw_boom"]
    assert "ValueError: model component failed" in records[9]["errors"][0]["message"]
    # the documents batched with the failing one (8..11) were re-run alone and are complete
    for i in (8, 10, 11):
        assert records[i]["errors"] == [] and records[i]["actors"], records[i]
    assert records[8] == next(extract([corpus(24)[8]], nlp=nlp))


@pytest.mark.parametrize("n_process", [1, 2])
def test_input_is_read_lazily(nlp, n_process):
    pulled = 0

    def endless():
        nonlocal pulled
        for i in itertools.count():
            pulled += 1
            yield Document(id=f"e{i}", text=SENTENCES[i % len(SENTENCES)])

    batch_size = 4
    first = list(itertools.islice(extract(endless(), nlp=nlp, batch_size=batch_size, n_process=n_process), 6))
    assert [r["id"] for r in first] == [f"e{i}" for i in range(6)]
    # read-ahead is bounded by the batches in flight, not by the input
    assert pulled <= batch_size * (n_process * IN_FLIGHT + 2)


def test_local_run_writes_month_partitions_that_round_trip(tmp_path, nlp):
    import json

    from casus.ingest import read_inputs
    from casus.scale.records import read_records
    from tests.conftest import run_casus

    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps({"id": f"r{i}", "text": s, "published": f"2024-0{1 + i % 2}-03"}) + "\n"
                              for i, s in enumerate(SENTENCES)) + "{bad\n", encoding="utf-8")
    out = tmp_path / "out"
    proc = run_casus("run", str(corpus), str(out))
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["month=2024-01", "month=2024-02", "month=unknown"]
    expected = {r["id"]: r for r in extract(read_inputs([str(corpus)]), nlp=nlp)}
    assert {r["id"]: r for r in read_records(out)} == expected
    again = run_casus("run", str(corpus), str(out))
    assert again.returncode == 1 and "not empty" in again.stderr


def test_workers_exit_when_the_parent_is_killed(tmp_path):
    import json
    import os
    import signal
    import subprocess
    import sys
    import time

    import psutil

    from tests.conftest import ROOT

    corpus = tmp_path / "many.jsonl"
    corpus.write_text("".join(json.dumps({"id": f"k{i}", "text": SENTENCES[i % 5]}) + "\n" for i in range(400)),
                      encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "casus", "extract", "-f", "jsonl", "-p", "2", "--batch-size", "2",
                             str(corpus)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None and proc.stdout.readline()
    workers = psutil.Process(proc.pid).children(recursive=True)
    assert len(workers) == 2
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.time() + 20
    while time.time() < deadline and any(w.is_running() and w.status() != psutil.STATUS_ZOMBIE for w in workers):
        time.sleep(0.2)
    assert not any(w.is_running() and w.status() != psutil.STATUS_ZOMBIE for w in workers)


def test_parquet_corpus_rows_become_the_same_documents_and_records(tmp_path, nlp):
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    from casus.ingest import read_inputs
    from casus.scale.local import documents
    from casus.scale.ray_job import CasusActor
    from casus.scale.records import from_rows

    rows = [{"id": f"p{i}", "text": s, "published": f"2024-03-0{i + 1}", "title": f"t{i}"}
            for i, s in enumerate(SENTENCES)] + [{"id": "blank", "text": " ", "published": None, "title": None}]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "corpus.parquet")
    (tmp_path / "corpus.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    from_parquet = list(documents([str(tmp_path / "corpus.parquet")]))
    from_jsonl = list(read_inputs([str(tmp_path / "corpus.jsonl")]))
    strip = lambda d: (d.id, d.text, d.meta, [e["stage"] for e in d.errors])  # noqa: E731
    assert [strip(d) for d in from_parquet] == [strip(d) for d in from_jsonl]
    assert from_parquet[0].meta == {"published": "2024-03-01", "title": "t0"}

    actor = CasusActor.__new__(CasusActor)  # the Ray actor's batch function, without a cluster
    actor.nlp = nlp
    out = actor(pq.read_table(tmp_path / "corpus.parquet"))
    assert out.column("month").to_pylist() == ["2024-03"] * 5 + ["unknown"]
    by_ray = list(from_rows(out))
    assert by_ray[:5] == list(extract(from_jsonl[:5], nlp=nlp))
    assert by_ray[5]["errors"] and by_ray[5]["id"] == "blank"
