"""Bytes to text: UTF-8, UTF-16 and UTF-32, with or without a byte-order mark; bad sequences replaced.

A byte-order mark names the encoding. Without one, UTF-16 and UTF-32 text in a Latin script shows
as zero bytes in fixed positions (the high bytes of ASCII code units), which is how Notepad-style
"Unicode" files and exports from Windows tools look; anything else is read as UTF-8. Invalid
sequences are replaced with U+FFFD and reported as a warning; only bytes that are neither (zero
bytes in no text pattern) count as binary.
"""

from __future__ import annotations

import codecs
import io
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

# longest first: the UTF-32 LE mark starts with the UTF-16 LE one
BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
SNIFF = 4096  # bytes looked at to recognise BOM-less UTF-16/32
# share of the code units whose high bytes are zero: well above this for English in UTF-16, and far
# below it where zero bytes in binary data fall at random
ZERO_SHARE = 0.6
STRAY_SHARE = 0.05  # zero bytes tolerated in the positions that text keeps non-zero


@dataclass
class Decoded:
    text: str | None  # None: binary, not text
    encoding: str
    warnings: list[str] = field(default_factory=list)


def _share_zero(head: bytes, step: int, offset: int) -> float:
    units = head[offset::step]
    return units.count(0) / len(units) if units else 0.0


def sniff(data: bytes) -> tuple[str, int] | None:
    """(encoding, length of its byte-order mark), or None when the bytes look like neither UTF-16 nor 32."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    head = data[:SNIFF]
    if b"\x00" not in head:
        return None
    head32 = head[: len(head) - len(head) % 4]
    if len(head32) >= 4:
        z = [_share_zero(head32, 4, i) for i in range(4)]
        if min(z[1], z[2], z[3]) > ZERO_SHARE and z[0] < STRAY_SHARE:
            return "utf-32-le", 0
        if min(z[0], z[1], z[2]) > ZERO_SHARE and z[3] < STRAY_SHARE:
            return "utf-32-be", 0
    head16 = head[: len(head) - len(head) % 2]
    if len(head16) >= 2:
        even, odd = _share_zero(head16, 2, 0), _share_zero(head16, 2, 1)
        if odd > ZERO_SHARE and even < STRAY_SHARE:
            return "utf-16-le", 0
        if even > ZERO_SHARE and odd < STRAY_SHARE:
            return "utf-16-be", 0
    return None


def decode_bytes(data: bytes) -> Decoded:
    found = sniff(data)
    if found is None:
        if b"\x00" in data[:SNIFF]:
            return Decoded(None, "binary")
        encoding, skip = "utf-8", 0
    else:
        encoding, skip = found
    body = data[skip:]
    try:
        return Decoded(body.decode(encoding), encoding)
    except UnicodeDecodeError as exc:
        text = body.decode(encoding, errors="replace")
        where = exc.start + skip
        name = "UTF-8" if encoding == "utf-8" else encoding.upper()
        return Decoded(text, encoding, [f"invalid {name} at byte {where}; decoded with replacement characters"])


def utf8_lines(stream: io.BufferedIOBase | Iterable[bytes], head: bytes = b"") -> Iterator[bytes]:
    """The lines of a byte stream as UTF-8, whatever Unicode encoding its byte-order mark names.

    JSONL is streamed line by line; a UTF-16/32 file is re-encoded on the way (its newlines are not
    single bytes), a UTF-8 mark is dropped so the first line parses as JSON. `head` holds bytes
    already read from the stream.
    """
    it = iter(stream)
    while len(head) < 4:
        more = next(it, b"")
        if not more:
            break
        head += more
    found = sniff(head) if head[:4].startswith(tuple(b for b, _ in BOMS)) else None
    if found is None or found[0] == "utf-8":
        # the stream yields whole lines, and `head` is made of them
        yield from (head[found[1]:] if found else head).splitlines(keepends=True)
        yield from it
        return
    encoding, skip = found
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    buf = ""
    for chunk, final in itertools.chain([(head[skip:], False)], ((c, False) for c in it), [(b"", True)]):
        buf += decoder.decode(chunk, final=final)
        *lines, buf = buf.split("\n")
        for line in lines:
            yield (line + "\n").encode("utf-8")
    if buf:
        yield buf.encode("utf-8")
