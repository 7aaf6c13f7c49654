"""Events: PLOVER-coded who-did-what-to-whom with trigger, source, target and modality.

First version: a verb lexicon (data/event_verbs.yaml) over the dependency parse. Issue 6
replaces the method by a measured one; the record shape stays.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Token

from casus.actors import mention_at
from casus.data_files import load_yaml, plover_types
from casus.extensions import guarded
from casus.quotes import SUBJECT_DEPS, noun_phrase, speech_verbs

TARGET_PREPS = {"to", "against", "with", "on", "at", "from", "toward", "towards"}
HYPOTHETICAL_AUX = {"would", "could", "might", "may"}


@cache
def event_verbs() -> dict[str, str]:
    return {k.lower(): v for k, v in load_yaml("event_verbs.yaml")["verbs"].items()}


def _subject(verb: Token) -> Token | None:
    for tok in (verb, verb.head) if verb.dep_ in {"conj", "xcomp"} else (verb,):
        subj = next((c for c in tok.children if c.dep_ in SUBJECT_DEPS), None)
        if subj is not None:
            return subj
    agent = next((c for c in verb.children if c.dep_ == "agent"), None)
    if agent is not None:
        return next((c for c in agent.children if c.dep_ == "pobj"), None)
    return None


def _target(verb: Token) -> Token | None:
    obj = next((c for c in verb.children if c.dep_ in {"dobj", "dative"}), None)
    if obj is not None:
        return obj
    for prep in (c for c in verb.children if c.dep_ == "prep" and c.lower_ in TARGET_PREPS):
        pobj = next((c for c in prep.children if c.dep_ == "pobj"), None)
        if pobj is not None:
            return pobj
    comp = next((c for c in verb.children if c.dep_ == "ccomp"), None)
    if comp is not None:
        return next((c for c in comp.children if c.dep_ in SUBJECT_DEPS), None)
    return None


def modality(verb: Token) -> dict[str, bool]:
    chain = [verb, *verb.ancestors]
    clause = [verb, *(c for c in verb.children if c.dep_ in {"ccomp", "xcomp"})]
    negated = any(c.dep_ == "neg" for c in verb.children)
    hypothetical = any(
        c.dep_ == "advcl" and any(m.lower_ in {"if", "unless"} and m.dep_ == "mark" for m in c.children)
        for t in chain for c in t.children
    ) or any(c.dep_ == "aux" and c.lower_ in HYPOTHETICAL_AUX for t in clause for c in t.children)
    future = any(c.dep_ == "aux" and c.lower_ in {"will", "shall", "'ll"} for c in verb.children)
    reported = any(t.lemma_.lower() in speech_verbs() and t is not verb for t in verb.ancestors)
    return {"negated": negated, "hypothetical": hypothetical, "future": future, "historical": False,
            "reported": reported}


def _role(doc: Doc, tok: Token | None) -> dict[str, Any] | None:
    if tok is None:
        return None
    span = noun_phrase(tok)
    m = mention_at(doc, span.start_char, span.end_char)
    return {"start": span.start_char, "end": span.end_char, "actor": m["actor"] if m else None}


class EventCoder:
    @guarded("events")
    def __call__(self, doc: Doc) -> Doc:
        lexicon, types = event_verbs(), plover_types()
        events = []
        for tok in doc:
            etype = lexicon.get(tok.lemma_.lower())
            if etype is None or tok.pos_ != "VERB":
                continue
            source, target = _role(doc, _subject(tok)), _role(doc, _target(tok))
            sent = tok.sent
            info = types[etype]
            confidence = 0.4 + 0.25 * (source is not None) + 0.15 * (target is not None)
            events.append({
                "type": etype, "quad": info["quad"], "cameo_root": info["cameo_root"],
                "goldstein": info["goldstein"],
                "source": source, "target": target,
                "trigger": {"start": tok.idx, "end": tok.idx + len(tok.text), "token": tok.i},
                "evidence": {"start": sent.start_char, "end": sent.end_char},
                "mode": None, "contexts": [], "modality": modality(tok),
                "date": None, "location": None, "confidence": round(confidence, 3),
            })
        events.sort(key=lambda e: (-e["confidence"], e["trigger"]["start"]))
        doc._.events = events
        return doc


@Language.factory("casus_events")
def make_event_coder(nlp: Language, name: str) -> EventCoder:
    return EventCoder()
