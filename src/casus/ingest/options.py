"""How readers map corpus columns to documents and how far the URL fetcher may go."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReadOptions:
    """Column names for JSONL/CSV corpora and limits for fetching URLs (CLI: --id-field, …)."""

    id_field: str = "id"
    text_field: str = "text"
    date_field: str = "published"
    url_field: str = "url"
    title_field: str = "title"
    # A news page is well under a megabyte of HTML; ten is generous and still bounds memory.
    max_bytes: int = 10_000_000
    timeout: float = 20.0
    max_redirects: int = 5


DEFAULT = ReadOptions()
