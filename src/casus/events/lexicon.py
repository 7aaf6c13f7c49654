"""The event lexicon (data/event_verbs.yaml) and the PLOVER ontology (data/plover.yaml), loaded once."""

from __future__ import annotations

from functools import cache
from typing import Any

from casus.data_files import load_yaml, plover_types

__all__ = ["act_nouns", "word_set", "event_verbs", "phrases", "event_nouns", "retreat_words", "modes", "contexts",
           "plover_types"]


def _lexicon() -> dict[str, Any]:
    return load_yaml("event_verbs.yaml")


@cache
def event_verbs() -> dict[str, str]:
    return {k.lower(): v for k, v in _lexicon()["verbs"].items()}


@cache
def phrases() -> dict[str, str]:
    return {k.lower(): v for k, v in (_lexicon().get("phrases") or {}).items()}


@cache
def event_nouns() -> dict[str, str]:
    return {k.lower(): v for k, v in (_lexicon().get("nouns") or {}).items()}


@cache
def word_set(key: str) -> frozenset[str]:
    """One word list of the lexicon (act_nouns, retreat_words, light_verbs, under_verbs, means,
    means_verbs), lower-cased."""
    return frozenset(str(w).lower() for w in _lexicon().get(key) or [])


def act_nouns() -> frozenset[str]:
    return word_set("act_nouns")


def retreat_words() -> frozenset[str]:
    return word_set("retreat_words")


@cache
def modes() -> dict[str, dict[str, str]]:
    """type -> word -> mode (the first mode listing a word wins)."""
    out: dict[str, dict[str, str]] = {}
    for etype, table in (_lexicon().get("modes") or {}).items():
        words: dict[str, str] = {}
        for mode, ws in table.items():
            for w in ws:
                words.setdefault(str(w).lower(), mode)
        out[etype] = words
    return out


@cache
def contexts() -> dict[str, str]:
    """word -> context name."""
    out: dict[str, str] = {}
    for name, ws in (_lexicon().get("contexts") or {}).items():
        for w in ws:
            out.setdefault(str(w).lower(), name)
    return out
