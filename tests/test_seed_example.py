"""The bundled example, end to end through the real pipeline (issue 2's acceptance)."""

from tests.conftest import span_text


def test_record_has_the_contract_keys(seed_record):
    assert set(seed_record) >= {"id", "meta", "text", "actors", "quotes", "events", "errors"}
    assert seed_record["id"] == "putin-reassurance-force"
    assert seed_record["meta"]["published"] == "2025-09-05"
    assert seed_record["errors"] == []


def test_people_are_person_actors(seed_record):
    people = {a["name"]: a for a in seed_record["actors"] if a["kind"] == "person"}
    assert {"Vladimir Putin", "Emmanuel Macron", "Volodymyr Zelensky"} <= set(people)
    assert people["Vladimir Putin"]["country"] == "RUS"
    mentions = [span_text(seed_record, m) for m in people["Vladimir Putin"]["mentions"]]
    assert "Vladimir Putin" in mentions and "he" in mentions


def test_mentions_point_at_the_original_text(seed_record):
    for actor in seed_record["actors"]:
        for m in actor["mentions"]:
            text = span_text(seed_record, m)
            assert text.strip() == text and text, (actor["id"], m)


def test_direct_quotes_have_speakers_and_original_offsets(seed_record):
    by_speaker = {}
    for q in seed_record["quotes"]:
        if q["kind"] == "direct":
            by_speaker.setdefault(q["speaker"]["actor"], []).append(span_text(seed_record, q["content"]))
    putin = by_speaker.get("rus-putin", [])
    assert any(c.startswith("If some troops appear there") for c in putin)
    # the second quote is attributed by "he said": the pronoun must resolve to Putin
    assert any(c.startswith("If decisions are reached") for c in putin)
    for q in seed_record["quotes"]:
        content = span_text(seed_record, q["content"])
        assert content and content == content.strip(" ")


def test_events_carry_types_and_dates(seed_record):
    from casus.data_files import plover_types

    types = plover_types()
    assert seed_record["events"], "the seed story has events"
    for e in seed_record["events"]:
        assert e["type"] in types and e["quad"] == types[e["type"]]["quad"]
        assert 0.0 < e["confidence"] <= 1.0
        assert span_text(seed_record, e["trigger"]).strip()
    confidences = [e["confidence"] for e in seed_record["events"]]
    assert confidences == sorted(confidences, reverse=True)
    threats = [e for e in seed_record["events"] if e["type"] == "THREATEN"]
    assert threats and threats[0]["source"]["actor"] == "rus-putin"
    assert threats[0]["date"]["value"] == "2025-09-05"
