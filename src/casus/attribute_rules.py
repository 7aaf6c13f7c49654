"""spaCy's attribute ruler, applied by table lookup instead of the Matcher.

`en_core_web_sm`'s `attribute_ruler` holds ~180 rules (its tag map and morph rules: `[{"TAG": "NN"}]`
-> POS NOUN, `[{"LOWER": "got", "TAG": "VBD"}]` -> lemma "get", …). The stock component runs them
all through the Matcher on every token, then writes each match through a `Span` and a `Token`
object: 4.4 s of 5.5 s in a profile of 200 articles. Almost every pattern is one token with
equality tests on TAG / LOWER / DEP / IS_SPACE, so the same result comes from grouping the tokens by
those attributes (`numpy.unique` over `Doc.to_array`), deciding the rules once per group with
dict lookups, and writing the attributes back with one `Doc.from_array`.

Semantics kept exactly (tests/test_attribute_rules.py compares every token attribute with the
stock component on a fixed corpus): all patterns match against the attributes as they were before
the component ran; rules apply in the order they were added, a later rule overriding an earlier
one's attributes; multi-token patterns (e.g. `[{"DEP": "expl"}, {"LOWER": "is"}]`) still work, and
any pattern this lookup does not understand (operators, other attributes) makes the component fall
back to the stock Matcher path, so an unusual pipeline is never mis-annotated.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from spacy.attrs import DEP, IS_SPACE, LOWER, NORM, ORTH, TAG
from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.strings import StringStore, get_string_id
from spacy.tokens import Doc

# pattern keys the lookup understands, and the Doc.to_array column each one reads
MATCH_ATTRS = {"TAG": TAG, "LOWER": LOWER, "ORTH": ORTH, "TEXT": ORTH, "NORM": NORM, "DEP": DEP,
               "IS_SPACE": IS_SPACE}
MEMO_LIMIT = 200_000  # attribute combinations remembered across documents (ints only)


class _Unsupported(Exception):
    pass


class _Spec:
    """One token of a pattern: equality tests (column -> value), set tests (column, IN/NOT_IN, values)
    and regular expressions searched in the attribute's string (column, pattern), as the Matcher does."""

    def __init__(self, token: dict[str, Any], cols: dict[int, int]):
        self.eq: list[tuple[int, int]] = []
        self.sets: list[tuple[int, bool, frozenset[int]]] = []
        self.regexes: list[tuple[int, re.Pattern[str]]] = []
        for key, value in token.items():
            attr = MATCH_ATTRS.get(key.upper())
            if attr is None:
                raise _Unsupported(key)
            col = cols.setdefault(attr, len(cols))
            if isinstance(value, bool):
                self.eq.append((col, int(value)))
            elif isinstance(value, str):
                self.eq.append((col, get_string_id(value)))
            elif isinstance(value, dict) and len(value) == 1 and next(iter(value)) in ("IN", "NOT_IN"):
                [(op, values)] = value.items()
                if not all(isinstance(v, str) for v in values):
                    raise _Unsupported(op)
                self.sets.append((col, op == "IN", frozenset(get_string_id(v) for v in values)))
            elif isinstance(value, dict) and len(value) == 1 and isinstance(value.get("REGEX"), str):
                self.regexes.append((col, re.compile(value["REGEX"])))
            else:
                raise _Unsupported(repr(value))
        self.eq.sort()
        self.signature = tuple(c for c, _ in self.eq)
        self.key = tuple(v for _, v in self.eq)

    def rest_holds(self, row: tuple[int, ...], strings: StringStore) -> bool:
        return (all((row[col] in values) == inside for col, inside, values in self.sets)
                and all(rx.search(strings[row[col]]) for col, rx in self.regexes))


class _Table:
    """The rules compiled for lookup: which spec ids hold for a row of token attributes."""

    def __init__(self, ruler: AttributeRuler):
        self.strings = ruler.vocab.strings
        self.cols: dict[int, int] = {}  # attribute id -> column in the to_array matrix
        self.specs: list[_Spec] = []
        self.single: list[tuple[int, int]] = []  # (rule, spec id) of one-token patterns
        self.multi: list[tuple[int, list[int], int]] = []  # (rule, spec ids, target offset)
        for rule, pattern in enumerate(ruler.patterns):
            offset = ruler.indices[rule]
            for tokens in pattern["patterns"]:
                if not tokens or any(not isinstance(t, dict) for t in tokens):
                    raise _Unsupported("pattern")
                ids = [self._spec(t) for t in tokens]
                target = offset if offset >= 0 else len(tokens) + offset
                if not 0 <= target < len(tokens):
                    raise _Unsupported("index")
                if len(tokens) == 1:
                    self.single.append((rule, ids[0]))
                else:
                    self.multi.append((rule, ids, target))
        self.columns = sorted(self.cols, key=self.cols.__getitem__)
        self.by_signature: dict[tuple[int, ...], dict[tuple[int, ...], list[int]]] = {}
        for n, spec in enumerate(self.specs):
            self.by_signature.setdefault(spec.signature, {}).setdefault(spec.key, []).append(n)
        self.rules_of: dict[int, list[int]] = {}  # spec id -> rules whose one-token pattern it is
        for rule, sid in self.single:
            self.rules_of.setdefault(sid, []).append(rule)
        self.memo: dict[tuple[int, ...], tuple[frozenset[int], tuple[int, ...]]] = {}

    def _spec(self, token: dict[str, Any]) -> int:
        self.specs.append(_Spec(token, self.cols))
        return len(self.specs) - 1

    def holds(self, row: tuple[int, ...]) -> tuple[frozenset[int], tuple[int, ...]]:
        """(spec ids that hold for the row, one-token rules that apply, in rule order)."""
        got = self.memo.get(row)
        if got is None:
            ids: list[int] = []
            for signature, keyed in self.by_signature.items():
                for sid in keyed.get(tuple(row[c] for c in signature), ()):
                    if self.specs[sid].rest_holds(row, self.strings):
                        ids.append(sid)
            rules = sorted({r for sid in ids for r in self.rules_of.get(sid, ())})
            got = (frozenset(ids), tuple(rules))
            if len(self.memo) >= MEMO_LIMIT:
                self.memo.clear()
            self.memo[row] = got
        return got


class IndexedAttributeRuler(AttributeRuler):
    """`AttributeRuler` with the same rules, serialisation and results, applied by lookup."""

    _table: _Table | None | bool = None

    def clear(self) -> None:
        super().clear()
        self._table = None

    def add(self, patterns: Any, attrs: dict, index: int = 0) -> None:
        super().add(patterns, attrs, index)
        self._table = None

    def _compiled(self) -> _Table | None:
        if self._table is None:
            try:
                self._table = _Table(self)
            except _Unsupported:
                self._table = False
            if self._table and any("_" in a for a in self.attrs):
                self._table = False  # extension attributes go through Token objects: the stock path
        return self._table or None

    def __call__(self, doc: Doc) -> Doc:
        table = self._compiled()
        if table is None or len(doc) == 0:
            return super().__call__(doc)
        error_handler = self.get_error_handler()
        try:
            self._apply(doc, table)
            return doc
        except Exception as e:  # noqa: BLE001 - spaCy's own error-handler contract, as in the stock component
            return error_handler(self.name, self, [doc], e)

    def _apply(self, doc: Doc, table: _Table) -> None:
        feats = doc.to_array(table.columns)
        if feats.ndim == 1:
            feats = feats.reshape(-1, 1)
        uniq, inverse = np.unique(feats, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        held = [table.holds(tuple(row)) for row in uniq.tolist()]
        out_attrs = sorted({a for attrs in self.attrs for a in attrs})
        current = doc.to_array(out_attrs)
        if current.ndim == 1:
            current = current.reshape(-1, 1)
        col_of = {a: k for k, a in enumerate(out_attrs)}
        # the fold of a row's one-token rules: later rules override earlier ones, attribute by attribute
        values = np.zeros((len(uniq), len(out_attrs)), dtype=np.uint64)
        mask = np.zeros((len(uniq), len(out_attrs)), dtype=bool)
        for u, (_, rules) in enumerate(held):
            for rule in rules:
                for attr, value in self.attrs[rule].items():
                    values[u, col_of[attr]] = value
                    mask[u, col_of[attr]] = True
        result = np.where(mask[inverse], values[inverse], current)
        if table.multi:
            self._apply_multi(table, held, inverse, result, col_of, current)
        doc.from_array(out_attrs, result)

    def _apply_multi(self, table: _Table, held: list[tuple[frozenset[int], tuple[int, ...]]], inverse: np.ndarray,
                     result: np.ndarray, col_of: dict[int, int], current: np.ndarray) -> None:
        """Tokens that a multi-token pattern targets: fold all their rules again, in rule order."""
        n = len(inverse)
        sids = sorted({sid for _, ids, _ in table.multi for sid in ids})
        column = {sid: k for k, sid in enumerate(sids)}
        # which multi-token specs hold, per distinct row, then per token
        member = np.array([[sid in h for sid in sids] for h, _ in held], dtype=bool)[inverse]
        extra: dict[int, set[int]] = {}
        for rule, ids, target in table.multi:
            if len(ids) > n:
                continue
            ok = np.ones(n - len(ids) + 1, dtype=bool)
            for k, sid in enumerate(ids):
                ok &= member[k : n - len(ids) + 1 + k, column[sid]]
            for start in np.flatnonzero(ok).tolist():
                extra.setdefault(start + target, set()).add(rule)
        for i, rules in extra.items():
            row = current[i].copy()
            for rule in sorted(set(held[inverse[i]][1]) | rules):
                for attr, value in self.attrs[rule].items():
                    row[col_of[attr]] = value
            result[i] = row


@Language.factory("casus_attribute_ruler", default_config={"validate": False,
                                                           "scorer": {"@scorers": "spacy.attribute_ruler_scorer.v1"}})
def make_indexed_attribute_ruler(nlp: Language, name: str, validate: bool, scorer: Any) -> IndexedAttributeRuler:
    return IndexedAttributeRuler(nlp.vocab, name, validate=validate, scorer=scorer)


def use_indexed_attribute_ruler(nlp: Language, name: str = "attribute_ruler") -> None:
    """Swap the pipeline's stock attribute ruler for the indexed one, with the same rules, in place."""
    if name not in nlp.pipe_names:
        return
    old = nlp.get_pipe(name)
    if isinstance(old, IndexedAttributeRuler) or type(old) is not AttributeRuler:
        return
    patterns = old.patterns
    new = nlp.replace_pipe(name, "casus_attribute_ruler", config={"validate": old.validate})
    new.add_patterns(patterns)


__all__ = ["IndexedAttributeRuler", "make_indexed_attribute_ruler", "use_indexed_attribute_ruler"]
