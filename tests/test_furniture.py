"""Page furniture (headlines, bylines, datelines, photo credits, captions) is metadata, never an actor,
a speaker or an event argument; offsets into the original text stay right."""

import pytest

from casus.document import Document
from casus.pipeline import extract
from casus.repair import repair


def _record(nlp, text, **meta):
    [rec] = list(extract([Document(id="f", text=text, meta=meta)], nlp=nlp))
    assert rec["errors"] == []
    return rec


def _mention_texts(rec):
    return {rec["text"][m["start"] : m["end"]] for a in rec["actors"] for m in a["mentions"]}


def _parties(rec):
    out = set()
    for q in rec["quotes"]:
        out.add(rec["text"][q["speaker"]["start"] : q["speaker"]["end"]] if q.get("speaker") else "")
    for e in rec["events"]:
        for side in ("source", "target"):
            if e.get(side):
                out.add(rec["text"][e[side]["start"] : e[side]["end"]])
    return out


@pytest.mark.parametrize("dateline,place,country,agency", [
    ("TBILISI, Georgia \u2014", "Tbilisi", "GEO", None),
    ("LIMA (Reuters) \u2013", "Lima", "PER", "Reuters"),
    ("BAMAKO, Mali, Oct. 3 (AFP) -", "Bamako", "MLI", "AFP"),
    ("Nairobi:", "Nairobi", "KEN", None),
])
def test_a_dateline_is_the_reports_place_not_a_mention(nlp, dateline, place, country, agency):
    text = f"{dateline} The interior minister said on Monday that police had arrested 40 protesters.\n"
    rec = _record(nlp, text, published="2024-10-03")
    found = rec["meta"]["dateline"]
    assert (found["place"], found["country"], found["agency"]) == (place, country, agency)
    assert text[found["start"] : found["end"]] == dateline.rstrip(" \u2014\u2013-:")
    mentioned = " ".join(_mention_texts(rec))
    assert place.upper() not in mentioned.upper() and (agency or "?") not in mentioned
    assert not any(place.lower() in p.lower() for p in _parties(rec))
    police = [a for a in rec["actors"] if a["sector"] == "COP"]
    assert police and police[0]["country"] == country  # the dateline's country gives domestic agents theirs


def test_a_word_before_a_colon_is_not_a_dateline_unless_it_is_a_sizeable_place():
    assert "dateline" not in repair("Obama: Trump is unfit to serve, he says in a speech.\n").meta
    assert "dateline" not in repair("Police: three officers were hurt in the clashes overnight.\n").meta
    assert repair("Male: Police detained 193 people overnight.\n").meta["dateline"]["country"] == "MDV"


def test_photo_credit_and_its_caption_are_left_out_with_offsets_kept(nlp):
    text = ("Jane Roe/Ministry of Defence/Handout via REUTERS\n\n"
            "Soldiers guard detainees at a camp near the border on May 2.\n\n"
            "OSLO (Reuters) \u2013 Norway's foreign minister accused Russia of violating its airspace on Monday.\n")
    rec = _record(nlp, text, published="2024-05-03")
    kinds = {f["kind"]: f for f in rec["meta"]["furniture"]}
    assert {"credit", "caption", "dateline"} <= set(kinds)
    assert text[kinds["credit"]["start"] : kinds["credit"]["end"]].endswith("via REUTERS")
    assert not {"Reuters", "REUTERS", "Jane Roe", "Soldiers", "OSLO"} & _mention_texts(rec)
    accuse = [e for e in rec["events"] if e["type"] == "ACCUSE"]
    assert accuse and rec["text"][accuse[0]["source"]["start"] : accuse[0]["source"]["end"]].endswith("minister")


@pytest.mark.parametrize("line", [
    "Protesters gather outside parliament on Tuesday. (AP Photo/John Doe).",
    "Protesters gather outside parliament on Tuesday. REUTERS/John Doe",
    "Protesters gather outside parliament on Tuesday. Picture: UGC via AP",
    "PHOTO/Agency via AP - Protesters gather outside parliament on Tuesday",
    "John Doe, AFP | Protesters gather outside parliament on Tuesday",
    "The two leaders shake hands in Kyiv on Tuesday. Presidential Press Office UPI",
    "The two leaders shake hands in Kyiv on Tuesday. Photo by Jane Roe",
])
def test_a_caption_signed_by_a_credit_is_furniture(line):
    r = repair(f"{line}\n\nThe government said the protest was illegal.\n")
    assert r.text.strip() == "The government said the protest was illegal."
    assert r.meta["furniture"][0]["kind"] in {"caption", "credit"}


def test_a_sentence_that_names_an_agency_is_kept():
    text = "The footage, obtained by AP and Reuters, shows the strike. Officials declined to comment.\n"
    assert repair(text).text.strip() == text.strip()


def test_headline_subhead_outlet_and_desk_lines_are_not_the_story(nlp):
    text = ("Rebels Seize Port City After Week Of Fighting\n"
            "Global News\n"
            "Africa editor, Global News Service\n"
            "Rebel fighters seized the port on Sunday, a spokesman for the army said.\n"
            "Army Vows To Retake The Port\n"
            "\"We will drive them out,\" the spokesman said.\n")
    rec = _record(nlp, text, title="Rebels seize port city after week of fighting", outlet="Global News")
    kinds = [f["kind"] for f in rec["meta"]["furniture"]]
    assert kinds == ["headline", "outlet", "byline", "subhead"]
    mentions = " ".join(_mention_texts(rec))
    assert "Global" not in mentions and "City" not in mentions
    for f in rec["meta"]["furniture"]:
        assert f["text"] == text[f["start"] : f["end"]]
        assert all(not (f["start"] <= e["trigger"]["start"] < f["end"]) for e in rec["events"])


def test_a_headline_run_into_the_lede_and_an_outlet_glued_to_it_are_cut():
    title = "Troops withdraw from the northern border town"
    r = repair(f"{title}\nNewsWireSoldiers left the town on Friday, officials said.\n",
               {"title": title, "outlet": "NewsWire (via Aggregator)"})
    assert r.text.strip() == "Soldiers left the town on Friday, officials said."
    assert [f["kind"] for f in r.meta["furniture"]] == ["headline", "outlet"]


def test_one_headline_alone_is_still_analysed():
    assert repair("Russia Warns West Over Troops\n").text.strip() == "Russia Warns West Over Troops"
