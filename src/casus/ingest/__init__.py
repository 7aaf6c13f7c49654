"""Ingest: turn paths, directories, globs, URLs and stdin into `Document`s, one error record per bad input.

Readers are chosen by file suffix (a URL's by its content type); each yields Documents and never
raises on bad content. A `<stem>.json` sidecar next to any single-document file adds metadata.
"""

from __future__ import annotations

import glob
import itertools
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from casus.document import Document
from casus.ingest.decode import sniff
from casus.ingest.errors import failed
from casus.ingest.options import DEFAULT, ReadOptions
from casus.ingest.text import MAX_BYTES, decode, read_sidecar

TEXT = {".txt", ".md", ".text"}
HTML = {".html", ".htm", ".xhtml"}
PDF = {".pdf"}
FEEDS = {".rss", ".atom", ".xml"}
JSONL = {".jsonl", ".ndjson"}
TABLES = {".csv": ",", ".tsv": "\t"}
SUPPORTED = TEXT | HTML | PDF | FEEDS | JSONL | set(TABLES)

__all__ = ["ReadOptions", "SUPPORTED", "read_inputs", "read_path", "read_stdin"]


def is_url(arg: str) -> bool:
    return arg.startswith(("http://", "https://"))


def _walk(root: Path) -> Iterator[Path | Document]:
    """Supported files under `root`, sorted; a directory that cannot be listed is an error record."""
    found: list[Path] = []
    unreadable: list[Document] = []

    def fail(exc: OSError) -> None:
        where = exc.filename or str(root)
        unreadable.append(failed(Path(where).name or where, str(where),
                                 f"cannot read directory {where}: {exc.strerror or exc}"))

    for dirpath, _dirs, names in os.walk(root, onerror=fail):
        for name in names:
            p = Path(dirpath, name)
            # a .json next to a document is its sidecar, not a document
            if p.suffix.lower() in SUPPORTED and not name.startswith(".") and p.is_file():
                found.append(p)
    yield from unreadable
    yield from sorted(found)


def _files(arg: str) -> Iterator[Path | Document]:
    path = Path(arg)
    if path.is_dir():
        yield from _walk(path)
    elif path.exists() or not glob.has_magic(arg):
        yield path
    else:
        for p in sorted(glob.glob(arg, recursive=True)):
            yield from _files(p)


def _single(path: Path, data: bytes, suffix: str) -> Document:
    origin = str(path)
    if suffix in HTML:
        from casus.ingest.htmlpage import read_html_bytes

        doc = read_html_bytes(data, path.stem, origin)
    elif suffix in PDF:
        from casus.ingest.pdf import read_pdf_bytes

        doc = read_pdf_bytes(data, path.stem, origin)
    else:
        # Anything else is read as text: decoding and the binary check say if it is not.
        doc = decode(data, doc_id=path.stem, origin=origin)
    meta, warnings = read_sidecar(path)
    doc.meta.update(meta)
    doc.errors.extend(warnings)
    return doc


def read_path(path: Path, options: ReadOptions = DEFAULT) -> Iterator[Document]:
    suffix = path.suffix.lower()
    if suffix in JSONL:
        # a corpus of any size is streamed line by line: memory stays flat on a 2 GB file
        from casus.ingest.jsonl import read_jsonl_lines

        try:
            fh = open(path, "rb")
        except FileNotFoundError:
            yield failed(path.stem or str(path), str(path), f"no such file: {path}")
            return
        except OSError as exc:
            yield failed(path.stem or str(path), str(path), f"cannot read {path}: {exc}")
            return
        with fh:
            yield from read_jsonl_lines(fh, origin=str(path), options=options)
        return
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            yield failed(path.stem, str(path), f"file too large ({size:,} bytes; limit {MAX_BYTES:,})")
            return
        data = path.read_bytes()
    except FileNotFoundError:
        yield failed(path.stem or str(path), str(path), f"no such file: {path}")
        return
    except OSError as exc:
        yield failed(path.stem or str(path), str(path), f"cannot read {path}: {exc}")
        return
    if suffix in TABLES:
        from casus.ingest.table import read_table_bytes

        yield from read_table_bytes(data, str(path), TABLES[suffix], options)
    elif suffix in FEEDS:
        from casus.ingest.feed import read_feed_bytes

        yield from read_feed_bytes(data, origin=str(path))
    else:
        yield _single(path, data, suffix)


def read_stdin(options: ReadOptions = DEFAULT) -> Iterator[Document]:
    # JSONL on stdin is streamed line by line (constant memory on any size); plain text is one document.
    stream = sys.stdin.buffer
    head: list[bytes] = []
    for line in stream:
        head.append(line)
        if line.strip():
            break
    first = b"".join(head)
    encoding, skip = sniff(first) or ("utf-8", 0)
    if first[skip:].decode(encoding, errors="replace").lstrip()[:1] == "{":
        from casus.ingest.jsonl import read_jsonl_lines

        yield from read_jsonl_lines(itertools.chain(head, stream), origin="<stdin>", options=options)
    else:
        yield decode(b"".join(head) + stream.read(), doc_id=None, origin="<stdin>")


def read_inputs(args: Iterable[str], options: ReadOptions | None = None) -> Iterator[Document]:
    """Documents from every argument in order: files, directories (recursive), globs, URLs, `-` for stdin."""
    options = options or DEFAULT
    for arg in args:
        if arg == "-":
            yield from read_stdin(options)
        elif is_url(arg):
            from casus.ingest.fetch import read_url

            yield from read_url(arg, options)
        else:
            for path in _files(arg):
                if isinstance(path, Document):
                    yield path
                else:
                    yield from read_path(path, options)
