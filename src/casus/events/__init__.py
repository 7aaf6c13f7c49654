"""Events: PLOVER-coded who-did-what-to-whom with trigger, source, target, mode, contexts and modality.

Method (chosen by measurement, docs/events.md): every verb, and every noun the lexicon lists as an
event ("talks", "attack"), is a candidate trigger. A linear model over dependency and lexicon
features (event_model.npz, trained on PLV by scripts/train_events.py) gives each candidate a PLOVER
type or NONE; two more linear models pick the source and target heads among the sentence's noun
phrases by their dependency path to the trigger. Spans are then drawn as PLV annotators draw them.
"""

from __future__ import annotations

from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from casus.actors import mention_at
from casus.events.features import (
    is_trigger_candidate,
    lemma,
    part_spans,
    phrase_types,
    role_candidates,
    role_features,
    role_span,
    sentence_features,
    trigger_ancestors,
    trigger_features,
)
from casus.events.lexicon import contexts, event_nouns, event_verbs, modes, plover_types, retreat_words
from casus.events.modality import modality
from casus.events.model import EventModels, load_models
from casus.extensions import guarded

__all__ = ["EventCoder", "modality", "event_verbs", "yield_type"]

SUBJ_DEPS = {"nsubj", "nsubjpass", "csubj"}
PATTERN_CONFIDENCE = 0.3
PARTY_ENTS = {"GPE", "NORP", "ORG", "PERSON"}
NOUN_TARGET_PREPS = {"on", "against", "with", "to", "between", "into"}
INTENT_HEADS = {"prepare", "prepared", "ready", "willing", "plan", "pledge", "commit", "promise", "offer", "vow",
                "intend", "agree", "keep", "continue", "decide"}
MATERIAL_COOPERATION = {"AID", "COOPERATE", "RETREAT", "MOBILIZE"}
MATERIAL_CONFLICT = {"ASSAULT", "COERCE", "SANCTION"}


ANTECEDENT_PRONOUNS = {"they", "it", "he", "she", "we"}


def _governing_subject(trig: Token) -> Token | None:
    """The subject a complement verb shares with its governor: "they were prepared to send"."""
    t = trig
    for _ in range(4):
        subj = next((c for c in t.children if c.dep_ in SUBJ_DEPS), None)
        if subj is not None:
            return subj
        if t.dep_ not in {"xcomp", "acomp", "conj"} or t.head.i == t.i:
            return None
        t = t.head
    return None


def _speaker_antecedent(pron: Token, trig: Token) -> Token | None:
    """"The coalition announced that they were prepared …": the pronoun in reported content is
    usually the reporter; used when the actors stage left the pronoun unresolved."""
    if mention_at(pron.doc, pron.idx, pron.idx + len(pron.text)):
        return None
    for a in pron.ancestors:
        if a.dep_ == "ccomp" and a.head.i != a.i:
            speaker = a.head
            subj = next((c for c in speaker.children if c.dep_ in SUBJ_DEPS), None)
            if subj is None and speaker.dep_ == "acl":  # parsed "A coalition …, announced" as a modifier
                subj = speaker.head
            return subj if subj is not None and subj.pos_ != "PRON" else None
    return None


def intent_type(trig: Token, etype: str) -> str:
    """Saying one will do a thing is the verbal event (CAMEO 03 / 13): "prepared to send a force" is
    AGREE, "prepared to keep fighting" THREATEN, when the act itself has not happened."""
    if etype not in MATERIAL_COOPERATION | MATERIAL_CONFLICT:
        return etype
    t = trig
    while t.dep_ in {"xcomp", "acomp"} and t.head.i != t.i:
        t = t.head
        if lemma(t) in INTENT_HEADS or t.lower_ in INTENT_HEADS:
            if t.i != trig.i and lemma(t) in {"keep", "continue"} and t.dep_ not in {"xcomp", "acomp"}:
                return etype  # "kept fighting" is fighting
            return "AGREE" if etype in MATERIAL_COOPERATION else "THREATEN"
    return etype


def yield_type(trig: Token) -> str:
    """PLV's YIELD is CONCEDE (verbal) or RETREAT (material): decided by the words of the act."""
    words = {lemma(trig)} | {lemma(c) for c in trig.children if c.dep_ in {"dobj", "prt", "xcomp", "attr"}}
    return "RETREAT" if words & retreat_words() else "CONCEDE"


def _mode(etype: str, trig: Token) -> str | None:
    table = modes().get(etype)
    if not table:
        return None
    words = [lemma(trig)]
    for c in trig.children:
        if c.dep_ in {"dobj", "xcomp", "compound", "amod", "attr", "nsubjpass", "prt"}:
            words.append(lemma(c))
            words += [lemma(g) for g in c.children if g.dep_ in {"compound", "amod"}]
        elif c.dep_ in {"prep", "agent"}:
            words += [lemma(o) for o in c.children if o.dep_ == "pobj"]
    for c in trig.children:  # what is threatened or demanded: "warned that forces would be a target"
        if c.dep_ in {"ccomp", "xcomp"}:
            words += [lemma(t) for t in c.subtree]
    return next((table[w] for w in words if w in table), None)


def _evidence(sent: Span) -> dict[str, int]:
    text = sent.text
    lead = len(text) - len(text.lstrip())
    return {"start": sent.start_char + lead, "end": sent.start_char + len(text.rstrip())}


def _contexts(sent: Span) -> list[str]:
    table = contexts()
    return sorted({table[lemma(t)] for t in sent if lemma(t) in table})


def _entity_or_token(tok: Token) -> Span:
    """The named entity holding the token, else the token (by IOB tags: Doc.ents walks the whole doc)."""
    doc = tok.doc
    if not tok.ent_type_:
        return doc[tok.i : tok.i + 1]
    start, end = tok.i, tok.i + 1
    while start > 0 and doc[start].ent_iob_ == "I":
        start -= 1
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    return doc[start:end]


def _role(doc: Doc, head: Token | None, keep_conj: bool = True) -> dict[str, Any] | None:
    if head is None:
        return None
    # a party inside a noun event's own phrase ("a Russia-U.S. summit") is just its name
    span = _entity_or_token(head) if head.dep_ in {"compound", "amod", "nmod"} else role_span(head, keep_conj)
    m = mention_at(doc, span.start_char, span.end_char)
    role: dict[str, Any] = {"start": span.start_char, "end": span.end_char, "actor": m["actor"] if m else None}
    parts = part_spans(head) if keep_conj else []
    if len(parts) > 1:  # "France and Britain": one event, each member kept with its own actor
        role["parts"] = []
        for p in parts:
            pm = mention_at(doc, p.start_char, p.end_char)
            role["parts"].append({"start": p.start_char, "end": p.end_char, "actor": pm["actor"] if pm else None})
    return role


def _names_actor(doc: Doc, head: Token) -> bool:
    """True when the role's head word itself is a (non-pronoun) actor mention, not a word whose
    phrase merely contains one ("its participation", "it")."""
    return head.pos_ != "PRON" and any(m["tok"] <= head.i < m["tok_end"] and m.get("via") != "pronoun"
                                       for m in doc._.casus_mentions or [])


class EventCoder:
    def __init__(self, model: str | None = None, min_confidence: float = 0.5, sentence_floor: float = 0.1,
                 lexicon_bonus: float = 0.15, lexicon_floor: float = 0.05):
        self.models: EventModels = load_models(model)
        self.min_confidence = min_confidence
        self.sentence_floor = sentence_floor
        self.lexicon_bonus = lexicon_bonus
        self.lexicon_floor = lexicon_floor
        self.none = self.models.trigger.classes.index("NONE")

    def _noun_roles(self, trig: Token) -> tuple[Token | None, Token | None]:
        """Parties of a noun event: "Russia's attack on Kyiv", "a Russia-U.S. summit", "talks with Iran"."""
        parties = [t for t in trig.lefts for t in t.subtree
                   if t.dep_ in {"poss", "compound", "amod", "nmod"} and t.ent_type_ in PARTY_ENTS]
        objs = [o for c in trig.rights if c.dep_ == "prep" and c.lower_ in NOUN_TARGET_PREPS
                for o in c.children if o.dep_ == "pobj"]
        source = parties[0] if parties else None
        target = objs[0] if objs else (parties[1] if len(parties) > 1 else None)
        return source, target

    def _roles(self, trig: Token, sent: Span) -> tuple[Token | None, Token | None]:
        if trig.pos_ in {"NOUN", "PROPN"}:
            return self._noun_roles(trig)
        cands = [c for c in role_candidates(sent) if c.i != trig.i]
        if not cands:
            return None, None
        subj_heads = {c.i for c in trig.children if c.dep_ in SUBJ_DEPS}
        anc = trigger_ancestors(trig)
        feats = [role_features(c, trig, subj_heads, anc) for c in cands]
        ps = [self.models.source.proba(f)[1] for f in feats]
        pt = [self.models.target.proba(f)[1] for f in feats]
        si = max(range(len(cands)), key=ps.__getitem__)
        source = cands[si] if ps[si] >= 0.1 else None
        order = sorted(range(len(cands)), key=pt.__getitem__, reverse=True)
        ti = next((i for i in order if source is None or cands[i].i != source.i), None)
        target = cands[ti] if ti is not None and pt[ti] >= 0.1 else None
        if source is None:
            source = _governing_subject(trig)
        if source is not None and source.pos_ == "PRON" and source.lower_ in ANTECEDENT_PRONOUNS:
            source = _speaker_antecedent(source, trig) or source
        if target is not None and source is not None and target.i == source.i:
            target = None
        if target is not None:
            # "warned that forces deployed to Ukraine would be a target": the content's subject, not a
            # noun inside its modifier
            for a in target.ancestors:
                if a.i == trig.i:
                    break
                if a.dep_ in SUBJ_DEPS and a.head.dep_ == "ccomp" and a.head.head.i == trig.i:
                    target = a
                    break
        return source, target

    def _lexicon_type(self, tok: Token) -> str | None:
        found = phrase_types(tok)
        if found:
            return found[0][1]
        table = event_verbs() if tok.pos_ in {"VERB", "AUX"} else event_nouns()
        return table.get(lemma(tok))

    def code_sentence(self, doc: Doc, sent: Span, published: str | None) -> list[dict[str, Any]]:
        classes = self.models.trigger.classes
        candidates = [tok for tok in sent if is_trigger_candidate(tok)]
        if not candidates:
            return []
        base = self.models.trigger.partial(sentence_features(sent))  # the same for every candidate
        scored = []
        for tok in candidates:
            p = self.models.trigger.proba(trigger_features(tok, []), base)
            p[self.none] = -1.0
            lex = self._lexicon_type(tok)
            lex_i = classes.index("YIELD" if lex in {"CONCEDE", "RETREAT"} else lex) if lex else None
            if lex_i is not None and p[lex_i] >= self.lexicon_floor:
                # the manual's word for the act: a prior on top of what the model learnt from PLV
                p[lex_i] = min(1.0, p[lex_i] + self.lexicon_bonus)
            best = int(p.argmax())
            scored.append((float(p[best]), tok, classes[best], lex_i is not None and best == lex_i))
        if not scored:
            return []
        scored.sort(key=lambda s: -s[0])
        keep = [s for s in scored if s[0] >= self.min_confidence or (s[3] and s[0] >= self.lexicon_floor)]
        if scored[0] not in keep and scored[0][0] >= self.sentence_floor and scored[0][1].pos_ != "AUX":
            keep.insert(0, scored[0])  # a sentence's one likely event, even when the model hesitates
        # PLV marks one event per sentence, nearly always on the main verb, so the model rates embedded
        # verbs low; where the lexicon names the act ("committed to", "a summit in Alaska") it is an
        # event too, ranked below the sentence's first.
        top = keep[0][0] if keep else 1.0
        chosen = {s[1].i for s in keep}
        for _conf, tok, _, _ in scored:
            lex = self._lexicon_type(tok)
            if lex and tok.i not in chosen:
                keep.append((round(min(PATTERN_CONFIDENCE, top * 0.9), 3), tok, lex, True))
        types = plover_types()
        sent_contexts = _contexts(sent)
        events: list[dict[str, Any]] = []
        taken: set[tuple[int, str]] = set()
        for conf, tok, etype, _ in keep:
            if etype == "YIELD":
                etype = yield_type(tok)
            etype = intent_type(tok, etype)
            # "launched an attack": the noun repeats its verb's event
            if tok.pos_ in {"NOUN", "PROPN"} and (tok.head.i, etype) in taken:
                continue
            taken.add((tok.i, etype))
            source, target = self._roles(tok, sent)
            if tok.pos_ in {"NOUN", "PROPN"} and source is None and target is None:
                continue  # "any eventual peace agreement": a noun event needs a party to be coded
            split = target is not None and source is not None and target.dep_ == "conj" and target.head.i == source.i
            info = types[etype]
            src_role, tgt_role = _role(doc, source, keep_conj=not split), _role(doc, target)
            if (src_role and tgt_role and target is not None and src_role.get("actor")
                    and src_role["actor"] == tgt_role.get("actor") and not _names_actor(doc, target)):
                # "Moscow said it will not accept …", "Kyiv surrendered its arsenal": the phrase only
                # contains the actor; keep the span as evidence but don't code a self-directed dyad
                tgt_role = {**tgt_role, "actor": None}
            events.append({
                "type": etype, "quad": info["quad"], "cameo_root": info["cameo_root"],
                "goldstein": info["goldstein"],
                "source": src_role, "target": tgt_role,
                "trigger": {"start": tok.idx, "end": tok.idx + len(tok.text), "token": tok.i},
                "evidence": _evidence(sent),
                "mode": _mode(etype, tok), "contexts": list(sent_contexts),
                "modality": modality(tok, published),
                "date": None, "location": None, "confidence": round(conf, 3),
            })
        return events

    @guarded("events")
    def __call__(self, doc: Doc) -> Doc:
        published = (doc._.casus_meta or {}).get("published")
        events: list[dict[str, Any]] = []
        for sent in doc.sents:
            events += self.code_sentence(doc, sent, published)
        events.sort(key=lambda e: (-e["confidence"], e["trigger"]["start"]))
        doc._.casus_events = events
        return doc


@Language.factory("casus_events", default_config={"model": None, "min_confidence": 0.5, "sentence_floor": 0.1,
                                                 "lexicon_bonus": 0.15, "lexicon_floor": 0.05})
def make_event_coder(nlp: Language, name: str, model: str | None, min_confidence: float, sentence_floor: float,
                     lexicon_bonus: float, lexicon_floor: float) -> EventCoder:
    return EventCoder(model, min_confidence, sentence_floor, lexicon_bonus, lexicon_floor)
