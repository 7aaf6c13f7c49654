"""The quote stage's word lists, loaded from `casus/data/speech_verbs.yaml`."""

from __future__ import annotations

from functools import cache

from casus.data_files import load_yaml


@cache
def _data() -> dict:
    return load_yaml("speech_verbs.yaml")


@cache
def speech_verbs() -> frozenset[str]:
    """Lemmas of verbs that introduce speech (say, warn) — direct or reported."""
    return frozenset(_data()["verbs"])


@cache
def report_verbs() -> frozenset[str]:
    """Speech verbs plus verbs of belief and intent that report a clause (believe, expect)."""
    return speech_verbs() | frozenset(_data().get("cognition_verbs") or [])


@cache
def accuse_verbs() -> frozenset[str]:
    """Verbs whose content is "<someone> of/for <doing>": accuse X of stalling."""
    return frozenset(_data().get("accuse_verbs") or [])


@cache
def unnamed_sources() -> frozenset[str]:
    """Head nouns of sources that stay unnamed: analysts, a senior official."""
    return frozenset(_data().get("unnamed_sources") or [])
