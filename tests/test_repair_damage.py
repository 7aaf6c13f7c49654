"""Repair of each kind of extraction damage, and a property test: spans always map back into the original."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from casus.repair import english_words, repair


def test_dehyphenates_only_real_words():
    text = ("The envoys met to negoti-\nate a settlement, and the post-\nwar order was dis-\ncussed at length "
            "by the long-\nterm planners of the xyzq-\nplorb committee.")
    r = repair(text)
    assert "negotiate a settlement" in r.text
    assert "discussed at length" in r.text
    # "postwar" is a word, but so is the hyphenated compound: keep what is printed
    assert "post-war" in r.text or "postwar" in r.text
    assert "long-term" in r.text  # "longterm" is not a word: the hyphen stays
    assert "xyzq-plorb" in r.text
    assert "de-hyphenated negoti-ate -> negotiate" in r.notes
    # before a capital the hyphen is part of a compound: it stays, and no space is put in
    assert repair("a Russia-\nU.S. summit and a Franco-\nGerman plan").text == \
        "a Russia-U.S. summit and a Franco-German plan"


def test_the_documents_own_usage_decides_hyphenation():
    keep = repair("They backed a cease-\nfire on Monday. The cease-fire held.")
    assert "a cease-fire on Monday" in keep.text
    join = repair("They backed a cease-\nfire on Monday. The ceasefire held.")
    assert "a ceasefire on Monday" in join.text


def test_boilerplate_data_file_loads_and_every_pattern_compiles():
    from casus.data_files import load_yaml

    data = load_yaml("boilerplate.yaml")
    assert data["version"] >= 1
    for key in ("lines", "bylines", "page_numbers"):
        assert data[key], key
        for pattern in data[key]:
            re.compile(pattern, re.IGNORECASE)
    assert {"the", "of", "and"} <= set(data["continuation_words"])


def test_word_list_is_loaded_from_the_package():
    words = english_words()
    assert len(words) > 100_000
    assert {"negotiate", "discussed", "peacekeepers"} <= words and "longterm" not in words


def test_boilerplate_bylines_and_share_bars_are_dropped_but_kept_in_the_original():
    text = ("By Jane Roe and John Doe | Reuters\n\nPutin spoke in Vladivostok.\n\nAdvertisement\n\n"
            "Supported by\n\nShare on Facebook\nFacebook Twitter Email\n\nMacron replied on Friday.\n\n"
            "Related: Coalition of the Willing meets\n\nBy Friday, the troops had left.")
    r = repair(text)
    assert r.text == "Putin spoke in Vladivostok. \n\nMacron replied on Friday. \n\nBy Friday, the troops had left."
    assert sum(n.startswith("dropped") for n in r.notes) == 6
    s, e = r.offsets.span(r.text.index("Macron"), r.text.index("Friday.") + 7)
    assert text[s:e] == "Macron replied on Friday."


def test_a_wrapped_line_that_looks_like_boilerplate_is_kept():
    text = "The treaty was signed\nBy Vladimir Putin\nand Xi Jinping in Moscow."
    assert repair(text).text == "The treaty was signed By Vladimir Putin and Xi Jinping in Moscow."


def test_page_headers_footers_and_numbers_across_form_feeds():
    page = "The Kremlin said the talks would go on, and the envoys\nwould meet again in Geneva next"
    text = (f"WORLD NEWS | Page 1\n{page}\n1\fWORLD NEWS | Page 2\nweek to discuss the\n- 2 -\f"
            "WORLD NEWS | Page 3\nprisoner exchange.")
    r = repair(text)
    assert r.text == ("The Kremlin said the talks would go on, and the envoys would meet again in Geneva next "
                      "week to discuss the prisoner exchange.")
    assert any("page header/footer" in n for n in r.notes) and any("page number" in n for n in r.notes)


def test_headings_and_short_last_lines_stay_paragraphs():
    body = ("President Vladimir Putin warned on Friday that any Western forces deployed to\n"
            "Ukraine would be a legitimate target for the Russian military, a defiant response\n"
            "to an allied plan to send international peacekeepers once a settlement is\n"
            "reached.\n"
            "A coalition of more than two dozen countries, led by France and Britain, said on\n"
            "Thursday that they were prepared to send a force to patrol any eventual peace\n"
            "agreement.")
    r = repair("Putin warns West\n\n" + body)
    paragraphs = r.text.split(" \n\n")
    assert paragraphs[0] == "Putin warns West"
    assert paragraphs[1].endswith("once a settlement is reached.")
    assert paragraphs[2].startswith("A coalition") and paragraphs[2].endswith("peace agreement.")


def test_quotation_marks_are_normalised_and_pairs_repaired():
    r = repair("He called them ``reckless'' and \u201edangerous\u201c, a \u00abred line\u00bb, "
               "the ''root causes'\" and \u201cterror\" too.")
    assert r.text == ('He called them \u201creckless\u201d and \u201cdangerous\u201d, a \u201cred line\u201d, '
                      'the "root causes" and \u201cterror\u201d too.')


WORDS = st.sampled_from(["Putin", "said", "the", "talks", "negotiate", "post", "war", "in", "Kyiv", "root",
                         "causes", "troops", "would", "be", "targets", "Macron", "agreed", "on", "Friday"])
DAMAGE = st.sampled_from(["\n", "\n\n", "\n\n\n\n", "\f", "-\n", "\nAdvertisement\n", "\n\nRelated: more\n\n",
                          "\n12\n\f", " ''", "'\" ", "\u201e", "\u00bb", "``", "  ", "\r\n"])


@st.composite
def damaged_texts(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 60))):
        parts.append(draw(WORDS))
        parts.append(draw(DAMAGE) if draw(st.integers(0, 3)) == 0 else draw(st.sampled_from([" ", ". ", ", "])))
    return "".join(parts)


@settings(max_examples=300, deadline=None)
@given(damaged_texts())
def test_every_span_maps_back_into_the_original(original):
    r = repair(original)
    origin = r.offsets.origin
    assert len(origin) == len(r.text) + 1
    assert all(0 <= o <= len(original) for o in origin)
    assert origin == sorted(origin)  # order is kept: a span never maps to a reversed range
    # every letter and digit is the very character it came from
    assert all(original[origin[i]] == ch for i, ch in enumerate(r.text) if ch.isalnum())
    # and a word found in the repaired text spans the same word in the original, up to the repairs
    for m in re.finditer(r"\w+", r.text):
        s, e = r.offsets.span(m.start(), m.end())
        assert re.sub(r"[\s\-]", "", original[s:e]) == m.group(0)
