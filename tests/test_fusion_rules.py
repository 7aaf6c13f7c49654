"""Fusion's rules and clustering on reports built by hand: what joins, what must stay apart, and a
result that depends on the set of reports only (not their order)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casus.data_files import DataFileError
from casus.fusion import fuse, load_params
from casus.fusion.happening import combined_confidence, summarise
from casus.fusion.params import Params
from casus.fusion.report import (
    FUTURE,
    HISTORICAL,
    HYPOTHETICAL,
    NEGATED,
    content_words,
    make_actor,
    make_place,
    make_report,
    ordinal,
)
from casus.fusion.rules import pair_points, source_relation, target_relation

P = load_params()
RUS = make_actor("rus", "Russia", "state", "RUS", "GOV")
RUS_MIL = make_actor("rus-mil", "Russia (military)", "group", "RUS", "MIL")
PUTIN = make_actor("rus-putin", "Vladimir Putin", "person", "RUS", "GOV")
UKR = make_actor("ukr", "Ukraine", "state", "UKR", "GOV")
UKR_CVL = make_actor("ukr-cvl", "Ukrainian civilians", "group", "UKR", "CVL")
PROTESTERS = make_actor("npl-cvl", "Nepal (civilians)", "group", "NPL", "CVL")
PARLIAMENT = make_actor("npl-leg", "Parliament of Nepal", "organisation", "NPL", "LEG")
OLI = make_actor("doc:abc:oli", "KP Sharma Oli", "person", "NPL", "GOV")
PRESIDENT = make_actor("npl-paudel", "Ram Chandra Paudel", "person", "NPL", "GOV")
KHARKIV = make_place("Kharkiv", "UKR", "city")


def rep(doc: str, type_: str = "ASSAULT", source=RUS_MIL, target=UKR_CVL, day: str | None = "2025-09-08",  # noqa: ANN001
        n: int = 0, flags: int = 0, place=KHARKIV, outlet: str | None = None, evidence: str = "",  # noqa: ANN001
        published: str = "2025-09-09", confidence: float = 0.8):
    return make_report(doc, n, type_, source, target, date_start=day, date_end=day,
                       date_basis="text" if day else "published", published=published, flags=flags, place=place,
                       outlet=outlet or doc, confidence=confidence, evidence=evidence)


def groups(reports) -> set[frozenset[tuple[str, int]]]:  # noqa: ANN001
    return {frozenset(r.key for r in members) for _, _, members in fuse(reports, P)}


def together(reports, a, b) -> bool:  # noqa: ANN001
    return any({a.key, b.key} <= g for g in groups(reports))


def test_the_same_strike_from_three_outlets_is_one_happening():
    a = rep("a", source=RUS_MIL, evidence="Russian forces struck Kharkiv on Monday")
    b = rep("b", source=RUS, evidence="Russia struck Kharkiv on Monday, killing six")
    c = rep("c", source=RUS_MIL, target=None, evidence="the Monday strike on Kharkiv")  # names no target
    assert groups([a, b, c]) == {frozenset({a.key, b.key, c.key})}


def test_different_days_stay_apart():
    monday, wednesday = rep("a", day="2025-09-08"), rep("b", day="2025-09-10", published="2025-09-10")
    assert pair_points(monday, wednesday, P) is None
    assert not together([monday, wednesday], monday, wednesday)
    # a month-dated report may be either day, but not both of them at once
    month = make_report("c", 0, "ASSAULT", RUS_MIL, UKR_CVL, date_start="2025-09-01", date_end="2025-09-30",
                        date_basis="text", published="2025-09-11", place=KHARKIV, outlet="c")
    assert pair_points(monday, month, P) is not None and pair_points(wednesday, month, P) is not None
    assert len(groups([monday, wednesday, month])) >= 2


def test_different_targets_of_one_actor_on_one_day_stay_apart():
    parliament = rep("a", "PROTEST", PROTESTERS, PARLIAMENT, place=None, evidence="protesters set fire to parliament")
    home = rep("b", "PROTEST", PROTESTERS, OLI, place=None, evidence="protesters set fire to the home of Oli")
    palace = rep("c", "PROTEST", PROTESTERS, PRESIDENT, place=None, evidence="protesters set fire to the palace")
    assert target_relation(PARLIAMENT, OLI) is None and target_relation(OLI, PRESIDENT) is None
    assert len(groups([parliament, home, palace])) == 3
    # the home reported again by another outlet joins the home, not the parliament
    home2 = rep("d", "PROTEST", PROTESTERS, make_actor("doc:xyz:oli", "Oli", "person", "NPL", "GOV"), place=None,
                evidence="the home of prime minister Oli was set on fire by protesters")
    assert together([parliament, home, home2], home, home2)
    assert not together([parliament, home, home2], parliament, home2)


def test_a_report_without_target_does_not_bridge_two_targets():
    parliament = rep("a", "PROTEST", PROTESTERS, PARLIAMENT, place=None,
                     evidence="protesters set fire to the parliament building")
    home = rep("b", "PROTEST", PROTESTERS, OLI, place=None, evidence="protesters set fire to the home of Oli")
    vague = rep("c", "PROTEST", PROTESTERS, None, place=None, evidence="protesters set fire to buildings")
    g = groups([parliament, home, vague])
    assert not together([parliament, home, vague], parliament, home)
    assert len(g) == 2  # the vague report joins one of them, never both


def test_a_claim_and_its_denial_stay_apart():
    claim = rep("a", "ACCUSE", UKR, RUS, day=None, place=None, evidence="Ukraine accused Russia of the strike")
    denial = rep("b", "REJECT", RUS, UKR, day=None, place=None, evidence="Russia rejected Ukraine's claim")
    assert pair_points(claim, denial, P) is None and len(groups([claim, denial])) == 2
    # "Russia said it did not strike": the negated act is not the strike
    struck, not_struck = rep("c", source=RUS), rep("d", source=RUS, flags=NEGATED)
    assert pair_points(struck, not_struck, P) is None


def test_modality_keeps_historical_hypothetical_and_pledged_acts_apart():
    today = rep("a", "COERCE", RUS_MIL, UKR, place=None)
    history = rep("b", "COERCE", RUS_MIL, UKR, place=None, flags=HISTORICAL)  # "the 2014 seizure", same date words
    threat = rep("c", "COERCE", RUS_MIL, UKR, place=None, flags=HYPOTHETICAL)
    assert len(groups([today, history, threat])) == 3
    pledge = rep("d", "MOBILIZE", RUS, None, day="2025-09-08", place=None, flags=FUTURE)
    deployment = rep("e", "MOBILIZE", RUS, None, day="2025-09-08", place=None)
    assert pair_points(pledge, deployment, P) is None


def test_a_historical_date_named_today_is_another_day():
    coup_2009 = make_report("a", 0, "COERCE", RUS_MIL, UKR, date_start="2009-01-01", date_end="2009-12-31",
                            date_basis="text", published="2025-10-14", outlet="a")
    coup_today = rep("b", "COERCE", RUS_MIL, UKR, day="2025-10-14", published="2025-10-14", place=None)
    assert pair_points(coup_2009, coup_today, P) is None


def test_sources_standing_for_each_other():
    assert source_relation(RUS, RUS_MIL) == "organ" and source_relation(RUS, PUTIN) == "organ"
    assert source_relation(RUS_MIL, PUTIN) is None  # the army and the president are different actors
    assert source_relation(RUS, UKR) is None
    text = make_actor(None, text="The strike")
    assert source_relation(text, RUS) is None and source_relation(text, make_actor(None, text="the strike")) == "same"


def test_document_scoped_people_join_across_documents_by_surname():
    a = make_actor("doc:1111:oli", "Oli", "person", "NPL", "GOV")
    b = make_actor("doc:2222:kp-sharma-oli", "KP Sharma Oli", "person", "NPL", "GOV")
    role = make_actor("doc:3333:pm", "Prime Minister (Nepal)", "person", "NPL", "GOV")
    assert a.key == b.key == "person:oli" and role.key != a.key


def test_undated_reports_lie_just_before_publication():
    r = make_report("a", 0, "ASSAULT", RUS, UKR, date_basis="published", date_start="2025-09-09",
                    date_end="2025-09-09", published="2025-09-09", lookback=3)
    assert (r.lo, r.hi, r.dated) == (ordinal("2025-09-06"), ordinal("2025-09-09"), False)
    vague = make_report("b", 0, "ASSAULT", RUS, UKR, date_basis="text", date_start="2020-01-01",
                        date_end="2025-09-01", published="2025-09-09", widest=400)
    assert not vague.dated  # "in recent years" dates nothing


def test_repeats_in_one_document_join():
    lede = rep("a", n=0, evidence="Russian forces struck Kharkiv on Monday, killing six civilians")
    recap = rep("a", n=5, evidence="Monday's strike on Kharkiv killed six civilians")
    assert groups([lede, recap]) == {frozenset({lede.key, recap.key})}


def test_happening_summary_counts_reports_documents_outlets():
    a = rep("a", outlet="Wire", confidence=0.3, evidence="x")
    a2 = rep("a", n=1, outlet="WIRE", confidence=0.5)  # one outlet, however it is spelt
    b = rep("b", outlet="paper", confidence=0.5, source=RUS, published="2025-09-10")
    row = summarise("h1", "a:0", [a, a2, b])
    assert (row["n_reports"], row["n_documents"], row["n_outlets"]) == (3, 2, 2)
    assert row["outlets"] == ["paper", "Wire"]
    assert (row["first_report"], row["last_report"]) == ("2025-09-09", "2025-09-10")
    assert (row["date_start"], row["date_end"], row["location"]) == ("2025-09-08", "2025-09-08", "Kharkiv")
    assert row["source_key"] == "rus-mil"  # two reports name the army, one the state
    assert row["confidence"] == combined_confidence([a, a2, b]) == pytest.approx(1 - 0.5 * 0.5)


def test_content_words_drop_function_words_and_fold_plurals():
    assert content_words("The strikes on the buildings") == content_words("strike building")


def test_params_file_is_versioned_and_complete():
    p = load_params()
    assert isinstance(p, Params) and p.version >= 1 and p.join_threshold > 0
    assert p.source_same > p.source_related and p.place_conflict < 0
    with pytest.raises(DataFileError):
        load_params({"version": 1, "points": {}})


# ---- order independence ----------------------------------------------------------------------------

WORLD = [RUS, RUS_MIL, PUTIN, UKR, UKR_CVL, None]
DAYS = ["2025-09-07", "2025-09-08", "2025-09-09", None]
report_spec = st.tuples(st.sampled_from(["ASSAULT", "ACCUSE"]), st.sampled_from(WORLD[:5]), st.sampled_from(WORLD),
                        st.sampled_from(DAYS), st.sampled_from([0, 0, 0, NEGATED]),
                        st.sampled_from([KHARKIV, None, make_place("Kyiv", "UKR", "city")]),
                        st.sampled_from(["struck kharkiv homes", "strike kharkiv homes civilians", "shelling", ""]))


@settings(max_examples=60, deadline=None)
@given(st.lists(report_spec, min_size=2, max_size=30), st.randoms(use_true_random=False))
def test_happenings_do_not_depend_on_input_order(specs, rnd):
    reports = [rep(f"d{i % 7}", t, s, g, day=d, n=i, flags=f, place=pl, evidence=w)
               for i, (t, s, g, d, f, pl, w) in enumerate(specs)]
    first = sorted((hid, tuple(r.key for r in m)) for hid, _, m in fuse(reports, P))
    shuffled = reports[:]
    rnd.shuffle(shuffled)
    again = sorted((hid, tuple(r.key for r in m)) for hid, _, m in fuse(shuffled, P))
    assert first == again
    # blocking loses no compatible pair
    from casus.fusion.cluster import block_of, candidate_pairs

    blocks: dict[str, list] = {}
    for r in reports:
        blocks.setdefault(block_of(r), []).append(r)
    seen = {frozenset((a.key, b.key)) for blk in blocks.values() for a, b in candidate_pairs(blk)}
    for i, a in enumerate(reports):
        for b in reports[i + 1 :]:
            if pair_points(a, b, P) is not None:
                assert block_of(a) == block_of(b) and frozenset((a.key, b.key)) in seen
    # and every happening is a set of pairwise compatible reports
    by_key = {r.key: r for r in reports}
    for _, keys in first:
        for i, a in enumerate(keys):
            for b in keys[i + 1 :]:
                assert pair_points(by_key[a], by_key[b], P) is not None


def test_blocking_compares_only_overlapping_days_of_one_block():
    from casus.fusion.cluster import block_of, candidate_pairs

    rng = random.Random(3)
    block = [rep(f"d{i}", day=f"2025-09-{1 + rng.randrange(28):02d}") for i in range(200)]
    pairs = list(candidate_pairs(block))
    assert pairs and all(a.lo <= b.hi and b.lo <= a.hi for a, b in pairs)
    same_day = sum(1 for i, a in enumerate(block) for b in block[i + 1 :] if a.lo == b.lo)
    assert len(pairs) == same_day < 200 * 199 // 2 // 10
    assert block_of(rep("x", source=RUS)) == block_of(rep("y", source=PUTIN)) != block_of(rep("z", source=UKR))
