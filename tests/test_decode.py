"""Any text a reader can decode becomes a document (issue 16's ingest probes).

UTF-8/16/32 with or without a byte-order mark, invalid sequences replaced with a warning, lone
surrogates from JSON escapes replaced (never fatal), markup nested 10,000 levels deep, and a
directory that cannot be read: each through the real readers, the real CLI or the real store.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

import pytest

from casus.document import Document, content_hash
from casus.ingest import read_inputs
from casus.store import Store
from tests.conftest import jsonl, run_casus

ARTICLE = ("Russia accused Ukraine on Friday of shelling the town of Kupiansk. “We will answer,” the "
           "Kremlin said. Kyiv denied it — «a provocation», officials said.\n")
ENCODINGS = [("utf-8-sig", b"\xef\xbb\xbf"), ("utf-16", None), ("utf-16-le", b""), ("utf-16-be", b""),
             ("utf-32", None), ("utf-32-le", b""), ("utf-32-be", b"")]


@pytest.mark.parametrize(("encoding", "prefix"), ENCODINGS)
def test_unicode_text_files_are_text(tmp_path, encoding, prefix):
    path = tmp_path / "story.txt"
    data = ARTICLE.encode(encoding)
    assert prefix is None or data.startswith(prefix)  # "utf-16"/"utf-32" write a byte-order mark
    path.write_bytes(data)
    [doc] = list(read_inputs([str(path)]))
    assert doc.text == ARTICLE and doc.errors == [], doc.errors


def test_utf16_with_bom_is_text_for_every_reader(tmp_path):
    """The probe: a UTF-16 file with a BOM was refused as "binary file, not text"."""
    (tmp_path / "story.txt").write_bytes(ARTICLE.encode("utf-16"))
    page = f"<html><head><title>Shelling</title></head><body><article><p>{ARTICLE * 3}</p></article></body></html>"
    (tmp_path / "page.html").write_bytes(page.encode("utf-16"))
    (tmp_path / "corpus.csv").write_bytes(f'id,text\nc1,"{ARTICLE.strip()}"\n'.encode("utf-16"))
    lines = "".join(json.dumps({"id": f"j{i}", "text": ARTICLE}, ensure_ascii=False) + "\n" for i in range(2))
    (tmp_path / "corpus.jsonl").write_bytes(lines.encode("utf-16"))
    docs = {d.id: d for d in read_inputs([str(tmp_path)])}
    assert set(docs) == {"story", "page", "c1", "j0", "j1"}
    assert all(not d.failed for d in docs.values()), {k: d.errors for k, d in docs.items()}
    assert docs["story"].text == ARTICLE and docs["j1"].text == ARTICLE and docs["c1"].text == ARTICLE.strip()
    assert "Kupiansk" in docs["page"].text and docs["page"].meta.get("title") == "Shelling"


def test_a_utf8_bom_does_not_break_the_first_jsonl_line(tmp_path):
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"id": "first", "text": ARTICLE}).encode() + b"\n")
    [doc] = list(read_inputs([str(path)]))
    assert doc.id == "first" and not doc.errors


def test_invalid_sequences_are_replaced_with_a_warning(tmp_path):
    (tmp_path / "bad8.txt").write_bytes(ARTICLE.encode() + b"\xff\xfe\xfa more text")
    (tmp_path / "bad16.txt").write_bytes(ARTICLE.encode("utf-16") + b"\x00")  # an odd trailing byte
    docs = {d.id: d for d in read_inputs([str(tmp_path)])}
    for name, enc in (("bad8", "UTF-8"), ("bad16", "UTF-16-LE")):
        doc = docs[name]
        assert not doc.failed and "\ufffd" in doc.text and doc.text.startswith(ARTICLE)
        [warning] = doc.errors
        assert warning["level"] == "warning" and f"invalid {enc}" in warning["message"]


def test_binary_is_still_refused():
    from casus.ingest.decode import decode_bytes

    png = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000010") + os.urandom(2000)
    assert decode_bytes(png).text is None
    assert decode_bytes(b"GIF89a\x01\x00\x01\x00\x00\xff\x00,\x00\x00\x00\x00").text is None


SURROGATE_LINE = '{"id": "bad", "text": "Putin said \\ud800 on Friday that Russia would answer any attack."}\n'


def _surrogate_corpus(path: Path) -> int:
    lines = [json.dumps({"id": f"g{i}", "text": f"Report {i}: Russia accused Ukraine of shelling Town{i} on Friday."})
             + "\n" for i in range(40)]
    lines.append(SURROGATE_LINE)
    lines.append('{"id": "pair\\udc00", "text": "Macron said France would send troops.", "title": "Troops \\udfff"}\n')
    lines.append(json.dumps({"id": "after", "text": "Germany supported the plan on Monday, officials said."}) + "\n")
    path.write_text("".join(lines), encoding="utf-8")
    return len(lines)


def test_lone_surrogates_become_replacement_characters_in_documents():
    doc = Document(id="x\ud800", text="Putin said \ud800 on Friday.", meta={"title": "a\udfffb", "tags": ["\udc00"]})
    assert doc.text == "Putin said \ufffd on Friday." and doc.id == "x\ufffd"
    assert doc.meta == {"title": "a\ufffdb", "tags": ["\ufffd"]}
    assert [e["level"] for e in doc.errors] == ["warning"] * 3
    # the hash of the raw text is the hash of the stored one: re-ingest stays idempotent
    assert content_hash("Putin said \ud800 on Friday.") == content_hash(doc.text)


def test_a_record_with_surrogates_is_stored_not_fatal(tmp_path):
    record = {"id": "r\ud800", "meta": {"title": "t\udc00"}, "text": "Russia \ud800 accused Ukraine.", "actors": [],
              "quotes": [], "events": [], "errors": []}
    with Store(tmp_path / "s.duckdb") as store:
        assert store.add_batch([record]) == 1
        assert store.add_batch([record]) == 0
        _, [(doc_id, text, rec)] = store.query("SELECT id, text, record FROM documents")
    assert doc_id == "r\ufffd" and text == "Russia \ufffd accused Ukraine."
    assert any("surrogates" in e["message"] for e in json.loads(rec)["errors"])


@pytest.mark.slow
def test_a_jsonl_line_with_a_lone_surrogate_does_not_stop_ingest_or_extract(tmp_path):
    """The probe: one such line crashed `ingest` and `extract` and nothing of the file was stored."""
    corpus = tmp_path / "mixed.jsonl"
    n = _surrogate_corpus(corpus)
    db = tmp_path / "m.duckdb"
    ingest = run_casus("ingest", "--db", str(db), "-p", "1", str(corpus))
    assert ingest.returncode == 0 and "Traceback" not in ingest.stderr, ingest.stderr
    assert f"{n} new documents stored" in ingest.stderr
    with Store(db, read_only=True) as store:
        _, rows = store.query("SELECT id, text FROM documents")
    texts = dict(rows)
    assert len(texts) == n and texts["bad"] == "Putin said \ufffd on Friday that Russia would answer any attack."
    again = run_casus("ingest", "--db", str(db), "-p", "1", str(corpus))
    assert again.returncode == 0 and f"0 new documents stored, {n} already stored" in again.stderr, again.stderr

    bad = tmp_path / "bad.jsonl"
    bad.write_text(SURROGATE_LINE, encoding="utf-8")
    out = run_casus("extract", "-p", "1", "--format", "jsonl", str(bad))
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
    assert "surrogates" in out.stderr
    [record] = jsonl(out.stdout)
    assert "\ufffd" in record["text"] and any(e["level"] == "warning" for e in record["errors"])
    assert "rus-putin" in {a["id"] for a in record["actors"]}, "the repaired document was not analysed"


def _page(depth: int) -> bytes:
    para = "<p>" + ("President Vladimir Putin warned on Friday that Western troops in Ukraine would be "
                    "legitimate targets, and Kyiv said it would not be intimidated. ") * 2 + "</p>"
    return ("<html><head><title>Deep</title></head><body>" + "<div>" * depth + para + "</div>" * depth
            + "</body></html>").encode()


@pytest.mark.parametrize("depth", [300, 10_000])
def test_html_nested_deeply_still_yields_its_text(tmp_path, depth):
    path = tmp_path / f"deep{depth}.html"
    path.write_bytes(_page(depth))
    [doc] = list(read_inputs([str(path)]))
    assert not doc.failed, doc.errors
    assert "legitimate targets" in doc.text and doc.meta.get("title") == "Deep"


@contextlib.contextmanager
def _as_unprivileged():
    """Root reads any directory: drop to nobody's effective uid for the read (and back)."""
    if os.geteuid() != 0:
        yield
        return
    os.seteuid(65534)
    try:
        yield
    finally:
        os.seteuid(0)


def test_an_unreadable_subdirectory_is_an_error_record():
    """The probe: such a directory was skipped silently."""
    root = Path(tempfile.mkdtemp(prefix="casus-unreadable-"))  # under /tmp: nobody can reach it
    try:
        root.chmod(0o755)
        (root / "ok").mkdir()
        (root / "ok" / "a.txt").write_text(ARTICLE, encoding="utf-8")
        (root / "ok").chmod(0o755)
        (root / "ok" / "a.txt").chmod(0o644)
        locked = root / "locked"
        locked.mkdir()
        (locked / "b.txt").write_text(ARTICLE, encoding="utf-8")
        locked.chmod(0)
        with _as_unprivileged():
            docs = list(read_inputs([str(root)]))
        by_id = {d.id: d for d in docs}
        assert set(by_id) == {"a", "locked"}
        assert not by_id["a"].failed
        [error] = by_id["locked"].errors
        assert error["stage"] == "ingest" and f"cannot read directory {locked}" in error["message"]
        assert by_id["locked"].failed
    finally:
        (root / "locked").chmod(0o755)
        for p in sorted(root.rglob("*"), reverse=True):
            p.unlink() if p.is_file() else p.rmdir()
        root.rmdir()
