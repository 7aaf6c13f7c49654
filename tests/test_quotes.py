"""The quote stage on sentences written for these tests, one construction each."""

from __future__ import annotations

import pytest

from casus.quotes import find_regions, quote_pairs


@pytest.fixture(scope="module")
def quotes_of(nlp):
    def run(text: str) -> tuple[list[dict], object]:
        doc = nlp(text)
        return doc._.casus_quotes, doc

    return run


def content(doc, q) -> str:
    return doc.text[q["content"]["start"] : q["content"]["end"]]


def speaker(doc, q) -> str | None:
    sp = q["speaker"]
    return doc.text[sp["start"] : sp["end"]] if sp else None


def only(quotes: list[dict]) -> dict:
    assert len(quotes) == 1, quotes
    return quotes[0]


# -- quotation marks ---------------------------------------------------------------------------

def test_straight_and_curly_marks_pair():
    text = 'He said "one thing" and \u201canother thing\u201d today.'
    assert [text[s:e] for s, e in ((r.start, r.end) for r in find_regions(text)[0])] == ["one thing",
                                                                                       "another thing"]
    assert quote_pairs(text) == [(8, 18), (24, 38)]


def test_doubled_single_quotes_count_as_one_mark():
    text = "They called it ''a real mess'' yesterday."
    regions, warnings = find_regions(text)
    assert [text[r.start : r.end] for r in regions] == ["a real mess"] and not warnings


def test_mistyped_closer_is_read_by_position():
    # an opening curly mark used to close: glued to the word and followed by a space
    text = "She wrote \u201cnever again\u201c and left."
    regions, _ = find_regions(text)
    assert [text[r.start : r.end] for r in regions] == ["never again"]


def test_quote_reopened_at_each_paragraph_is_one_region():
    text = '"The first part of the statement runs on.\n\n"The second part ends it," she said.'
    regions, warnings = find_regions(text)
    [r] = regions
    assert "continued" in r.flags and len(r.parts) == 2 and not warnings
    assert text[r.start : r.end].startswith("The first") and text[r.start : r.end].endswith("ends it,")


def test_unbalanced_marks_give_regions_and_warnings():
    text = 'A stray closer here," he said.\n\n"And an opener that never closes'
    regions, warnings = find_regions(text)
    assert len(regions) == 2 and len(warnings) == 2
    assert {f for r in regions for f in r.flags} == {"unopened", "unclosed"}


def test_lone_single_mark_closing_a_double_quote():
    text = 'It would be a "legitimate\' target for the army.'
    regions, warnings = find_regions(text)
    assert [text[r.start : r.end] for r in regions] == ["legitimate"] and warnings


# -- direct quotes -----------------------------------------------------------------------------

def test_speaker_after_the_quote(quotes_of):
    qs, doc = quotes_of('"We will not sign this treaty," the mayor said on Monday.')
    q = only(qs)
    assert q["kind"] == "direct" and content(doc, q) == "We will not sign this treaty,"
    assert speaker(doc, q) == "the mayor" and doc.text[q["cue"]["start"] : q["cue"]["end"]] == "said"


def test_speaker_inverted_after_the_quote(quotes_of):
    qs, doc = quotes_of('"The bridge will be rebuilt by spring," said Governor Alan Price.')
    q = only(qs)
    assert q["kind"] == "direct" and "Price" in speaker(doc, q)


def test_colon_introduction(quotes_of):
    qs, doc = quotes_of('Chancellor Weber told reporters: "The talks have failed and we must start again."')
    q = only(qs)
    assert q["kind"] == "direct" and speaker(doc, q) == "Chancellor Weber"
    assert content(doc, q).startswith("The talks have failed")


def test_speaker_in_the_middle_is_one_quote(quotes_of):
    qs, doc = quotes_of('"If the rain continues," the farmer said, "the whole harvest will be lost."')
    q = only(qs)
    assert content(doc, q).startswith("If the rain") and content(doc, q).endswith("will be lost.")
    assert len(q["parts"]) == 2 and speaker(doc, q) == "the farmer"


def test_quote_over_two_paragraphs(quotes_of):
    qs, doc = quotes_of('"The first paragraph of the statement is here and it is long.\n\n'
                        '"The second paragraph continues the same statement," Jones said.')
    q = only(qs)
    assert "\n\n" in content(doc, q) and speaker(doc, q) == "Jones"


def test_dash_attribution(quotes_of):
    qs, doc = quotes_of('The mood was grim.\n\n"We are ready for anything." \u2014 Elena Petrova, a nurse')
    q = only(qs)
    assert content(doc, q) == "We are ready for anything." and "Petrova" in speaker(doc, q)


def test_partial_quote_inside_reported_speech_is_mixed(quotes_of):
    qs, doc = quotes_of('The minister said the plan was "a betrayal of farmers" and would fail.')
    q = only(qs)
    assert q["kind"] == "mixed" and speaker(doc, q) == "The minister"
    assert content(doc, q).startswith("the plan was") and '"a betrayal of farmers"' in content(doc, q)


def test_pronoun_speaker_resolves_to_the_person(quotes_of):
    qs, doc = quotes_of('Prime Minister Anna Berg arrived in Oslo on Tuesday. "We came to listen and to learn,"'
                        ' she said.')
    q = only(qs)
    assert speaker(doc, q) == "she" and q["speaker"]["actor"]
    berg = next(m for m in doc._.casus_mentions if doc.text[m["start"] : m["end"]].endswith("Berg")) \
        if any(doc.text[m["start"] : m["end"]].endswith("Berg") for m in doc._.casus_mentions or []) else None
    if berg is not None:
        assert q["speaker"]["actor"] == berg["actor"]
    else:
        assert "berg" in q["speaker"]["actor"]


def test_pronoun_prefers_the_previous_subject_over_a_nearer_name(quotes_of):
    qs, doc = quotes_of("Senator Paul Grant, standing next to Mayor Tom Hill, said the law was dead. "
                        "He stressed the vote would not happen this year.")
    by_cue = {doc.text[q["cue"]["start"] : q["cue"]["end"]]: q for q in qs}
    assert by_cue["stressed"]["speaker"]["actor"] == by_cue["said"]["speaker"]["actor"]


def test_unclosed_quote_still_yields_its_quote_and_a_warning(quotes_of):
    qs, doc = quotes_of('"This will never happen, the spokesman said. Nobody believed him.')
    q = only(qs)
    assert content(doc, q).startswith("This will never happen") and speaker(doc, q) == "the spokesman"
    assert doc._.casus_errors and all(e["level"] == "warning" for e in doc._.casus_errors)


# -- scare quotes and titles --------------------------------------------------------------------

def test_scare_quote_is_nobodys_words(quotes_of):
    qs, _ = quotes_of('The company launched a "green bond" on Monday.')
    assert qs == []


def test_repeated_label_inside_reported_speech_is_not_a_quotation(quotes_of):
    qs, doc = quotes_of('The banks said they would create a "rescue fund" soon. Critics doubt the '
                        '"rescue fund" will work.')
    assert all(q["kind"] in {"indirect"} for q in qs), qs
    assert any(speaker(doc, q) == "The banks" for q in qs)


# -- reported speech ----------------------------------------------------------------------------

def test_reported_clause_after_said(quotes_of):
    qs, doc = quotes_of("The governor said the bridge would reopen in May.")
    q = only(qs)
    assert q["kind"] == "indirect" and content(doc, q) == "the bridge would reopen in May"
    assert speaker(doc, q) == "The governor"


def test_that_clause_keeps_that(quotes_of):
    qs, doc = quotes_of("Senator Mary Brown spoke on Monday. She argued that the tax was unfair to farmers.")
    q = only(qs)
    assert content(doc, q) == "that the tax was unfair to farmers" and speaker(doc, q) == "She"
    assert q["speaker"]["actor"]


def test_fronted_clause_with_unnamed_source(quotes_of):
    qs, doc = quotes_of("Inflation will keep rising this year, analysts say.")
    q = only(qs)
    assert content(doc, q) == "Inflation will keep rising this year" and speaker(doc, q) == "analysts"
    assert q["speaker"].get("unnamed") is True


def test_according_to(quotes_of):
    qs, doc = quotes_of("According to a senior official, the troops will leave the city next week.")
    q = only(qs)
    assert content(doc, q) == "the troops will leave the city next week"
    assert speaker(doc, q) == "a senior official" and q["speaker"]["unnamed"] is True


def test_accusation_of_doing(quotes_of):
    qs, doc = quotes_of("Opposition leaders have accused the president of hiding the report from parliament.")
    q = only(qs)
    assert "of hiding the report" in content(doc, q) and speaker(doc, q) == "Opposition leaders"


def test_reported_speech_with_the_analysts_after_a_quote(quotes_of):
    qs, doc = quotes_of('The general boasted that his troops were "advancing everywhere," though analysts say '
                        "the gains were small.")
    spk = {speaker(doc, q): q for q in qs}
    assert spk["The general"]["kind"] == "mixed" and "advancing everywhere" in content(doc, spk["The general"])
    assert content(doc, spk["analysts"]) == "the gains were small"


def test_naming_verb_reports_object_and_predicate(quotes_of):
    qs, doc = quotes_of("Senator Ash described the new rule as a serious breach of trust.")
    q = only(qs)
    assert content(doc, q) == "the new rule as a serious breach of trust" and speaker(doc, q) == "Senator Ash"


def test_garbled_quotation_marks_never_fail(nlp):
    import random

    rng = random.Random(3)
    pieces = ['"', "\u201c", "\u201d", "''", "``", "'", " he said", " Putin said,", ":", " \u2014 ", "\n\n",
              " words here", ".", ",", " according to", " analysts say", " that"]
    for _ in range(150):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        doc = nlp(text)
        assert not [e for e in doc._.casus_errors or [] if e["level"] == "error"], text
        for q in doc._.casus_quotes:
            assert 0 <= q["content"]["start"] < q["content"]["end"] <= len(text), (text, q)


def test_a_cue_before_a_rule_line_reports_nothing_and_breaks_no_later_stage(nlp):
    """A speech verb whose content would be only a separator line ("___.") gives no quote: an empty
    content is no quotation, and the events stage once failed on it for the whole document."""
    text = ("Trump has been criticized by his rivals for failing to campaign in the state.\n\n___.\n\n"
            "New Jersey Gov. Chris Christie said he would stay in the race.")
    doc = nlp(text)
    assert doc._.casus_quotes, "the reported speech after the rule line is still found"
    assert all(content(doc, q).strip() for q in doc._.casus_quotes)
    assert not [e for e in doc._.casus_errors or [] if e["level"] == "error"]
    assert doc._.casus_events  # the stage ran: "criticized" or "said" is coded
