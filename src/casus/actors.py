"""Actors: find mentions of people, states, organisations and groups and resolve them to actors.

A mention records how it was resolved (`via`): name, alias, surname, metonymy, demonym, agent,
pronoun. First version: a seed knowledge base (data/actors.yaml), surnames after a full mention,
pronouns to the nearest preceding person. Issue 4 deepens it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from casus.data_files import load_yaml
from casus.extensions import guarded

ENT_LABELS = {"PERSON", "GPE", "LOC", "NORP", "ORG", "FAC"}
PRONOUNS = {"he": "m", "him": "m", "his": "m", "himself": "m", "she": "f", "her": "f", "hers": "f",
            "herself": "f"}


@dataclass
class KnowledgeBase:
    actors: dict[str, dict[str, Any]] = field(default_factory=dict)
    names: dict[str, tuple[str, str]] = field(default_factory=dict)  # lower form -> (actor id, via)
    demonyms: dict[str, str] = field(default_factory=dict)  # lower demonym -> actor id
    agents: dict[str, str] = field(default_factory=dict)  # agent noun -> sector

    def add(self, entry: dict[str, Any]) -> None:
        aid = entry["id"]
        self.actors[aid] = {k: entry.get(k) for k in ("id", "name", "kind", "country", "sector", "gender")}
        self.names.setdefault(entry["name"].lower(), (aid, "name"))
        for alias in entry.get("aliases") or []:
            via = "surname" if entry.get("kind") == "person" and " " not in alias else "alias"
            self.names.setdefault(alias.lower(), (aid, via))
        for m in entry.get("metonyms") or []:
            self.names.setdefault(m.lower(), (aid, "metonymy"))
        for d in entry.get("demonyms") or []:
            self.demonyms.setdefault(d.lower(), aid)


@cache
def default_kb() -> KnowledgeBase:
    data = load_yaml("actors.yaml")
    kb = KnowledgeBase()
    for entry in data["actors"]:
        kb.add(entry)
    kb.agents = {k.lower(): v for k, v in (data.get("agents") or {}).items()}
    return kb


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _strip_det(span: Span) -> Span:
    while len(span) > 1 and span[0].lower_ in {"the", "a", "an"}:
        span = span[1:]
    while len(span) > 1 and span[-1].tag_ == "POS":
        span = span[:-1]
    return span


class ActorResolver:
    def __init__(self, kb: KnowledgeBase):
        self.kb = kb

    @guarded("actors")
    def __call__(self, doc: Doc) -> Doc:
        actors: dict[str, dict[str, Any]] = {}
        mentions: list[dict[str, Any]] = []
        taken: set[int] = set()

        def add(span: Span, actor: dict[str, Any], via: str) -> None:
            actors.setdefault(actor["id"], dict(actor))
            mentions.append({"start": span.start_char, "end": span.end_char, "actor": actor["id"],
                             "via": via, "tok": span.start, "tok_end": span.end})
            taken.update(range(span.start, span.end))

        for token in doc:
            if token.i in taken:
                continue
            if token.lower_ in self.kb.agents and token.pos_ in {"NOUN", "PROPN"}:
                span, actor = self._agent(doc, token)
                add(span, actor, "agent")
        for ent in doc.ents:
            if ent.label_ not in ENT_LABELS or any(i in taken for i in range(ent.start, ent.end)):
                continue
            span = _strip_det(ent)
            hit = self._lookup(span, actors)
            if hit:
                add(span, hit[0], hit[1])
        for token in doc:
            gender = PRONOUNS.get(token.lower_)
            if gender and token.pos_ == "PRON":
                antecedent = self._antecedent(mentions, actors, token, gender)
                if antecedent:
                    add(doc[token.i : token.i + 1], actors[antecedent], "pronoun")
        mentions.sort(key=lambda m: m["start"])
        doc._.actors = actors
        doc._.mentions = mentions
        return doc

    def _lookup(self, span: Span, actors: dict[str, dict[str, Any]]) -> tuple[dict[str, Any], str] | None:
        key = span.text.lower().replace("\n", " ")
        key = re.sub(r"\s+", " ", key)
        if key in self.kb.names:
            aid, via = self.kb.names[key]
            return self.kb.actors[aid], via
        if span.label_ == "NORP":
            return None  # a bare demonym ("Western") is not an actor; agents handle "Western forces"
        if span.label_ == "PERSON":
            last = span[-1].lower_
            for actor in actors.values():
                if actor["kind"] == "person" and actor["name"].lower().split()[-1] == last:
                    return actor, "surname"
            return {"id": f"doc-{slug(span.text)}", "name": " ".join(span.text.split()), "kind": "person",
                    "country": None, "sector": None, "gender": None}, "name"
        if span.label_ == "ORG":
            return {"id": f"doc-{slug(span.text)}", "name": " ".join(span.text.split()),
                    "kind": "organisation", "country": None, "sector": None, "gender": None}, "name"
        return None

    def _agent(self, doc: Doc, noun: Token) -> tuple[Span, dict[str, Any]]:
        sector = self.kb.agents[noun.lower_]
        country_actor = None
        left = noun.i
        for child in noun.lefts:
            if child.dep_ in {"amod", "compound", "nmod", "poss"}:
                aid = self.kb.demonyms.get(child.lower_) or self.kb.names.get(child.lower_, (None,))[0]
                if aid and self.kb.actors[aid]["kind"] in {"state", "group"}:
                    country_actor = self.kb.actors[aid]
                    left = min(left, child.i)
        span = doc[left : noun.i + 1]
        if country_actor:
            cc = country_actor["country"]
            actor = {"id": f"{cc.lower()}-{sector.lower()}", "name": f"{country_actor['name']} ({noun.lower_})",
                     "kind": "group", "country": cc, "sector": sector, "gender": None}
        else:
            actor = {"id": f"agent-{noun.lemma_.lower()}", "name": noun.lemma_.lower(), "kind": "group",
                     "country": None, "sector": sector, "gender": None}
        return span, actor

    @staticmethod
    def _antecedent(mentions: list[dict[str, Any]], actors: dict[str, dict[str, Any]], pron: Token,
                    gender: str) -> str | None:
        best = None
        for m in mentions:
            if m["tok"] >= pron.i or m["via"] == "pronoun":
                continue
            a = actors[m["actor"]]
            if a["kind"] != "person" or (a.get("gender") and a["gender"] != gender):
                continue
            if best is None or m["tok"] > best["tok"]:
                best = m
        return best["actor"] if best else None


@Language.factory("casus_actors")
def make_actor_resolver(nlp: Language, name: str) -> ActorResolver:
    return ActorResolver(default_kb())


def mention_at(doc: Doc, start: int, end: int) -> dict[str, Any] | None:
    """The actor mention that best covers the character span [start, end) of doc.text."""
    best, best_overlap = None, 0
    for m in doc._.mentions or []:
        overlap = min(end, m["end"]) - max(start, m["start"])
        if overlap > best_overlap:
            best, best_overlap = m, overlap
    return best
