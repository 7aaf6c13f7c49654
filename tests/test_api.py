
"""The workbench REST API against a real DuckDB store built by the real pipeline.

Most checks go through FastAPI's TestClient (the real app, in-process); the last ones start
`casus serve` as a subprocess and talk HTTP to it on loopback.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import threading
import warnings
from collections import Counter

import duckdb
import httpx
import pytest

from tests.conftest import ROOT, SEED
from tests.workbench_support import build_store, running_server

with warnings.catch_warnings():
    # starlette's TestClient still runs on httpx and says so on import; that is not this code's concern
    warnings.filterwarnings("ignore", message=".*starlette.testclient.*")
    from fastapi.testclient import TestClient

ARTICLE = ("Iran's foreign minister accused the United States of violating the agreement on Monday. "
           "\"We will not accept new sanctions,\" he said in Tehran. Russia supported Iran.")


@pytest.fixture(scope="module")
def db(tmp_path_factory, nlp):
    return build_store(tmp_path_factory.mktemp("api") / "casus.duckdb", nlp)


@pytest.fixture(scope="module")
def client(db, nlp):
    from casus.web.app import create_app

    app = create_app(db)
    app.state.workbench._nlp = nlp  # the session's pipeline, so the test doesn't load a second copy
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


def sql(db, query, params=None):
    con = duckdb.connect(str(db), read_only=True)  # as the app reads it, so DuckDB shares the open database
    try:
        return con.execute(query, params or []).fetchall()
    finally:
        con.close()


def test_events_page_matches_the_store(client, db):
    [(n_events,)] = sql(db, "SELECT count(*) FROM events")
    assert n_events > 0
    page = client.get("/api/events", params={"limit": 3, "offset": 0, "min_confidence": 0}).json()
    assert page["total"] == n_events and len(page["items"]) == min(3, n_events)
    rest = client.get("/api/events", params={"limit": 500, "offset": 3, "min_confidence": 0}).json()["items"]
    keys = [(e["doc_hash"], e["n"]) for e in page["items"] + rest]
    assert len(keys) == len(set(keys)) == n_events  # pages neither overlap nor drop rows


def test_events_default_to_the_display_threshold(client, db):
    from casus.query import DISPLAY_MIN_CONFIDENCE

    [(shown,)] = sql(db, "SELECT count(*) FROM events WHERE confidence >= ?", [DISPLAY_MIN_CONFIDENCE])
    [(everything,)] = sql(db, "SELECT count(*) FROM events")
    assert 0 < shown < everything  # the seed store has events on both sides of the threshold
    page = client.get("/api/events", params={"limit": 500}).json()
    assert page["total"] == shown and min(e["confidence"] for e in page["items"]) >= DISPLAY_MIN_CONFIDENCE
    assert client.get("/api/facets").json()["display_min_confidence"] == DISPLAY_MIN_CONFIDENCE
    assert client.get("/api/stats").json()["display_min_confidence"] == DISPLAY_MIN_CONFIDENCE


def test_event_filters(client, db):
    types = Counter(t for (t,) in sql(db, "SELECT type FROM events"))
    etype, count = types.most_common(1)[0]
    every = {"min_confidence": 0, "limit": 500}
    items = client.get("/api/events", params={"type": etype.lower(), **every}).json()
    assert items["total"] == count and {e["type"] for e in items["items"]} == {etype}
    [(quad,)] = sql(db, "SELECT quad FROM events WHERE type = ? LIMIT 1", [etype])
    by_quad = client.get("/api/events", params={"quad": quad, **every}).json()
    assert by_quad["total"] == sum(1 for (q,) in sql(db, "SELECT quad FROM events") if q == quad)
    # actor filter by canonical id
    [(actor, n_actor)] = sql(db, "SELECT a, count(*) FROM (SELECT source_actor AS a FROM events UNION ALL "
                                 "SELECT target_actor FROM events WHERE target_actor IS DISTINCT FROM source_actor) "
                                 "WHERE a IS NOT NULL GROUP BY a ORDER BY 2 DESC, a LIMIT 1")
    got = client.get("/api/events", params={"actor": actor, **every}).json()
    assert got["total"] >= n_actor
    assert all(actor in (e["source_actor"], e["target_actor"]) or actor.split("-")[-1] in
               f"{e['source']} {e['target']}".lower() for e in got["items"])
    # date range: an event is in the window when all of its date range is (a week, a month, "recent months")
    spans = {(e["date_start"], e["date_end"]) for e in client.get("/api/events", params=every).json()["items"]}
    assert any(lo != hi for lo, hi in spans) and any(lo == hi for lo, hi in spans)
    day = min(lo for lo, hi in spans if lo == hi)
    on_day = client.get("/api/events", params={"since": day, "until": day, **every}).json()
    assert on_day["total"] == sum(1 for e in client.get("/api/events", params=every).json()["items"]
                                  if e["date_start"] == e["date_end"] == day) > 0
    wide = [(lo, hi) for lo, hi in spans if lo != hi][0]
    inside = client.get("/api/events", params={"since": wide[0], "until": wide[1], **every}).json()["items"]
    assert all(wide[0] <= e["date_start"] <= e["date_end"] <= wide[1] for e in inside)
    assert any((e["date_start"], e["date_end"]) == wide for e in inside)
    later = client.get("/api/events", params={"since": "2100-01-01"}).json()
    assert later["total"] == 0
    # place and text search
    located = client.get("/api/events", params={"place": "vladivostok", **every}).json()
    assert located["total"] == sql(db, "SELECT count(*) FROM events WHERE location = 'Vladivostok'")[0][0] > 0
    word = client.get("/api/events", params={"q": "peacekeepers", **every}).json()
    assert word["total"] > 0 and all("peacekeepers" in (e["evidence"] + (e["title"] or "")).lower()
                                     for e in word["items"])


def test_sorting(client):
    items = client.get("/api/events", params={"sort": "confidence", "order": "desc", "limit": 500}).json()["items"]
    conf = [e["confidence"] for e in items]
    assert conf == sorted(conf, reverse=True) and len(set(conf)) > 1
    items = client.get("/api/events", params={"sort": "type", "limit": 500}).json()["items"]
    assert [e["type"] for e in items] == sorted(e["type"] for e in items)


@pytest.mark.parametrize("path, params, status, says", [
    ("/api/events", {"sort": "evidence; DROP TABLE events"}, 400, "cannot sort by"),
    ("/api/events", {"limit": 501}, 422, "limit"),
    ("/api/events", {"limit": 0}, 422, "limit"),
    ("/api/events", {"quad": "friendly"}, 400, "unknown quad class"),
    ("/api/events", {"since": "last week"}, 400, "since must be"),
    ("/api/events", {"since": "2025-13-45"}, 400, "month 13"),
    ("/api/events", {"until": "2025-02-30"}, 400, "has days 01-28"),
    ("/api/events", {"since": "2025-10", "until": "2025-09"}, 400, "before since"),
    ("/api/events", {"type": "THREATENS"}, 400, "unknown event type"),
    ("/api/events", {"min_confidence": 7}, 422, "min_confidence"),
    ("/api/events", {"order": "sideways"}, 422, "order"),
    ("/api/events/timeline", {"bucket": "hour"}, 422, "bucket"),
    ("/api/documents/no-such-document", {}, 404, "no document"),
    ("/api/nothing-here", {}, 404, "no API endpoint"),
])
def test_errors_are_clear(client, path, params, status, says):
    res = client.get(path, params=params)
    assert res.status_code == status
    assert says in res.json()["error"]


def test_injection_is_inert(client, db):
    before = sql(db, "SELECT count(*) FROM events")[0][0]
    res = client.get("/api/events", params={"actor": "x' OR 1=1 --", "q": "%' ; DELETE FROM events; --"})
    assert res.status_code == 200 and res.json()["total"] == 0
    assert client.get("/api/events", params={"q": "%"}).json()["total"] == 0  # % is a literal, not a wildcard
    assert sql(db, "SELECT count(*) FROM events")[0][0] == before


def test_document_view_highlights_point_at_the_record(client, db):
    [(hash_, doc_id)] = sql(db, "SELECT hash, id FROM documents LIMIT 1")
    doc = client.get(f"/api/documents/{hash_}").json()
    assert client.get(f"/api/documents/{doc_id}").json()["hash"] == hash_  # by id too
    text = doc["text"]
    assert text == SEED.read_text(encoding="utf-8")
    kinds = Counter(h["kind"] for h in doc["highlights"])
    assert kinds["trigger"] == len(doc["events"]) > 0
    assert kinds["quote"] == len(doc["quotes"]) > 0
    assert kinds["actor"] == sum(len(a["mentions"]) for a in doc["actors"]) > 0
    stored_triggers = {n: t for n, t in sql(db, "SELECT n, trigger FROM events WHERE doc_hash = ?", [hash_])}
    for h in doc["highlights"]:
        assert 0 <= h["start"] < h["end"] <= len(text)
        if h["kind"] == "trigger":
            assert " ".join(text[h["start"]:h["end"]].split()) == stored_triggers[h["ref"]]
            assert doc["events"][h["ref"]]["type"] == h["label"]
        if h["kind"] == "actor":
            assert h["ref"] in {a["id"] for a in doc["actors"]}


def test_csv_download_has_every_matching_event(client, db):
    res = client.get("/api/events.csv", params={"sort": "confidence", "min_confidence": 0})
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(res.text)))
    assert len(rows) == sql(db, "SELECT count(*) FROM events")[0][0]
    assert {"type", "source", "target", "trigger", "evidence", "doc_id", "confidence"} <= set(rows[0])
    typed = client.get("/api/events.csv", params={"type": rows[0]["type"], "min_confidence": 0}).text
    assert len(list(csv.DictReader(io.StringIO(typed)))) == sum(r["type"] == rows[0]["type"] for r in rows)


def test_aggregations_add_up(client, db):
    total = sql(db, "SELECT count(*) FROM events")[0][0]
    every = {"min_confidence": 0}
    for bucket in ("year", "month", "week", "day"):
        tl = client.get("/api/events/timeline", params={"bucket": bucket, **every}).json()
        # every dated event is a bar (its range fits in one period) or a range of its own
        assert sum(r["n"] for r in tl["series"]) + sum(r["n"] for r in tl["ranges"]) + tl["undated"] == total
        assert tl["ranges_left_out"] == 0
        for r in tl["series"]:
            assert r["start"] <= r["end"]
        for r in tl["ranges"]:
            assert r["start"] < r["end"]
    month = client.get("/api/events/timeline", params={"bucket": "month", **every}).json()
    assert all(r["start"].endswith("-01") for r in month["series"])
    # the seed's "recent months" (2025-03-05/2025-09-05) spans months: a range in the month view
    assert any(r["label"] == "2025-03-05/2025-09-05" for r in month["ranges"])
    week = client.get("/api/events/timeline", params={"bucket": "week", **every}).json()
    assert any(r["label"] == "2025-08" for r in week["ranges"])  # a month is a range on a week axis
    assert all(r["quad"] in ("verbal_cooperation", "material_cooperation", "verbal_conflict", "material_conflict")
               for r in month["series"])
    net = client.get("/api/events/network", params={"max_edges": 1000, **every}).json()
    both = sql(db, "SELECT count(*) FROM events WHERE coalesce(source_actor, source) IS NOT NULL "
                   "AND coalesce(target_actor, target) IS NOT NULL")[0][0]
    assert sum(e["n"] for e in net["edges"]) == both > 0
    assert {e["source"] for e in net["edges"]} | {e["target"] for e in net["edges"]} == {n["id"] for n in net["nodes"]}
    resolved = client.get("/api/events/network", params={"resolved": True, **every}).json()
    assert sum(e["n"] for e in resolved["edges"]) == sql(
        db, "SELECT count(*) FROM events WHERE source_actor IS NOT NULL AND target_actor IS NOT NULL")[0][0]
    mp = client.get("/api/events/map", params=every).json()
    assert mp["located"] + mp["unlocated"] == total and mp["located"] > 0
    assert sum(p["n"] for p in mp["points"]) == mp["located"]


def test_lists_of_documents_quotes_actors(client, db):
    docs = client.get("/api/documents").json()
    assert docs["total"] == 1 and docs["items"][0]["n_events"] == sql(db, "SELECT count(*) FROM events")[0][0]
    assert "text" not in docs["items"][0]  # lists stay small; the text comes with the document view
    quotes = client.get("/api/quotes", params={"kind": "direct"}).json()
    assert quotes["total"] == sql(db, "SELECT count(*) FROM quotes WHERE kind = 'direct'")[0][0]
    assert all(q["kind"] == "direct" for q in quotes["items"])
    actors = client.get("/api/actors", params={"limit": 5}).json()
    mentions = [a["mentions"] for a in actors["items"]]
    assert mentions == sorted(mentions, reverse=True) and mentions[0] > 1
    assert client.get("/api/actors", params={"country": "rus"}).json()["total"] == \
        sql(db, "SELECT count(*) FROM actors WHERE country = 'RUS'")[0][0] > 0


def test_extract_returns_a_record_without_storing(client, db):
    before = client.get("/api/stats").json()["counts"]
    res = client.post("/api/extract", json={"text": ARTICLE, "meta": {"published": "2024-03-04"}})
    assert res.status_code == 200, res.text
    record = res.json()
    assert record["text"] == ARTICLE and record["meta"]["published"] == "2024-03-04"
    assert {e["type"] for e in record["events"]} & {"ACCUSE", "SUPPORT"}
    assert any(q["kind"] == "direct" for q in record["quotes"])
    triggers = [h for h in record["highlights"] if h["kind"] == "trigger"]
    assert len(triggers) == len(record["events"])
    assert client.get("/api/stats").json()["counts"] == before


def test_post_document_ingests_once(client, db):
    text = ARTICLE.replace("Monday", "Tuesday")
    res = client.post("/api/documents", json={"text": text, "id": "wire/api-doc", "meta": {"title": "Posted"}})
    assert res.status_code == 201, res.text
    body = res.json()
    assert body["stored"] is True and body["events"] > 0
    assert sql(db, "SELECT title FROM documents WHERE hash = ?", [body["hash"]]) == [("Posted",)]
    assert client.get("/api/events", params={"doc": "wire/api-doc", "min_confidence": 0}).json()["total"] == \
        body["events"]
    assert client.get("/api/documents/wire/api-doc").json()["hash"] == body["hash"]  # ids may hold slashes
    again = client.post("/api/documents", json={"text": text, "id": "wire/api-doc"})
    assert again.status_code == 200 and again.json()["stored"] is False


@pytest.mark.parametrize("body, says", [
    ({}, "text"), ({"text": ""}, "text"), ({"text": "x", "meta": "not an object"}, "meta"),
])
def test_bad_bodies_are_422(client, body, says):
    res = client.post("/api/extract", json=body)
    assert res.status_code == 422 and says in res.json()["error"]


def test_body_size_limit(db, nlp):
    from casus.web.app import create_app

    with TestClient(create_app(db, max_body=1000), base_url="http://127.0.0.1") as small:
        res = small.post("/api/extract", json={"text": "word " * 400})
        assert res.status_code == 413 and "larger than 1,000 bytes" in res.json()["error"]
        # without Content-Length (chunked upload) the limit still holds
        chunks = (b"x" * 300 for _ in range(10))
        res = small.post("/api/extract", content=chunks, headers={"content-type": "application/json"})
        assert res.status_code == 413


def test_token_guards_write_endpoints(db, nlp):
    from casus.web.app import create_app

    app = create_app(db, token="s3cret")
    app.state.workbench._nlp = nlp
    with TestClient(app, base_url="http://127.0.0.1") as c:
        assert c.get("/api/events").status_code == 200  # reads stay open
        for path in ("/api/extract", "/api/documents"):
            res = c.post(path, json={"text": ARTICLE})
            assert res.status_code == 401 and "token" in res.json()["error"]
            assert c.post(path, json={"text": ARTICLE}, headers={"Authorization": "Bearer wrong"}).status_code == 401
        ok = c.post("/api/extract", json={"text": ARTICLE}, headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200 and ok.json()["events"]


def test_non_loopback_needs_a_token(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "casus", "serve", "--db", str(tmp_path / "x.duckdb"),
                           "--host", "0.0.0.0", "--port", "1"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 2 and "--token" in proc.stderr
    assert not (tmp_path / "x.duckdb").exists()


# ---- through a real server ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def served_db(tmp_path_factory, nlp):
    """A store of its own: the in-process app above keeps `db` open, and DuckDB locks a file per process."""
    return build_store(tmp_path_factory.mktemp("served") / "casus.duckdb", nlp)


def test_real_server_serves_api_docs_and_ui_offline(served_db):
    with running_server(served_db, "--read-only") as base:
        stats = httpx.get(base + "/api/stats").json()
        assert stats["read_only"] is True and stats["counts"]["events"] > 0
        spec = httpx.get(base + "/openapi.json").json()
        assert {"/api/events", "/api/documents/{key}", "/api/extract", "/api/documents"} <= set(spec["paths"])
        docs = httpx.get(base + "/docs").text
        # Swagger UI comes from this server, not a CDN
        assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
        for asset in ("/static/vendor/swagger-ui/swagger-ui-bundle.js", "/static/vendor/swagger-ui/swagger-ui.css",
                      "/static/app.js", "/static/style.css", "/static/vendor/world-atlas/countries-110m.json",
                      "/static/vendor/topojson-client/topojson-client.min.js", "/"):
            assert httpx.get(base + asset).status_code == 200, asset
        index = httpx.get(base + "/").text
        assert "http://" not in index and "https://" not in index
        res = httpx.post(base + "/api/documents", json={"text": ARTICLE})
        assert res.status_code == 403 and "read-only" in res.json()["error"]


def test_real_server_under_concurrent_requests(served_db):
    with running_server(served_db, "--read-only") as base:
        total = httpx.get(base + "/api/events", params={"limit": 1}).json()["total"]
        hash_ = httpx.get(base + "/api/documents").json()["items"][0]["hash"]
        failures: list[str] = []

        def worker(i: int) -> None:
            with httpx.Client(base_url=base, timeout=30) as c:
                for j in range(15):
                    if (i + j) % 2:
                        r = c.get("/api/events", params={"limit": 5, "offset": j % max(1, total)})
                        ok = r.status_code == 200 and r.json()["total"] == total
                    else:
                        r = c.get(f"/api/documents/{hash_}")
                        ok = r.status_code == 200 and r.json()["hash"] == hash_
                    if not ok:
                        failures.append(f"{r.status_code} {r.text[:200]}")

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not failures, failures[:3]


def test_real_server_ingests_over_http(tmp_path, nlp):
    fresh = build_store(tmp_path / "fresh.duckdb", nlp)
    with running_server(fresh, "--token", "t0k") as base:
        before = httpx.get(base + "/api/stats").json()["counts"]["documents"]
        text = ARTICLE.replace("Monday", "Wednesday")
        res = httpx.post(base + "/api/documents", json={"text": text, "meta": {"published": "2024-05-06"}},
                         headers={"Authorization": "Bearer t0k"}, timeout=120)
        assert res.status_code == 201, res.text
        after = httpx.get(base + "/api/stats").json()["counts"]["documents"]
        assert after == before + 1
        events = httpx.get(base + "/api/events", params={"doc": res.json()["hash"], "min_confidence": 0}).json()
        assert events["total"] == res.json()["events"] > 0
        assert json.loads(json.dumps(events))["items"][0]["day"].startswith("2024-05")
