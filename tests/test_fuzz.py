"""A hypothesis fuzz: random strings and byte sequences through the readers, the pipeline and the store.

Whatever comes in, every reader returns Documents (failed ones carry an error record), the
pipeline returns one record per document, the record can be printed as JSON and stored, stored
text is the document's text, and storing it again changes nothing. Examples are derandomised so
the suite is reproducible; 320 examples in all.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casus.document import Document, content_hash
from casus.ingest.feed import read_feed_bytes
from casus.ingest.htmlpage import read_html_bytes
from casus.ingest.jsonl import parse_line
from casus.ingest.table import read_table_bytes
from casus.ingest.text import decode
from casus.pipeline import run_batch
from casus.store import Store

SETTINGS = dict(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
WORDS = ["Russia", "accused", "Ukraine", "of", "shelling", "Kupiansk", "on", "Friday", "\"", "“", "”", "said",
         "Putin", "warned", "the", "West", ".", ",", "\n", "\n\n", "-", "…", "'", "he", "troops", "2025-09-05"]
# every code point, lone surrogates and control characters included; surrogates are rare among all
# code points, so they are also drawn on their own
ANY_CHAR = st.characters(exclude_categories=())
SURROGATE = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
TEXTS = st.one_of(
    st.text(ANY_CHAR, max_size=300),
    st.lists(st.one_of(st.sampled_from(WORDS), st.text(ANY_CHAR, min_size=1, max_size=3), SURROGATE),
             max_size=60).map(" ".join),
)
BYTES = st.one_of(
    st.binary(max_size=600),
    TEXTS.map(lambda s: s.encode("utf-16" if len(s) % 3 == 0 else "utf-8", errors="surrogatepass")),
    st.builds(lambda a, b: a + b, st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00",
                                                   b"<html><body><div>", b"{\"text\": \"", b"id,text\n"]),
              st.binary(max_size=300)),
)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    with Store(tmp_path_factory.mktemp("fuzz") / "fuzz.duckdb") as s:
        yield s


def _through_pipeline_and_store(nlp, store: Store, docs: list[Document]) -> None:
    records = run_batch(nlp, docs)
    assert len(records) == len(docs)
    for doc, record in zip(docs, records, strict=True):
        assert record["id"] == doc.id and record["text"] == doc.text
        json.dumps(record, ensure_ascii=False).encode("utf-8")  # what `casus extract --format jsonl` prints
    store.add_batch(records)
    hashes = [content_hash(r["text"]) for r in records if r["text"].strip()]
    stored = dict(store.con.execute("SELECT hash, text FROM documents WHERE hash IN (SELECT unnest(?))",
                                    [hashes]).fetchall())
    assert set(hashes) == set(stored), "a document with text was not stored"
    assert all(content_hash(text) == h for h, text in stored.items())
    assert store.add_batch(records) == 0  # idempotent


@settings(max_examples=120, **SETTINGS)
@given(text=TEXTS, doc_id=st.one_of(st.text(ANY_CHAR, max_size=20), SURROGATE), title=TEXTS)
def test_random_strings_through_extract_and_the_store(nlp, store, text, doc_id, title):
    doc = Document(id=doc_id or "x", text=text, meta={"title": title, "published": "2025-09-05"})
    doc.text.encode("utf-8")
    doc.id.encode("utf-8")
    _through_pipeline_and_store(nlp, store, [doc])


@settings(max_examples=80, **SETTINGS)
@given(obj=st.dictionaries(st.sampled_from(["id", "text", "published", "title", "meta", "x"]),
                           st.one_of(TEXTS, st.integers(), st.none(), st.lists(TEXTS, max_size=2),
                                     st.dictionaries(TEXTS, TEXTS, max_size=2)), max_size=6))
def test_random_jsonl_lines_with_any_escapes(nlp, store, obj):
    # ensure_ascii writes lone surrogates as \udXXX escapes, the form a corpus file carries them in
    line = json.dumps(obj, ensure_ascii=True).encode()
    doc = parse_line(line, 1, "fuzz.jsonl")
    assert doc is not None and isinstance(doc.id, str)
    _through_pipeline_and_store(nlp, store, [doc])


@settings(max_examples=120, **SETTINGS)
@given(data=BYTES)
def test_random_bytes_through_every_reader(nlp, store, data):
    docs = [decode(data, doc_id=None, origin="fuzz.txt"), read_html_bytes(data, "page", "fuzz.html")]
    line = parse_line(data.replace(b"\n", b" "), 1, "fuzz.jsonl")
    docs += [line] if line is not None else []
    docs += list(read_table_bytes(data, "fuzz.csv"))
    docs += list(read_feed_bytes(data, "fuzz.xml"))
    for doc in docs:
        assert isinstance(doc, Document)
        assert doc.text or doc.errors, "a document without text must say why"
        doc.text.encode("utf-8")
    _through_pipeline_and_store(nlp, store, docs)
