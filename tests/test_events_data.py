"""The event lexicon, the PLOVER ontology file and the shipped model agree with each other."""

from casus.data_files import plover_types
from casus.events.lexicon import contexts, event_nouns, event_verbs, modes, phrases, retreat_words
from casus.events.model import load_models

TYPES = set(plover_types())


def test_all_sixteen_types_with_quad_cameo_and_goldstein():
    assert len(TYPES) == 16
    quads = {t["quad"] for t in plover_types().values()}
    assert quads == {"verbal_cooperation", "material_cooperation", "verbal_conflict", "material_conflict"}
    for info in plover_types().values():
        assert info["cameo_root"].isdigit() and -10 <= info["goldstein"] <= 10
        assert info["modes"] is not None


def test_lexicon_entries_name_plover_types():
    for table in (event_verbs(), phrases(), event_nouns()):
        assert table and set(table.values()) <= TYPES
    assert set(event_verbs().values()) == TYPES  # the manual's every type has words
    assert "release" in retreat_words()


def test_modes_belong_to_their_type():
    for etype, words in modes().items():
        assert etype in TYPES
        allowed = set(plover_types()[etype]["modes"])
        assert set(words.values()) <= allowed, etype
    assert contexts()["peacekeeper"] == "peacekeeping"


def test_shipped_model_knows_every_plover_type_and_no_event():
    m = load_models()
    assert set(m.trigger.classes) == TYPES | {"NONE"}
    assert m.source.classes == ["0", "1"] and m.target.classes == ["0", "1"]
    assert m.calibration is not None and m.calibration.classes == ["0", "1"]
    assert 0 < float(m.meta["threshold"]) < 1 and 0 < float(m.meta["floor"]) < 1
    accuse = m.trigger.proba(["l=accuse", "lex=ACCUSE", "dep=ROOT"])
    meet = m.trigger.proba(["l=meet", "lex=CONSULT", "dep=ROOT"])
    i, j = m.trigger.classes.index("ACCUSE"), m.trigger.classes.index("CONSULT")
    assert abs(accuse.sum() - 1) < 1e-5
    assert accuse[i] > meet[i] and meet[j] > accuse[j]


def test_context_words_name_known_contexts():
    from casus.data_files import load_yaml

    assert set(contexts().values()) <= set(load_yaml("plover.yaml")["contexts"])


def test_model_file_round_trip(tmp_path):
    import numpy as np

    from casus.events.model import EventModels, LinearModel

    def lin(classes):
        w = np.arange(3 * len(classes), dtype=np.float32).reshape(3, len(classes)) / 10
        return LinearModel(classes, ["a", "b", "c"], w, np.zeros(len(classes), np.float32))

    m = EventModels(lin(["NONE", "ACCUSE", "AGREE"]), lin(["0", "1"]), lin(["0", "1"]), {"rows": "3"})
    m.save(tmp_path / "m.npz")
    back = EventModels.load(tmp_path / "m.npz")
    assert back.meta == {"rows": "3"} and back.trigger.classes == ["NONE", "ACCUSE", "AGREE"]
    assert back.calibration is None  # a model file without calibration still loads
    m.calibration = lin(["0", "1"])
    m.save(tmp_path / "c.npz")
    cal = EventModels.load(tmp_path / "c.npz").calibration
    assert cal is not None and np.allclose(cal.proba(["b"]), m.calibration.proba(["b"]), atol=1e-3)
    assert np.allclose(back.trigger.proba(["a", "c", "zzz"]), m.trigger.proba(["a", "c"]), atol=1e-3)
    assert np.allclose(back.trigger.proba(["a"], base=back.trigger.partial(["c"])), back.trigger.proba(["a", "c"]))
