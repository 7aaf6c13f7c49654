"""The seed story's quotations and reported speech (issue 5's acceptance), through the real pipeline."""

from collections import Counter

from tests.conftest import span_text

MARKS = '"\u201c\u201d'


def _quoted_speech(record):
    """Quotations of speech: quotes whose content holds (or is) words in quotation marks."""
    out = []
    for q in record["quotes"]:
        if q["kind"] == "indirect":
            continue
        text = record["text"]
        s = q["content"]["start"]
        if q["kind"] == "mixed" or text[max(0, s - 1)] in MARKS or "'" in text[max(0, s - 2) : s]:
            out.append(q)
    return out


def test_seven_quotations_of_speech_with_their_speakers(seed_record):
    speech = _quoted_speech(seed_record)
    by_actor = Counter(q["speaker"]["actor"] for q in speech)
    assert len(speech) == 7, [span_text(seed_record, q["content"]) for q in speech]
    assert by_actor == {"rus-putin": 5, "fra-macron": 1, "ukr-zelensky": 1}


def test_he_said_quote_is_putins(seed_record):
    [q] = [q for q in seed_record["quotes"] if span_text(seed_record, q["content"]).startswith("If decisions")]
    assert span_text(seed_record, q["speaker"]) == "he" and q["speaker"]["actor"] == "rus-putin"
    assert q["kind"] == "direct" and span_text(seed_record, q["cue"]) == "said"


def test_reported_speech_of_ukraine_moscow_macron_analysts_and_western_leaders(seed_record):
    indirect: dict[str, list[str]] = {}
    for q in seed_record["quotes"]:
        if q["kind"] == "indirect" and q["speaker"]:
            indirect.setdefault(span_text(seed_record, q["speaker"]), []).append(span_text(seed_record, q["content"]))
    assert any(c.startswith("that security guarantees") for c in indirect["Ukraine"])
    assert any(c.startswith("it will not accept") for c in indirect["Moscow"])
    assert "26 countries had formally committed to the mission" in indirect["French President Emmanuel Macron"]
    assert any(c.startswith("those gains have come") for c in indirect["analysts"])
    assert any(c.startswith("Putin of stalling") for c in indirect["Western leaders"])


def test_reassurance_force_is_nobodys_words(seed_record):
    for q in _quoted_speech(seed_record):
        assert "reassurance force" not in span_text(seed_record, q["content"])


def test_store_lists_he_said_quotes_under_the_speakers_name(seed_record, tmp_path):
    from casus.store import Store

    store = Store(tmp_path / "quotes.duckdb")
    try:
        store.add_batch([seed_record])
        listed = store.quotes(speaker="Putin")
    finally:
        store.close()
    assert listed and all(r["speaker_actor"] == "rus-putin" for r in listed)
    assert any(r["speaker"] == "he" and r["content"].startswith("If decisions") for r in listed)


def test_quote_parts_point_at_the_original_text(nlp):
    from casus.document import Document
    from casus.pipeline import extract

    # the boilerplate line is dropped before analysis, so repaired and original offsets differ
    text = ('Related article: Something else\n"If the rain continues," the farmer said, "the whole harvest\n'
            'will be lost."\n')
    [record] = list(extract([Document(id="parts", text=text)], nlp=nlp))
    [q] = [q for q in record["quotes"] if q.get("parts")]
    assert [span_text(record, p) for p in q["parts"]] == ["If the rain continues,",
                                                           "the whole harvest\nwill be lost."]
