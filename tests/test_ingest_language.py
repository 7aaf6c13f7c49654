"""Language detection: English passes (cheaply), other languages are named, short texts are not guessed."""

from casus.ingest import language
from tests.test_ingest_pipeline import FRENCH, SEED

LEADS = {
    "de": "Der russische Präsident Wladimir Putin hat am Freitag gewarnt, dass alle westlichen Truppen in der "
          "Ukraine ein legitimes Ziel für das russische Militär wären. Eine Koalition von mehr als zwei Dutzend "
          "Ländern unter Führung von Frankreich und Großbritannien kündigte an, eine Truppe zu entsenden.",
    "es": "El presidente ruso Vladimir Putin advirtió el viernes que cualquier fuerza occidental desplegada en "
          "Ucrania sería un objetivo legítimo para el ejército ruso, una respuesta desafiante al plan aliado de "
          "enviar fuerzas de paz una vez que se alcance un acuerdo.",
    "fr": FRENCH,
}


def test_other_languages_are_named_and_refused():
    for code, text in LEADS.items():
        lang, reason = language.unsupported(text)
        assert lang == code and reason and "not supported" in reason


def test_english_takes_the_cheap_path_and_a_list_of_names_the_detector():
    assert language.detect(SEED.read_text(encoding="utf-8")) == ("en", 1.0)
    # a list of names and numbers has few function words: langdetect decides, and still says English
    roll = ("Ukraine, Russia, France, Britain, Germany: defence ministers meeting in Brussels, Geneva summit "
            "planning, Kremlin statement, Pentagon briefing, NATO readiness review, sanctions package details")
    assert language._function_share(roll) < language.ENGLISH_FUNCTION_SHARE
    lang, _ = language.detect(roll)
    assert lang == "en"
    assert language.unsupported(roll)[1] is None


def test_short_text_is_not_guessed_and_answers_are_deterministic():
    assert language.detect("Bonjour tout le monde.") == (None, 0.0)
    assert language.unsupported("Bonjour tout le monde.", declared="fr") == ("fr", None)
    assert len({language.detect(LEADS["es"]) for _ in range(5)}) == 1
