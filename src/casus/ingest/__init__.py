"""Ingest: turn paths, directories, globs and stdin into `Document`s, one error record per bad input.

Readers are chosen by file suffix; each yields Documents and never raises on bad content.
"""

from __future__ import annotations

import glob
import itertools
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from casus.document import Document
from casus.ingest.jsonl import read_jsonl_lines
from casus.ingest.text import decode, read_text_file

READERS = {".txt": read_text_file, ".md": read_text_file, ".text": read_text_file}
CORPUS_READERS = {".jsonl": read_jsonl_lines, ".ndjson": read_jsonl_lines}
SUPPORTED = set(READERS) | set(CORPUS_READERS)


def _files(arg: str) -> Iterator[Path]:
    path = Path(arg)
    if path.is_dir():
        for p in sorted(path.rglob("*")):
            if p.is_file() and p.suffix.lower() in SUPPORTED:
                yield p
    elif path.exists() or not glob.has_magic(arg):
        yield path
    else:
        for p in sorted(glob.glob(arg, recursive=True)):
            yield from _files(p)


def read_path(path: Path) -> Iterator[Document]:
    suffix = path.suffix.lower()
    if not path.exists():
        yield Document(id=path.stem or str(path), text="", origin=str(path)).fail("ingest", f"no such file: {path}")
        return
    if suffix in CORPUS_READERS:
        try:
            fh = open(path, "rb")
        except OSError as exc:
            yield Document(id=path.stem, text="", origin=str(path)).fail("ingest", f"cannot read {path}: {exc}")
            return
        with fh:
            yield from CORPUS_READERS[suffix](fh, origin=str(path))
        return
    # Anything else is read as text: decoding and the binary check say if it is not.
    yield READERS.get(suffix, read_text_file)(path)


def read_stdin() -> Iterator[Document]:
    # JSONL on stdin is streamed line by line (constant memory on any size); plain text is one document.
    stream = sys.stdin.buffer
    head: list[bytes] = []
    for line in stream:
        head.append(line)
        if line.strip():
            break
    if b"".join(head).lstrip()[:1] == b"{":
        yield from read_jsonl_lines(itertools.chain(head, stream), origin="<stdin>")
    else:
        yield decode(b"".join(head) + stream.read(), doc_id=None, origin="<stdin>")


def read_inputs(args: Iterable[str]) -> Iterator[Document]:
    """Documents from every argument in order: files, directories (recursive), globs, `-` for stdin."""
    for arg in args:
        if arg == "-":
            yield from read_stdin()
            continue
        for path in _files(arg):
            yield from read_path(path)
