"""Speed-ups must not change records: today's records on a fixed corpus equal those written before
them (`tests/records_reference.py` says what the corpus is and how the reference is regenerated)."""

from __future__ import annotations

import pytest

from tests.records_reference import REFERENCE, available, current, stored


@pytest.mark.slow
@pytest.mark.skipif(not available(), reason="needs ../shared/data/polnear/dev and ../shared/data/news")
def test_records_equal_the_reference(nlp):
    ref = stored()
    now = current(nlp)
    assert [r["id"] for r in now] == [r["id"] for r in ref]
    assert sum(len(r["events"]) for r in ref) > 500 and sum(len(r["quotes"]) for r in ref) > 500
    for got, want in zip(now, ref, strict=True):
        if got != want:
            keys = [k for k in want if got.get(k) != want.get(k)]
            pytest.fail(f"{got['id']}: {', '.join(keys)} differ from {REFERENCE.name}")
