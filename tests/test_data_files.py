from casus.data_files import load_yaml, plover_types

QUADS = {"verbal_cooperation", "material_cooperation", "verbal_conflict", "material_conflict"}


def test_plover_has_sixteen_types_with_quad_and_cameo():
    types = plover_types()
    assert len(types) == 16
    for name, info in types.items():
        assert info["quad"] in QUADS, name
        assert info["cameo_root"].isdigit() and len(info["cameo_root"]) == 2
        assert -10 <= info["goldstein"] <= 10


def test_event_lexicon_uses_known_types():
    types = plover_types()
    verbs = load_yaml("event_verbs.yaml")["verbs"]
    assert verbs and set(verbs.values()) <= set(types)


def test_actor_file_schema():
    data = load_yaml("actors.yaml")
    ids = [a["id"] for a in data["actors"]]
    assert len(ids) == len(set(ids))
    for a in data["actors"]:
        assert a["kind"] in {"person", "state", "organisation", "group"}
        assert a["country"] and a["sector"]
    assert set(data["agents"].values()) <= {"GOV", "MIL", "COP", "REB", "CVL", "MED", "OPP", "IGO", "NGO"}


def test_speech_verbs_are_lemmas():
    verbs = load_yaml("speech_verbs.yaml")["verbs"]
    assert "say" in verbs and all(v == v.lower() and " " not in v for v in verbs)
