"""Quotes: direct, partial, mixed and reported speech, each with its speaker and cue.

`casus_quotes` is a spaCy component writing `Doc._.casus_quotes`: a list of
{content, kind, speaker{start, end, actor, via?, unnamed?}, cue, confidence, parts?} with character
offsets into doc.text. Quotation marks are balanced on the text itself (`marks`), quoted regions and
reported clauses are attributed through cue verbs (`finder`), speakers resolved through the actor
stage with a document-local fallback (`speakers`). Marks that cannot be balanced give a warning in
`Doc._.casus_errors`, never an exception.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from casus.extensions import guarded
from casus.quotes.finder import Finder
from casus.quotes.lexicon import report_verbs, speech_verbs
from casus.quotes.marks import Region, find_regions
from casus.quotes.speakers import SUBJECT_DEPS, noun_phrase

__all__ = ["SUBJECT_DEPS", "QuoteFinder", "Region", "find_regions", "noun_phrase", "quote_pairs",
           "report_verbs", "speech_verbs"]


def quote_pairs(text: str) -> list[tuple[int, int]]:
    """(open, close) mark indices of the quoted regions of `text` (kept for callers of the first version)."""
    return [(r.start - 1, r.end) for r in find_regions(text)[0]]


class QuoteFinder:
    @guarded("quotes")
    def __call__(self, doc: Doc) -> Doc:
        finder = Finder(doc)
        doc._.casus_quotes = finder.run()
        if finder.warnings:
            errors = list(doc._.casus_errors or [])
            for w in finder.warnings:
                errors.append({"stage": "quotes", "message": f"unbalanced quotation marks: {w}", "level": "warning"})
            doc._.casus_errors = errors
        return doc


@Language.factory("casus_quotes")
def make_quote_finder(nlp: Language, name: str) -> QuoteFinder:
    return QuoteFinder()
