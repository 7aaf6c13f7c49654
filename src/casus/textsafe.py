"""Strings that can be written anywhere: lone surrogate code points replaced by U+FFFD.

A JSON escape such as `"\\ud800"` decodes to a Python string holding half of a UTF-16 surrogate
pair. Such a string cannot be encoded as UTF-8, so hashing, printing or storing it raises. Every
document passes through `scrub` when it is made (casus.document), and the hash, the store and the
CLI output call it again as a last net. Each surrogate code point becomes one U+FFFD, so string
offsets computed before the replacement stay valid.
"""

from __future__ import annotations

import re
from typing import Any

SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def scrub(s: str) -> tuple[str, int]:
    """`s` with every surrogate code point replaced, and how many were."""
    try:
        s.encode("utf-8")
        return s, 0
    except UnicodeEncodeError:
        return SURROGATE.subn(REPLACEMENT, s)


def scrub_value(value: Any) -> tuple[Any, int]:
    """`scrub` through the strings of a JSON-like value (dict keys included)."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        out, n = {}, 0
        for k, v in value.items():
            k2, a = scrub_value(k)
            v2, b = scrub_value(v)
            out[k2] = v2
            n += a + b
        return out, n
    if isinstance(value, list | tuple):
        items = [scrub_value(v) for v in value]
        return type(value)(v for v, _ in items), sum(n for _, n in items)
    return value, 0


def warning(n: int, where: str) -> dict[str, str]:
    return {"stage": "ingest", "level": "warning",
            "message": f"{n} unencodable code point{'s' if n != 1 else ''} (lone UTF-16 surrogates) in {where} "
                       "replaced with U+FFFD"}
