"""An id that comes back with different text is a new version, linked to the old one; copies are counted.

Policy (docs/store.md): a document's identity is its text; the id is the name it came with. New
text under a stored id is stored as version n+1 with `previous` = the hash of version n, nothing is
overwritten or dropped, and a lookup by id returns the newest version.
"""

from __future__ import annotations

import json
import warnings

import pytest

from casus.document import Document, content_hash
from casus.pipeline import extract
from casus.store import Store
from tests.conftest import run_casus

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*starlette.testclient.*")
    from fastapi.testclient import TestClient

OLD = "Russia accused Ukraine on Friday of shelling the town of Kupiansk, officials said."
NEW = "Russia accused Ukraine on Saturday of shelling the towns of Kupiansk and Izium, officials said."


def _records(nlp, *docs: tuple[str, str]) -> list[dict]:
    return list(extract([Document(id=i, text=t, meta={"published": "2025-09-05"}) for i, t in docs], nlp=nlp))


def test_the_same_id_with_new_text_is_a_new_version_and_get_returns_it(tmp_path, nlp):
    db = tmp_path / "v.duckdb"
    [old], [new] = _records(nlp, ("wire-1", OLD)), _records(nlp, ("wire-1", NEW))
    with Store(db) as store:
        assert store.add_batch([old]) == 1
        assert store.last_stored == [{"hash": content_hash(OLD), "id": "wire-1", "version": 1, "previous": None}]
        assert store.add_batch([new]) == 1
        assert store.last_stored == [{"hash": content_hash(NEW), "id": "wire-1", "version": 2,
                                      "previous": content_hash(OLD)}]
        # the old text again (a re-run of the first corpus) changes nothing: it is stored already
        assert store.add_batch([old]) == 0 and store.last_stored == []
        _, rows = store.query("SELECT version, hash, previous FROM documents WHERE id = 'wire-1' ORDER BY version")
    assert rows == [(1, content_hash(OLD), None), (2, content_hash(NEW), content_hash(OLD))]

    from casus.web.app import create_app

    with TestClient(create_app(db, read_only=True), base_url="http://127.0.0.1") as client:
        by_id = client.get("/api/documents/wire-1").json()
        assert by_id["text"] == NEW and by_id["hash"] == content_hash(NEW)
        assert [(v["version"], v["hash"]) for v in by_id["versions"]] == [(1, content_hash(OLD)),
                                                                          (2, content_hash(NEW))]
        older = client.get(f"/api/documents/{content_hash(OLD)}").json()
        assert older["text"] == OLD and len(older["versions"]) == 2


def test_versions_within_one_batch_are_numbered_in_order(tmp_path, nlp):
    third = "Russia accused Ukraine on Sunday of shelling Kupiansk again, officials said."
    records = _records(nlp, ("w", OLD), ("w", NEW), ("w", OLD), ("w", third))
    with Store(tmp_path / "b.duckdb") as store:
        assert store.add_batch(records) == 3
        assert [(s["version"], s["previous"]) for s in store.last_stored] == [
            (1, None), (2, content_hash(OLD)), (3, content_hash(NEW))]


def test_posting_new_text_under_a_stored_id_says_which_version_it_made(tmp_path, nlp):
    from casus.web.app import create_app

    db = tmp_path / "p.duckdb"
    app = create_app(db)
    app.state.workbench._nlp = nlp
    with TestClient(app, base_url="http://127.0.0.1") as client:
        first = client.post("/api/documents", json={"id": "post-1", "text": OLD})
        assert first.status_code == 201 and first.json()["version"] == 1
        second = client.post("/api/documents", json={"id": "post-1", "text": NEW})
        assert second.status_code == 201, second.text
        assert second.json()["version"] == 2 and second.json()["previous"] == first.json()["hash"]
        assert client.post("/api/documents", json={"id": "post-1", "text": NEW}).status_code == 200  # stored
        assert client.get("/api/documents/post-1").json()["text"] == NEW


@pytest.mark.slow
def test_copies_in_one_run_and_new_versions_are_reported_honestly(tmp_path):
    """The probe: four identical copies in one run were reported as "0 already stored"."""
    corpus = tmp_path / "in"
    corpus.mkdir()
    for i in range(4):
        (corpus / f"copy{i}.txt").write_text(OLD, encoding="utf-8")
    (corpus / "other.txt").write_text(NEW, encoding="utf-8")
    db = tmp_path / "c.duckdb"
    first = run_casus("ingest", "--db", str(db), "-p", "1", str(corpus), check=True)
    assert "2 new documents stored, 0 already stored, 3 copies of documents earlier in this run" in first.stderr
    update = tmp_path / "update.jsonl"
    update.write_text(json.dumps({"id": "copy0", "text": OLD.replace("Friday", "Thursday")}) + "\n" +
                      json.dumps({"id": "copy9", "text": OLD}) + "\n", encoding="utf-8")
    second = run_casus("ingest", "--db", str(db), "-p", "1", str(update), check=True)
    assert "1 new documents stored, 1 already stored, 0 copies" in second.stderr
    assert "1 of the new documents reuse an id stored with other text" in second.stderr
    with Store(db, read_only=True) as store:
        _, rows = store.query("SELECT id, coalesce(version, 1) FROM documents ORDER BY id, version")
    assert rows == [("copy0", 1), ("copy0", 2), ("other", 1)]
