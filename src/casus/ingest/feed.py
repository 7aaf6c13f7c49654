"""RSS and Atom feeds (feedparser): one document per entry, from the entry's own content.

An entry's text is its full content when the feed carries it, else its summary; a link is kept as
`meta.url` so an analyst can fetch the page itself (`casus extract URL`). Broken entries become
error records; a feed that cannot be parsed at all is one error record.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from casus.document import Document, content_hash
from casus.ingest.errors import failed, warn

BLOCKS = {"p", "div", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "tr", "br"}


def fragment_text(fragment: str) -> str:
    """Text of an HTML fragment, one paragraph per block element."""
    if "<" not in fragment:
        return fragment.strip()
    import lxml.html

    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except Exception:  # noqa: BLE001 - lxml raises several types on junk
        return ""
    parts: list[str] = []
    current: list[str] = []
    for event, el in _walk(root):
        if event == "text":
            current.append(el)
        elif current and "".join(current).strip():
            parts.append(" ".join("".join(current).split()))
            current = []
        else:
            current = []
    if "".join(current).strip():
        parts.append(" ".join("".join(current).split()))
    return "\n\n".join(parts)


def _walk(el: Any) -> Iterator[tuple[str, Any]]:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in ("script", "style"):
        if el.tail:
            yield "text", el.tail
        return
    if tag in BLOCKS:
        yield "break", None
    if el.text:
        yield "text", el.text
    for child in el:
        yield from _walk(child)
    if tag in BLOCKS:
        yield "break", None
    if el.tail:
        yield "text", el.tail


def _date(entry: Any) -> str | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            return time.strftime("%Y-%m-%d", value)
    return None


def read_feed_bytes(data: bytes, origin: str, url: str | None = None) -> Iterator[Document]:
    import feedparser

    parsed = feedparser.parse(data)
    outlet = (parsed.feed.get("title") or "").strip() or None
    if not parsed.entries:
        reason = f": {parsed.bozo_exception}" if parsed.bozo else ""
        yield failed(origin, origin, f"not a feed or a feed without entries{reason}")
        return
    for n, entry in enumerate(parsed.entries, 1):
        where = f"{origin}#{n}"
        contents = [c.get("value", "") for c in entry.get("content", []) if c.get("value")]
        body = fragment_text(max(contents, key=len)) if contents else ""
        if not body:
            body = fragment_text(entry.get("summary", "") or "")
        title = " ".join((entry.get("title") or "").split()) or None
        doc_id = str(entry.get("id") or entry.get("link") or "") or None
        if not body.strip():
            yield failed(doc_id or f"entry-{n}", where, f"feed entry {n} ({title or 'untitled'}) has no text")
            continue
        link = entry.get("link") or ""
        # feedparser turns a permalink <guid> into the link even when it is not a URL
        url = link if link.startswith(("http://", "https://")) else None
        meta = {"format": "feed", "title": title, "url": url, "published": _date(entry),
                "outlet": outlet, "author": entry.get("author")}
        doc = Document(id=doc_id or content_hash(body)[:16], text=body,
                       meta={k: v for k, v in meta.items() if v}, origin=where)
        if parsed.bozo and n == 1:
            warn(doc, f"feed is not well-formed ({type(parsed.bozo_exception).__name__}); read what could be")
        yield doc
