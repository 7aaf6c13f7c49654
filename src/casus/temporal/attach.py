"""Which of a sentence's expressions governs an event: the one nearest its trigger in the parse.

Shared by the time and place components. A sentence often holds several times or places that
belong to different clauses ("Amid a frenzy in recent months, which culminated in a summit in
Alaska in August, leaders have accused Putin…"); the path length through the dependency tree
from the event's trigger to the expression's head picks the right one far more often than
linear distance does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from spacy.tokens import Doc, Span, Token

from casus.sentences import Sentences

# expressions that modify a noun ("the 1994 Budapest Memorandum", "Friday's attack") date or place
# that noun only, not the clause around it
ATTRIBUTIVE_DEPS = {"compound", "nummod", "amod", "nmod", "poss", "npadvmod_noun"}


# dependency relations that open a clause of their own; an adverbial clause counts only with a
# subject of its own ("as his forces grind forward in eastern Ukraine"), since a participle
# ("standing alongside Zelensky on Thursday, Macron said") shares the main clause's time and place
CLAUSE_DEPS = {"relcl", "ccomp", "acl", "csubj", "parataxis", "conj"}
SUBJECTS = {"nsubj", "nsubjpass", "expl"}
FAR = 1_000


def tree_distance(a: Token, b: Token) -> int:
    """Edges between two tokens of one sentence through their lowest common ancestor."""
    up = {t.i: n for n, t in enumerate([a, *a.ancestors])}
    for m, t in enumerate([b, *b.ancestors]):
        if t.i in up:
            return up[t.i] + m
    return FAR


def _circumstantial(t: Token, up: set[int]) -> bool:
    """ "Macron, standing alongside Zelensky on Thursday, said…": a participle set off by commas
    after the subject of a verb the trigger belongs to describes that verb's circumstances."""
    return (t.dep_ == "acl" and t.head.dep_ in SUBJECTS and t.head.head.i in up and t.i > 0
            and t.doc[t.i - 1].text == ",")


def in_other_clause(trigger: Token, expr: Token) -> bool:
    """Whether `expr` sits in a clause below the trigger's lowest common ancestor with it, i.e.
    in a clause of its own that does not contain the trigger ("…, which culminated in a summit in
    Alaska, leaders accused…": Alaska locates the summit, not the accusation). Climbing from the
    trigger into the clause that reports it ("…targets," Putin said in Vladivostok) is allowed."""
    up = {t.i for t in [trigger, *trigger.ancestors]}
    t = expr
    while t.i not in up:
        if t.pos_ in {"VERB", "AUX"} and (t.dep_ in CLAUSE_DEPS or (
                t.dep_ == "advcl" and any(c.dep_ in SUBJECTS for c in t.children))):
            if not _circumstantial(t, up):
                return True
        if t.head.i == t.i:
            return False
        t = t.head
    return False


def trigger_token(doc: Doc, event: dict[str, Any]) -> Token | None:
    trig = event.get("trigger") or {}
    if isinstance(trig.get("token"), int) and 0 <= trig["token"] < len(doc):
        return doc[trig["token"]]
    if trig.get("start") is None:
        return None
    span = doc.char_span(trig["start"], trig.get("end", trig["start"] + 1), alignment_mode="expand")
    return span.root if span is not None and len(span) else None


def is_attributive(span: Span) -> bool:
    root = span.root
    return root.dep_ in ATTRIBUTIVE_DEPS and root.head.pos_ in {"NOUN", "PROPN"} and root.head not in span


def _dates_the_trigger(noun: Token, trigger: Token) -> bool:
    """An attributive expression counts for the trigger itself ("Friday's attack") or for the noun
    that completes it ("lost the 2020 election"), not for nouns further away."""
    return noun == trigger or (noun.head == trigger and noun.dep_ in {"dobj", "nsubjpass", "attr"})


class BySentence:
    """Spans grouped by the sentence that holds them, built once per document, so that each event looks
    at its own sentence's spans only (looking at all of them for every event is quadratic)."""

    def __init__(self, spans: Sequence[Span], sents: Sentences | None = None):
        self.spans = list(spans)
        self.sents = sents or (Sentences(self.spans[0].doc) if self.spans else None)
        self.groups: dict[int, list[Span]] = {}
        self.empty: list[Span] = []  # an empty span at a boundary belongs to two sentences: test it always
        for span in self.spans:
            if len(span) == 0:
                self.empty.append(span)
                continue
            start, end = self.sents.bounds(span.start)  # type: ignore[union-attr]
            if span.end <= end:
                self.groups.setdefault(start, []).append(span)

    def within(self, sent: Span) -> list[Span]:
        """The spans that may lie inside `sent`, in their original order."""
        group = self.groups.get(sent.start, [])
        if not self.empty:
            return group
        order = {id(s): n for n, s in enumerate(self.spans)}
        return sorted(group + self.empty, key=lambda s: order[id(s)])


def governing(trigger: Token, spans: Sequence[Span] | BySentence, sents: Sentences | None = None) -> Span | None:
    """The span in the trigger's sentence nearest to it in the parse (ties: nearest in the text).
    Attributive spans count only for the noun they modify. Give `spans` as `BySentence` when there
    are many events to place."""
    if isinstance(spans, BySentence):
        sents = sents or spans.sents
    sents = sents or Sentences(trigger.doc)
    sent = sents.of(trigger.i)
    best: tuple[int, int, Span] | None = None
    for span in spans.within(sent) if isinstance(spans, BySentence) else spans:
        if span.start < sent.start or span.end > sent.end:
            continue
        if is_attributive(span) and not _dates_the_trigger(span.root.head, trigger):
            continue
        if span.start <= trigger.i < span.end:
            continue   # the trigger is inside the expression: it cannot govern itself
        if in_other_clause(trigger, span.root):
            continue
        key = (tree_distance(trigger, span.root), abs(span.root.i - trigger.i), span)
        if best is None or key[:2] < best[:2]:
            best = key
    return best[2] if best else None


T = TypeVar("T")


def first_fit(candidates: Iterable[tuple[Span, T]], n_tokens: int) -> list[tuple[Span, T]]:
    """The candidates, in the order given, that share no token with one kept before them.

    Same result as testing each against every kept span (`span.end <= k.start or span.start >= k.end`),
    in time linear in the tokens covered: each kept span marks its tokens with its number.
    """
    owner = [-1] * (n_tokens + 1)
    point = [False] * (n_tokens + 1)  # where an empty span was kept
    kept: list[tuple[Span, T]] = []
    for span, value in candidates:
        if len(span) == 0:
            # empty at token p: it overlaps a kept span only when that span runs across p
            p = span.start
            if 0 < p <= n_tokens and owner[p - 1] >= 0 and owner[p - 1] == owner[p]:
                continue
            point[p] = True
        elif any(owner[i] >= 0 for i in range(span.start, span.end)) or \
                any(point[i] for i in range(span.start + 1, span.end)):
            continue
        for i in range(span.start, span.end):
            owner[i] = len(kept)
        kept.append((span, value))
    return kept
