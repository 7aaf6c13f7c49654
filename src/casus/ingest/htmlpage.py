"""Saved web pages: the article's main text and metadata, via trafilatura and htmldate.

trafilatura does the boilerplate removal (navigation, footers, comments) and reads title, author,
site name and canonical URL; htmldate supplies the *original* publication date, which is what
"on Friday" must be resolved against (a page's last-modified date would shift every event).
The document text is the extracted article, paragraphs separated by blank lines: offsets in the
record point into that text, and `origin` names the page it came from.
"""

from __future__ import annotations

import logging
from typing import Any

from casus.document import Document
from casus.ingest.errors import failed, warn
from casus.ingest.flatten import MAX_DEPTH, flatten
from casus.ingest.text import decode

# trafilatura logs every page it finds too short at WARNING; our error records already say so.
MIN_WORDS = 20

logging.getLogger("trafilatura").setLevel(logging.ERROR)
logging.getLogger("htmldate").setLevel(logging.ERROR)


def _published(html: str, url: str | None) -> str | None:
    from htmldate import find_date

    try:
        return find_date(html, url=url, original_date=True, outputformat="%Y-%m-%d", extensive_search=False)
    except Exception:  # noqa: BLE001 - a date we cannot read is a missing date, not a failed page
        return None


def _extract(html: str, url: str | None) -> Any:
    import trafilatura

    return trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                       include_tables=False)


def parse_html(html: str, doc_id: str, origin: str, url: str | None = None) -> Document:
    try:
        extracted = _extract(html, url)
        text = (extracted.text or "") if extracted is not None else ""
        if len(text.split()) < MIN_WORDS:
            # the parser drops everything below 255 levels of nesting: read a flattened copy
            flat, deepest = flatten(html)
            if deepest > MAX_DEPTH:
                extracted = _extract(flat, url)
                text = (extracted.text or "") if extracted is not None else ""
    except Exception as exc:  # noqa: BLE001 - lxml raises many types on broken markup
        return failed(doc_id, origin, f"HTML could not be parsed: {type(exc).__name__}: {exc}")
    words = len(text.split())
    if words < MIN_WORDS:
        # trafilatura's fallbacks return menus and footers when there is no article; a news story
        # is never this short, so say there is none rather than analyse navigation.
        return failed(doc_id, origin, f"no article text found in the HTML page ({words} words outside "
                      "navigation and boilerplate)")
    # trafilatura puts one paragraph per line; blank lines keep them paragraphs through repair,
    # which treats single newlines as hard wraps.
    paragraphs = [p.strip() for p in text.split("\n") if p.strip()]
    # The headline is in meta.title; left in the text it would repeat the lead's events as a second,
    # verbless "sentence" glued to nothing.
    if len(paragraphs) > 1 and extracted.title and paragraphs[0] == extracted.title.strip():
        paragraphs = paragraphs[1:]
    text = "\n\n".join(paragraphs)
    meta: dict[str, Any] = {"format": "html"}
    for key, attr in (("title", "title"), ("author", "author"), ("outlet", "sitename"), ("url", "url")):
        value = getattr(extracted, attr, None)
        if value:
            meta[key] = value
    meta["published"] = _published(html, url) or extracted.date
    if not meta.get("url") and url:
        meta["url"] = url
    if not meta.get("outlet") and getattr(extracted, "hostname", None):
        meta["outlet"] = extracted.hostname
    meta = {k: v for k, v in meta.items() if v}
    return Document(id=doc_id, text=text, meta=meta, origin=origin)


def read_html_bytes(data: bytes, doc_id: str, origin: str, url: str | None = None) -> Document:
    raw = decode(data, doc_id=doc_id, origin=origin)
    if raw.failed:
        return raw
    doc = parse_html(raw.text, doc_id, origin, url)
    for e in raw.errors:
        warn(doc, e["message"])
    return doc
