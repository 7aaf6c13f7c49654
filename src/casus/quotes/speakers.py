"""Speakers: the phrase that names who speaks, and the actor it refers to.

The actor stage (`casus.actors.mention_at`) resolves most speakers. What it leaves unresolved gets a
document-local fallback here: a pronoun takes the last speaker (or person) of matching gender
before it, a surname takes the earlier full name it ends, and unnamed sources ("analysts", "a
senior official") are kept as such, marked `unnamed`, rather than forced onto a named actor.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from typing import Any

from spacy.tokens import Doc, Span, Token

from casus.actors import mention_at
from casus.quotes.lexicon import unnamed_sources
from casus.sentences import Sentences

SUBJECT_DEPS = {"nsubj", "nsubjpass"}
NP_LEFT_DEPS = {"det", "amod", "compound", "poss", "nmod", "nummod", "quantmod", "case"}
PRONOUN_GENDER = {"he": "m", "him": "m", "she": "f", "her": "f"}
RELATIVE = {"who", "that", "which"}
PLURAL_PRONOUNS = {"they", "we", "i", "you", "it", "who", "that", "which"}


def noun_phrase(token: Token) -> Span:
    """The speaker phrase: the subject with its left modifiers, without relative clauses."""
    left = token.i
    for child in token.lefts:
        if child.dep_ in NP_LEFT_DEPS:
            left = min(left, child.left_edge.i)
    right = token.i
    for child in token.rights:
        if child.dep_ in {"flat", "compound"} and child.i == right + 1:
            right = child.i
    span = token.doc[left : right + 1]
    while len(span) > 1 and (span[0].is_space or span[0].is_punct):
        span = span[1:]
    return span


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class SpeakerResolver:
    """Resolves speaker phrases of one document, remembering who has spoken so far."""

    def __init__(self, doc: Doc, quoted: Callable[[int], bool] = lambda _: False, sents: Sentences | None = None):
        self.doc = doc
        self.quoted = quoted  # is this character offset inside a quotation?
        self.sents = sents or Sentences(doc)
        self.actors = doc._.casus_actors or {}
        self.recent: list[tuple[int, str, str | None]] = []  # (char offset, actor id, gender)
        self.spoke_at: dict[int, str] = {}  # char offset -> the actor last resolved there
        self.local_names: dict[str, str] = {}  # surname -> local actor id
        self._persons: list[Span] | None = None
        self._person_ends: list[int] = []

    def resolve(self, span: Span) -> dict[str, Any]:
        named = span
        if len(span) > 1 and span[-1].lower_ in RELATIVE:
            named = span[:-1]
            while len(named) > 1 and named[-1].is_punct:
                named = named[:-1]
        head = named.root
        out: dict[str, Any] = {"start": span.start_char, "end": span.end_char, "actor": None}
        m = mention_at(self.doc, head.idx, head.idx + len(head.text))
        if m is None and head.pos_ == "PROPN":
            m = mention_at(self.doc, span.start_char, span.end_char)
        salient = self._salient_subject(head) if head.lower_ in PRONOUN_GENDER else None
        if salient is not None:
            out["actor"], out["via"] = salient, "pronoun-subject"
        elif m is not None:
            out["actor"], out["via"] = m["actor"], m.get("via")
        elif head.lower_ in PRONOUN_GENDER:
            actor = self._antecedent(span.start_char, PRONOUN_GENDER[head.lower_])
            if actor:
                out["actor"], out["via"] = actor, "pronoun-local"
        elif head.ent_type_ in {"PERSON", "ORG", "GPE", "NORP"} or head.pos_ == "PROPN":
            out["actor"], out["via"] = self._local_name(span), "name-local"
        if head.lemma_.lower() in unnamed_sources() and not any(t.pos_ == "PROPN" for t in span):
            out["unnamed"] = True
            out.setdefault("via", "unnamed")
        if out["actor"]:
            gender = (self.actors.get(out["actor"]) or {}).get("gender")
            if gender is None and head.lower_ in PRONOUN_GENDER:
                gender = PRONOUN_GENDER[head.lower_]
            self.recent.append((span.start_char, out["actor"], gender))
            self.spoke_at[span.start_char] = out["actor"]
        return out

    def _salient_subject(self, pron: Token) -> str | None:
        """A speaker pronoun usually continues the subject of the sentence before: "Macron,
        standing alongside Zelensky, said …. He stressed …" is Macron, the nearer name is not."""
        gender = PRONOUN_GENDER[pron.lower_]
        sent = self.sents.of(pron.i)
        for _ in range(2):
            if sent.start == 0:
                return None
            sent = self.sents.of(sent.start - 1)
            subjects = [c for c in sent.root.children if c.dep_ in SUBJECT_DEPS]
            for subj in subjects:
                if subj.lower_ in PRONOUN_GENDER:
                    if PRONOUN_GENDER[subj.lower_] != gender:
                        return None
                    if subj.idx in self.spoke_at:
                        return self.spoke_at[subj.idx]
                    m = mention_at(self.doc, subj.idx, subj.idx + len(subj.text))
                    return m["actor"] if m else None
                m = mention_at(self.doc, subj.idx, subj.idx + len(subj.text))
                if m is None:
                    continue
                if self._can_be_person(m["actor"], gender):
                    return m["actor"]
                return None
        return None

    def last_speaker(self, before: int) -> str | None:
        for pos, actor, _ in reversed(self.recent):
            if pos < before:
                return actor
        return None

    def _antecedent(self, before: int, gender: str) -> str | None:
        for pos, actor, g in reversed(self.recent):
            if pos < before and g in (gender, None) and self._can_be_person(actor, gender):
                return actor
        persons = self._person_entities()
        for k in range(bisect.bisect_right(self._person_ends, before) - 1, -1, -1):
            if not self.quoted(persons[k].start_char):
                return self._local_name(persons[k])
        return None

    def _person_entities(self) -> list[Span]:
        """The document's PERSON entities in order (Doc.ents rebuilds every entity on each access)."""
        if self._persons is None:
            self._persons = [e for e in self.doc.ents if e.label_ == "PERSON"]
            self._person_ends = [e.end_char for e in self._persons]
        return self._persons

    def _can_be_person(self, actor: str, gender: str) -> bool:
        a = self.actors.get(actor)
        if a is None:
            return True
        if a.get("kind") == "person":
            return a.get("gender") in (None, gender)
        # a name the knowledge base does not know, which NER took for an organisation, may well be
        # a surname ("Canova said …. "…," he said")
        return actor.startswith("doc-") and " " not in (a.get("name") or " ")

    def _local_name(self, span: Span) -> str:
        words = [t.text for t in span if t.pos_ == "PROPN" or t.ent_type_] or [span.root.text]
        key = words[-1].lower()
        if key in self.local_names:
            return self.local_names[key]
        aid = f"doc-{_slug(' '.join(words))}"
        self.local_names[key] = aid
        return aid
