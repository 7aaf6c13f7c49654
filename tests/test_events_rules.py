"""The grammar of who did what to whom (events/roles.py), modality and the speech-act reading of a
statement, each on sentences written for these tests as the general rule they check."""

from __future__ import annotations

import pytest

from casus.document import Document
from casus.events.candidates import Candidate, DocIndex, candidates
from casus.events.modality import modality, sentence_dates
from casus.events.roles import roles
from casus.pipeline import make_doc


@pytest.fixture(scope="module")
def parse(nlp):
    def run(text: str, published: str = "2025-09-05"):
        return nlp(make_doc(nlp, Document(id="t", text=text, meta={"published": published})))
    return run


def tok(doc, word: str):
    return next(t for t in doc if t.text == word)


def heads(doc, word: str) -> tuple[str | None, str | None]:
    r = roles(tok(doc, word))
    return (r.source.text if r.source is not None else None, r.target.text if r.target is not None else None)


# --- roles follow the grammar --------------------------------------------------------------------

@pytest.mark.parametrize("text,word,source,target", [
    # the passive: the agent is the doer, the subject the sufferer
    ("The journalists were detained by the army on Monday.", "detained", "army", "journalists"),
    ("Three villages were shelled by rebel artillery.", "shelled", "artillery", "villages"),
    # a relative pronoun stands for its antecedent
    ("The militia, which attacked the convoy, withdrew.", "attacked", "militia", "convoy"),
    ("Soldiers who stormed the palace arrested the minister.", "stormed", "Soldiers", "palace"),
    # an infinitive or participle shares its governor's subject
    ("The army was quick to arrest the protest leaders.", "arrest", "army", "leaders"),
    ("Police fired on the crowd, killing four people.", "killing", "Police", "people"),
])
def test_verb_roles(parse, text, word, source, target):
    assert heads(parse(text), word) == (source, target)


def test_passive_without_agent_has_no_doer(parse):
    r = roles(tok(parse("The opposition leader was arrested on Tuesday."), "arrested"))
    assert r.source is None and r.source_how == "passive" and r.target.text == "leader"


@pytest.mark.parametrize("text,word,source,target", [
    # an event noun takes its parties from its own phrase
    ("Russia's attack on the port killed six.", "attack", "Russia", "port"),
    ("Talks between Armenia and Azerbaijan resumed.", "Talks", "Armenia", "Azerbaijan"),
    # or, as a light verb's object, from that verb's clause
    ("Israel carried out a strike on the headquarters.", "strike", "Israel", "headquarters"),
    ("The council imposed a curfew on the capital.", "curfew", "council", "capital"),
])
def test_noun_roles(parse, text, word, source, target):
    assert heads(parse(text), word) == (source, target)


def test_coming_under_attack_makes_the_subject_the_sufferer(parse):
    r = roles(tok(parse("The embassy came under attack overnight."), "attack"))
    assert r.target is not None and r.target.text == "embassy" and r.target_how == "under"


def test_weapons_are_not_the_target(parse):
    # the sufferer is beyond the means: the purpose clause's object, or the "at" phrase
    assert heads(parse("Police fired tear gas to disperse the students."), "fired")[1] == "students"
    assert heads(parse("The navy launched missiles at the base."), "launched")[1] == "base"
    # a date is never a party
    assert heads(parse("Police fired on Tuesday."), "fired")[1] is None


def test_coordinated_subjects_of_a_symmetric_act_are_the_two_sides(parse):
    r = roles(tok(parse("Macron and Scholz met in Berlin."), "met"))
    assert (r.source.text, r.target.text, r.target_how) == ("Macron", "Scholz", "coordinated")


# --- modality -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,word", [
    ("Germany has yet to commit troops to the mission.", "commit"),
    ("The ministers failed to agree on new sanctions.", "agree"),
])
def test_acts_that_did_not_happen_are_negated(parse, text, word):
    doc = parse(text)
    assert modality(tok(doc, word), "2025-09-05")["negated"]


def test_an_act_placed_in_an_earlier_dated_accord_is_historical(parse):
    doc = parse("They cite the 1994 Budapest Memorandum. Under that accord, Kyiv surrendered its arsenal.")
    t = tok(doc, "surrendered")
    assert modality(t, "2025-09-05")["historical"]
    fresh = parse("They cite the new memorandum. Under that accord, Kyiv surrendered its arsenal.")
    assert not modality(tok(fresh, "surrendered"), "2025-09-05")["historical"]


def test_sentence_dates_are_the_date_entities(parse):
    doc = parse("On Friday, Putin spoke in Vladivostok about the 1994 memorandum.")
    texts = [d.text for d in sentence_dates(next(iter(doc.sents)))]
    assert "Friday" in texts and "1994" in texts and all(d[0].ent_type_ == "DATE" for d in sentence_dates(doc[:]))


# --- what a statement does ------------------------------------------------------------------------

def _cue(doc) -> Candidate:
    index = DocIndex(doc)
    found = [c for i, s in enumerate(doc.sents) for c in candidates(s, index, i) if c.kind == "speech"]
    assert found, [q for q in doc._.casus_quotes]
    return found[0]


@pytest.mark.parametrize("text,kind", [
    ("The minister said that any foreign troops would be legitimate targets.", "THREATEN"),
    ("The general said the army was prepared to keep fighting until the rebels surrender.", "THREATEN"),
    ("The spokesman said the attack was a cowardly crime and a breach of international law.", "ACCUSE"),
    ("The president said the deal was an important step and thanked the mediators.", "SUPPORT"),
])
def test_a_statement_is_typed_by_what_was_said(parse, text, kind):
    assert _cue(parse(text)).said() == kind


def test_a_neutral_statement_does_nothing(parse):
    assert _cue(parse("The spokesman said the meeting took place in the capital.")).said() is None
