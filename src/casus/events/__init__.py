"""Events: PLOVER-coded who-did-what-to-whom with trigger, source, target, mode, contexts and modality.

Method (docs/events.md): every verb, every noun the lexicon lists as an event ("strike", "curfew",
"talks") and every cue of an attributed statement is a candidate (`candidates.py`). A linear model
(event_model.npz, trained by scripts/train_events.py on PLV and on whole articles coded by the news
guidelines, where most clauses report no event) gives each candidate a PLOVER type or NONE: "no
event here" is an explicit decision. The grammar picks the source and target (`roles.py`: passive
agents, relative pronouns, light verbs, the speaker of a statement); a candidate that repeats an
act already coded in its own clause is merged into it. A calibration model, fitted on
cross-validated predictions, turns each event's score into the probability that the record (type,
source and target) is right: that is the event's `confidence`.
"""

from __future__ import annotations

from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from casus.actors import mention_at
from casus.events.candidates import Candidate, DocIndex, candidates
from casus.events.features import lemma, role_span
from casus.events.lexicon import act_nouns, contexts, event_nouns, event_verbs, modes, plover_types, retreat_words
from casus.events.modality import modality, sentence_dates
from casus.events.model import EventModels, LinearModel, load_models
from casus.events.roles import conjoined, noun_roles
from casus.extensions import guarded

__all__ = ["EventCoder", "modality", "event_verbs", "yield_type", "intent_type"]

SUBJ_DEPS = {"nsubj", "nsubjpass", "csubj"}
INTENT_HEADS = {"prepare", "prepared", "ready", "willing", "plan", "pledge", "commit", "promise", "offer", "vow",
                "intend", "agree", "keep", "continue", "decide"}
MATERIAL_COOPERATION = {"AID", "COOPERATE", "RETREAT", "MOBILIZE"}
MATERIAL_CONFLICT = {"ASSAULT", "COERCE", "SANCTION"}
# acts coded once per sufferer: "set fire to parliament, party offices and the homes of leaders"
SPLIT_TARGETS = {"ASSAULT", "COERCE", "PROTEST", "SANCTION"}
# one act reported by two words of one clause: "carried out a strike", "launched attacks, killing 19"
SAME_ACT_DEPS = {"dobj", "xcomp", "advcl", "acl", "pobj", "prep", "ccomp", "attr", "nsubj", "relcl", "pcomp"}
ANTECEDENT_PRONOUNS = {"they", "it", "he", "she", "we"}
# what a statement itself does: its speaker is the source ("Putin said Russia is prepared to keep
# fighting" is Putin's threat); a reported material act stays its own subject's ("Macron said 26
# countries had committed": the countries agreed)
SPEECH_ACTS = {"THREATEN", "ACCUSE", "REQUEST", "REJECT", "SUPPORT", "CONCEDE"}
# repression reported without its doer ("a curfew was imposed", "he was detained") is the state's
STATE_ACTS = {"COERCE"}
# statements whose object is an act ("denounced the attack") are aimed at its doer
REACTIONS = {"ACCUSE", "REJECT", "SUPPORT", "REQUEST", "THREATEN"}
CLAIM_NOUNS = {"claim", "account", "report", "statement", "assertion", "allegation", "announcement"}


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


def _speech_evidence(sent: Span, quote: dict[str, Any]) -> dict[str, int]:
    """A statement's evidence covers its sentence and what was said (a quote may run on)."""
    ev = _evidence(sent)
    spans = [quote["content"], quote.get("speaker") or {}, quote.get("cue") or {}]
    starts = [s["start"] for s in spans if s.get("start") is not None]
    ends = [s["end"] for s in spans if s.get("end") is not None]
    return {"start": min([ev["start"], *starts]), "end": max([ev["end"], *ends])}


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


def head_actor(index: DocIndex, head: Token) -> str | None:
    """The actor a role's head word names: the head itself, else its possessor, its "of" complement
    or a name modifying it ("India's account", "the headquarters of Hamas's leadership", "Pakistani
    facilities") — never any name that merely occurs deeper in the phrase ("claims of excessive force
    and police brutality" names no actor)."""
    m = index.mention[head.i]
    if m is not None:
        return m["actor"]
    kids = list(head.children)
    for deps in ({"poss"}, {"of"}, {"compound", "nmod", "amod", "appos"}):
        for c in kids:
            if deps == {"of"}:
                if c.dep_ == "prep" and c.lower_ == "of":
                    pobj = next((o for o in c.children if o.dep_ == "pobj"), None)
                    if pobj is not None and index.mention[pobj.i] is not None:
                        return index.mention[pobj.i]["actor"]
            elif c.dep_ in deps and index.mention[c.i] is not None:
                return index.mention[c.i]["actor"]
    return None


def _role(doc: Doc, index: DocIndex, head: Token | None, keep_conj: bool = True) -> dict[str, Any] | None:
    if head is None:
        return None
    # a party inside a noun event's own phrase ("a Russia-U.S. summit") is just its name
    span = _entity_or_token(head) if head.dep_ in {"compound", "amod", "nmod"} else role_span(head, keep_conj)
    role: dict[str, Any] = {"start": span.start_char, "end": span.end_char, "actor": head_actor(index, head)}
    parts = [t for t in [head, *head.conjuncts] if t.pos_ in {"NOUN", "PROPN", "PRON", "NUM"}] if keep_conj else []
    if len(parts) > 1:  # "France and Britain": one event, each member kept with its own actor
        role["parts"] = []
        for t in parts:
            p = role_span(t, keep_conj=False)
            role["parts"].append({"start": p.start_char, "end": p.end_char, "actor": head_actor(index, t)})
    return role


def _speaker_antecedent(pron: Token) -> Token | None:
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


def _names_actor(index: DocIndex, head: Token) -> bool:
    """True when the role's head word itself is a (non-pronoun) actor mention, not a word whose
    phrase merely contains one ("its participation", "it")."""
    m = index.mention[head.i]
    return head.pos_ != "PRON" and m is not None and m.get("via") != "pronoun"


def _content_target(index: DocIndex, c: Candidate, speaker_actor: str | None) -> Token | None:
    """Whom a statement is about: the first actor named in what was said who is not the speaker."""
    content = index.content.get(c.tok.i)
    if content is None:
        return None
    for t in content:
        m = index.mention[t.i]
        if m is not None and m["actor"] != speaker_actor and m.get("via") != "pronoun":
            head = t.doc[m["tok"] : m["tok_end"]].root
            while head.dep_ in {"amod", "compound", "nmod", "poss"} and head.head.i != head.i:
                head = head.head  # "American bases": the phrase the name modifies
            return head
    return None


def _related(a: Token, b: Token) -> bool:
    """Whether two triggers of a sentence are words of one act (one governs the other closely)."""
    for x, y in ((a, b), (b, a)):
        t, steps = x, 0
        while t.head.i != t.i and steps < 3:
            if t.dep_ not in SAME_ACT_DEPS:
                break
            t, steps = t.head, steps + 1
            if t.i == y.i:
                return True
    return False


def calibrated(cal: LinearModel, features: list[str]) -> float:
    """The calibration's P(record right); an event kept is never "certainly wrong": 0.001 at least."""
    return max(0.001, round(float(cal.proba(features)[1]), 3))


def _reports(cue: Candidate, content: Candidate) -> bool:
    """Whether `content` is the act that the statement cued by `cue` reports ("said that … had committed")."""
    if cue.kind != "speech":
        return False
    t = content.tok
    while t.head.i != t.i:
        if t.dep_ in {"ccomp", "parataxis"} and t.head.i == cue.tok.i:
            return True
        t = t.head
    return False


class EventCoder:
    # the corpus whose prior the type model applies: its training sets each had their own
    # (scripts/train_events.py); whole international news articles are what casus codes
    DOMAIN = "domain=news"

    def __init__(self, model: str | None = None, floor: float | None = None, lexicon_bonus: float = 0.0,
                 speech_bonus: float = 0.0):
        self.models: EventModels = load_models(model)
        # the priors' weights and the "no event" floor are the model file's (chosen by
        # cross-validation), unless given: a candidate whose event probability is under the floor
        # reports no event
        meta = self.models.meta
        self.floor = floor if floor is not None else float(meta.get("floor", 0.05))
        self.bare_floor = max(self.floor, float(meta.get("bare_floor", 0.5)))
        self.lexicon_bonus = lexicon_bonus or float(meta.get("lexicon_bonus", 0.0))
        self.speech_bonus = speech_bonus or float(meta.get("speech_bonus", 0.0))
        self.classes = self.models.trigger.classes
        self.none = self.classes.index("NONE")

    def _score(self, cands: list[Candidate]) -> list[tuple[Candidate, str, float]]:
        out = []
        index = {t: i for i, t in enumerate(self.classes)}
        for c in cands:
            p = self.models.trigger.proba(c.features + [self.DOMAIN])
            # priors from the knowledge files where the model, trained on a few thousand events, has
            # seen too few of a word or a statement's kind: the manual's word for the act
            # (event_verbs.yaml) and what a statement's words say it does (speech_acts.yaml)
            for kind, bonus in ((c.lex, self.lexicon_bonus), (c.said(), self.speech_bonus)):
                if kind in index and bonus:
                    p[index[kind]] += bonus
            p = p / p.sum()
            p_event = 1.0 - float(p[self.none])
            p[self.none] = -1.0
            best = int(p.argmax())
            etype = self.classes[best]
            if etype == "YIELD":  # a model trained on PLV's merged label
                etype = yield_type(c.tok)
            etype = intent_type(c.tok, etype)
            # "no event here" is the model's decision for a word the knowledge files don't name (a
            # background "was", "said"); a word they name is kept down to the floor, for recall
            named = c.lex is not None or c.said() is not None
            if p_event >= (self.floor if named else self.bare_floor):
                out.append((c, etype, float(p[best])))
        return out

    def _merge_same_acts(self, scored: list[tuple[Candidate, str, float]]) -> list[tuple[Candidate, str, float]]:
        """"carried out a strike", "launched attacks, killing 19": one act, the surer word keeps it and
        borrows the other's arguments where it has none. A reported act ("Macron said 26 countries had
        committed") is the act of its own subject: the content's word keeps it, not the cue."""
        kept: list[tuple[Candidate, str, float]] = []
        for c, etype, conf in sorted(scored, key=lambda s: -s[2]):
            at = next((n for n, k in enumerate(kept) if k[1] == etype and (
                _related(k[0].tok, c.tok) or _reports(k[0], c) or _reports(c, k[0]))), None)
            if at is None:
                kept.append((c, etype, conf))
                continue
            twin = kept[at][0]
            if _reports(twin, c) and c.roles.source is not None and etype not in SPEECH_ACTS:
                kept[at] = (c, etype, kept[at][2])  # the content's act, at the cue's confidence
                continue
            r, o = twin.roles, c.roles
            if r.source is None and o.source is not None:
                r.source, r.source_how = o.source, o.source_how
            if r.target is None and o.target is not None:
                r.target, r.target_how = o.target, o.target_how
        return kept

    def _events(self, doc: Doc, index: DocIndex, c: Candidate, etype: str, conf: float, sent: Span,
                published: str | None, types: dict[str, Any], sent_contexts: list[str],
                dates: list[Span]) -> list[dict[str, Any]]:
        tok = c.tok
        speaker = (c.quote or {}).get("speaker") if c.kind == "speech" else None
        source_head, target_head = c.roles.source, c.roles.target
        if speaker is None and source_head is not None and source_head.pos_ == "PRON" \
                and source_head.lower_ in ANTECEDENT_PRONOUNS:
            source_head = _speaker_antecedent(source_head) or source_head
        if speaker is not None:
            src_role: dict[str, Any] | None = {"start": speaker["start"], "end": speaker["end"],
                                               "actor": speaker.get("actor")}
            if target_head is None:
                target_head = _content_target(index, c, speaker.get("actor"))
        else:
            # "Putin and Trump met": the coordination is split, each side its own party
            split = c.roles.target_how == "coordinated"
            src_role = _role(doc, index, source_head, keep_conj=not split)
        heads = [target_head]
        if etype in SPLIT_TARGETS and target_head is not None and len(conjoined(target_head)) > 1:
            heads = conjoined(target_head)
        info = types[etype]
        mod = modality(tok, published, dates)
        out = []
        for head in heads:
            tgt_role = _role(doc, index, head, keep_conj=len(heads) == 1)
            if (src_role and tgt_role and head is not None and src_role.get("actor")
                    and src_role["actor"] == tgt_role.get("actor") and not _names_actor(index, head)):
                # "Moscow said it will not accept …", "Kyiv surrendered its arsenal": the phrase only
                # contains the actor; keep the span as evidence but don't code a self-directed dyad
                tgt_role = {**tgt_role, "actor": None}
            out.append({
                "type": etype, "quad": info["quad"], "cameo_root": info["cameo_root"],
                "goldstein": info["goldstein"],
                "source": src_role, "target": tgt_role,
                "trigger": {"start": tok.idx, "end": tok.idx + len(tok.text), "token": tok.i},
                "evidence": _speech_evidence(sent, c.quote) if c.quote and c.kind == "speech" else _evidence(sent),
                "mode": _mode(etype, tok), "contexts": list(sent_contexts),
                "modality": dict(mod),
                "date": None, "location": None,
                "roles": {"source": "speaker" if speaker is not None else c.roles.source_how,
                          "target": c.roles.target_how},
                "score": round(conf, 4), "confidence": round(conf, 3),
                "_features": self._calibration_features(c, etype, conf, src_role, tgt_role),
                "_target_head": head.i if head is not None else None,
            })
        return out

    @staticmethod
    def _calibration_features(c: Candidate, etype: str, conf: float, src: dict[str, Any] | None,
                              tgt: dict[str, Any] | None) -> list[str]:
        band = min(int(conf * 10), 9)
        f = [f"band={band}", f"type={etype}", f"kind={c.kind}", f"tb={etype}|{band}",
             f"src={'actor' if src and src.get('actor') else 'span' if src else 'none'}",
             f"tgt={'actor' if tgt and tgt.get('actor') else 'span' if tgt else 'none'}",
             f"shw={c.roles.source_how}", f"thw={c.roles.target_how}"]
        f += [x for x in c.features if x.startswith(("inquote", "reported", "sidx=", "svia=", "tvia="))]
        return f

    @staticmethod
    def _aim_reactions(doc: Doc, index: DocIndex, events: list[dict[str, Any]]) -> None:
        """ "Qatar denounced the attack", "rejected the claim": a statement about an act is aimed at the
        act's doer — named in the act's own phrase ("Israel's strike"), else the doer of the latest act
        reported before it (the latest statement's speaker, for a claim)."""
        order = sorted(events, key=lambda e: e["trigger"]["start"])
        for k, e in enumerate(order):
            head_i = e.pop("_target_head", None)
            if e["type"] not in REACTIONS or head_i is None or (e["target"] or {}).get("actor"):
                continue
            head = doc[head_i]
            noun = lemma(head)
            if noun not in act_nouns() and noun not in event_nouns():
                continue
            own = noun_roles(head).source
            doer = head_actor(index, own) if own is not None else None
            src = (e["source"] or {}).get("actor")
            if doer is None:
                # the act the noun names ("welcomed the pledge": the latest pledge), else the latest
                # act of its kind (material, or a statement for "the claim")
                kind = event_nouns().get(noun)
                claim = noun in CLAIM_NOUNS
                earlier = [p for p in reversed(order[:k]) if (p["source"] or {}).get("actor") != src]
                same = [p for p in earlier if p["type"] == kind] if kind else []
                alike = [p for p in earlier if p["quad"].startswith("verbal") == claim]
                pick = (same or alike or [None])[0]  # the act itself, even when its doer is unresolved
                doer = (pick["source"] or {}).get("actor") if pick else None
            if doer is not None and doer != src:
                e["target"] = {**e["target"], "actor": doer}
                e["roles"]["target"] = "act's doer"

    @staticmethod
    def _infer_state(doc: Doc, events: list[dict[str, Any]]) -> None:
        """ "A curfew was imposed throughout Kathmandu", "Lissu was detained": coercion in the passive with
        no agent is the act of the authorities of the country it happened in — the sufferer's country,
        else the country the article is about (its most-mentioned state). Marked `inferred`."""
        actors = doc._.casus_actors or {}
        counts: dict[str, int] = {}
        for m in doc._.casus_mentions or []:
            a = actors.get(m["actor"]) or {}
            if a.get("kind") == "state" and a.get("country"):
                counts[a["id"]] = counts.get(a["id"], 0) + 1
        main_state = max(counts, key=counts.get) if counts else None
        for e in events:
            if e["type"] not in STATE_ACTS or e["source"] is not None or e["roles"]["source"] != "passive":
                continue
            tgt = actors.get((e["target"] or {}).get("actor")) or {}
            state = next((a["id"] for a in actors.values() if a.get("kind") == "state"
                          and tgt.get("country") and a.get("country") == tgt.get("country")), None)
            state = state or main_state
            if state is None:
                continue
            e["source"] = {"start": None, "end": None, "actor": state}
            e["roles"]["source"] = "inferred: the state where it happened"

    @staticmethod
    def _mark_repeats(events: list[dict[str, Any]]) -> None:
        """The same type and dyad again later in the article: a recap, usually (the news guidelines
        code a repeat only when it adds a participant); the calibration weighs it."""
        seen: set[tuple[str, str | None, str | None]] = set()
        for e in sorted(events, key=lambda e: e["trigger"]["start"]):
            src = (e["source"] or {}).get("actor")
            tgt = (e["target"] or {}).get("actor")
            key = (e["type"], src, tgt)
            if src and key in seen:
                e["_features"].append("repeat")
            seen.add(key)

    def _calibrate(self, events: list[dict[str, Any]]) -> None:
        """confidence = P(type, source and target right | the event's score and features)."""
        cal = self.models.calibration
        for e in events:
            feats = e.pop("_features")
            if cal is not None:
                e["confidence"] = calibrated(cal, feats)

    def code_sentence(self, doc: Doc, sent: Span, published: str | None, index: DocIndex | None = None,
                      sent_index: int = 0) -> list[dict[str, Any]]:
        index = index or DocIndex(doc)
        scored = self._merge_same_acts(self._score(candidates(sent, index, sent_index)))
        if not scored:
            return []
        types = plover_types()
        sent_contexts = _contexts(sent)
        dates = sentence_dates(sent)
        events: list[dict[str, Any]] = []
        for c, etype, conf in scored:
            events += self._events(doc, index, c, etype, conf, sent, published, types, sent_contexts, dates)
        return events

    @guarded("events")
    def __call__(self, doc: Doc) -> Doc:
        published = (doc._.casus_meta or {}).get("published")
        index = DocIndex(doc)
        events: list[dict[str, Any]] = []
        for i, sent in enumerate(doc.sents):
            events += self.code_sentence(doc, sent, published, index, i)
        self._aim_reactions(doc, index, events)
        self._infer_state(doc, events)
        self._mark_repeats(events)
        self._calibrate(events)
        events.sort(key=lambda e: (-e["confidence"], e["trigger"]["start"]))
        doc._.casus_events = events
        return doc


@Language.factory("casus_events", default_config={"model": None, "floor": None})
def make_event_coder(nlp: Language, name: str, model: str | None, floor: float | None) -> EventCoder:
    return EventCoder(model, floor)
