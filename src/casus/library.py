"""The one-call Python API: `casus.extract(…)` gives records, `casus.Store(path)` opens a store to query.

    >>> import casus
    >>> record = casus.extract("Iran accused Israel on Monday of attacking its embassy.", published="2024-04-02")
    >>> [(e["type"], e["date"]["value"]) for e in record["events"]]
    [('ACCUSE', '2024-04-01'), ('ASSAULT', '2024-04-01')]

Texts become Documents by the JSONL reader's rules (`ingest.fields.row_document`), so a dict with
`id`, `text`, `published`, `title`, … is read exactly like a corpus line, and a text without an id
gets the same content-hash id as everywhere else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from spacy.language import Language

from casus.document import Document

_NLP: Language | None = None


def _pipeline(nlp: Language | None) -> Language:
    """The caller's pipeline, or one loaded on the first call and kept: loading costs seconds, a call milliseconds."""
    global _NLP
    if nlp is not None:
        return nlp
    if _NLP is None:
        from casus.pipeline import load

        _NLP = load()
    return _NLP


def _document(item: str | Document | Mapping[str, Any], n: int, meta: dict[str, Any]) -> Document:
    from casus.ingest.fields import row_document
    from casus.ingest.options import DEFAULT

    if isinstance(item, Document):
        doc = item
    elif isinstance(item, str):
        doc = row_document({"text": item}, f"text {n}", f"text-{n}", DEFAULT)
    elif isinstance(item, Mapping):
        doc = row_document(dict(item), f"item {n}", f"item-{n}", DEFAULT)
    else:
        raise TypeError(f"casus.extract takes text, a Document or a mapping with 'text', not {type(item).__name__}")
    for key, value in meta.items():  # the call's metadata fills what a document doesn't say itself
        doc.meta.setdefault(key, value)
    return doc


def extract(texts: str | Document | Mapping[str, Any] | Iterable[str | Document | Mapping[str, Any]],
            published: str | dt.date | None = None, *, title: str | None = None, outlet: str | None = None,
            url: str | None = None, language: str | None = None, nlp: Language | None = None,
            batch_size: int = 32, processes: int = 1) -> dict[str, Any] | list[dict[str, Any]]:
    """Records (DESIGN.md §4) for one text or many.

    One text (a string, a `Document`, or a mapping like a JSONL line: `{"id", "text", "published", …}`)
    gives one record; a list or any other iterable gives a list of records in input order. `published`
    (and `title`, `outlet`, `url`, `language`) apply to every text that does not carry its own; relative
    dates ("on Friday") resolve against `published`. A text that can't be analysed (empty, not English)
    gives a record with `errors`, never an exception. `processes` > 1 forks workers for long lists.
    """
    meta = {k: v for k, v in (("published", published.isoformat() if isinstance(published, dt.date) else published),
                              ("title", title), ("outlet", outlet), ("url", url), ("language", language))
            if v is not None}
    one = isinstance(texts, str | Document | Mapping)
    items = [texts] if one else list(texts)  # type: ignore[list-item, arg-type]
    from casus.pipeline import extract as run

    records = list(run((_document(item, n, meta) for n, item in enumerate(items, 1)), nlp=_pipeline(nlp),
                       batch_size=batch_size, n_process=processes))
    return records[0] if one else records
