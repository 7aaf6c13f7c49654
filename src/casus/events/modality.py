"""The auxiliary modes of an event (PLOVER manual: negation, hypothetical, future, historical) and
whether the event is someone's claim ("Putin said that …")."""

from __future__ import annotations

import re
from functools import cache

from spacy.tokens import Span, Token

from casus.quotes import speech_verbs

HYPOTHETICAL_AUX = {"would", "could", "might", "may", "should"}
FUTURE_AUX = {"will", "shall", "'ll", "wo"}
CONDITION_MARKS = {"if", "unless"}
# verbs whose xcomp states an intention rather than a fact: "prepared to send", "plans to visit"
INTENT_HEADS = {"plan", "intend", "prepare", "aim", "expect", "seek", "want", "hope", "set", "vow", "pledge",
                "promise", "threaten", "offer", "propose", "ready", "prepared", "willing", "likely", "unlikely"}
HEDGES = {"unlikely", "likely", "possible", "able", "expected"}
CLAUSE_DEPS = {"xcomp", "ccomp", "conj", "advcl", "acomp"}
# verbs whose complement did not happen: "has yet to commit", "failed to reach", "refrained from"
NOT_YET_HEADS = {"fail", "refrain", "decline", "neglect", "cease", "stop"}
PAST_WORDS = re.compile(r"\b(ago|last (year|month|week|decade)|previous|earlier this (year|month)|in the past|"
                        r"recent (months|years)|dating back|(19|20)\d\d)\b", re.I)
YEAR = re.compile(r"\b(19|20)\d\d\b")
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december"]


def lemma(tok: Token) -> str:
    return tok.lemma_.lower()


@cache
def _speech() -> frozenset[str]:
    return frozenset(speech_verbs()) | {"say", "tell", "announce", "claim", "insist", "argue", "report"}


def _governors(tok: Token) -> list[Token]:
    """tok and the verbs it is the complement of ("agreed to send": send, agreed)."""
    chain = [tok]
    t = tok
    while t.dep_ in {"xcomp", "conj", "acomp"} and t.head.i != t.i:
        t = t.head
        chain.append(t)
    return chain


def _conditional(tok: Token) -> bool:
    # a statement whose content is conditional: "said that if diplomacy fails, Russia is prepared to …"
    for c in tok.children:
        if c.dep_ in {"ccomp", "xcomp"} and any(
                a.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in CONDITION_MARKS for m in a.children)
                for a in c.children):
            return True
    for t in [tok, *tok.ancestors]:
        for c in t.children:
            if c.dep_ == "mark" and c.lower_ in CONDITION_MARKS and t is tok:
                return True  # the event is itself the condition: "if troops appear"
            if c.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in CONDITION_MARKS for m in c.children):
                return True
        if t.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in CONDITION_MARKS for m in t.children):
            return True
    return False


def sentence_dates(sent: Span) -> list[Span]:
    """The DATE entities of a sentence, read from its tokens' IOB tags (Span.ents walks the whole
    document's entities on every call, which made coding a long document quadratic)."""
    out, start = [], None
    doc = sent.doc
    for t in sent:
        if t.ent_iob_ == "B" or (t.ent_iob_ == "I" and start is None):
            if start is not None:
                out.append(doc[start : t.i])
            start = t.i if t.ent_type_ == "DATE" else None
        elif t.ent_iob_ == "O" and start is not None:
            out.append(doc[start : t.i])
            start = None
    if start is not None:
        out.append(doc[start : sent.end])
    return [d for d in out if d[0].ent_type_ == "DATE"]


def _past_year(text: str, pub_year: int | None) -> int | None:
    years = [int(m.group(0)) for m in YEAR.finditer(text)]
    return max(years) if pub_year and years and max(years) < pub_year else None


def _referenced_past(tok: Token, pub_year: int | None) -> bool:
    """"Under that post-Soviet accord, Kyiv surrendered …" after "the 1994 Budapest Memorandum": an
    act placed by a demonstrative in something the previous sentence dated years back."""
    sent = tok.sent
    anchors = [c for c in tok.subtree if c.lower_ in {"that", "this", "those", "the"} and c.dep_ == "det"
               and c.head.dep_ == "pobj" and c.head.head.dep_ == "prep" and c.head.head.head.i == tok.i]
    if not anchors or sent.start == 0:
        return False
    previous = tok.doc[sent.start - 1].sent
    return any(_past_year(d.text, pub_year) for d in sentence_dates(previous))


def _historical(tok: Token, published: str | None, dates: list[Span] | None = None) -> bool:
    """A date in the event's own phrase that lies before the publication month, or words saying so."""
    pub_year = int(published[:4]) if published and published[:4].isdigit() else None
    dates = sentence_dates(tok.sent) if dates is None else dates
    if not dates:
        return any(c.lower_ in {"that", "this", "those"} for c in tok.subtree) and _referenced_past(tok, pub_year)
    phrase = tok.doc[tok.left_edge.i : tok.right_edge.i + 1] if tok.pos_ in {"NOUN", "PROPN"} else None
    scope = [e for e in dates
             if (phrase is None or phrase.start <= e.start < phrase.end)
             and (phrase is not None or e.root.head.i == tok.i or e.root.head.head.i == tok.i)]
    if phrase is not None and tok.dep_ == "pobj":  # "culminated in a summit … in August"
        gov = tok.head.head
        scope += [e for e in dates if e.root.head.head.i == gov.i]
    pub_month = int(published[5:7]) if published and len(published) >= 7 and published[5:7].isdigit() else None
    for e in scope:
        text = e.text.lower()
        years = [int(m.group(0)) for m in YEAR.finditer(text)]
        if _past_year(text, pub_year):
            return True
        if PAST_WORDS.search(text) and not years:
            return True
        if pub_month and tok.tag_ in {"VBD", "VBN", "NN", "NNS", "NNP"}:
            month = next((i + 1 for i, m in enumerate(MONTHS) if m in text.split()), None)
            if month is not None and month != pub_month:
                return True
    return False


def _not_yet(chain: list[Token]) -> bool:
    """ "has yet to commit", "failed to agree", "stopped short of recognising": the act did not happen."""
    for t in chain:
        head = t.head
        if t.dep_ == "xcomp" and lemma(head) in NOT_YET_HEADS:
            return True
        if t.dep_ in {"pcomp", "pobj"} and head.lower_ == "of" and lemma(head.head) == "short":
            return True
        if t.dep_ == "xcomp" and head.lower_ == "yet" or any(c.lower_ == "yet" and c.dep_ in {"advmod", "aux"}
                                                             and c.i < t.i for c in head.children):
            if any(c.lower_ == "to" for c in t.children):
                return True
    return False


def modality(tok: Token, published: str | None = None, dates: list[Span] | None = None) -> dict[str, bool]:
    chain = _governors(tok)
    negated = any(c.dep_ == "neg" or (c.dep_ == "det" and c.lower_ == "no" and t.pos_ == "NOUN")
                  for t in chain for c in t.children) or _not_yet(chain)
    aux = {c.lower_ for t in chain for c in t.children if c.dep_ in {"aux", "auxpass"}}
    # a threat or demand states what would happen: "warned that forces would be a target"
    content_aux = {c.lower_ for k in tok.children if k.dep_ == "ccomp" for c in k.children if c.dep_ == "aux"}
    hedged = any(t.head.lower_ in HEDGES for t in chain if t.dep_ == "xcomp")  # "is unlikely to endorse"
    hypothetical = (_conditional(tok) or bool(aux & HYPOTHETICAL_AUX) or bool(content_aux & HYPOTHETICAL_AUX)
                    or hedged)
    future = bool(aux & FUTURE_AUX) or any(c.dep_ == "aux" and c.lower_ == "to" and t.head.lemma_ == "go"
                                           for t in chain for c in t.children)
    future = future or any(t.dep_ == "xcomp" and t.head.lemma_.lower() in INTENT_HEADS for t in chain)
    # a claim is the content of a speech verb ("Putin said that …"), not anything below it
    reported = any(t.dep_ in {"ccomp", "parataxis"} and t.head.lemma_.lower() in _speech()
                   for t in [tok, *tok.ancestors]) or any(
        t.lower_ == "according" and t.nbor().lower_ == "to" for t in tok.sent[:-1])
    return {"negated": negated, "hypothetical": hypothetical, "future": future,
            "historical": _historical(tok, published, dates), "reported": reported}
