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
def quote_cue_verbs() -> frozenset[str]:
    """Verbs that attribute words in quotation marks: the speech verbs and a few that only do so
    next to a quotation ("…," he continued)."""
    return speech_verbs() | frozenset(_data().get("quote_only_verbs") or [])


@cache
def report_verbs() -> frozenset[str]:
    """Speech verbs plus verbs of belief, intent and evidence that report a clause (believe, show)."""
    return speech_verbs() | frozenset(_data().get("cognition_verbs") or []) | frozenset(
        _data().get("evidence_verbs") or [])


@cache
def accuse_verbs() -> frozenset[str]:
    """Verbs whose content is "<someone> of/for <doing>": accuse X of stalling."""
    return frozenset(_data().get("accuse_verbs") or [])


@cache
def unnamed_sources() -> frozenset[str]:
    """Head nouns of sources that stay unnamed: analysts, a senior official."""
    return frozenset(_data().get("unnamed_sources") or [])
