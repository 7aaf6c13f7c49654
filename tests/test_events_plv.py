"""The events stage on PLV sentences (the development set): spans land on the gold sentence's text."""

from __future__ import annotations

import csv
import re

import pytest

from casus.document import Document
from casus.pipeline import make_doc
from tests.conftest import SHARED_DATA

PLV = SHARED_DATA / "plv" / "PLV_train.tsv"
pytestmark = pytest.mark.skipif(not PLV.exists(), reason=f"PLV development data not found at {PLV}")


def test_plv_sentences_get_typed_events_with_text_spans(nlp):
    csv.field_size_limit(10**8)
    with open(PLV, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))[::50]
    coded = 0
    for r in rows:
        text = re.sub(r"</?[st]>", "", r["marked_sentence"])
        doc = nlp(make_doc(nlp, Document(id=r["uid"], text=text)))
        assert not doc._.casus_errors
        for e in doc._.casus_events:
            for role in ("source", "target"):
                if e[role]:
                    span = text[e[role]["start"]:e[role]["end"]]
                    assert span and span == span.strip(), (r["uid"], role, span)
        coded += bool(doc._.casus_events)
    assert coded >= 0.9 * len(rows)
