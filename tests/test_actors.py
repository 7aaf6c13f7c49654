"""Actor resolution through the real spaCy pipeline: the seed story and small constructed texts."""

import json

import pytest

from casus.actors import doc_scope, mention_at
from casus.document import Document
from casus.pipeline import extract, make_doc
from tests.conftest import run_casus, span_text


def _doc(nlp, text, published=None):
    meta = {"published": published} if published else {}
    return nlp(make_doc(nlp, Document(id="t", text=text, meta=meta)))


def _actor_at(doc, needle, nth=0):
    start = -1
    for _ in range(nth + 1):
        start = doc.text.index(needle, start + 1)
    m = mention_at(doc, start, start + len(needle))
    return (doc._.casus_actors[m["actor"]], m["via"]) if m else (None, None)


def _by_id(record):
    return {a["id"]: a for a in record["actors"]}


# ---- the seed story ---------------------------------------------------------------------------

@pytest.mark.parametrize("aid,country,sector", [
    ("rus-putin", "RUS", "GOV"), ("fra-macron", "FRA", "GOV"), ("ukr-zelensky", "UKR", "GOV"),
    ("wst-mil", "WST", "MIL"), ("rus", "RUS", "GOV"), ("ukr", "UKR", "GOV")])
def test_seed_actors_are_coded(seed_record, aid, country, sector):
    a = _by_id(seed_record)[aid]
    assert (a["country"], a["sector"]) == (country, sector)


def test_seed_metonyms_and_agents(seed_record):
    via = {(span_text(seed_record, m), a["id"]): m["via"] for a in seed_record["actors"] for m in a["mentions"]}
    assert via[("Moscow", "rus")] == "metonymy"
    assert via[("Kyiv", "ukr")] == "metonymy"
    assert via[("Western forces", "wst-mil")] == "agent"
    analysts = [a for a in seed_record["actors"] if any(span_text(seed_record, m) == "analysts" for m in a["mentions"])]
    assert analysts and all(a["sector"] in (None, "MED") for a in analysts)


def test_seed_coalition_is_a_multi_country_group(seed_record):
    [coalition] = [a for a in seed_record["actors"] if a.get("members")]
    assert coalition["kind"] == "group" and {"FRA", "GBR"} <= set(coalition["members"])
    assert coalition["id"].startswith("doc:")
    texts = [span_text(seed_record, m) for m in coalition["mentions"]]
    assert "coalition" in texts and "they" in texts  # "…announced on Thursday that they were prepared"


PUTIN_PRONOUNS = [("He argued", "He"), ("reiterated his view", "his"), ("prompted him", "him"),
                  ("in full,\" he said", "he"), ("as his forces", "his"), ("week, he boasted", "he")]


def test_seed_every_pronoun_for_putin_is_his(seed_record):
    text = seed_record["text"]
    putin = _by_id(seed_record)["rus-putin"]
    spans = {(m["start"], m["end"]) for m in putin["mentions"] if m["via"] == "pronoun"}
    expected = set()
    for context, word in PUTIN_PRONOUNS:  # every pronoun in the story that refers to Putin
        i = text.index(context)
        j = text.index(word, i)
        expected.add((j, j + len(word)))
    assert expected == spans


def test_seed_macron_pronoun(seed_record):
    macron = _by_id(seed_record)["fra-macron"]
    assert any(m["via"] == "pronoun" and seed_record["text"][m["start"] : m["end"] + 9] == "He stressed"
               for m in macron["mentions"])


# ---- titles through the publication date ------------------------------------------------------

def test_title_resolves_by_publication_date(nlp):
    text = "The Russian president warned the French president on Friday."
    doc = _doc(nlp, text, "2025-09-05")
    assert _actor_at(doc, "The Russian president")[0]["id"] == "rus-putin"
    assert _actor_at(doc, "the French president")[0]["id"] == "fra-macron"
    assert _actor_at(doc, "The Russian president")[1] == "title"
    old = _doc(nlp, "The American president met the Russian president.", "2010-06-01")
    assert _actor_at(old, "The American president")[0]["id"] == "usa-obama"
    assert _actor_at(old, "the Russian president")[0]["id"] == "rus-medvedev"


def test_title_without_date_codes_the_state(nlp):
    doc = _doc(nlp, "The Russian president warned the West.")
    actor, via = _actor_at(doc, "The Russian president")
    assert actor["id"] == "rus" and via == "title"


# ---- unknown people, coreference, compounds ---------------------------------------------------

def test_unknown_person_gets_document_scoped_actor_with_country_and_sector(nlp):
    doc = _doc(nlp, "A Ukrainian soldier was wounded near the front, officials said.")
    actor, via = _actor_at(doc, "A Ukrainian soldier")
    assert (actor["country"], actor["sector"], actor["kind"], via) == ("UKR", "MIL", "person", "agent")
    assert actor["id"].startswith(doc_scope(doc))


def test_unknown_named_person_takes_title_country_and_surname_corefers(nlp):
    doc = _doc(nlp, "Estonian Foreign Minister Urmas Paet criticised Moscow. Paet said talks must go on.")
    first, _ = _actor_at(doc, "Urmas Paet")
    again, via = _actor_at(doc, "Paet", nth=1)
    assert (first["country"], first["sector"]) == ("EST", "GOV")
    assert again["id"] == first["id"] and via == "surname"


def test_document_scoped_ids_do_not_collide_across_documents(nlp):
    a = _doc(nlp, "Local leader John Smith was arrested by police.")
    b = _doc(nlp, "John Smith, a farmer, protested on Monday.")
    ida = {x for x in a._.casus_actors if x.startswith("doc:")}
    idb = {x for x in b._.casus_actors if x.startswith("doc:")}
    assert ida and idb and not ida & idb


def test_compound_states_are_separate_mentions(nlp):
    doc = _doc(nlp, "France and Britain condemned the attack.")
    assert _actor_at(doc, "France")[0]["id"] == "fra"
    assert _actor_at(doc, "Britain")[0]["id"] == "gbr"


def test_she_goes_to_the_woman_and_he_to_the_man(nlp):
    doc = _doc(nlp, "Angela Merkel met Vladimir Putin in Berlin. She said he had made no promises.")
    assert _actor_at(doc, "She")[0]["id"] == "deu-merkel"
    assert _actor_at(doc, "he had")[0]["id"] == "rus-putin"


def test_kremlin_is_the_russian_government_but_in_moscow_is_a_place(nlp):
    doc = _doc(nlp, "The Kremlin rejected the plan. Talks were held in Moscow.")
    assert _actor_at(doc, "Kremlin")[0]["id"] == "rus"
    assert _actor_at(doc, "Moscow")[0] is None


def test_mentions_keep_the_shared_shape(seed_record, nlp):
    doc = nlp(make_doc(nlp, Document(id="x", text="Putin spoke.", meta={})))
    [m] = doc._.casus_mentions
    assert set(m) == {"start", "end", "actor", "via", "tok", "tok_end"}
    assert doc[m["tok"] : m["tok_end"]].text == doc.text[m["start"] : m["end"]] == "Putin"


def test_quote_and_event_actors_point_at_record_actors(seed_record):
    ids = {a["id"] for a in seed_record["actors"]}
    refs = [q["speaker"]["actor"] for q in seed_record["quotes"] if q.get("speaker")]
    refs += [e[k]["actor"] for e in seed_record["events"] for k in ("source", "target") if e.get(k)]
    assert refs and all(r in ids for r in refs if r)


# ---- the CLI and the store --------------------------------------------------------------------

@pytest.mark.slow
def test_cli_kb_option_and_actors_listing(tmp_path):
    extra = tmp_path / "extra.yaml"
    extra.write_text("version: 1\nactors:\n  - {id: xx-ivanova, name: Olga Ivanova, kind: person, country: RUS,"
                     " sector: MIL, gender: f, roles: [{role: commander, start: 2020-01-01}]}\n")
    src = tmp_path / "a.txt"
    src.write_text("Olga Ivanova said Russian troops would stay. She added that NATO was to blame.\n")
    out = run_casus("extract", "--format", "jsonl", "--kb", str(extra), str(src), check=True).stdout
    rec = json.loads(out)
    ivanova = next(a for a in rec["actors"] if a["id"] == "xx-ivanova")
    assert [rec["text"][m["start"]:m["end"]] for m in ivanova["mentions"]] == ["Olga Ivanova", "She"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nactors: [{id: q, name: Q, kind: robot}]\n")
    proc = run_casus("extract", "--kb", str(bad), str(src))
    assert proc.returncode == 2 and "bad.yaml" in proc.stderr
    db = tmp_path / "s.duckdb"
    run_casus("ingest", "--db", str(db), "--kb", str(extra), str(src), check=True)
    rows = json.loads(run_casus("actors", "--db", str(db), "--format", "json", check=True).stdout)
    assert any(r["id"] == "xx-ivanova" and r["mentions"] == 2 for r in rows)


def test_extract_with_default_kb_has_no_errors(nlp):
    [rec] = list(extract([Document(id="z", text="Hamas and Hezbollah fighters attacked Israeli troops.", meta={})],
                         nlp=nlp))
    assert rec["errors"] == []
    ids = {a["id"] for a in rec["actors"]}
    assert "isr-mil" in ids


# ---- gazetteer, cities, the story's own country ------------------------------------------------

def test_kb_names_found_where_ner_misses_them(nlp):
    doc = _doc(nlp, "Officers said Kyiv and Moscow traded accusations overnight.")
    assert _actor_at(doc, "Kyiv")[0]["id"] == "ukr"
    assert _actor_at(doc, "Moscow")[0]["id"] == "rus"


def test_city_gives_an_organisation_its_country(nlp):
    doc = _doc(nlp, "A court in Lagos sentenced two men on Tuesday.")
    actor, _ = _actor_at(doc, "A court in Lagos")
    assert actor["country"] == "NGA" and actor["sector"] == "JUD"


def test_unspecified_police_take_the_dateline_country(nlp):
    doc = _doc(nlp, "NAIROBI, Kenya - Police fired tear gas at crowds on Monday.")
    actor, _ = _actor_at(doc, "Police")
    assert (actor["country"], actor["sector"]) == ("KEN", "COP")


def test_foreign_troops_do_not_take_the_home_country(nlp):
    doc = _doc(nlp, "Foreign troops left Mali on Friday.")
    actor, _ = _actor_at(doc, "Foreign troops")
    assert actor["country"] is None and actor["sector"] == "MIL"


def test_same_surname_different_first_name_is_a_different_person(nlp):
    doc = _doc(nlp, "Hillary Clinton visited her daughter Chelsea Clinton. "
                    "Hillary said Clinton family matters were private.")
    hillary, _ = _actor_at(doc, "Hillary Clinton")
    chelsea, _ = _actor_at(doc, "Chelsea Clinton")
    assert hillary["id"] != chelsea["id"]
    assert _actor_at(doc, "Hillary", nth=1)[0]["id"] == hillary["id"]


def test_object_it_is_not_a_state(nlp):
    doc = _doc(nlp, "Russia said the sanctions would not change anything, and nobody believed it.")
    assert _actor_at(doc, "it")[0] is None


def test_unknown_president_takes_the_one_state_in_the_sentence(nlp):
    doc = _doc(nlp, "On a visit to Malawi, the envoy praised President Lazarus Chakwera for the reforms.")
    actor, _ = _actor_at(doc, "Lazarus Chakwera")
    assert (actor["country"], actor["sector"], actor["kind"]) == ("MWI", "GOV", "person")


def test_igo_title_resolves_to_the_office_holder(nlp):
    doc = _doc(nlp, "The NATO secretary general warned Moscow on Tuesday.", "2020-03-01")
    assert _actor_at(doc, "The NATO secretary general")[0]["id"] == "nato-stoltenberg"


def test_bare_title_goes_to_the_office_holder_named_before(nlp):
    doc = _doc(nlp, "Barack Obama met Angela Merkel in Berlin. The president said the talks went well.", "2016-04-25")
    actor, via = _actor_at(doc, "The president")
    assert actor["id"] == "usa-obama" and via == "title"
    doc = _doc(nlp, "Barack Obama met Angela Merkel in Berlin. The chancellor said the talks went well.", "2016-04-25")
    assert _actor_at(doc, "The chancellor")[0]["id"] == "deu-merkel"
    undated = _doc(nlp, "Barack Obama met Angela Merkel. The president said the talks went well.")
    assert _actor_at(undated, "The president")[0] is None


def test_store_keeps_scope_and_members(seed_record, tmp_path):
    from casus.store import Store

    with Store(tmp_path / "a.duckdb") as store:
        store.add_batch([seed_record])
        cols, rows = store.query("SELECT id, scope, members FROM actors WHERE members IS NOT NULL")
        [(aid, scope, members)] = rows
        assert aid.startswith("doc:") and scope == "document" and set(members) >= {"FRA", "GBR"}
        [putin] = store.actors(name="rus-putin")
        assert putin["mentions"] == len(_by_id(seed_record)["rus-putin"]["mentions"])


def test_surname_before_the_full_name_is_merged(nlp):
    doc = _doc(nlp, "Kowalczyk wins vote. Warsaw lawmakers elected Anna Kowalczyk as speaker on Monday.")
    early, _ = _actor_at(doc, "Kowalczyk")
    full, _ = _actor_at(doc, "Anna Kowalczyk")
    assert early is not None and early["id"] == full["id"]


def test_city_inside_an_organisation_name_takes_the_longest_match(nlp):
    doc = _doc(nlp, "The New York Police Department arrested two men.")
    actor, _ = _actor_at(doc, "New York Police Department")
    assert actor["country"] == "USA"
