"""The rules that decide whether two reports can tell of one happening, and how strongly they agree.

`pair_points` returns None for a pair that must stay apart (a veto), else integer points; a set of
reports becomes one happening only when no pair in it is vetoed and its pairs average at least the
join threshold (casus.fusion.cluster). Integer points keep every sum exact, so the result cannot
depend on the order in which reports were added. The rules, in order:

- same PLOVER type (blocking guarantees it);
- same modality: a negated or hypothetical act is not the real one, a pledge (future) is not the
  later deed, a historical act named in today's story ("the 2009 coup") is not today's act;
- overlapping days: two text dates that do not overlap are different days; an undated report lies
  in the days just before its publication;
- compatible sources: the same actor, or one standing for the other (a state and its ministers or
  army; less strongly a unit and its commander, two officials of one government speaking for it);
- compatible targets: the same actor, or a country named as a whole and a group inside it; two
  different specific targets (parliament vs the prime minister's home) are two happenings.
  A report without a target may join one with a target.
Then points for agreement: the same actors, the same day, the same place, shared words in the
evidence; and points off for places that cannot be the same.
"""

from __future__ import annotations

from casus.fusion.params import Params
from casus.fusion.report import Actor, Place, Report

SAME, ORGAN, RELATED, MISSING = "same", "organ", "related", "missing"
# the organs through which a state acts: "Pakistan shot down five jets" is its armed forces
STATE_ORGANS = frozenset({"GOV", "MIL", "COP", "JUD", "LEG", "SPY"})
# features naming an area that contains cities: a city inside it is not a different place
AREAS = frozenset({"country", "state", "continent", "region"})


def source_group(actor: Actor | None) -> str:
    """The blocking key of a source: its country when known (a state, its officials and its army all
    share it), else its own key. Two sources can only be compatible within one group."""
    if actor is None:
        return "-"
    return actor.country or actor.key


def _words(a: Actor) -> set[str]:
    return set(a.key[5:].split()) if a.kind == "text" else set()


def _text_overlap(a: Actor, b: Actor) -> bool:
    wa, wb = _words(a), _words(b)
    return bool(wa and wb and wa & wb)


def source_relation(a: Actor | None, b: Actor | None) -> str | None:
    if a is None or b is None:
        return MISSING if a is b else None  # two reports that name no source: nothing says who acted
    if a.key == b.key:
        return SAME
    if a.kind == "text" or b.kind == "text" or not a.country or a.country != b.country:
        return None
    # a state acts through its organs: "Pakistan" and "Pakistan's armed forces", "Qatar" and its ministry
    if (a.kind == "state" and b.sector in STATE_ORGANS) or (b.kind == "state" and a.sector in STATE_ORGANS):
        return ORGAN
    if a.sector == b.sector or a.sector is None or b.sector is None:
        return RELATED
    return None


def target_relation(a: Actor | None, b: Actor | None) -> str | None:
    if a is None and b is None:
        return SAME
    if a is None or b is None:
        return MISSING
    if a.key == b.key:
        return SAME
    if a.kind == "text" or b.kind == "text":
        # an unresolved span ("buildings", "the ban") is no actor identity: it cannot tell two
        # happenings apart, and it only agrees when the words do
        return RELATED if _text_overlap(a, b) else MISSING
    if a.country and b.country and a.country != b.country:
        return None
    if a.country and a.country == b.country:
        # a country named as a whole ("strikes on Pakistan") and a group inside it
        if _whole_country(a) or _whole_country(b):
            return RELATED
        return None
    # one country unknown: an unspecified agent ("the government") of the same sector
    if a.sector and a.sector == b.sector and "person" not in (a.kind, b.kind):
        return RELATED
    return None


def _whole_country(a: Actor) -> bool:
    return a.kind == "state" or (a.sector is None and a.kind != "person")


def place_points(a: Place | None, b: Place | None, p: Params) -> int:
    if a is None or b is None:
        return 0
    if a.key == b.key:
        return p.place_same
    if a.country and b.country and a.country != b.country:
        return p.place_conflict
    if a.country and a.country == b.country and a.feature not in AREAS and b.feature not in AREAS:
        return p.place_conflict  # two cities (or buildings) of one country
    return 0


def date_points(a: Report, b: Report, p: Params) -> int | None:
    if a.lo is None or b.lo is None:
        return 0 if a.lo is b.lo else None
    if a.hi < b.lo or b.hi < a.lo:  # type: ignore[operator]
        return None
    if a.dated and b.dated:
        return p.date_same_day if a.day and b.day else p.date_overlap
    # one dated by its text, one only by its publication: weaker than two undated reports of one story
    return p.date_undated if a.dated or b.dated else 0


def word_points(a: tuple[str, ...], b: tuple[str, ...], p: Params) -> int:
    if not a or not b:
        return 0
    shared = len(set(a).intersection(b))
    if shared < p.words_min_shared:  # one shared word is usually the actor itself ("protesters")
        return 0
    # the share of the shorter clause's words found in the other: headlines and ledes differ in length
    return min(p.words_max, (p.words_scale * shared) // min(len(a), len(b)))


def pair_points(a: Report, b: Report, p: Params) -> int | None:
    """None when the two reports cannot be one happening; else their agreement in points."""
    if a.type != b.type or a.flags != b.flags:
        return None
    dates = date_points(a, b, p)
    if dates is None:
        return None
    src = source_relation(a.source, b.source)
    if src is None:
        return None
    tgt = target_relation(a.target, b.target)
    if tgt is None:
        return None
    points = dates + {SAME: p.source_same, ORGAN: p.source_organ, RELATED: p.source_related,
                      MISSING: p.source_missing}[src]
    points += {SAME: p.target_same, RELATED: p.target_related, MISSING: p.target_missing}[tgt]
    return points + place_points(a.place, b.place, p) + word_points(a.words, b.words, p)
