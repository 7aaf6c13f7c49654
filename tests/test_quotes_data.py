"""The quote lexicons, and real news (PolNeAR) through the quote stage without failures."""

import pytest

from casus.data_files import load_yaml
from casus.quotes import report_verbs, speech_verbs
from tests.conftest import SHARED_DATA

POLNEAR = SHARED_DATA / "polnear"


def test_speech_lexicon_schema():
    data = load_yaml("speech_verbs.yaml")
    assert {"say", "tell", "warn", "argue"} <= speech_verbs() <= report_verbs()
    assert "believe" in report_verbs() and "believe" not in speech_verbs()
    for key in ("verbs", "cognition_verbs", "accuse_verbs", "unnamed_sources"):
        words = data[key]
        assert words and all(isinstance(w, str) and w == w.lower().strip() for w in words), key


@pytest.mark.skipif(not POLNEAR.is_dir(), reason=f"PolNeAR not found at {POLNEAR}")
def test_polnear_articles_with_odd_marks_do_not_fail(nlp):
    from casus.document import Document
    from casus.pipeline import extract

    odd = []
    for split in ("train", "dev"):
        for f in sorted((POLNEAR / split / "text").glob("*.txt")):
            text = f.read_text(encoding="utf-8")
            if (text.count('"') + text.count("\u201c") + text.count("\u201d")) % 2:
                odd.append(Document(id=f.stem, text=text, meta={}, errors=[], origin=str(f)))
            if len(odd) == 6:
                break
    assert odd, "PolNeAR has articles with an odd number of quotation marks"
    for record in extract(odd, nlp=nlp):
        assert not [e for e in record["errors"] if e.get("level") == "error"], record["errors"]
        assert record["quotes"], record["id"]
        text = record["text"]
        for q in record["quotes"]:
            assert 0 <= q["content"]["start"] < q["content"]["end"] <= len(text)
