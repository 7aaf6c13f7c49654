"""The bundled story (published 2025-09-05): the events a reader of it would code."""

from __future__ import annotations

from casus.query import DISPLAY_MIN_CONFIDENCE
from tests.conftest import span_text


def _events(record: dict, etype: str) -> list[dict]:
    out = []
    for e in record["events"]:
        if e["type"] == etype:
            e = dict(e)
            e["_source"] = span_text(record, e["source"]) if e["source"] else ""
            e["_target"] = span_text(record, e["target"]) if e["target"] else ""
            e["_trigger"] = span_text(record, e["trigger"])
            e["_evidence"] = span_text(record, e["evidence"])
            out.append(e)
    return out


def test_putin_threatens_western_forces_conditionally(seed_record):
    threats = [e for e in _events(seed_record, "THREATEN")
               if e["source"]["actor"] == "rus-putin" and "Western forces" in e["_target"]]
    assert threats, [(e["_source"], e["_target"]) for e in _events(seed_record, "THREATEN")]
    assert threats[0]["modality"]["hypothetical"]
    assert threats[0]["_trigger"] == "warned"


def test_russia_threatens_to_keep_fighting_if_diplomacy_fails(seed_record):
    threats = [e for e in _events(seed_record, "THREATEN") if "diplomacy fails" in e["_evidence"]]
    # one threat, made by the speaker for his state (a statement's speaker is its source)
    assert len(threats) == 1 and threats[0]["source"]["actor"] in {"rus-putin", "rus"}, threats
    assert threats[0]["modality"]["hypothetical"]


def test_coalition_commits_to_a_reassurance_force(seed_record):
    agree = _events(seed_record, "AGREE")
    names = {a["id"]: a["name"].lower() for a in seed_record["actors"]}
    # the source may be the pronoun "they", which the actor stage resolves to the coalition
    assert any("coalition" in f'{e["_source"]} {names.get(e["source"]["actor"], "")}'.lower()
               and "reassurance force" in e["_evidence"] for e in agree)
    assert any(e["_source"] == "26 countries" and e["_trigger"] == "committed" for e in agree)


def test_zelensky_welcomes_the_pledge(seed_record):
    support = [e for e in _events(seed_record, "SUPPORT") if (e["source"] or {}).get("actor") == "ukr-zelensky"]
    assert support and support[0]["_trigger"] == "welcomed"
    assert support[0]["confidence"] >= DISPLAY_MIN_CONFIDENCE  # shown by default


def test_putin_rejects_peacekeepers(seed_record):
    reject = [e for e in _events(seed_record, "REJECT") if e["source"]["actor"] in {"rus-putin", "rus"}]
    assert any("peacekeepers" in e["_target"] for e in reject)
    assert not any(e["modality"]["negated"] for e in reject if e["_trigger"] == "rejected")


def test_western_leaders_accuse_putin(seed_record):
    accuse = _events(seed_record, "ACCUSE")
    assert any(e["_source"] == "Western leaders" and e["target"]["actor"] == "rus-putin" for e in accuse)


def test_russia_and_us_consult_in_alaska_historically(seed_record):
    consult = [e for e in _events(seed_record, "CONSULT") if e["_trigger"] == "summit"]
    assert consult and {consult[0]["_source"], consult[0]["_target"]} == {"Russia", "U.S."}
    assert consult[0]["modality"]["historical"]
    assert "Alaska" in consult[0]["_evidence"]


def test_one_line_of_related_links_is_not_coded(seed_record):
    assert not any("Related article" in span_text(seed_record, e["evidence"]) for e in seed_record["events"])
