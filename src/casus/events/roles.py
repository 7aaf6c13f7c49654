"""Who did it to whom: the source and target heads of a candidate event, read from its clause.

The news coding rules (../shared/eval/news-guidelines.md) say: the doer is the source and the
sufferer the target; in the passive the agent ("by the army") is the source and the subject the
target; a relative pronoun stands for its antecedent ("the army, which fired on …"). Event nouns
take their parties from their own phrase ("Russia's attack on Kyiv", "talks between X and Y"), and
when they are the object of a light verb ("carried out a strike", "imposed a curfew") from that
verb's clause; "came under attack" makes its subject the sufferer.

Each rule names itself (`how`), so a record can say why an argument was chosen and the events
model can weigh how reliable each rule is.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Token

from casus.events.features import lemma
from casus.events.lexicon import word_set

SUBJ = {"nsubj", "csubj"}
PASS_SUBJ = {"nsubjpass", "csubjpass"}
VERB_TARGET_PREPS = {"on", "against", "with", "at", "into", "toward", "towards", "upon"}
NOUN_TARGET_PREPS = {"on", "against", "with", "at", "into", "of", "to", "upon", "over"}
NOUN_SOURCE_DEPS = {"poss", "compound", "amod", "nmod"}
PARTY_ENTS = {"GPE", "NORP", "ORG", "PERSON"}
RELATIVE = {"who", "which", "that", "whom"}
ROLE_POS = {"NOUN", "PROPN", "PRON", "NUM"}

# verbs whose infinitive names what they promise to do to someone: "threatened to strike the bases"
VOWS = {"threaten", "vow", "pledge", "promise", "warn", "swear"}
PARTY_NOUNS = {"party", "opposition", "government", "people", "country", "nation", "group", "side", "rebels",
               "army", "forces", "police", "authorities", "leaders", "council", "union", "alliance", "coalition"}


def _is_party_noun(tok: Token) -> bool:
    return lemma(tok) in PARTY_NOUNS or tok.lower_ in PARTY_NOUNS


def _is_time(tok: Token) -> bool:
    """ "on Tuesday", "at 8:20 a.m.": a date is never a party."""
    return tok.ent_type_ in {"DATE", "TIME"}


def _uses_means(verb: Token, obj: Token) -> bool:
    return (lemma(obj) in word_set("means") and lemma(verb) in word_set("means_verbs")
            and not any(c.dep_ == "prt" for c in verb.children))


@dataclass
class Roles:
    source: Token | None
    target: Token | None
    source_how: str = "none"
    target_how: str = "none"


def antecedent(tok: Token) -> Token:
    """A relative pronoun's antecedent: "the army, which fired …" -> army."""
    if tok.lower_ in RELATIVE and tok.tag_ in {"WP", "WDT", "WP$"}:
        verb = tok.head
        while verb.dep_ == "conj" and verb.head.i != verb.i:
            verb = verb.head
        if verb.dep_ == "relcl" and verb.head.i != verb.i:
            return verb.head
    return tok


def is_passive(verb: Token) -> bool:
    return any(c.dep_ in PASS_SUBJ or c.dep_ == "auxpass" for c in verb.children)


def agent_of(verb: Token) -> Token | None:
    for c in verb.children:
        if c.dep_ == "agent":
            return next((o for o in c.children if o.dep_ == "pobj"), None)
    return None


def _child(tok: Token, deps: set[str]) -> Token | None:
    return next((c for c in tok.children if c.dep_ in deps), None)


def subject(verb: Token) -> tuple[Token | None, str]:
    """The doer of a verb: its subject, the agent of a passive, or the subject it shares with the
    verb it complements ("agreed to send", "went on television to declare", "fired, killing 19")."""
    t = verb
    for step in range(5):
        if is_passive(t):
            agent = agent_of(t)
            if agent is not None:
                return antecedent(agent), "agent" if step == 0 else "governor agent"
            if t.i == verb.i:
                return None, "passive"
            # "is set to sanction", "was quick to reject": the passive governor's subject is the doer
        subj = _child(t, SUBJ) or (_child(t, PASS_SUBJ) if t.i != verb.i else None)
        if subj is not None:
            return antecedent(subj), "subject" if step == 0 else "governor"
        if t.dep_ == "acl" and t.tag_ == "VBG":  # "crowds attacking the former prime minister"
            return t.head, "modified"
        if t.dep_ == "relcl":  # the relative clause has no subject of its own: its head is it
            return t.head, "antecedent"
        participle = t.dep_ == "advcl" and t.tag_ == "VBG" and _child(t, {"mark"}) is None
        if t.head.i == t.i or not (t.dep_ in {"xcomp", "conj", "pcomp", "acomp"} or participle):
            return None, "none"
        t = t.head
    return None, "none"


def verb_object(verb: Token) -> tuple[Token | None, str]:
    """The sufferer of a verb: the subject of a passive, the direct object, the indirect object, or
    the object of "on/against/with/at/into" ("fired on protesters", "met with")."""
    if is_passive(verb):
        subj = _child(verb, PASS_SUBJ)
        if subj is not None:
            return antecedent(subj), "passive subject"
    obj = _child(verb, {"dobj", "dative"})
    uses = obj is not None and _uses_means(verb, obj)
    if obj is not None and not uses:
        # "provided humanitarian aid to Sudan", "conceded defeat to the opposition": the recipient
        # named after "to" is the party, not the thing given
        if obj.ent_type_ not in PARTY_ENTS:
            for c in [*verb.children, *obj.children]:
                if c.dep_ in {"prep", "dative"} and c.lower_ == "to":
                    pobj = _child(c, {"pobj"})
                    if pobj is not None and (pobj.ent_type_ in PARTY_ENTS or _is_party_noun(pobj)):
                        return antecedent(pobj), "recipient"
        return antecedent(obj), "object"
    preps = VERB_TARGET_PREPS | {"to"} if uses else VERB_TARGET_PREPS
    for holder in ([obj] if obj is not None else []) + [verb]:  # "launched missiles at the base"
        for c in holder.children:
            if c.dep_ == "prep" and c.lower_ in preps:
                pobj = _child(c, {"pobj"})
                if pobj is not None and not _is_time(pobj):
                    return antecedent(pobj), f"prep {c.lower_}"
    if uses:  # "fired tear gas to scatter his followers", "in an attempt to halt protesters"
        for c in verb.subtree:
            if c.dep_ in {"xcomp", "advcl", "acl"} and c.i != verb.i and _child(c, {"aux"}) is not None:
                purpose = _child(c, {"dobj"})
                if purpose is not None:
                    return antecedent(purpose), "purpose"
        return None, "means"
    for c in verb.children:  # "threatened to strike American bases", "vowed to punish the rebels"
        if c.dep_ == "xcomp" and c.pos_ == "VERB" and not is_passive(c) and lemma(verb) in VOWS:
            inner, how = verb_object(c)
            if inner is not None:
                return inner, "intended " + how
    for c in verb.children:  # "warned that forces deployed to Ukraine would be a target"
        if c.dep_ == "ccomp":
            subj = _child(c, SUBJ | PASS_SUBJ)
            if subj is not None and subj.pos_ != "PRON" or (subj is not None and subj.lower_ not in {"it", "there"}):
                return subj, "content subject"
    return None, "none"


def _noun_parties(noun: Token) -> tuple[Token | None, Token | None, str, str]:
    """Parties inside an event noun's own phrase."""
    source = target = None
    s_how = t_how = "none"
    for c in noun.children:
        if c.dep_ == "poss" and source is None:
            source, s_how = c, "possessive"
        elif c.dep_ == "prep" and c.lower_ == "by" and source is None:
            source, s_how = _child(c, {"pobj"}), "by"
        elif c.dep_ == "prep" and c.lower_ == "between":
            pobj = _child(c, {"pobj"})
            if pobj is not None:
                source, s_how = pobj, "between"
                conj = next(iter(pobj.conjuncts), None)
                if conj is not None:
                    target, t_how = conj, "between"
        elif c.dep_ == "prep" and c.lower_ in NOUN_TARGET_PREPS and target is None:
            pobj = _child(c, {"pobj"})
            if pobj is not None and not _is_time(pobj):
                target, t_how = pobj, f"prep {c.lower_}"
        elif c.dep_ == "acl":  # "a coup carried out by the same unit"
            agent = agent_of(c)
            if agent is not None and source is None:
                source, s_how = agent, "agent"
    if source is None:  # "Israeli strikes", "a Russia-U.S. summit", "the Saudi-Houthi negotiations"
        parties = [t for c in noun.lefts for t in c.subtree
                   if t.dep_ in NOUN_SOURCE_DEPS and t.ent_type_ in PARTY_ENTS]
        if parties:
            source, s_how = parties[0], "modifier"
            if target is None and len(parties) > 1:
                target, t_how = parties[1], "modifier"
    return source, target, s_how, t_how


def noun_roles(noun: Token) -> Roles:
    source, target, s_how, t_how = _noun_parties(noun)
    head = noun.head
    if noun.dep_ in {"dobj", "attr", "nsubjpass"} and lemma(head) in word_set("light_verbs"):
        # "carried out a strike on X", "the EU imposed sanctions on Russia"
        if source is None:
            source, s_how = subject(head)
            s_how = "light verb " + s_how
        if target is None:
            obj, how = verb_object(head)
            if obj is not None and obj.i != noun.i and how.startswith("prep"):
                target, t_how = obj, "light verb " + how
    elif noun.dep_ == "pobj" and head.dep_ == "prep" and lemma(head.head) in word_set("under_verbs"):
        # "Oli's home came under attack": the subject suffered it
        if target is None:
            subj = _child(head.head, SUBJ)
            if subj is not None:
                target, t_how = antecedent(subj), "under"
    elif noun.dep_ == "nsubj" and head.pos_ == "VERB" and target is None:
        # "Israeli strikes hit the residences", "a missile struck a mosque"
        obj, how = verb_object(head)
        if obj is not None:
            target, t_how = obj, "subject noun " + how
    if source is not None and target is not None and source.i == target.i:
        target, t_how = None, "none"
    return Roles(source, target, s_how, t_how)


# acts that two parties do with each other: "Putin and Trump met" is Putin meeting Trump
SYMMETRIC = {"meet", "talk", "negotiate", "confer", "clash", "fight", "cooperate", "collaborate", "agree", "trade",
             "discuss", "consult", "exchange"}


def verb_roles(verb: Token) -> Roles:
    source, s_how = subject(verb)
    target, t_how = verb_object(verb)
    if target is None and source is not None and lemma(verb) in SYMMETRIC:
        other = next((c for c in source.conjuncts if c.i > source.i), None)
        if other is not None:
            return Roles(source, other, s_how, "coordinated")
    if target is not None and source is not None and target.i == source.i:
        target, t_how = None, "none"
    return Roles(source, target, s_how, t_how)


def roles(trigger: Token) -> Roles:
    if trigger.pos_ in {"NOUN", "PROPN"}:
        return noun_roles(trigger)
    return verb_roles(trigger)


def conjoined(head: Token) -> list[Token]:
    """The head and its coordinated nouns ("parliament, party offices and the homes of leaders")."""
    return [t for t in [head, *head.conjuncts] if t.pos_ in ROLE_POS]
