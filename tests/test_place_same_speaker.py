"""Statements inherit the place where their speaker spoke that day; nothing else does."""

from casus.document import Document
from casus.pipeline import extract


def _record(nlp, text: str, published: str = "2024-03-08") -> dict:
    [record] = extract([Document("t", text, {"published": published})], nlp=nlp, n_process=1)
    return record


def test_seed_threat_is_located_at_vladivostok(seed_record):
    threats = [e for e in seed_record["events"] if e["type"] == "THREATEN" and e["source"]
               and e["source"]["actor"] == "rus-putin"]
    assert threats
    loc = threats[0]["location"]
    assert loc["name"] == "Vladivostok" and loc["country"] == "RUS"
    assert abs(loc["lat"] - 43.1) < 0.2 and abs(loc["lon"] - 131.9) < 0.2
    assert loc["basis"] == "same speaker, same day"


def test_only_same_day_statements_of_the_same_speaker_inherit(nlp):
    text = ("Macron warned Russia on Friday that France would respond. "
            "\"We will not be intimidated,\" Macron said on Friday at a summit in Brussels. "
            "On Thursday, Macron criticized Moscow.")
    record = _record(nlp, text)
    located = {(e["type"], e["date"]["value"]): (e["location"] or {}).get("name") for e in record["events"]
               if e["source"] and e["source"]["actor"] == "fra-macron"}
    friday = [name for (_, day), name in located.items() if day == "2024-03-08"]
    thursday = [name for (_, day), name in located.items() if day == "2024-03-07"]
    assert friday and all(name == "Brussels" for name in friday), located
    assert thursday and all(name is None for name in thursday), located
