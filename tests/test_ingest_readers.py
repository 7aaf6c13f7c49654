"""Every reader on real files it builds itself: HTML, PDF, CSV/TSV, JSONL columns, RSS/Atom, and bad input."""

import json

from fpdf import FPDF

from casus.ingest import ReadOptions, read_inputs
from casus.repair import repair

STORY = ("President Vladimir Putin warned on Friday that any Western forces deployed to Ukraine would be a "
         "legitimate target for the Russian military. A coalition of more than two dozen countries, led by "
         "France and Britain, announced on Thursday that they were prepared to send a reassurance force.")

ARTICLE_HTML = """<!doctype html><html lang="en"><head>
<title>Putin warns West over troops | The Daily Ledger</title>
<meta property="og:site_name" content="The Daily Ledger">
<meta name="author" content="Jane Roe">
<meta property="article:published_time" content="2025-09-05T10:00:00Z">
<meta property="article:modified_time" content="2025-09-07T08:00:00Z">
<link rel="canonical" href="https://ledger.example/world/putin-warns-west">
</head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/sport">Sport</a></nav>
<article><h1>Putin warns West over troops</h1>
<p>President Vladimir Putin warned on Friday that any Western forces deployed to Ukraine would be a
"legitimate" target for the Russian military, a defiant response to an allied plan.</p>
<p>A coalition of more than two dozen countries, led by France and Britain, announced on Thursday that
they were prepared to send a "reassurance force" to Ukraine to patrol any eventual peace agreement.</p>
<p>Zelensky welcomed the pledge as "the first such serious, concrete step" in securing Ukraine's future.</p>
</article>
<footer>Copyright 2025 The Daily Ledger. All rights reserved. Privacy policy. Terms of use.</footer>
</body></html>"""


def make_pdf(pages: list[str], header: str | None = None, numbers: bool = False) -> bytes:
    """A real PDF with a text layer, one string per page, optional running header and page numbers."""

    class Doc(FPDF):
        def header(self) -> None:
            if header:
                self.set_font("Helvetica", size=8)
                self.cell(0, 5, header)
                self.ln(8)

        def footer(self) -> None:
            if numbers:
                self.set_y(-15)
                self.set_font("Helvetica", size=8)
                self.cell(0, 5, str(self.page_no()), align="C")

    pdf = Doc()
    pdf.set_auto_page_break(False)
    pdf.set_title("Reassurance force")
    for text in pages:
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 5, text)
    return bytes(pdf.output())


def scanned_pdf() -> bytes:
    """A page with only drawing on it: what a scan without OCR looks like to a text extractor."""
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")
    return bytes(pdf.output())


def test_html_page_gives_main_text_and_metadata(tmp_path):
    (tmp_path / "page.html").write_text(ARTICLE_HTML, encoding="utf-8")
    [doc] = read_inputs([str(tmp_path / "page.html")])
    assert not doc.failed, doc.errors
    assert doc.id == "page"
    assert doc.meta["title"] == "Putin warns West over troops"
    assert doc.meta["author"] == "Jane Roe"
    assert doc.meta["outlet"] == "The Daily Ledger"
    assert doc.meta["url"] == "https://ledger.example/world/putin-warns-west"
    # the original publication date, not the later modification date
    assert doc.meta["published"] == "2025-09-05"
    assert "legitimate" in doc.text and "reassurance force" in doc.text
    for chrome in ("Home", "Sport", "Copyright", "Privacy"):
        assert chrome not in doc.text
    # paragraphs survive as paragraphs through repair
    assert repair(doc.text).text.count("\n\n") >= 2


def test_html_without_an_article_is_an_error(tmp_path):
    (tmp_path / "nav.html").write_text("<html><body><nav><a href='/'>Home</a> <a href='/a'>About</a></nav>"
                                       "</body></html>", encoding="utf-8")
    (tmp_path / "junk.htm").write_bytes(b"\x00\x01\x02<html>")
    docs = {d.id: d for d in read_inputs([str(tmp_path)])}
    assert docs["nav"].failed and "no article text" in docs["nav"].errors[0]["message"]
    assert docs["junk"].failed and "binary" in docs["junk"].errors[0]["message"]


def test_pdf_text_layer_is_read_and_page_furniture_repaired(tmp_path):
    page1 = ("Putin warned on Friday that any Western forces deployed to Ukraine would be a legitimate target "
             "for the Russian military, and he reiterated his view that the deepening ties with the West were "
             "among the root")
    page2 = "causes of the conflict. " + STORY
    (tmp_path / "story.pdf").write_bytes(make_pdf([page1, page2], header="THE DAILY LEDGER - World", numbers=True))
    [doc] = read_inputs([str(tmp_path / "story.pdf")])
    assert not doc.failed, doc.errors
    assert doc.meta["format"] == "pdf" and doc.meta["pages"] == 2 and doc.meta["title"] == "Reassurance force"
    assert "\f" in doc.text and "THE DAILY LEDGER" in doc.text
    r = repair(doc.text)
    assert "root causes of the conflict" in r.text
    assert "DAILY LEDGER" not in r.text
    assert not any(line.strip().isdigit() for line in r.text.split("\n"))
    # the stored original keeps what repair dropped, and spans map back onto it
    start = r.text.index("root causes")
    s, e = r.offsets.span(start, start + len("root causes"))
    spanned = doc.text[s:e]
    assert spanned.startswith("root") and spanned.endswith("causes") and "\f" in spanned
    assert "THE DAILY LEDGER" in spanned  # the dropped header is still there in the original


def test_scanned_pdf_and_damaged_pdf_are_errors(tmp_path):
    (tmp_path / "scan.pdf").write_bytes(scanned_pdf())
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF")
    docs = {d.id: d for d in read_inputs([str(tmp_path / "*.pdf")])}
    assert docs["scan"].failed and "no text layer" in docs["scan"].errors[0]["message"]
    assert docs["broken"].failed and docs["broken"].errors[0]["stage"] == "ingest"


def test_csv_corpus_with_configured_columns(tmp_path):
    path = tmp_path / "corpus.csv"
    path.write_text("story_id,body,pubdate,link,headline\n"
                    f's1,"{STORY}",2025-09-05,https://a.example/1,Putin warns\n'
                    "s2,,2025-09-06,https://a.example/2,Empty\n"
                    '"s3","Macron said, at length, that France would ""act"".",2025-09-07,,\n',
                    encoding="utf-8")
    options = ReadOptions(id_field="story_id", text_field="body", date_field="pubdate", url_field="link",
                          title_field="headline")
    docs = list(read_inputs([str(path)], options))
    assert [d.id for d in docs] == ["s1", "s2", "s3"]
    assert docs[0].meta == {"published": "2025-09-05", "url": "https://a.example/1", "title": "Putin warns"}
    assert docs[1].failed and "no text" in docs[1].errors[0]["message"] and docs[1].origin.endswith(":3")
    assert docs[2].text == 'Macron said, at length, that France would "act".'
    # with the default column names the file has no text column: one clear error
    [bad] = read_inputs([str(path)])
    assert bad.failed and "--text-field" in bad.errors[0]["message"] and "body" in bad.errors[0]["message"]


def test_tsv_and_jsonl_columns(tmp_path):
    (tmp_path / "c.tsv").write_text("doc\tcontent\tdate\nt1\tRussia threatened Ukraine.\t2025-01-02\n",
                                    encoding="utf-8")
    (tmp_path / "c.jsonl").write_text(json.dumps({"doc": "j1", "content": "NATO met.", "date": "2025-02-03",
                                                  "href": "https://b.example/x"}) + "\n", encoding="utf-8")
    options = ReadOptions(id_field="doc", text_field="content", date_field="date", url_field="href")
    docs = {d.id: d for d in read_inputs([str(tmp_path)], options)}
    assert docs["t1"].meta["published"] == "2025-01-02" and docs["t1"].text == "Russia threatened Ukraine."
    assert docs["j1"].meta == {"published": "2025-02-03", "url": "https://b.example/x"}


RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Ledger World</title>
<item><title>Putin warns West</title><link>https://ledger.example/1</link><guid>ledger-1</guid>
<pubDate>Fri, 05 Sep 2025 10:00:00 GMT</pubDate>
<description>&lt;p&gt;Putin warned on Friday that Western troops would be targets.&lt;/p&gt;&lt;p&gt;Macron
disagreed.&lt;/p&gt;</description></item>
<item><title>Empty entry</title><link>https://ledger.example/2</link></item>
<item><title>Coalition commits</title><guid>ledger-3</guid><description>Twenty-six countries committed to the
mission.</description></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title>
<entry><id>urn:wire:9</id><title>Talks stall</title><updated>2025-09-06T12:00:00Z</updated>
<link href="https://wire.example/9"/><content type="html">&lt;p&gt;Talks stalled in Geneva on Saturday.&lt;/p&gt;
</content></entry></feed>"""


def test_rss_feed_with_a_broken_entry(tmp_path):
    (tmp_path / "world.rss").write_text(RSS, encoding="utf-8")
    docs = list(read_inputs([str(tmp_path / "world.rss")]))
    assert [d.id for d in docs] == ["ledger-1", "https://ledger.example/2", "ledger-3"]
    first, empty, third = docs
    assert first.meta["published"] == "2025-09-05" and first.meta["outlet"] == "Ledger World"
    assert first.meta["url"] == "https://ledger.example/1" and first.meta["title"] == "Putin warns West"
    assert first.text.split("\n\n") == ["Putin warned on Friday that Western troops would be targets.",
                                        "Macron disagreed."]
    assert empty.failed and "has no text" in empty.errors[0]["message"]
    assert not third.failed and third.text.startswith("Twenty-six countries")


def test_atom_feed_and_a_file_that_is_not_a_feed(tmp_path):
    (tmp_path / "wire.atom").write_text(ATOM, encoding="utf-8")
    (tmp_path / "notes.xml").write_text("<notes><note>hello</note></notes>", encoding="utf-8")
    (tmp_path / "truncated.rss").write_text(RSS[: RSS.index("<item><title>Empty")], encoding="utf-8")
    docs = {d.id: d for d in read_inputs([str(tmp_path)])}
    assert docs["urn:wire:9"].text == "Talks stalled in Geneva on Saturday."
    assert docs["urn:wire:9"].meta["published"] == "2025-09-06"
    notes = docs[str(tmp_path / "notes.xml")]
    assert notes.failed and "without entries" in notes.errors[0]["message"]
    # a feed cut off mid-way: the entries before the break are read, with a warning
    truncated = docs["ledger-1"]
    assert not truncated.failed
    assert any(e["level"] == "warning" and "not well-formed" in e["message"] for e in truncated.errors)


def test_directories_recurse_and_mix_formats(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "one.txt").write_text(STORY, encoding="utf-8")
    (tmp_path / "a" / "b" / "two.html").write_text(ARTICLE_HTML, encoding="utf-8")
    (tmp_path / "a" / "b" / "three.pdf").write_bytes(make_pdf([STORY]))
    (tmp_path / "a" / "b" / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "a" / "one.json").write_text(json.dumps({"published": "2025-09-05"}), encoding="utf-8")
    docs = {d.id: d for d in read_inputs([str(tmp_path / "a")])}
    assert set(docs) == {"one", "two", "three"}
    assert docs["one"].meta == {"published": "2025-09-05"}
    assert all(not d.failed for d in docs.values())
    globbed = [d.id for d in read_inputs([str(tmp_path / "a" / "**" / "*.pdf")])]
    assert globbed == ["three"]


def test_huge_text_and_invalid_utf8_and_empty(tmp_path):
    big = tmp_path / "big.txt"
    paragraph = (STORY + "\n\n").encode("utf-8")
    big.write_bytes(paragraph * (20_000_000 // len(paragraph) + 1))
    (tmp_path / "bad.txt").write_bytes(b"Putin said \xff\xfe the talks \xc3 failed.")
    (tmp_path / "empty.md").write_bytes(b"")
    docs = {d.id: d for d in read_inputs([str(tmp_path)])}
    assert len(docs["big"].text) >= 20_000_000 and not docs["big"].failed  # the pipeline refuses it (see below)
    assert docs["bad"].text.count("\ufffd") == 3
    assert docs["bad"].errors[0]["level"] == "warning" and "replacement" in docs["bad"].errors[0]["message"]
    assert docs["empty"].failed and "empty" in docs["empty"].errors[0]["message"]
