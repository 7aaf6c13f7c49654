"""spaCy's rule lemmatizer, applied once per distinct word form instead of once per token.

`en_core_web_sm`'s lemmatizer walks the Doc token by token: a `Token` object, a cache lookup and a
string write for every word (8 % of spaCy's parse time on news text). A rule lemma depends only on
the token's text, coarse part of speech and morphology (`Lemmatizer.rule_lemmatize` caches on
exactly that key), so the same lemmas come from reading those three columns with `Doc.to_array`,
lemmatizing each distinct (text, POS, morphology) once through the stock method (its rules
unchanged; the answer remembered, since it depends on nothing else), and writing the LEMMA column
back with one `Doc.from_array`. Tokens that already have a lemma (the attribute ruler sets some)
keep it, as with `overwrite=False`. `tests/test_attribute_rules.py` compares every token's lemma
with the stock component's.
"""

from __future__ import annotations

from typing import Any

from spacy.attrs import LEMMA, MORPH, ORTH, POS
from spacy.errors import Errors
from spacy.lang.en.lemmatizer import EnglishLemmatizer
from spacy.language import Language
from spacy.lookups import Lookups
from spacy.tokens import Doc

CACHE_LIMIT = 200_000  # entries of the stock (text, POS, morphology) cache kept across documents


class IndexedLemmatizer(EnglishLemmatizer):
    _memo: dict[tuple[int, int, int], str]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._memo = {}  # (text, POS, morphology) -> lemma, across documents; every rule path is pure

    def rule_lemmatize(self, token: Any) -> list[str]:
        """The stock method, reading a copy of the tables whose word lists are sets: it asks
        `form in index` of lists of up to 57,000 words (350 µs a question); a set answers the same."""
        tables = self.lookups
        self.lookups = self._indexed_tables()
        try:
            return super().rule_lemmatize(token)
        finally:
            self.lookups = tables

    def _indexed_tables(self) -> Lookups:
        if getattr(self, "_sets_of", None) is not self.lookups:
            fast = Lookups()
            for name in self.lookups.tables:
                table = self.lookups.get_table(name)
                if name == "lemma_index":
                    fast.add_table(name, {k: frozenset(v) for k, v in table.items()})
                else:
                    fast.set_table(name, table)
            self._sets, self._sets_of = fast, self.lookups
        return self._sets

    def __call__(self, doc: Doc) -> Doc:
        if self.mode != "rule":
            return super().__call__(doc)
        if not self._validated:
            self._validate_tables(Errors.E1004)
        error_handler = self.get_error_handler()
        try:
            self._apply(doc)
            return doc
        except Exception as e:  # noqa: BLE001 - spaCy's error-handler contract, as in the stock component
            return error_handler(self.name, self, [doc], e)

    def _apply(self, doc: Doc) -> None:
        if len(doc) == 0:
            return
        cols = doc.to_array([ORTH, POS, MORPH, LEMMA]).reshape(-1, 4)
        lemmas = cols[:, 3].copy()
        strings = doc.vocab.strings
        known: dict[tuple[int, int, int], int] = {}  # this document's lemma hashes
        memo = self._memo
        for i, (orth, pos, morph, lemma) in enumerate(cols.tolist()):
            if lemma and not self.overwrite:
                continue
            key = (orth, pos, morph)
            value = known.get(key)
            if value is None:
                form = memo.get(key)
                if form is None:
                    form = memo[key] = self.lemmatize(doc[i])[0]
                # the string store may have dropped the lemma with an earlier memory zone: add it again
                value = known[key] = strings.add(form)
            lemmas[i] = value
        doc.from_array([LEMMA], lemmas)
        # pure caches: emptying them changes no lemma, and keeps a long run's memory bounded
        if len(memo) > CACHE_LIMIT:
            memo.clear()
        if len(self.cache) > CACHE_LIMIT:
            self.cache.clear()


@Language.factory("casus_lemmatizer", default_config={"model": None, "mode": "rule", "overwrite": False,
                                                      "scorer": {"@scorers": "spacy.lemmatizer_scorer.v1"}})
def make_indexed_lemmatizer(nlp: Language, model: Any, name: str, mode: str, overwrite: bool,
                            scorer: Any) -> IndexedLemmatizer:
    return IndexedLemmatizer(nlp.vocab, model, name, mode=mode, overwrite=overwrite, scorer=scorer)


def use_indexed_lemmatizer(nlp: Language, name: str = "lemmatizer") -> None:
    """Swap an English rule lemmatizer for the indexed one, with the same tables, in place."""
    if name not in nlp.pipe_names:
        return
    old = nlp.get_pipe(name)
    if type(old) is not EnglishLemmatizer or old.mode != "rule":
        return
    new = nlp.replace_pipe(name, "casus_lemmatizer", config={"mode": old.mode, "overwrite": old.overwrite})
    new.lookups = old.lookups
    new._validated = old._validated
