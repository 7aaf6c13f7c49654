"""Which of a sentence's expressions governs an event: the one nearest its trigger in the parse.

Shared by the time and place components. A sentence often holds several times or places that
belong to different clauses ("Amid a frenzy in recent months, which culminated in a summit in
Alaska in August, leaders have accused Putin…"); the path length through the dependency tree
from the event's trigger to the expression's head picks the right one far more often than
linear distance does.
"""

from __future__ import annotations

from typing import Any

from spacy.tokens import Doc, Span, Token

# expressions that modify a noun ("the 1994 Budapest Memorandum", "Friday's attack") date or place
# that noun only, not the clause around it
ATTRIBUTIVE_DEPS = {"compound", "nummod", "amod", "nmod", "poss", "npadvmod_noun"}


def tree_distance(a: Token, b: Token) -> int:
    """Edges between two tokens of one sentence through their lowest common ancestor."""
    up = {t.i: n for n, t in enumerate([a, *a.ancestors])}
    for m, t in enumerate([b, *b.ancestors]):
        if t.i in up:
            return up[t.i] + m
    return 1_000


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


def governing(trigger: Token, spans: list[Span]) -> Span | None:
    """The span in the trigger's sentence nearest to it in the parse (ties: nearest in the text).
    Attributive spans count only for the noun they modify."""
    sent = trigger.sent
    best: tuple[int, int, Span] | None = None
    for span in spans:
        if span.start < sent.start or span.end > sent.end:
            continue
        if is_attributive(span) and span.root.head != trigger:
            continue
        if span.start <= trigger.i < span.end:
            continue   # the trigger is inside the expression ("the Alaska summit"): not its own place
        key = (tree_distance(trigger, span.root), abs(span.root.i - trigger.i), span)
        if best is None or key[:2] < best[:2]:
            best = key
    return best[2] if best else None
