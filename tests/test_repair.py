from casus.offsets import OffsetMap, Rewriter
from casus.repair import repair
from tests.conftest import SEED


def test_rewriter_maps_kept_and_replaced_characters_back():
    rw = Rewriter("ab\ncd")
    rw.keep(0, 2)
    rw.replace(2, 3, " ")
    rw.keep(3, 5)
    text, omap = rw.result()
    assert text == "ab cd"
    assert omap.span(3, 5) == (3, 5)
    assert omap.span(0, 5) == (0, 5)


def test_offset_map_clamps_and_handles_empty_spans():
    omap = OffsetMap.identity(4)
    assert omap.span(2, 2) == (2, 2)
    assert omap.span(-3, 99) == (0, 4)


def test_seed_repair_unwraps_lines_and_rejoins_the_page_break():
    original = SEED.read_text(encoding="utf-8")
    r = repair(original)
    assert '"root causes"' in r.text
    assert "Related article" not in r.text
    assert "would be a \"legitimate\" target" in r.text
    # hard wraps inside a paragraph are gone, paragraph breaks stay
    assert "Ukraine would be" in r.text
    assert "\n\n" in r.text


def test_every_unchanged_character_maps_to_the_same_character_in_the_original():
    original = SEED.read_text(encoding="utf-8")
    r = repair(original)
    assert len(r.offsets.origin) == len(r.text) + 1
    mismatched = [i for i, ch in enumerate(r.text)
                  if ch not in ' "\n' and original[r.offsets.origin[i]] != ch]
    assert mismatched == []
    start = r.text.index("Vladivostok")
    s, e = r.offsets.span(start, start + len("Vladivostok"))
    assert original[s:e] == "Vladivostok"


def test_repair_leaves_clean_text_alone():
    text = "Putin said the talks failed.\n\nMacron disagreed."
    r = repair(text)
    assert r.text.replace(" \n", "\n").rstrip() == text
    assert r.notes == []
