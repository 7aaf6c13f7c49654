"""The fusion logic apart from extraction: the gold events of the multi-outlet development stories
(`gold-clusters.jsonl`: their types, actors, dates, places, modality) fused and scored by
`../shared/eval/fusion.py`. The issue's bar is pairwise F1 ≥ 0.90."""

from __future__ import annotations

import pytest

from bench import fusion_gold

pytestmark = pytest.mark.skipif(not fusion_gold.available(), reason="../shared/data/news not present")


def test_gold_events_fuse_with_pairwise_f1_of_at_least_090(tmp_path):
    res = fusion_gold.score(out=tmp_path / "gold-fused.jsonl")
    assert res["matched_events"] == res["gold_events_in_happenings"] > 100  # every gold event took part
    p, r = res["pairwise_precision"], res["pairwise_recall"]
    f1 = 2 * p * r / (p + r)
    assert f1 >= 0.90, res
    # neither side bought with the other: nothing merged wholesale, nothing left unjoined
    assert p >= 0.8 and r >= 0.8, res
    assert abs(res["predicted_happenings"] - res["gold_happenings"]) <= 0.15 * res["gold_happenings"], res


def test_every_gold_happening_keeps_one_type_and_one_modality():
    from casus.fusion import fuse, load_params

    p = load_params()
    reports, _ = fusion_gold.gold_reports(p)
    happenings = list(fuse(reports, p))
    assert sum(len(m) for _, _, m in happenings) == len(reports)
    for _, _, members in happenings:
        assert len({r.type for r in members}) == 1 and len({r.flags for r in members}) == 1
