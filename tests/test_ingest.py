import json

from casus.ingest import read_inputs


def test_text_file_with_sidecar_metadata(tmp_path):
    (tmp_path / "a.txt").write_text("Putin said the talks failed.", encoding="utf-8")
    (tmp_path / "a.json").write_text(json.dumps({"published": "2025-09-05", "title": "T"}), encoding="utf-8")
    [doc] = read_inputs([str(tmp_path / "a.txt")])
    assert doc.id == "a"
    assert doc.meta == {"published": "2025-09-05", "title": "T"}
    assert doc.errors == []


def test_bad_files_become_error_documents(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b"  \n\n ")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    docs = {d.id: d for d in read_inputs([str(tmp_path)])}
    assert set(docs) == {"empty", "blank", "binary"}
    assert "empty" in docs["empty"].errors[0]["message"]
    assert "empty" in docs["blank"].errors[0]["message"]
    assert "binary" in docs["binary"].errors[0]["message"]
    assert all(d.failed for d in docs.values())


def test_invalid_utf8_is_decoded_with_a_warning(tmp_path):
    (tmp_path / "latin.txt").write_bytes("Caf\xe9 owners protested in Paris.".encode("latin-1"))
    [doc] = read_inputs([str(tmp_path / "latin.txt")])
    assert not doc.failed
    assert "\ufffd" in doc.text
    assert doc.errors[0]["level"] == "warning" and "UTF-8" in doc.errors[0]["message"]


def test_jsonl_lines_and_malformed_lines(tmp_path):
    path = tmp_path / "corpus.jsonl"
    path.write_text(
        json.dumps({"id": "x1", "text": "Russia threatened Ukraine.", "published": "2025-01-02"}) + "\n"
        + "{not json\n\n"
        + json.dumps({"id": "x3", "text": ""}) + "\n"
        + json.dumps({"text": "No id here."}) + "\n",
        encoding="utf-8",
    )
    docs = list(read_inputs([str(path)]))
    assert [d.failed for d in docs] == [False, True, True, False]
    assert docs[0].id == "x1" and docs[0].meta["published"] == "2025-01-02"
    assert "malformed JSON" in docs[1].errors[0]["message"] and ":2" in docs[1].origin
    assert "no text" in docs[2].errors[0]["message"]
    assert len(docs[3].id) == 16


def test_missing_file_and_glob(tmp_path):
    (tmp_path / "one.txt").write_text("One.", encoding="utf-8")
    (tmp_path / "two.txt").write_text("Two.", encoding="utf-8")
    ids = [d.id for d in read_inputs([str(tmp_path / "*.txt"), str(tmp_path / "nope.txt")])]
    assert ids == ["one", "two", "nope"]


def test_jsonl_corpora_stream_past_the_single_file_size_limit(tmp_path, monkeypatch):
    import casus.ingest

    # the size limit guards single documents; a corpus is read line by line whatever its size
    monkeypatch.setattr(casus.ingest, "MAX_BYTES", 200)
    corpus = tmp_path / "big.jsonl"
    corpus.write_text("".join(json.dumps({"id": f"n{i}", "text": "Police detained protesters. " * 3}) + "\n"
                              for i in range(20)), encoding="utf-8")
    single = tmp_path / "big.txt"
    single.write_text("Police detained protesters. " * 20, encoding="utf-8")
    docs = list(read_inputs([str(corpus), str(single)]))
    assert [d.id for d in docs[:20]] == [f"n{i}" for i in range(20)] and not any(d.failed for d in docs[:20])
    assert docs[20].failed and "too large" in docs[20].errors[0]["message"]
