"""The `Doc._` attributes that casus components read and write.

Values are plain JSON-like data (dicts, lists, strings, numbers) so that docs survive
`nlp.pipe(n_process=…)`, which pickles them between processes. Character offsets stored here are
into `doc.text` (the repaired text); the record builder maps them back to the text as read.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from spacy.tokens import Doc

DOC_ATTRS: dict[str, object] = {
    "casus_id": None,          # document id
    "casus_meta": None,        # metadata dict (published, title, …)
    "casus_offsets": None,     # list[int]: repaired-text index -> original index (len+1 entries)
    "casus_notes": None,       # list[str]: what repair changed, for the record's warnings
    "casus_actors": None,      # dict actor_id -> actor dict
    "casus_mentions": None,    # list of {start, end, actor, via}
    "casus_quotes": None,      # list of quote dicts
    "casus_events": None,      # list of event dicts
    "casus_errors": None,      # list of {stage, message, level} raised inside components
}


TEXT_KEY = "casus_text"


def cache_text(doc: Doc, text: str) -> None:
    """Remember the Doc's text (the repaired text it was made from): `Doc.text` joins every token on
    each access, 0.3 s on a 1M-character document, and each component needs the text."""
    doc.user_data[TEXT_KEY] = text


def doc_text(doc: Doc) -> str:
    """`doc.text`, read once per Doc. Safe to cache: retokenising changes tokens, never the text."""
    text = doc.user_data.get(TEXT_KEY)
    if not isinstance(text, str) or len(text) != _length(doc):  # absent, or another Doc's
        text = doc.text
        doc.user_data[TEXT_KEY] = text
    return text


def _length(doc: Doc) -> int:
    if not len(doc):
        return 0
    last = doc[-1]
    return last.idx + len(last.text_with_ws)


def register() -> None:
    for name, default in DOC_ATTRS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)


def guarded(stage: str) -> Callable[[Callable[[Any, Doc], Doc]], Callable[[Any, Doc], Doc]]:
    """Wrap a component's __call__ so one bad document records an error instead of ending the run.

    spaCy's own error handler drops the failing doc from `nlp.pipe`, which would lose the
    document; we keep it and say what failed.
    """

    def wrap(call: Callable[[Any, Doc], Doc]) -> Callable[[Any, Doc], Doc]:
        @functools.wraps(call)
        def safe(self: Any, doc: Doc) -> Doc:
            try:
                return call(self, doc)
            except Exception as exc:  # noqa: BLE001 - any failure becomes an error record
                errors = list(doc._.casus_errors or [])
                errors.append({"stage": stage, "message": f"{type(exc).__name__}: {exc}", "level": "error"})
                doc._.casus_errors = errors
                return doc

        return safe

    return wrap


register()
