"""The workbench against a page elsewhere (issue 16's web probes): Host allow-list, browser writes,
security headers, and CSV cells a spreadsheet would run. The reader's links are checked in Chromium
in test_ui.py."""

from __future__ import annotations

import csv
import io
import warnings

import httpx
import pytest

from casus.document import Document
from casus.export import export
from casus.pipeline import extract
from casus.store import Store
from tests.conftest import run_casus
from tests.workbench_support import running_server

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*starlette.testclient.*")
    from fastapi.testclient import TestClient

EVIL_ID = "=cmd|' /C calc'!A1"
TEXT = "Russia accused Ukraine on Friday of shelling the town of Kupiansk, officials said."


@pytest.fixture(scope="module")
def db(tmp_path_factory, nlp):
    path = tmp_path_factory.mktemp("sec") / "casus.duckdb"
    docs = [Document(id=EVIL_ID, text=TEXT, meta={"published": "2025-09-05", "title": "@SUM(A1:A9)",
                                                   "url": "+http://x.example/", "outlet": "-2+3"}),
            Document(id="plain", text="France supported Ukraine on Monday, officials said.",
                     meta={"published": "2025-09-08", "url": "javascript:alert(document.domain)"})]
    with Store(path) as store:
        store.add_batch(list(extract(docs, nlp=nlp)))
    return path


def _client(db, **kwargs):
    from casus.web.app import create_app

    return TestClient(create_app(db, **kwargs), base_url="http://127.0.0.1")


def test_foreign_host_headers_are_refused_for_reads_and_writes(db):
    with _client(db) as c:
        for method, path in (("GET", "/api/stats"), ("GET", "/"), ("POST", "/api/documents")):
            res = c.request(method, path, headers={"Host": "rebind.attacker.example"}, json={"text": TEXT})
            assert res.status_code == 400, (method, path, res.status_code)
            assert "--allow-host rebind.attacker.example" in res.json()["error"]
        for host in ("localhost", "localhost:8000", "127.0.0.1:8000", "[::1]:8000", "LOCALHOST.", "192.168.1.5:8000"):
            assert c.get("/api/stats", headers={"Host": host}).status_code == 200, host
    with _client(db, host="casus.lan", allow_hosts=["proxy.example.org"]) as c:
        for host in ("casus.lan:8000", "proxy.example.org", "localhost"):
            assert c.get("/api/stats", headers={"Host": host}).status_code == 200, host
        assert c.get("/api/stats", headers={"Host": "other.example.org"}).status_code == 400


def test_browser_writes_need_the_same_origin_or_the_token(db):
    bad_body = {"text": ""}  # a write that got past the checks is answered 422 by the endpoint itself
    with _client(db) as c:
        for headers in ({"Origin": "http://attacker.example"}, {"Origin": "null"},
                        {"Origin": "http://127.0.0.1:9999"}, {"Sec-Fetch-Site": "cross-site"},
                        {"Sec-Fetch-Site": "same-site"}):
            res = c.post("/api/extract", json=bad_body, headers=headers)
            assert res.status_code == 403 and "write refused" in res.json()["error"], headers
        for headers in ({}, {"Origin": "http://127.0.0.1", "Sec-Fetch-Site": "same-origin"}):
            assert c.post("/api/extract", json=bad_body, headers=headers).status_code == 422, headers
        # reads from anywhere stay readable (they are only answered to allowed Host names)
        assert c.get("/api/stats", headers={"Origin": "http://attacker.example"}).status_code == 200
    with _client(db, token="t0k") as c:
        res = c.post("/api/extract", json=bad_body,
                     headers={"Origin": "http://attacker.example", "Authorization": "Bearer t0k"})
        assert res.status_code == 422  # the token is proof enough: a page elsewhere cannot send it
        assert c.post("/api/extract", json=bad_body, headers={"Origin": "http://attacker.example"}).status_code == 403


def test_every_response_carries_the_security_headers(db):
    with _client(db) as c:
        for path in ("/", "/docs", "/api/stats", "/static/app.js", "/api/nope", "/api/events.csv"):
            res = c.get(path)
            csp = res.headers.get("content-security-policy", "")
            assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp, path
            assert res.headers.get("x-content-type-options") == "nosniff", path
            assert res.headers.get("x-frame-options") == "DENY", path
        # the API docs page runs no inline script, which the policy would block
        docs = c.get("/docs").text
        assert "<script>" not in docs and "/static/swagger-init.js" in docs


@pytest.mark.slow
def test_a_real_server_refuses_a_rebinding_page_and_a_cross_site_post(db, tmp_path):
    with running_server(db) as base:
        before = httpx.get(base + "/api/stats").json()["counts"]["documents"]
        evil = {"Host": "casus.attacker.example"}
        assert httpx.get(base + "/api/documents", headers=evil).status_code == 400
        res = httpx.post(base + "/api/documents", headers=evil, json={"text": TEXT + " Again."})
        assert res.status_code == 400
        res = httpx.post(base + "/api/documents", json={"text": TEXT + " Again."},
                         headers={"Origin": "http://casus.attacker.example", "Content-Type": "text/plain"})
        assert res.status_code == 403
        assert httpx.get(base + "/api/stats").json()["counts"]["documents"] == before


def _cells(text: str, delimiter: str = ",") -> list[dict]:
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


def test_csv_exports_neutralise_formula_cells(db, tmp_path):
    """The probe: a document id like =cmd|calc!A1 was written as-is into CSV exports."""
    out = tmp_path / "events.csv"
    with Store(db, read_only=True) as store:
        assert export(store, "csv", str(out)) > 0
        assert export(store, "gdelt", str(tmp_path / "events.tsv")) > 0
    rows = [r for r in _cells(out.read_text(encoding="utf-8")) if r["doc_id"].lstrip("'") == EVIL_ID]
    assert rows, "the document's events are missing from the export"
    for r in rows:
        assert r["doc_id"] == "'" + EVIL_ID and r["title"] == "'@SUM(A1:A9)" and r["url"] == "'+http://x.example/"
        assert float(r["goldstein"]) < 0 and not r["goldstein"].startswith("'")  # numbers stay numbers
    tsv = _cells((tmp_path / "events.tsv").read_text(encoding="utf-8"), "\t")
    assert {r["SOURCEURL"] for r in tsv} >= {"'+http://x.example/"}
    with _client(db) as c:
        api_rows = _cells(c.get("/api/events.csv").text)
    assert {r["doc_id"] for r in api_rows} >= {"'" + EVIL_ID}
    assert all(not v.startswith(("=", "+", "-", "@")) for r in api_rows for k, v in r.items()
               if k not in ("goldstein", "confidence", "lat", "lon")), api_rows[:2]
    cli = run_casus("events", "--db", str(db), "--format", "csv")
    assert cli.returncode == 0, cli.stderr
    assert {r["doc_id"] for r in _cells(cli.stdout)} >= {"'" + EVIL_ID}
