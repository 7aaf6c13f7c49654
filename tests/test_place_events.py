"""casus_place inside the real pipeline: toponyms, and the location that governs each event."""

import datetime as dt

import pytest

from casus.document import Document
from casus.pipeline import extract, make_doc
from casus.places import find_places, locative
from casus.temporal.attach import governing
from tests.conftest import span_text


def _parse(nlp, text):
    return nlp(make_doc(nlp, Document(id="p", text=text, meta={"published": "2025-09-05"})))


def _governing_place(nlp, text, trigger):
    doc = _parse(nlp, text)
    found = find_places(doc)
    items = {(s.start, s.end): item for s, item in found}
    tok = next(t for t in doc if t.text == trigger)
    span = governing(tok, [s for s, item in found if item["locative"] and item.get("name")])
    if span is None:
        return None
    item = items[(span.start, span.end)]
    return item["name"], item["country"]


@pytest.mark.parametrize(("text", "trigger", "expected"), [
    ('"If some troops appear there, we proceed from the premise that they will be legitimate targets," Putin '
     "said at the Eastern Economic Forum in the city of Vladivostok.", "targets", ("Vladivostok", "RUS")),
    ("Amid a diplomatic frenzy in recent months, which culminated in a Russia-U.S. summit in Alaska in August, "
     "Western leaders have accused Putin of stalling for time as his forces grind forward in eastern Ukraine.",
     "culminated", ("Alaska", "USA")),
    # the accusation happened nowhere the sentence names: Alaska and eastern Ukraine sit in other clauses
    ("Amid a diplomatic frenzy in recent months, which culminated in a Russia-U.S. summit in Alaska in August, "
     "Western leaders have accused Putin of stalling for time as his forces grind forward in eastern Ukraine.",
     "accused", None),
    ("At a news conference in China earlier this week, he boasted that Russian troops were advancing.",
     "boasted", ("China", "CHN")),
    # a country as a party is not a place: "assurances from Russia"
    ("Kyiv surrendered its nuclear arsenal in exchange for assurances from Russia.", "surrendered", None),
    ("Drones struck an oil depot on the outskirts of Kyiv overnight, officials said.", "struck", ("Kyiv", "UKR")),
])
def test_the_governing_place(nlp, text, trigger, expected):
    assert _governing_place(nlp, text, trigger) == expected


def test_locative_phrases(nlp):
    doc = _parse(nlp, "Russia warned Britain after talks in Geneva.")
    found = {s.text: s for s, _ in find_places(doc)}
    assert not locative(found["Russia"]) and not locative(found["Britain"])
    assert locative(found["Geneva"])


def test_seed_record_places(seed_record):
    places = {span_text(seed_record, p): p for p in seed_record["places"]}
    v = places["Vladivostok"]
    assert (v["country"], v["feature"]) == ("RUS", "city")
    assert abs(v["lat"] - 43.1) < 0.1 and abs(v["lon"] - 131.9) < 0.1
    assert places["Alaska"]["country"] == "USA" and places["Alaska"]["feature"] == "state"
    assert places["China"]["country"] == "CHN"
    assert places["eastern Ukraine"]["country"] == "UKR" and places["eastern Ukraine"]["feature"] == "region"
    for e in seed_record["events"]:
        loc = e["location"]
        if loc is not None:
            assert span_text(seed_record, loc) == loc["text"] and loc["country"]


def test_event_location_flows_to_record_store_and_cli(nlp, tmp_path):
    from casus.store import Store
    from tests.conftest import run_casus

    text = "Russia accused Ukraine on Friday of shelling a market in the city of Donetsk."
    [record] = list(extract([Document(id="loc", text=text, meta={"published": "2025-09-06"})], nlp=nlp))
    accused = next(e for e in record["events"] if span_text(record, e["trigger"]) == "accused")
    assert accused["location"]["name"] == "Donetsk" and accused["location"]["country"] == "UKR"
    assert span_text(record, accused["location"]) == "Donetsk"
    assert accused["date"]["value"] == "2025-09-05"
    db = tmp_path / "p.duckdb"
    with Store(db) as store:
        store.add_batch([record])
        rows = store.events(place="UKR", min_confidence=0)
        assert rows and all(r["country"] == "UKR" for r in rows)
        assert store.events(place="Ukraine", min_confidence=0) == rows  # a country by name is its code
        assert store.events(place="Vladivostok", min_confidence=0) == []
        admin1, feature, lo, hi = store.con.execute(
            "SELECT admin1, feature, date_start, date_end FROM events WHERE location = 'Donetsk'").fetchone()
        assert feature == "city" and admin1 and lo == hi == dt.date(2025, 9, 5)
    out = run_casus("events", "--db", str(db), "--place", "donetsk", "--format", "json", check=True).stdout
    assert '"location": "Donetsk"' in out
