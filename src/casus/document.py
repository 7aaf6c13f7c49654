"""The unit of work between ingest and the pipeline: one document as read, plus what went wrong."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from casus.textsafe import scrub, scrub_value, warning


@dataclass
class Document:
    id: str
    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)
    origin: str = ""

    def __post_init__(self) -> None:
        # Every reader makes its documents here, so this is where text that cannot be encoded (a JSON
        # "\ud800" escape) is made safe, once, before anything hashes, stores or prints it.
        self.text, n_text = scrub(self.text)
        self.id, n_id = scrub(self.id)
        self.meta, n_meta = scrub_value(self.meta)
        for n, where in ((n_text, "the text"), (n_id, "the id"), (n_meta, "the metadata")):
            if n:
                self.errors.append(warning(n, where))

    def fail(self, stage: str, message: str) -> Document:
        self.errors.append({"stage": stage, "message": message})
        return self

    @property
    def failed(self) -> bool:
        """A document is failed when there is no text left to analyse, or an error says not to analyse it
        (e.g. a non-English document keeps its text for the store but is not analysed)."""
        return not self.text.strip() or any(e.get("level", "error") == "error" for e in self.errors)


def content_hash(text: str) -> str:
    """Identity of an article for idempotent ingest: whitespace differences don't make a new article.

    Text with lone surrogates hashes as its scrubbed form, which is the form a Document stores.
    """
    normalised = scrub(" ".join(text.split()))[0]
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()
