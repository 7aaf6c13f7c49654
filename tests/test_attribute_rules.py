"""The indexed attribute ruler and lemmatizer set exactly the token attributes spaCy's own set."""

from __future__ import annotations

import numpy as np
import pytest
import spacy
from spacy.attrs import DEP, HEAD, LEMMA, MORPH, NORM, ORTH, POS, SENT_START, TAG
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc

from casus.attribute_rules import IndexedAttributeRuler, use_indexed_attribute_ruler
from casus.lemmas import IndexedLemmatizer, use_indexed_lemmatizer
from casus.pipeline import MODEL
from tests.conftest import EXAMPLES, SHARED_DATA

COLUMNS = [ORTH, NORM, TAG, POS, MORPH, LEMMA, DEP, HEAD, SENT_START]
DEV = SHARED_DATA / "polnear" / "dev" / "text"
ODD = ["", " ", "\n\n \t", "There is a dog. There's one. Ain't nothing y'all nothin' gonna do, innit?",
       "\"\" '' “” (( )) -- ... ?!", "I gave it to you and you gave it to me.", "THE U.S. IS HERE. It's 5 p.m."]
PARSE = ("tok2vec", "tagger", "parser")  # what the attribute ruler reads; its own output feeds the lemmatizer


def attributes(doc):
    return doc.to_array(COLUMNS), [str(t.morph) for t in doc], [t.lemma_ for t in doc], [t.pos_ for t in doc]


def same(a, b) -> bool:
    return np.array_equal(a[0], b[0]) and a[1:] == b[1:]


@pytest.fixture(scope="module")
def pair():
    stock = spacy.load(MODEL, exclude=["ner"])
    indexed = spacy.load(MODEL, exclude=["ner"])
    use_indexed_attribute_ruler(indexed)
    use_indexed_lemmatizer(indexed)
    return stock, indexed


def ruled(nlp, data: bytes):
    """A parsed Doc (as bytes) through this pipeline's attribute ruler and lemmatizer."""
    doc = Doc(nlp.vocab).from_bytes(data)
    for name in ("attribute_ruler", "lemmatizer"):
        doc = nlp.get_pipe(name)(doc)
    return doc


def test_the_pipeline_casus_loads_uses_it(nlp):
    ruler = nlp.get_pipe("attribute_ruler")
    assert isinstance(ruler, IndexedAttributeRuler) and ruler._compiled() is not None
    assert len(ruler.patterns) > 150  # the model's own rules, carried over
    lemmatizer = nlp.get_pipe("lemmatizer")
    assert isinstance(lemmatizer, IndexedLemmatizer) and lemmatizer.lookups.has_table("lemma_rules")


def test_same_token_attributes_as_spacy_on_a_fixed_corpus(pair):
    from bench.shapes import make

    stock, indexed = pair
    texts = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.txt"))]
    if DEV.is_dir():
        texts += [p.read_text(encoding="utf-8") for p in sorted(DEV.glob("*.txt"))]
        texts += [make(shape, 8_000) for shape in ("one-line", "paragraph")]
    texts += [make("quotes", 3_000), *ODD]
    changed = 0
    for text in texts:
        doc = stock.make_doc(text)
        for name in PARSE:  # parsed once; each pipeline's ruler and lemmatizer get a copy
            doc = stock.get_pipe(name)(doc)
        a, b = ruled(stock, doc.to_bytes()), ruled(indexed, doc.to_bytes())
        assert same(attributes(a), attributes(b)), text[:80]
        changed += sum(t.pos_ != "" for t in b)
    assert changed > 1000  # the rules really ran: every token got a coarse part of speech


def test_rule_order_multi_token_patterns_and_regex(pair):
    """A hand-made ruler: later rules win, a two-token pattern targets its second token, a regex matches
    on the lower-case form, set tests; the indexed one agrees with the stock one token by token."""
    stock, _ = pair
    rules = [
        {"patterns": [[{"TAG": "NN"}]], "attrs": {"LEMMA": "first"}},
        {"patterns": [[{"TAG": "NN", "LOWER": "dog"}]], "attrs": {"LEMMA": "second", "POS": "PROPN"}},
        {"patterns": [[{"LOWER": "a"}, {"TAG": {"IN": ["NN", "NNS"]}}]], "attrs": {"MORPH": "Number=Sing"},
         "index": 1},
        {"patterns": [[{"LOWER": {"REGEX": "^c.t$"}}]], "attrs": {"LEMMA": "feline"}},
        {"patterns": [[{"DEP": {"NOT_IN": ["nsubj", ""]}, "TAG": "NN"}], [{"IS_SPACE": True}]],
         "attrs": {"POS": "X"}, "index": -1},
    ]
    base = stock.select_pipes(disable=["attribute_ruler", "lemmatizer"])
    try:
        docs = [stock(t) for t in ["A dog saw a cat and a dog.", "The cat  sat on a mat with dogs.\n\nA dog."]]
    finally:
        base.restore()
    plain = AttributeRuler(stock.vocab)
    fast = IndexedAttributeRuler(stock.vocab)
    for r in (plain, fast):
        r.add_patterns(rules)
    assert fast._compiled() is not None
    for doc in docs:
        a = plain(Doc(stock.vocab).from_bytes(doc.to_bytes()))
        b = fast(Doc(stock.vocab).from_bytes(doc.to_bytes()))
        assert same(attributes(a), attributes(b))
        assert {"second", "feline"} <= {t.lemma_ for t in b}


def test_unsupported_patterns_fall_back_to_the_matcher(pair):
    stock, _ = pair
    fast = IndexedAttributeRuler(stock.vocab)
    fast.add_patterns([{"patterns": [[{"LOWER": "very", "OP": "+"}]], "attrs": {"LEMMA": "much"}}])
    assert fast._compiled() is None
    doc = fast(stock.make_doc("very very good"))
    assert [t.lemma_ for t in doc][:2] == ["much", "much"]
