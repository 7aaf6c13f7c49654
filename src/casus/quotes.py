"""Quotes: direct, partial and indirect attributions with speaker and cue.

First version: quotation-mark pairs plus a speech-verb lexicon (data/speech_verbs.yaml); the
speaker is the cue verb's subject, resolved through the actor mentions. Issue 5 deepens it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from casus.actors import mention_at
from casus.data_files import load_yaml
from casus.extensions import guarded

OPENERS = {'"': '"', "\u201c": "\u201d"}
SUBJECT_DEPS = {"nsubj", "nsubjpass"}


@cache
def speech_verbs() -> frozenset[str]:
    return frozenset(load_yaml("speech_verbs.yaml")["verbs"])


def quote_pairs(text: str) -> list[tuple[int, int]]:
    """(open, close) indices of quotation-mark pairs; unmatched marks are left out."""
    pairs, open_at, want = [], None, None
    for i, ch in enumerate(text):
        if open_at is None and ch in OPENERS:
            open_at, want = i, OPENERS[ch]
        elif open_at is not None and (ch == want or (want == '"' and ch == "\u201d")):
            pairs.append((open_at, i))
            open_at = None
        elif open_at is not None and ch == "\u201c":
            open_at, want = i, "\u201d"  # an unclosed curly quote: restart at the new opener
    return pairs


def noun_phrase(token: Token) -> Span:
    """The speaker phrase: the subject with its left modifiers, without relative clauses."""
    left = token.i
    for child in token.lefts:
        if child.dep_ in {"det", "amod", "compound", "poss", "nmod", "nummod", "quantmod"}:
            left = min(left, child.left_edge.i)
    right = token.i
    for child in token.rights:
        if child.dep_ in {"flat", "appos", "compound"} and child.i == right + 1:
            right = child.i
    span = token.doc[left : right + 1]
    while len(span) > 1 and span[0].is_space:
        span = span[1:]
    return span


def _inside(tok: Token, lo: int, hi: int) -> bool:
    return lo <= tok.idx < hi


def find_cue(sent: Span, lo: int, hi: int) -> tuple[Token, Span] | None:
    """A speech verb of `sent` outside the quote [lo, hi) with a subject outside it too."""
    verbs = speech_verbs()
    best = None
    for tok in sent:
        if tok.pos_ not in {"VERB", "AUX"} or tok.lemma_.lower() not in verbs or _inside(tok, lo, hi):
            continue
        subj = next((c for c in tok.children if c.dep_ in SUBJECT_DEPS and not _inside(c, lo, hi)), None)
        if subj is None and tok.dep_ in {"conj", "advcl"}:
            subj = next((c for c in tok.head.children if c.dep_ in SUBJECT_DEPS), None)
        if subj is None:
            continue
        dist = min(abs(tok.idx - lo), abs(tok.idx - hi))
        if best is None or dist < best[0]:
            best = (dist, tok, noun_phrase(subj))
    if best is None:
        for tok in sent:
            if tok.lower_ == "according" and tok.i + 1 < len(sent.doc) and sent.doc[tok.i + 1].lower_ == "to":
                to = sent.doc[tok.i + 1]
                obj = next((c for c in to.children if c.dep_ == "pobj"), None)
                if obj is not None and not _inside(obj, lo, hi):
                    return tok, noun_phrase(obj)
        return None
    return best[1], best[2]


def _speaker(doc: Doc, span: Span) -> dict[str, Any]:
    m = mention_at(doc, span.start_char, span.end_char)
    return {"start": span.start_char, "end": span.end_char, "actor": m["actor"] if m else None}


class QuoteFinder:
    @guarded("quotes")
    def __call__(self, doc: Doc) -> Doc:
        quotes: list[dict[str, Any]] = []
        covered: list[tuple[int, int]] = []
        text = doc.text
        for o, c in quote_pairs(text):
            lo, hi = o + 1, c
            if hi - lo < 2:
                continue
            first = doc.char_span(o, o + 1, alignment_mode="expand")
            last = doc.char_span(c, c + 1, alignment_mode="expand")
            if first is None or last is None:
                continue
            sents = [first.sent] if first.sent == last.sent else [last.sent, first.sent]
            cue = None
            for sent in sents:
                cue = find_cue(sent, lo, hi)
                if cue:
                    break
            if cue is None:
                prev = doc[first.sent.start - 1].sent if first.sent.start > 0 else None
                if prev is not None and prev.text.rstrip().endswith(":"):
                    cue = find_cue(prev, lo, hi)
            if cue is None:
                continue  # quotation marks with nobody speaking: a title or a scare quote
            verb, subj = cue
            inner = doc.char_span(lo, hi, alignment_mode="expand")
            whole = first.sent.start_char >= o - 1 and (hi - lo) >= 0.5 * len(first.sent.text)
            has_verb = inner is not None and any(t.pos_ in {"VERB", "AUX"} for t in inner)
            kind = "direct" if has_verb and (whole or len(inner) > 6) else "partial"
            quotes.append({"content": {"start": lo, "end": hi}, "kind": kind,
                           "speaker": _speaker(doc, subj),
                           "cue": {"start": verb.idx, "end": verb.idx + len(verb.text)},
                           "confidence": 0.9 if kind == "direct" else 0.7})
            covered.append((o, c + 1))
        for sent in doc.sents:
            for tok in sent:
                if tok.lemma_.lower() not in speech_verbs() or tok.pos_ != "VERB":
                    continue
                comp = next((c for c in tok.children if c.dep_ == "ccomp"), None)
                subj = next((c for c in tok.children if c.dep_ in SUBJECT_DEPS), None)
                if comp is None or subj is None or comp.i < tok.i:
                    continue
                start = comp.left_edge
                if start.lower_ == "that":
                    start = doc[start.i + 1]
                end = comp.right_edge
                lo, hi = start.idx, end.idx + len(end.text)
                if any(a <= lo and hi <= b for a, b in covered):
                    continue
                overlaps = any(lo < b and a < hi for a, b in covered)
                quotes.append({"content": {"start": lo, "end": hi}, "kind": "mixed" if overlaps else "indirect",
                               "speaker": _speaker(doc, noun_phrase(subj)),
                               "cue": {"start": tok.idx, "end": tok.idx + len(tok.text)},
                               "confidence": 0.6})
        quotes.sort(key=lambda q: q["content"]["start"])
        doc._.quotes = quotes
        return doc


@Language.factory("casus_quotes")
def make_quote_finder(nlp: Language, name: str) -> QuoteFinder:
    return QuoteFinder()
