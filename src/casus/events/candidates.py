"""Candidate events of a sentence and the features the events model types them by.

A candidate is a word that may report an act: every verb, every noun the lexicon lists as an event
("strike", "curfew", "talks"), and every cue of an attributed statement (the quotes stage's cue
verbs: a statement is a candidate verbal event whose type comes from what was said). Each carries
the grammar's choice of source and target (`roles`), and the features are shared by running and
training, so the model sees at training time exactly what it sees at run time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from spacy.tokens import Doc, Span, Token

from casus.data_files import load_yaml
from casus.events.features import (
    is_trigger_candidate,
    lemma,
    phrase_types,
    sentence_features,
    trigger_features,
)
from casus.events.lexicon import event_nouns, event_verbs, word_set
from casus.events.roles import Roles, roles
from casus.quotes import speech_verbs

CONTENT_POS = {"VERB", "NOUN", "ADJ", "PROPN", "ADV"}
MODAL_WORDS = {"would", "will", "must", "should", "not", "never", "no", "could"}


@cache
def speech_cues() -> dict[str, str]:
    """lemma or two-lemma phrase in a statement -> the type of verbal event it makes."""
    return {str(k).lower(): v for k, v in (load_yaml("speech_acts.yaml").get("cues") or {}).items()}


@dataclass
class Candidate:
    tok: Token
    kind: str                      # verb | noun | speech
    roles: Roles
    lex: str | None                # the lexicon's type for the word or its phrase
    quote: dict[str, Any] | None = None
    features: list[str] = field(default_factory=list)

    def said(self) -> str | None:
        """What a statement does, by the votes of its words (speech_acts.yaml): the type most of its
        cues name, if one leads; an intent to act in conflict is a threat."""
        if self.kind != "speech":
            return None
        if "qintent=conflict" in self.features:
            return "THREATEN"
        votes: dict[str, int] = {}
        for f in self.features:
            if f.startswith("qact="):
                votes[f[5:]] = votes.get(f[5:], 0) + 1
        if not votes:
            return None
        ranked = sorted(votes.items(), key=lambda kv: -kv[1])
        if len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
            return None
        return ranked[0][0]


class DocIndex:
    """Per-document lookups built once: token -> actor mention, token -> quote it cues or lies in."""

    def __init__(self, doc: Doc):
        self.doc = doc
        n = len(doc)
        self.mention: list[dict[str, Any] | None] = [None] * n
        for m in doc._.casus_mentions or []:
            for i in range(m["tok"], min(m["tok_end"], n)):
                if self.mention[i] is None:
                    self.mention[i] = m
        self.cue: dict[int, dict[str, Any]] = {}
        self.inside: list[bool] = [False] * n
        self.content: dict[int, Span] = {}
        for q in doc._.casus_quotes or []:
            ct = q["content"]
            # an empty content would make spaCy's "expand" span end before it starts
            span = doc.char_span(ct["start"], ct["end"], alignment_mode="expand") if ct["end"] > ct["start"] else None
            if span is not None:
                for t in span:
                    self.inside[t.i] = True
            c = q.get("cue")
            if c:
                cue = doc.char_span(c["start"], c["end"], alignment_mode="expand")
                if cue is not None and cue.root.i not in self.cue:
                    self.cue[cue.root.i] = q
                    if span is not None:
                        self.content[cue.root.i] = span
        self.actors = doc._.casus_actors or {}

    def actor_of(self, tok: Token | None) -> dict[str, Any] | None:
        if tok is None:
            return None
        m = self.mention[tok.i]
        return self.actors.get(m["actor"]) if m else None


def lexicon_type(tok: Token) -> str | None:
    found = phrase_types(tok)
    if found:
        return found[0][1]
    table = event_verbs() if tok.pos_ in {"VERB", "AUX"} else event_nouns()
    return table.get(lemma(tok))


INTENT = {"will", "prepared", "ready", "willing", "vow", "pledge", "promise", "determined", "intend", "plan"}
CONFLICT_QUADS = {"ASSAULT", "COERCE", "SANCTION", "MOBILIZE", "THREATEN"}


def _content_features(span: Span) -> list[str]:
    cues = speech_cues()
    f: list[str] = []
    prev = ""
    # saying one will do a thing is the verbal event of that thing (CAMEO 03/13): "prepared to keep
    # fighting" threatens, "ready to send a force" agrees
    intent = any(lemma(t) in INTENT or t.lower_ in INTENT for t in span)
    if intent:
        acts = {event_verbs().get(lemma(t)) for t in span if t.pos_ == "VERB"}
        if acts & CONFLICT_QUADS:
            f.append("qintent=conflict")
        elif acts - {None}:
            f.append("qintent=cooperation")
    for t in span:
        lem = lemma(t)
        if t.pos_ in CONTENT_POS and t.is_alpha and not t.is_stop:
            f.append(f"q={lem}")
        for key in (lem, f"{prev} {lem}"):
            if key in cues:
                f.append(f"qact={cues[key]}")
        if t.lower_ in MODAL_WORDS:
            f.append(f"qw={t.lower_}")
        lx = event_verbs().get(lem) if t.pos_ == "VERB" else event_nouns().get(lem) if t.pos_ == "NOUN" else None
        if lx:
            f.append(f"qlex={lx}")
        prev = lem
    return f


def _actor_features(prefix: str, tok: Token | None, how: str, index: DocIndex) -> list[str]:
    f = [f"{prefix}how={how}"]
    if tok is None:
        return f + [f"{prefix}=none"]
    actor = index.actor_of(tok)
    f.append(f"{prefix}pos={tok.pos_}")
    if actor is None:
        f.append(f"{prefix}=unresolved")
        f.append(f"{prefix}l={lemma(tok)}")
        return f
    m = index.mention[tok.i]
    f += [f"{prefix}=actor", f"{prefix}via={m.get('via') if m else None}",
          f"{prefix}sec={actor.get('sector')}", f"{prefix}kind={actor.get('kind')}", f"{prefix}l={lemma(tok)}"]
    return f


def _under_speech(tok: Token) -> bool:
    speech = speech_verbs()
    for a in [tok, *tok.ancestors][:6]:
        if a.dep_ in {"ccomp", "parataxis"} and lemma(a.head) in speech:
            return True
    return False


def candidate_features(c: Candidate, sent_feats: list[str], index: DocIndex, sent_index: int) -> list[str]:
    tok = c.tok
    f = trigger_features(tok, sent_feats)
    f.append(f"kind={c.kind}")
    if c.kind == "speech":
        f.append(f"cue={lemma(tok)}")
        content = index.content.get(tok.i)
        if content is not None:
            f += _content_features(content)
        if c.quote:
            f.append(f"qkind={c.quote.get('kind')}")
    if index.inside[tok.i] and c.kind != "speech":
        f.append("inquote")
    if _under_speech(tok):
        f.append("reported")
    f.append(f"sidx={min(sent_index, 5)}")
    if tok.pos_ in {"NOUN", "PROPN"} and tok.dep_ in {"dobj", "attr"} and lemma(tok.head) in word_set("light_verbs"):
        f.append(f"lvobj={lemma(tok.head)}")
    if tok.pos_ == "VERB" and lemma(tok) in word_set("light_verbs"):
        obj = next((o for o in tok.children if o.dep_ in {"dobj", "attr"}), None)
        if obj is not None and lemma(obj) in event_nouns():
            f.append("lv_event_object")
    src, tgt = c.roles.source, c.roles.target
    if c.kind == "speech" and c.quote and c.quote.get("speaker"):
        spk = c.quote["speaker"]
        f += ["s=speaker", f"sact={'actor' if spk.get('actor') else 'unresolved'}"]
        actor = index.actors.get(spk.get("actor")) if spk.get("actor") else None
        if actor:
            f.append(f"ssec={actor.get('sector')}")
    else:
        f += _actor_features("s", src, c.roles.source_how, index)
    f += _actor_features("t", tgt, c.roles.target_how, index)
    if c.lex:
        f.append(f"lexk={c.lex}|{c.kind}")
    return f


def candidates(sent: Span, index: DocIndex, sent_index: int) -> list[Candidate]:
    out: list[Candidate] = []
    sent_feats: list[str] | None = None
    for tok in sent:
        is_cue = tok.i in index.cue
        if not (is_trigger_candidate(tok) or is_cue):
            continue
        kind = "speech" if is_cue else "noun" if tok.pos_ in {"NOUN", "PROPN"} else "verb"
        c = Candidate(tok, kind, roles(tok), lexicon_type(tok), index.cue.get(tok.i))
        if sent_feats is None:
            sent_feats = sentence_features(sent)
        c.features = candidate_features(c, sent_feats, index, sent_index)
        out.append(c)
    return out
