"""Fetch a URL with httpx, within limits, and hand the body to the reader its content type names.

Limits: a connect/read timeout, a maximum body size (checked on Content-Length and while
streaming, so a huge or endless body is cut off, not buffered), a bounded number of redirects,
and an allow-list of content types. Every failure is one error record naming the URL and reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from casus import __version__
from casus.document import Document
from casus.ingest.errors import failed
from casus.ingest.options import ReadOptions

USER_AGENT = f"casus/{__version__} (+news event extraction)"
ACCEPT = "text/html, application/xhtml+xml, application/pdf, application/rss+xml, application/atom+xml, " \
         "application/xml;q=0.9, text/xml;q=0.9, text/plain;q=0.8"
KINDS = {
    "text/html": "html", "application/xhtml+xml": "html",
    "application/pdf": "pdf",
    "application/rss+xml": "feed", "application/atom+xml": "feed", "application/rdf+xml": "feed",
    "application/xml": "xml", "text/xml": "xml",
    "text/plain": "text", "text/markdown": "text",
}


class FetchError(Exception):
    pass


@dataclass
class Fetched:
    url: str
    kind: str
    body: bytes


def url_id(url: str) -> str:
    tail = url.rstrip("/").rsplit("/", 1)[-1].split("?")[0]
    return tail.rsplit(".", 1)[0] or url


def fetch(url: str, timeout: float, max_bytes: int, max_redirects: int = 5) -> Fetched:
    import httpx

    try:
        with httpx.Client(follow_redirects=True, max_redirects=max_redirects, timeout=timeout,
                          headers={"User-Agent": USER_AGENT, "Accept": ACCEPT}) as client:
            with client.stream("GET", url) as resp:
                if resp.status_code >= 400:
                    raise FetchError(f"HTTP {resp.status_code} {resp.reason_phrase}")
                ctype = resp.headers.get("content-type", "").split(";")[0].strip().lower()
                kind = KINDS.get(ctype)
                if kind is None:
                    raise FetchError(f"unsupported content type {ctype or 'none'!r}")
                declared = resp.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > max_bytes:
                    raise FetchError(f"body too large ({int(declared):,} bytes; limit {max_bytes:,})")
                chunks, size = [], 0
                for chunk in resp.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise FetchError(f"body too large (over {max_bytes:,} bytes)")
                    chunks.append(chunk)
                return Fetched(str(resp.url), kind, b"".join(chunks))
    except httpx.TimeoutException as exc:
        raise FetchError(f"timed out after {timeout:g} s ({type(exc).__name__})") from exc
    except httpx.TooManyRedirects as exc:
        raise FetchError(f"more than {max_redirects} redirects") from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"{type(exc).__name__}: {exc}") from exc


def read_url(url: str, options: ReadOptions) -> Iterator[Document]:
    from casus.ingest.feed import read_feed_bytes
    from casus.ingest.htmlpage import read_html_bytes
    from casus.ingest.pdf import read_pdf_bytes
    from casus.ingest.text import decode

    doc_id = url_id(url)
    try:
        got = fetch(url, options.timeout, options.max_bytes, options.max_redirects)
    except FetchError as exc:
        yield failed(doc_id, url, f"cannot fetch {url}: {exc}")
        return
    kind = got.kind
    if kind == "xml":
        head = got.body[:2048].lower()
        kind = "feed" if (b"<rss" in head or b"<feed" in head or b"<rdf" in head) else "html"
    if kind == "feed":
        yield from read_feed_bytes(got.body, origin=url, url=got.url)
        return
    if kind == "pdf":
        doc = read_pdf_bytes(got.body, doc_id, url)
    elif kind == "html":
        doc = read_html_bytes(got.body, doc_id, url, url=got.url)
    else:
        doc = decode(got.body, doc_id=doc_id, origin=url)
    if not doc.failed:
        doc.meta.setdefault("url", got.url)
    yield doc
