"""Happenings in the workbench: the API router against a real fused store, and the events page
grouped by happening in headless Chromium against a real server."""

from __future__ import annotations

import warnings
from pathlib import Path

import httpx
import pytest

from casus.fusion.storage import update
from casus.store import Store
from tests.conftest import ROOT
from tests.fusion_support import story
from tests.workbench_support import running_server

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*starlette.testclient.*")
    from fastapi.testclient import TestClient

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "docs" / "screenshots"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("fusion-web") / "casus.duckdb"
    with Store(path) as store:
        store.add_batch(story())
        update(store.con)
    return path


@pytest.fixture(scope="module")
def client(db):
    from casus.web.app import create_app

    with TestClient(create_app(db, read_only=True), base_url="http://127.0.0.1") as c:
        yield c


def test_happenings_list_sorted_by_outlets_with_counts(client):
    res = client.get("/api/happenings")
    assert res.status_code == 200
    data = res.json()
    assert data["fused"] is True and data["unfused_events"] == 0 and data["total"] == len(data["items"]) > 5
    top = data["items"][0]
    assert (top["type"], top["quad"], top["n_outlets"], top["n_reports"]) == ("ASSAULT", "material_conflict", 4, 4)
    outlets = [h["n_outlets"] for h in data["items"]]
    assert outlets == sorted(outlets, reverse=True)


def test_happenings_take_the_event_filters(client):
    everything = client.get("/api/happenings").json()["total"]
    accuse = client.get("/api/happenings", params={"type": "ACCUSE"}).json()
    assert accuse["total"] == 1 and accuse["items"][0]["n_outlets"] == 2
    zelensky = client.get("/api/happenings", params={"actor": "Zelensky"}).json()
    assert [h["id"] for h in zelensky["items"]] == [accuse["items"][0]["id"]]
    nepal = client.get("/api/happenings", params={"place": "Kathmandu"}).json()
    assert nepal["total"] == 2 and {h["type"] for h in nepal["items"]} == {"PROTEST"}
    wide = client.get("/api/happenings", params={"min_outlets": 2}).json()
    assert 0 < wide["total"] < everything and all(h["n_outlets"] >= 2 for h in wide["items"])
    since = client.get("/api/happenings", params={"since": "2025-09-10"}).json()
    assert since["total"] == 1 and since["items"][0]["date_start"] == "2025-09-10"
    paged = client.get("/api/happenings", params={"limit": 2, "offset": 2}).json()
    assert [h["id"] for h in paged["items"]] == [h["id"] for h in client.get("/api/happenings").json()["items"][2:4]]


def test_one_happening_with_its_reports(client):
    top = client.get("/api/happenings").json()["items"][0]
    one = client.get(f"/api/happenings/{top['id']}").json()
    assert one["id"] == top["id"] and len(one["reports"]) == 4
    assert {r["outlet"] for r in one["reports"]} == {"Wire A", "Paper B", "Site C", "Daily D"}
    assert all(r["trigger"] and r["trigger"] in r["evidence"] for r in one["reports"])
    missing = client.get("/api/happenings/hnothere")
    assert missing.status_code == 404 and "no happening" in missing.json()["error"]
    assert client.get("/api/happenings", params={"sort": "nonsense"}).status_code in (400, 422)


def test_unfused_store_says_so(tmp_path):
    from casus.web.app import create_app

    path = tmp_path / "raw.duckdb"
    with Store(path) as store:
        store.add_batch(story()[:1])
    with TestClient(create_app(path, read_only=True), base_url="http://127.0.0.1") as c:
        data = c.get("/api/happenings").json()
    assert data == {"fused": False, "total": 0, "limit": 50, "offset": 0, "items": []}


def test_posted_documents_are_fused(tmp_path, nlp):
    from casus.web.app import create_app

    path = tmp_path / "post.duckdb"
    with Store(path) as store:
        store.add_batch(story())
        update(store.con)
    app = create_app(path)
    app.state.workbench._nlp = nlp
    text = "Russian forces struck Kharkiv on Monday, killing six civilians, officials said."
    with TestClient(app, base_url="http://127.0.0.1") as c:
        before = c.get("/api/happenings").json()["total"]
        res = c.post("/api/documents", json={"text": text, "meta": {"published": "2025-09-09", "outlet": "Post E"}})
        assert res.status_code == 201 and res.json()["events"] >= 1, res.text
        after = c.get("/api/happenings").json()
    assert after["unfused_events"] == 0 and after["total"] >= before


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (.ci/run installs it)")
def test_events_page_groups_by_happening_in_the_browser(db):
    from playwright.sync_api import expect, sync_playwright

    from tests.test_ui import ARGS, TAKE_SHOTS

    with running_server(db, "--read-only") as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
        page.goto(f"{base}/#/events")
        page.wait_for_selector("body[data-ready='events']", state="attached", timeout=30_000)
        page.click("#group")
        page.wait_for_selector("body[data-ready='happenings']", state="attached", timeout=30_000)
        api = httpx.get(base + "/api/happenings", timeout=30).json()
        rows = page.locator("#happenings-table tr.happening")
        assert rows.count() == api["total"]
        first = rows.nth(0)
        assert "reported by 4 outlets" in first.inner_text()
        first.locator("button.expand").click()
        page.wait_for_selector("tr.expansion tr.report")
        reports = page.locator("tr.expansion tr.report")
        assert reports.count() == 4 and "Wire A" in page.locator("tr.expansion").inner_text()
        if TAKE_SHOTS:  # `make screenshots` refreshes docs/screenshots/, an ordinary test run does not
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "happenings.png"))
        # the filter bar narrows the grouped view like the events table
        page.fill("#filters input[name=actor]", "Zelensky")
        page.click("#filters button[type=submit]")
        # selectors and URLs, not JavaScript predicates: the workbench's CSP forbids the eval they need
        page.wait_for_url("**Zelensky**", timeout=30_000)
        page.wait_for_selector("body[data-ready='happenings']", state="attached", timeout=30_000)
        expect(page.locator("#happenings-table tr.happening")).to_have_count(1, timeout=30_000)
        assert "reported by 2 outlets" in page.locator("#happenings-table tr.happening").inner_text()
        # back to one row per event, same filters
        page.click("#ungroup")
        page.wait_for_selector("body[data-ready='events']", state="attached", timeout=30_000)
        # events match on their own parties: only Zelensky's report, not Ukraine's in the same happening
        events = httpx.get(base + "/api/events", params={"actor": "Zelensky"}, timeout=30).json()
        assert page.locator("#events-table tbody tr").count() == events["total"] == 1
        browser.close()
        assert not errors, errors
