"""The workbench UI in headless Chromium (Debian's `chromium`, driven by Playwright) against a real server.

Each page is loaded, a filter applied where the page has one, and what is drawn is checked against
the API. Every request the browser makes must stay on the server: the UI is offline by construction.
`make screenshots` runs these tests with CASUS_SCREENSHOTS set, and only then is a screenshot of each
page written to docs/screenshots/.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, SHARED_DATA
from tests.workbench_support import build_store, running_server

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "docs" / "screenshots"
TAKE_SHOTS = bool(os.environ.get("CASUS_SCREENSHOTS"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
N_POLNEAR = 12

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (.ci/run installs it)")


@pytest.fixture(scope="module")
def db(tmp_path_factory, nlp):
    extra = []
    if (SHARED_DATA / "polnear" / "train" / "text").is_dir():
        from bench.polnear_corpus import polnear_documents

        extra = list(polnear_documents(N_POLNEAR))  # a few real articles make the charts worth looking at
    return build_store(tmp_path_factory.mktemp("ui") / "casus.duckdb", nlp, extra)


@pytest.fixture(scope="module")
def base(db):
    with running_server(db) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, base):
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = ctx.new_page()
    pg.offsite = []  # requests that would leave the server
    pg.console_errors = []
    pg.on("console", lambda m: m.type == "error" and pg.console_errors.append(m.text))
    pg.on("pageerror", lambda e: pg.console_errors.append(str(e)))

    def gate(route):
        if route.request.url.startswith(base):
            route.continue_()
        else:
            pg.offsite.append(route.request.url)
            route.abort()

    pg.route("**/*", gate)
    yield pg
    assert not pg.offsite, f"the UI tried to reach {pg.offsite[:3]}"
    assert not pg.console_errors, pg.console_errors[:3]
    ctx.close()


def open_page(pg, base: str, hash_: str) -> None:
    pg.goto(f"{base}/#/{hash_}")
    wait_ready(pg)


def wait_ready(pg) -> None:
    # a selector, not a JavaScript predicate: the workbench's CSP forbids the eval Playwright would need
    pg.wait_for_selector("body:not([data-ready=''])[data-ready]", state="attached", timeout=30_000)


def shot(pg, name: str) -> None:
    if not TAKE_SHOTS:  # screenshots are refreshed on purpose (`make screenshots`), not by every test run
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{name}.png"))


def api(base: str, path: str, **params) -> dict:
    return httpx.get(base + path, params=params, timeout=30).json()


def test_confidence_filter_defaults_to_the_display_threshold(page, base):
    open_page(page, base, "events")
    floor = api(base, "/api/facets")["display_min_confidence"]
    box = page.locator("#filters input[name=min_confidence]")
    assert float(box.input_value()) == floor
    shown = api(base, "/api/events", limit=1)["total"]
    everything = api(base, "/api/events", limit=1, min_confidence=0)["total"]
    assert 0 < shown < everything
    assert page.locator("#matching").inner_text().startswith(f"{shown:,} matching")
    confs = [float(c) for c in page.locator("#events-table tbody td.num").all_inner_texts()]
    assert confs and min(confs) >= floor
    # 0 lists every event; sorted by confidence the least confident come first and are below the floor
    box.fill("0")
    page.click("#filters button[type=submit]")
    wait_ready(page)
    assert "min_confidence=0" in page.url
    assert page.locator("#matching").inner_text().startswith(f"{everything:,} matching")
    page.locator("#events-table th[data-sort=confidence]").click()
    wait_ready(page)
    confs = [float(c) for c in page.locator("#events-table tbody td.num").all_inner_texts()]
    assert confs == sorted(confs) and confs[0] < floor
    assert float(page.locator("#filters input[name=min_confidence]").input_value()) == 0
    # the threshold holds on the other pages too: the network of everything is at least as large
    open_page(page, base, "network?min_confidence=0")
    assert float(page.locator("#filters input[name=min_confidence]").input_value()) == 0


def test_events_sort_by_date_as_dates(page, base):
    open_page(page, base, "events?sort=date&order=asc&min_confidence=0&since=2025-09")
    cells = page.locator("#events-table tbody td.date")
    starts = cells.evaluate_all("cs => cs.map(c => c.dataset.start)")
    labels = cells.all_inner_texts()
    dated = [s for s in starts if s]
    assert dated and dated == sorted(dated)
    assert labels != sorted(labels)  # as strings "2025-W36" would sort after "2025-09-05"


def test_events_filter_then_open_document(page, base):
    open_page(page, base, "events")
    total = api(base, "/api/events", limit=1)["total"]
    assert page.locator("main h1").inner_text() == "Events"
    assert f"{total:,} matching" in page.locator("main .bar").first.inner_text()
    assert not page.locator("#events-table tbody tr").first.locator("td.num").inner_text().startswith("0.1")
    assert page.locator("#events-table tbody tr").count() == min(total, 50)
    shot(page, "events")

    facets = api(base, "/api/facets")["types"]
    etype = facets[0]["type"]
    page.select_option("#filters select[name=type]", etype)
    page.click("#filters button[type=submit]")
    wait_ready(page)
    assert f"type={etype}" in page.url
    want = api(base, "/api/events", type=etype, limit=1)["total"]
    rows = page.locator("#events-table tbody tr")
    assert rows.count() == min(want, 50) and want == facets[0]["n"]
    badges = page.locator("#events-table tbody tr td:nth-child(2) .badge").all_inner_texts()
    assert set(badges) == {etype}
    csv_href = page.locator("#csv").get_attribute("href")
    assert f"type={etype}" in csv_href
    csv_rows = httpx.get(base + csv_href).text.strip().splitlines()
    assert len(csv_rows) == want + 1

    # open the document of the first event: the reader selects that event and marks its trigger
    first = rows.first
    doc_hash, n = first.get_attribute("data-doc"), int(first.get_attribute("data-n"))
    first.locator("td:last-child a").click()
    wait_ready(page)
    assert page.evaluate("document.body.dataset.page") == "doc"
    doc = api(base, f"/api/documents/{doc_hash}")
    event = doc["events"][n]
    assert event["type"] == etype
    focus = page.locator("#doctext .hl.trigger.focus")
    assert focus.count() >= 1
    tr = event["trigger"]
    assert " ".join(focus.all_inner_texts()).split() == doc["text"][tr["start"]:tr["end"]].split()
    selected = page.locator("#sidelist .item.sel")
    assert selected.count() == 1 and etype in selected.inner_text()
    assert page.locator("#doctext").inner_text().split() == doc["text"].split()


def test_reader_highlights_and_links(page, base):
    doc = api(base, "/api/documents/putin-reassurance-force")
    open_page(page, base, f"doc/{doc['hash']}")
    kinds = {k: page.locator(f"#doctext .hl.{k}").count() for k in ("actor", "quote", "trigger")}
    assert all(kinds.values()), kinds
    assert page.locator("#sidelist .item").count() == len(doc["events"])
    page.locator("#sidelist .item").first.click()  # selecting an event shades its evidence
    assert page.locator("#doctext .hl.evidence-on").count() >= 1
    shot(page, "document")
    # click a quote in the side list: the text marks it; click an actor highlight: the actor list opens on it
    page.click(".tabs button[data-tab=quotes]")
    page.locator("#sidelist .item").nth(1).click()
    q = doc["quotes"][1]["content"]
    assert " ".join(page.locator("#doctext .hl.focus").all_inner_texts()).split() == \
        doc["text"][q["start"]:q["end"]].split()
    actor = next(a for a in doc["actors"] if a["id"] == "rus-putin")
    m = actor["mentions"][0]
    span = page.locator("#doctext .hl.actor").filter(has_text=re.compile(re.escape(doc["text"][m["start"]:m["end"]])))
    span.first.click()
    assert page.locator("#sidelist .item.sel").count() == 1
    assert "Vladimir Putin" in page.locator("#sidelist .item.sel").inner_text()


def test_documents_quotes_actors_pages(page, base):
    docs = api(base, "/api/documents", limit=1)["total"]
    open_page(page, base, "documents")
    assert page.locator("main table.grid tbody tr").count() == min(docs, 50)
    shot(page, "documents")
    page.fill("#docsearch input[name=q]", "Putin")
    page.click("#docsearch button")
    wait_ready(page)
    want = api(base, "/api/documents", q="Putin")["total"]
    assert want >= 1 and page.locator("main table.grid tbody tr").count() == min(want, 50)

    open_page(page, base, "quotes")
    page.fill("#qsearch input[name=speaker]", "rus-putin")
    page.click("#qsearch button")
    wait_ready(page)
    want = api(base, "/api/quotes", speaker="rus-putin")["total"]
    assert want > 0 and page.locator("main table.grid tbody tr").count() == min(want, 50)
    assert set(page.locator("main table.grid tbody td:first-child").all_inner_texts()) == {"Vladimir Putin"}
    shot(page, "quotes")

    open_page(page, base, "actors")
    page.fill("#asearch input[name=country]", "RUS")
    page.click("#asearch button")
    wait_ready(page)
    want = api(base, "/api/actors", country="RUS")["total"]
    assert want > 0 and page.locator("main table.grid tbody tr").count() == min(want, 50)
    shot(page, "actors")


def bar_geometry(pg) -> list[dict]:
    return pg.locator("#timeline-svg rect.bar-rect, #timeline-svg rect.range-rect").evaluate_all(
        """rs => rs.map(r => ({kind: r.getAttribute('class'), x: +r.getAttribute('x'), w: +r.getAttribute('width'),
                              start: r.dataset.start, end: r.dataset.end, quad: r.dataset.quad}))""")


def days(iso: str) -> int:
    import datetime as dt

    return dt.date.fromisoformat(iso).toordinal()


def test_timeline_on_a_time_axis(page, base):
    open_page(page, base, "timeline?min_confidence=0")
    data = api(base, "/api/events/timeline", bucket="month", min_confidence=0)
    assert page.locator("#timeline-svg rect.bar-rect").count() == len(data["series"]) > 0
    assert page.locator("#timeline-svg rect.range-rect").count() == len(data["ranges"]) > 0
    svg = page.locator("#timeline-svg")
    t0, t1 = days(svg.get_attribute("data-t0")), days(svg.get_attribute("data-t1"))
    x0, x1 = float(svg.get_attribute("data-x0")), float(svg.get_attribute("data-x1"))
    per_day = (x1 - x0) / (t1 - t0)
    bars = bar_geometry(page)
    assert len({b["start"][:7] for b in bars if b["kind"] == "bar-rect"}) >= 2
    for b in bars:
        # position and width are the dates themselves: a month is 28-31 days wide, a range as long as it is
        assert abs(x0 + (days(b["start"]) - t0) * per_day - b["x"]) <= 2.5, b
        assert abs((days(b["end"]) + 1 - days(b["start"])) * per_day - b["w"]) <= 5, b
    ranges = [b for b in bars if b["kind"] == "range-rect"]
    assert any(b["end"] > b["start"] for b in ranges)
    ticks = page.locator("#timeline-svg text.time-tick").evaluate_all(
        "ts => ts.map(t => [+t.getAttribute('x'), t.dataset.t])")
    assert len(ticks) >= 2
    for x, t in ticks:  # the axis labels sit at their dates too
        assert abs(x0 + (days(t) - t0) * per_day - x) <= 1

    # a date window is the axis: its first day to the day after its last, empty months included
    open_page(page, base, "timeline?since=2015-09&until=2016-09&min_confidence=0")
    svg = page.locator("#timeline-svg")
    assert (svg.get_attribute("data-t0"), svg.get_attribute("data-t1")) == ("2015-09-01", "2016-10-01")
    window = api(base, "/api/events/timeline", bucket="month", min_confidence=0, since="2015-09", until="2016-09")
    assert page.locator("#timeline-svg rect.bar-rect").count() == len(window["series"]) > 0
    shot(page, "timeline")

    page.select_option("#bucket", "week")
    wait_ready(page)
    weeks = api(base, "/api/events/timeline", bucket="week", min_confidence=0, since="2015-09", until="2016-09")
    assert page.locator("#timeline-svg rect.bar-rect").count() == len(weeks["series"])
    assert all(days(b["end"]) - days(b["start"]) == 6 for b in bar_geometry(page) if b["kind"] == "bar-rect")

    open_page(page, base, "timeline")
    page.select_option("#filters select[name=quad]", "verbal_conflict")
    page.click("#filters button[type=submit]")
    wait_ready(page)
    want = api(base, "/api/events/timeline", bucket="month", quad="verbal_conflict")["series"]
    quads = page.locator("#timeline-svg rect.bar-rect").evaluate_all("rs => rs.map(r => r.dataset.quad)")
    assert len(quads) == len(want) > 0 and set(quads) == {"verbal_conflict"}
    # a bar leads to its events: as many as it counts
    first = page.locator("#timeline-svg rect.bar-rect").first
    n = int(first.get_attribute("data-n"))
    first.dispatch_event("click")
    wait_ready(page)
    assert page.evaluate("document.body.dataset.page") == "events"
    assert set(page.locator("#events-table .badge").evaluate_all("bs => bs.map(b => b.className)")) == \
        {"badge q-verbal_conflict"}
    assert page.locator("#matching").inner_text().startswith(f"{n:,} matching")


def test_network(page, base):
    open_page(page, base, "network")
    net = api(base, "/api/events/network", max_edges=60, resolved=True)
    assert page.locator("#network-svg path.edge").count() == len(net["edges"]) > 0
    assert page.locator("#network-svg g.node").count() == len(net["nodes"])
    colours = set(page.locator("#network-svg path.edge").evaluate_all("es => es.map(e => e.getAttribute('stroke'))"))
    assert len(colours) == len({e["quad"] for e in net["edges"]})
    shot(page, "network")
    # readable labels: none overlaps another or any node; the best-connected actors are all named
    geo = page.evaluate("""() => {
        const svg = document.querySelector('#network-svg'), box = e => e.getBBox();
        const nodes = [...svg.querySelectorAll('g.node')].map(g => {
            const m = g.transform.baseVal.consolidate().matrix;
            const c = g.querySelector('circle'), t = g.querySelector('text');
            const r = +c.getAttribute('r'), shown = t.getAttribute('display') !== 'none', b = shown ? box(t) : null;
            return {id: g.dataset.id, r, cx: m.e, cy: m.f, shown,
                    label: b && {x0: m.e + b.x, y0: m.f + b.y, x1: m.e + b.x + b.width, y1: m.f + b.y + b.height}};
        });
        return nodes;
    }""")
    labels = [n["label"] for n in geo if n["shown"]]
    assert len(labels) >= 0.6 * len(geo)

    def overlap(a, b, slack=1.0):
        return a["x0"] + slack < b["x1"] and b["x0"] + slack < a["x1"] and a["y0"] + slack < b["y1"] and \
            b["y0"] + slack < a["y1"]

    for i, a in enumerate(labels):
        assert not any(overlap(a, b) for b in labels[i + 1:]), a
        assert not any(overlap(a, {"x0": n["cx"] - n["r"], "x1": n["cx"] + n["r"], "y0": n["cy"] - n["r"],
                                   "y1": n["cy"] + n["r"]}) for n in geo), a
    degree = {n["id"]: n["in"] + n["out"] for n in net["nodes"]}
    top = sorted(degree, key=lambda k: -degree[k])[:5]
    assert all(n["shown"] for n in geo if n["id"] in top)
    page.fill("#filters input[name=actor]", "rus-putin")
    page.click("#filters button[type=submit]")
    wait_ready(page)
    want = api(base, "/api/events/network", max_edges=60, resolved=True, actor="rus-putin")
    names = page.locator("#network-svg g.node text").all_text_contents()
    assert len(names) == len(want["nodes"]) > 0 and "Vladimir Putin" in names


def test_map(page, base):
    open_page(page, base, "map")
    points = api(base, "/api/events/map")
    assert page.locator("#map-svg path.country").count() > 150  # the vendored Natural Earth outline
    assert page.locator("#map-svg circle.point").count() == len(points["points"]) > 0
    shot(page, "map")
    page.fill("#filters input[name=place]", "nowhere-at-all")
    page.click("#filters button[type=submit]")
    wait_ready(page)
    assert page.locator("#map-svg circle.point").count() == 0
    assert "No event in this selection has coordinates" in page.locator("main").inner_text()


def test_try_text_extracts_without_storing(page, base):
    before = api(base, "/api/stats")["counts"]
    open_page(page, base, "extract")
    page.fill("textarea[name=text]", "Russia accused Ukraine of shelling the plant on Tuesday. "
                                     "\"This is a provocation,\" the Kremlin said.")
    page.fill("input[name=published]", "2025-08-12")
    page.click("button[name=extract]")
    page.wait_for_selector("#xout #doctext .hl", timeout=60_000)
    assert page.locator("#xout #doctext .hl.trigger").count() >= 1
    assert "ACCUSE" in page.locator("#xout #sidelist").inner_text()
    shot(page, "try-text")
    assert api(base, "/api/stats")["counts"] == before


def test_api_docs_render_offline(page, base):
    page.goto(base + "/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=30_000)
    assert page.locator(".swagger-ui .opblock").count() >= 12
    shot(page, "api-docs")


def test_only_http_urls_become_links_in_the_reader(page, base):
    """The probe: meta.url = "javascript:alert(1)" was a live link in the reader."""
    made = {}
    for name, url in (("js", "javascript:alert(document.domain)"), ("data", "data:text/html,<script>alert(1)</script>"),
                      ("web", "https://example.org/story?a=1&b=2")):
        text = f"Russia accused Ukraine of shelling the town of Kupiansk on Friday ({name})."
        res = httpx.post(base + "/api/documents", timeout=120,
                         json={"id": f"link-{name}", "text": text, "meta": {"published": "2025-09-05", "url": url}})
        assert res.status_code in (200, 201), res.text
        made[name] = (res.json()["hash"], url)
    for name, (hash_, url) in made.items():
        open_page(page, base, f"doc/{hash_}")
        meta = page.locator(".docmeta")
        assert url in meta.inner_text()
        hrefs = [a.get_attribute("href") for a in meta.locator("a").all()]
        if name == "web":
            assert url in hrefs
        else:
            assert not any(h and not h.startswith(("#", "http")) for h in hrefs), hrefs
            assert page.locator("a[href^='javascript'], a[href^='data']").count() == 0
