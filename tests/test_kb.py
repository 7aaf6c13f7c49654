"""The actor knowledge base: shipped files follow the schema, facts resolve, user files extend it."""

import pytest

from casus.actors.kb import KBError, KnowledgeBase, build_kb, manifest_files, norm


@pytest.fixture(scope="module")
def kb():
    return build_kb()


def test_every_shipped_file_loads_and_ids_are_unique(kb):
    assert all(p.exists() for p in manifest_files())
    assert len(kb.actors) > 400
    people = [a for a in kb.actors.values() if a["kind"] == "person"]
    # a hand-compiled person has a dated role; an imported one (Phoenix) has CAMEO codes instead
    assert all(a["roles"] or a.get("codes") for a in people), "every KB person has a dated role or code"


def test_all_iso_countries_with_capitals_and_demonyms(kb):
    states = {a["country"] for a in kb.actors.values() if a["kind"] == "state"}
    assert len(states) >= 249
    assert kb.names[norm("Moscow")] == ("rus", "metonymy")
    assert kb.names[norm("the Kremlin")] == ("rus", "metonymy")
    assert kb.names[norm("Kyiv")][0] == "ukr"
    assert kb.demonyms["ukrainian"] == "ukr" and kb.demonyms["chinese"] == "chn"
    assert kb.demonyms["western"] == "wst" and kb.actors["wst"]["country"] == "WST"
    assert kb.names[norm("U.S.")][0] == "usa" and kb.names[norm("Britain")][0] == "gbr"


def test_igos_are_known(kb):
    for name in ("UN", "NATO", "EU", "OSCE", "African Union", "IAEA", "ASEAN"):
        aid = kb.names[norm(name)][0]
        assert kb.actors[aid]["sector"] == "IGO" and kb.actors[aid]["country"] is None, name


@pytest.mark.parametrize("country,role,when,who", [
    ("RUS", "head_of_state", "2025-09-05", "rus-putin"),
    ("RUS", "head_of_state", "2010-01-01", "rus-medvedev"),
    ("FRA", "head_of_state", "2025-09-05", "fra-macron"),
    ("USA", "head_of_state", "2018-06-01", "usa-trump"),
    ("USA", "head_of_state", "2022-06-01", "usa-biden"),
    ("USA", "foreign_minister", "2017-06-01", "usa-tillerson"),
    ("GBR", "head_of_government", "2025-09-05", "gbr-starmer"),
    ("UKR", "defence_minister", "2024-01-01", "ukr-umerov"),
    ("IRN", "supreme_leader", "2020-01-01", "irn-khamenei"),
])
def test_office_holders_by_date(kb, country, role, when, who):
    assert kb.holder(country, role, when) == who


def test_no_date_no_holder(kb):
    assert kb.holder("RUS", "head_of_state", None) is None


def test_g20_heads_are_covered(kb):
    g20 = ["ARG", "AUS", "BRA", "CAN", "CHN", "FRA", "DEU", "IND", "IDN", "ITA", "JPN", "KOR", "MEX", "RUS", "SAU",
           "ZAF", "TUR", "GBR", "USA"]
    for cc in g20 + ["UKR", "ISR", "IRN", "PSE", "SYR"]:
        held = [r for a in kb.actors.values() if a["kind"] == "person" for r in a["roles"]
                if r["country"] == cc and r["role"] in {"head_of_state", "head_of_government", "supreme_leader"}]
        assert held, cc


def test_schema_errors_name_the_file_and_entry(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nactors:\n  - {id: x, name: X, kind: planet, country: XXX, sector: GOV}\n")
    with pytest.raises(KBError, match=r"bad.yaml: actors\[0\] \(x\): kind"):
        build_kb([bad])
    bad.write_text("version: 1\nactors:\n  - {id: x, name: X, kind: person, country: Russia, sector: GOV}\n")
    with pytest.raises(KBError, match="ISO 3166"):
        build_kb([bad])
    bad.write_text("version: 1\nactors:\n  - {id: x, name: X, kind: person, country: RUS, sector: GOV,"
                   " roles: [{role: head_of_state, start: last year}]}\n")
    with pytest.raises(KBError, match="date"):
        build_kb([bad])
    bad.write_text("actors: []\n")
    with pytest.raises(KBError, match="version"):
        build_kb([bad])


def test_user_file_adds_and_overrides(tmp_path):
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        "version: 1\n"
        "actors:\n"
        "  - {id: xx-doe, name: Jane Doe, kind: person, country: FRA, sector: MIL, gender: f, aliases: [Doe],\n"
        "     roles: [{role: defence_minister, start: 2030-01-01}]}\n"
        "extend:\n"
        "  - {id: rus, aliases: [Rossiya Federation]}\n")
    kb = build_kb([extra])
    assert kb.names[norm("Jane Doe")] == ("xx-doe", "name")
    assert kb.holder("FRA", "defence_minister", "2031-01-01") == "xx-doe"
    assert kb.names[norm("Rossiya Federation")][0] == "rus"
    assert "xx-doe" not in build_kb().actors


def test_loader_alone_needs_no_country_packages():
    kb = KnowledgeBase()
    kb.load_data({"version": 1, "actors": [{"id": "a", "name": "A", "kind": "group", "country": None}]}, "mem")
    assert kb.actors["a"]["scope"] == "kb"


def test_a_role_can_belong_to_another_country_or_a_body(kb):
    assert kb.holder("NLD", "head_of_government", "2020-01-01") == "nato-rutte"
    assert kb.holder("NATO", "secretary_general", "2025-01-01") == "nato-rutte"
    assert kb.holder("EU", "council_president", "2016-01-01") == "pol-tusk"
    assert kb.holder("POL", "head_of_government", "2016-01-01") is None


def test_user_places_and_bad_places(tmp_path):
    extra = tmp_path / "p.yaml"
    extra.write_text("version: 1\nplaces:\n  Pokrovsk: UKR\n")
    assert build_kb([extra]).cities["pokrovsk"] == "UKR"
    extra.write_text("version: 1\nplaces:\n  Pokrovsk: Ukraine\n")
    with pytest.raises(KBError, match="ISO3"):
        build_kb([extra])
    assert build_kb().cities["istanbul"] == "TUR"
