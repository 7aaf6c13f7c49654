"""casus_time inside the real pipeline: the document's times, and the date that governs each event."""

import datetime as dt

import pytest

from casus.document import Document
from casus.pipeline import extract, make_doc
from casus.temporal import find_times
from casus.temporal.attach import governing
from tests.conftest import span_text

FRI = dt.date(2025, 9, 5)


def _parse(nlp, text, published="2025-09-05"):
    doc = make_doc(nlp, Document(id="t", text=text, meta={"published": published} if published else {}))
    return nlp(doc)


def _governing_time(nlp, text, trigger, published="2025-09-05"):
    doc = _parse(nlp, text, published)
    times = find_times(doc, dt.date.fromisoformat(published) if published else None)
    values = {(s.start, s.end): v for s, v in times}
    tok = next(t for t in doc if t.text == trigger)
    span = governing(tok, [s for s, _ in times])
    return (span.text, values[(span.start, span.end)]["value"]) if span is not None else None


@pytest.mark.parametrize(("text", "trigger", "expected"), [
    # seed story sentences
    ("President Vladimir Putin warned on Friday that any Western forces deployed to Ukraine would be a "
     "legitimate target.", "warned", ("Friday", "2025-09-05")),
    ("A coalition of more than two dozen countries announced on Thursday that they were prepared to send a "
     "reassurance force to Ukraine.", "announced", ("Thursday", "2025-09-04")),
    ("Amid a diplomatic frenzy in recent months, which culminated in a Russia-U.S. summit in Alaska in August, "
     "Western leaders have accused Putin of stalling for time.", "culminated", ("August", "2025-08")),
    ("At a news conference in China earlier this week, he boasted that Russian troops were advancing in all "
     "directions.", "boasted", ("earlier this week", "2025-W36")),
    # two clauses, two times: each verb takes its own
    ("Protesters who gathered on Sunday were dispersed by police on Monday.", "dispersed", ("Monday", "2025-09-01")),
    ("Protesters who gathered on Sunday were dispersed by police on Monday.", "gathered", ("Sunday", "2025-08-31")),
    # an attributive year dates its noun, not the clause
    ("They point to a long record of violations dating back to the 1994 Budapest Memorandum.", "point", None),
])
def test_the_governing_expression(nlp, text, trigger, expected):
    assert _governing_time(nlp, text, trigger) == expected


def test_seed_record_dates_events_and_lists_times(seed_record):
    times = {span_text(seed_record, t): t for t in seed_record["times"]}
    assert times["earlier this week"]["value"] == "2025-W36"
    assert times["earlier this week"]["earliest"] == "2025-09-01"
    assert times["August"]["value"] == "2025-08" and times["August"]["granularity"] == "month"
    assert times["recent months"]["granularity"] == "range"
    assert times["1994"]["value"] == "1994"
    by_trigger = {span_text(seed_record, e["trigger"]): e for e in seed_record["events"]}
    warned = by_trigger["warned"]["date"]
    assert (warned["value"], warned["basis"], span_text(seed_record, warned)) == ("2025-09-05", "text", "Friday")
    committed = by_trigger["committed"]["date"]
    assert (committed["value"], committed["basis"]) == ("2025-09-04", "text")
    for e in seed_record["events"]:
        d = e["date"]
        assert d["basis"] in {"text", "published", "referenced", "none"}
        if d["basis"] == "published":
            # an act of years ago is never dated to the day it was reported
            assert d["value"] == "2025-09-05" and d["start"] is None and not e["modality"]["historical"]
        elif d["basis"] == "none":
            assert d["value"] is None and e["modality"]["historical"]
        else:
            assert span_text(seed_record, d) == d["text"]
    # "Under that post-Soviet accord, Kyiv surrendered its nuclear arsenal": the accord of 1994
    surrendered = by_trigger["surrendered"]
    assert surrendered["modality"]["historical"]
    assert (surrendered["date"]["value"], surrendered["date"]["basis"]) == ("1994", "referenced")


def test_without_a_publication_date_nothing_is_invented(nlp):
    text = "Russia accused Ukraine of shelling the city of Kharkiv on Friday. Officials condemned the attack."
    [record] = list(extract([Document(id="nodate", text=text, meta={})], nlp=nlp))
    [friday] = [t for t in record["times"] if t["text"] == "Friday"]
    assert friday["value"] is None and "publication date" in friday["unresolved"]
    assert record["events"]
    for e in record["events"]:
        assert e["date"]["value"] is None
        assert e["date"]["basis"] in {"text", "none"}
    accused = next(e for e in record["events"] if span_text(record, e["trigger"]) == "accused")
    assert accused["date"]["basis"] == "text" and accused["date"]["text"] == "Friday"


def test_a_saturday_paper_dates_friday_the_day_before(nlp):
    [record] = list(extract([Document(id="sat", text="Russia accused Ukraine of the attack on Friday.",
                                      meta={"published": "2025-09-06"})], nlp=nlp))
    accused = next(e for e in record["events"] if span_text(record, e["trigger"]) == "accused")
    assert accused["date"]["value"] == "2025-09-05"
