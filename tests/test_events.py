"""The events stage on sentences written for these tests: one per PLOVER type, the modalities,
compound actors, several events in a sentence and none in a background sentence."""

from __future__ import annotations

import pytest

from casus.document import Document
from casus.pipeline import make_doc


@pytest.fixture(scope="module")
def code(nlp):
    def run(text: str, published: str = "2025-09-05") -> list[dict]:
        doc = nlp(make_doc(nlp, Document(id="t", text=text, meta={"published": published})))
        assert not doc._.casus_errors, doc._.casus_errors
        for e in doc._.casus_events:
            e["_text"] = {k: (doc.text[e[k]["start"]:e[k]["end"]] if e[k] else None)
                          for k in ("source", "target", "trigger", "evidence")}
        return doc._.casus_events
    return run


def first(events: list[dict], etype: str) -> dict:
    found = [e for e in events if e["type"] == etype]
    assert found, f"no {etype} in {[(e['type'], e['_text']['trigger']) for e in events]}"
    return found[0]


# (sentence, type, source, trigger, target) — written from the PLOVER manual's definitions
TYPED = [
    ("Germany agreed to resume gas deliveries to Poland.", "AGREE", "Germany", "agreed", "Poland"),
    ("The Iranian foreign minister met his Saudi counterpart in Riyadh.", "CONSULT",
     "The Iranian foreign minister", "met", "his Saudi counterpart"),
    ("Japan praised South Korea for its handling of the crisis.", "SUPPORT", "Japan", "praised", "South Korea"),
    ("The government conceded defeat to the opposition party.", "CONCEDE", "The government", "conceded",
     "the opposition party"),
    ("The two armies shared intelligence on the militants.", "COOPERATE", "The two armies", "shared", None),
    ("The European Union provided humanitarian aid to Sudan.", "AID", "The European Union", "provided", "Sudan"),
    ("Rebels released twelve hostages to the Red Cross.", "RETREAT", "Rebels", "released", None),
    ("The opposition demanded that the president resign.", "REQUEST", "The opposition", "demanded", "the president"),
    ("Ukraine accused Russia of shelling the nuclear plant.", "ACCUSE", "Ukraine", "accused", "Russia"),
    ("Hungary rejected the European Commission's proposal.", "REJECT", "Hungary", "rejected", None),
    ("North Korea threatened to strike American bases.", "THREATEN", "North Korea", "threatened", "American bases"),
    ("Thousands of farmers protested against the government in Paris.", "PROTEST", "Thousands of farmers",
     "protested", "the government"),
    ("Russia mobilized its reservists near the border.", "MOBILIZE", "Russia", "mobilized", None),
    ("Police arrested dozens of opposition activists in Minsk.", "COERCE", "Police", "arrested",
     "dozens of opposition activists"),
    ("Israeli aircraft bombed Hamas positions in Gaza.", "ASSAULT", "Israeli aircraft", "bombed", None),
]


@pytest.mark.parametrize("text,etype,source,trigger,target", TYPED, ids=[t[1] for t in TYPED])
def test_each_type_with_its_parties(code, text, etype, source, trigger, target):
    events = code(text)
    assert events[0]["type"] == etype, [(e["type"], e["confidence"]) for e in events]
    e = events[0]
    assert e["_text"]["source"] == source
    assert e["_text"]["trigger"] == trigger
    if target is not None:
        assert e["_text"]["target"] == target
    assert e["_text"]["evidence"] == text
    assert e["trigger"]["token"] >= 0


def test_sanction_is_coded_from_the_lexicon(code):
    e = first(code("The United States imposed sanctions on Iranian oil companies."), "SANCTION")
    assert e["_text"]["target"] == "Iranian oil companies"


def test_every_event_carries_the_record_keys(code):
    from casus.data_files import plover_types

    types = plover_types()
    events = code("Iran condemned the strike and threatened to retaliate against Israel.")
    for e in events:
        assert set(e) >= {"type", "quad", "cameo_root", "goldstein", "source", "target", "trigger", "evidence",
                          "mode", "contexts", "modality", "date", "location", "confidence"}
        assert e["quad"] == types[e["type"]]["quad"] and e["cameo_root"] == types[e["type"]]["cameo_root"]
        assert set(e["modality"]) == {"negated", "hypothetical", "future", "historical", "reported"}
        assert 0 < e["confidence"] <= 1


def test_several_events_in_one_sentence_highest_confidence_first(code):
    events = code("Iran condemned the strike and threatened to retaliate against Israel.")
    assert {"ACCUSE", "THREATEN"} <= {e["type"] for e in events[:3]}
    assert all(a["confidence"] >= b["confidence"] for a, b in zip(events, events[1:], strict=False))
    assert first(events, "THREATEN")["_text"]["target"] == "Israel"


def test_background_sentence_has_no_event(code):
    assert code("The weather in Paris was mild on Tuesday.") == []


def test_negated_event_is_flagged(code):
    e = first(code("Russia has not withdrawn its troops from Ukraine."), "RETREAT")
    assert e["modality"]["negated"] is True
    positive = first(code("Russia has withdrawn its troops from Ukraine."), "RETREAT")
    assert positive["modality"]["negated"] is False


def test_conditional_and_future(code):
    e = first(code("If talks fail, Iran will attack Israel."), "ASSAULT")
    assert e["modality"]["hypothetical"] and e["modality"]["future"]
    assert e["_text"]["source"] == "Iran" and e["_text"]["target"] == "Israel"
    plain = first(code("Iran attacked Israel."), "ASSAULT")
    assert not plain["modality"]["hypothetical"] and not plain["modality"]["future"]


def test_future_without_condition(code):
    e = first(code("China will send aid to Pakistan."), "AID")
    assert e["modality"]["future"] and not e["modality"]["hypothetical"]


def test_reported_claim(code):
    e = first(code("Putin said that Russia would attack Ukraine."), "ASSAULT")
    assert e["modality"]["reported"] and e["_text"]["source"] == "Russia"
    assert not first(code("Russia attacked Ukraine."), "ASSAULT")["modality"]["reported"]


def test_historical_by_date_before_publication(code):
    e = first(code("In 1994, Ukraine surrendered its nuclear weapons to Russia."), "RETREAT")
    assert e["modality"]["historical"]
    assert not first(code("On Friday, Ukraine surrendered its weapons to Russia."), "RETREAT")["modality"]["historical"]


def test_intent_to_act_is_the_verbal_event(code):
    assert first(code("Britain is prepared to send troops to Ukraine."), "AGREE")["_text"]["trigger"] == "send"
    assert first(code("Russia is prepared to keep fighting in Ukraine."), "THREATEN")["_text"]["source"] == "Russia"


def test_compound_actor_keeps_its_members(code):
    e = first(code("France and Britain condemned Russia."), "ACCUSE")
    assert e["_text"]["source"] == "France and Britain"
    assert [p["actor"] for p in e["source"]["parts"]] == ["fra", "gbr"]
    assert e["_text"]["target"] == "Russia"


def test_symmetric_meeting_splits_the_coordination(code):
    e = first(code("Putin and Trump met in Alaska in August."), "CONSULT")
    assert {e["_text"]["source"], e["_text"]["target"]} == {"Putin", "Trump"}


def test_noun_event_with_its_parties(code):
    e = first(code("The talks culminated in a Russia-U.S. summit in Alaska in August."), "CONSULT")
    assert e["_text"]["trigger"] == "summit"
    assert {e["_text"]["source"], e["_text"]["target"]} == {"Russia", "U.S."}
    assert e["modality"]["historical"]


def test_modes_and_contexts(code):
    e = first(code("Police arrested dozens of opposition activists in Minsk."), "COERCE")
    assert e["mode"] == "arrest"
    e = first(code("Israeli aircraft bombed Hamas positions in Gaza."), "ASSAULT")
    assert e["mode"] == "explosives"
    e = first(code("Putin rejected the deployment of Western peacekeepers."), "REJECT")
    assert "peacekeeping" in e["contexts"]


def test_hedged_event_is_hypothetical(code):
    e = first(code("Russia is unlikely to endorse the Western plan."), "SUPPORT")
    assert e["modality"]["hypothetical"]
    assert not first(code("Russia endorsed the Western plan."), "SUPPORT")["modality"]["hypothetical"]
