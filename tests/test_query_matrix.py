"""One query layer: the same filters give the same events through the CLI, the REST API, the exports and
the Python API.

A store built by the real pipeline from articles with day, week, month, range and year dates, one
without a publication date, events in several countries; a matrix of filters (dates, actor, type,
quad, place, confidence, text) is put to `casus events`, `GET /api/events` on a real server,
`casus export` (jsonl, csv, parquet) and `Store.events`, and every answer must be the same set of
events. The date cases are also checked against the records themselves.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import httpx
import pytest
from typer.testing import CliRunner

from casus.cli import app
from casus.document import Document
from casus.pipeline import extract
from casus.query import DISPLAY_MIN_CONFIDENCE, date_bound
from casus.store import Store
from tests.conftest import EXAMPLES
from tests.workbench_support import running_server

ARTICLES = [
    ("kharkiv", "2025-09-05",
     "Russian forces shelled a market in the city of Kharkiv on Tuesday, killing four people, regional officials "
     "said. Ukraine accused Moscow of targeting civilians.\n\nEarlier this week, Russian troops entered the village "
     "of Novopavlivka in the Donetsk region, the Russian defence ministry said. Talks in Istanbul in June produced "
     "only a prisoner exchange."),
    ("damascus", "2024-04-02", "Iran accused Israel on Monday of attacking its embassy in Damascus. The United "
                               "States urged restraint, and Russia condemned the strike."),
    ("tehran-1979", "2016-03-10", "In 1979 students seized the US embassy in Tehran. Last year Iran and the United "
                                  "States agreed on a nuclear deal in Vienna."),
    ("undated", None, "Israel accused Hezbollah of firing rockets at Haifa. Lebanon rejected the accusation."),
    ("sanctions", "2025-10-14", "The European Union imposed new sanctions on Russia on Tuesday. Moscow threatened "
                                "to retaliate against European companies, and Hungary criticised the decision."),
]

# (CLI options, API parameters): one filter each, or a combination
MATRIX = [
    {},
    {"min_confidence": "0"},
    {"since": "2025-09-01", "until": "2025-09-30"},
    {"since": "2025-09", "until": "2025-09", "min_confidence": "0"},
    {"since": "2025-W36", "until": "2025-W36", "min_confidence": "0"},
    {"until": "2016", "min_confidence": "0"},
    {"since": "2024", "until": "2024-12-31", "min_confidence": "0"},
    {"since": "2025-10-01"},
    {"actor": "Putin"},
    {"actor": "rus", "min_confidence": "0"},
    {"actor": "troops", "min_confidence": "0"},
    {"type": "THREATEN,REJECT"},
    {"type": "ASSAULT", "place": "Ukraine", "min_confidence": "0"},
    {"place": "Kharkiv", "min_confidence": "0"},
    {"place": "UKR"},
    {"place": "Israel", "min_confidence": "0"},
    {"quad": "verbal_conflict", "since": "2025-09-01"},
    {"min_confidence": "0.5"},
    {"text": "embassy", "min_confidence": "0"},
    {"actor": "Russia", "type": "ACCUSE,ASSAULT,THREATEN", "since": "2025", "place": "UKR", "min_confidence": "0.2"},
]
EMPTY = {"since": "2030-01-01"}

runner = CliRunner()


def said(res) -> str:  # noqa: ANN001
    """What the CLI printed, without the frame of typer's error panel and its line breaks."""
    return " ".join(res.output.translate(str.maketrans("", "", "│╭╮╰╯─")).split())


@pytest.fixture(scope="module")
def db(tmp_path_factory, nlp):
    from casus.ingest import read_inputs

    docs = list(read_inputs([str(EXAMPLES)]))
    docs += [Document(id=i, text=t, meta={"published": p} if p else {}) for i, p, t in ARTICLES]
    path = tmp_path_factory.mktemp("matrix") / "casus.duckdb"
    with Store(path) as store:
        store.add_batch(list(extract(docs, nlp=nlp)))
    return path


@pytest.fixture(scope="module")
def base(db):
    with running_server(db, "--read-only") as url:
        yield url


def keys(rows) -> set[tuple[str, int]]:  # noqa: ANN001
    return {(r["doc_hash"], int(r["n"])) for r in rows}


def cli_options(case: dict[str, str]) -> list[str]:
    out = []
    for k, v in case.items():
        out += [f"--{k.replace('_', '-')}", v]
    return out


def cli(*args: str) -> str:
    res = runner.invoke(app, list(args), catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res.stdout


def via_cli(db, case) -> set:  # noqa: ANN001
    return keys(json.loads(cli("events", "--db", str(db), "--format", "json", "--limit", "100000",
                               *cli_options(case))))


def via_api(base, case) -> set:  # noqa: ANN001
    params = {("q" if k == "text" else k): v for k, v in case.items()}
    items, offset, total = [], 0, None
    while total is None or offset < total:
        page = httpx.get(base + "/api/events", params={**params, "limit": 500, "offset": offset}, timeout=30).json()
        total = page["total"]
        items += page["items"]
        offset += 500
    assert len(items) == total
    return keys(items)


def via_exports(db, case, tmp_path) -> dict[str, set]:  # noqa: ANN001
    import pyarrow.parquet as pq

    opts = cli_options(case)
    jsonl = [json.loads(x) for x in cli("export", "--db", str(db), "--format", "jsonl", *opts, "-").splitlines()]
    rows = list(csv.DictReader(io.StringIO(cli("export", "--db", str(db), "--format", "csv", *opts, "-"))))
    out = tmp_path / "events.parquet"
    cli("export", "--db", str(db), "--format", "parquet", *opts, str(out))
    return {"jsonl": keys(jsonl), "csv": keys(rows), "parquet": keys(pq.read_table(out).to_pylist())}


def via_python(db, case) -> set:  # noqa: ANN001
    kwargs = {k: (float(v) if k == "min_confidence" else v) for k, v in case.items()}
    with Store(db, read_only=True) as store:
        return keys(store.events(**kwargs))


def test_every_interface_gives_the_same_events(db, base, tmp_path):
    with Store(db, read_only=True) as store:
        everything = keys(store.events(min_confidence=0))
    assert len(everything) > 30
    seen = []
    for case in MATRIX + [EMPTY]:
        want = via_cli(db, case)
        assert via_api(base, case) == want, case
        assert via_python(db, case) == want, case
        for fmt, got in via_exports(db, case, tmp_path).items():
            assert got == want, (case, fmt)
        if case is EMPTY:
            assert want == set()
        elif case == {"min_confidence": "0"}:
            assert want == everything
        else:
            assert want and want < everything, case  # each filter keeps some events and drops others
        seen.append(frozenset(want))
    assert len(set(seen)) >= len(MATRIX) - 3  # the cases select different events, not the same few


def test_date_windows_hold_the_events_whose_whole_range_is_inside(db):
    """The date semantics, checked against the records: the event's range (else its publication day) in the window."""
    with Store(db, read_only=True) as store:
        recs = [json.loads(r) for (r,) in store.con.execute("SELECT record FROM documents").fetchall()]
        hashes = dict(store.con.execute("SELECT id, hash FROM documents").fetchall())
    spans = {}
    for rec in recs:
        published = rec["meta"].get("published")
        for n, e in enumerate(rec["events"]):
            date = e.get("date") or {}
            lo, hi = date.get("earliest") or published, date.get("latest") or published
            spans[(hashes[rec["id"]], n)] = (dt.date.fromisoformat(lo) if lo else None,
                                             dt.date.fromisoformat(hi) if hi else None, e["confidence"])
    assert any(lo is None for lo, _, _ in spans.values())  # the undated article
    assert any(lo and hi and lo < hi for lo, hi, _ in spans.values())  # weeks, months, ranges
    dated = [c for c in MATRIX if set(c) <= {"since", "until", "min_confidence"} and {"since", "until"} & set(c)]
    assert len(dated) >= 5
    for case in dated:
        since = date_bound(case["since"], end=False) if "since" in case else None
        until = date_bound(case["until"], end=True) if "until" in case else None
        floor = float(case.get("min_confidence", DISPLAY_MIN_CONFIDENCE))
        want = {k for k, (lo, hi, conf) in spans.items() if lo and conf >= floor
                and (since is None or lo >= since) and (until is None or hi <= until)}
        assert via_cli(db, case) == want and want, case


def test_clear_errors_for_values_that_mean_nothing(db, base):
    for opts, says in ((["--since", "2025-13-45"], "month 13"), (["--until", "2025-02-30"], "has days 01-28"),
                       (["--min-confidence", "7"], "less than or equal to 1"),
                       (["--since", "2025-10", "--until", "2025-09"], "before since"),
                       (["--type", "THREATENS"], "unknown event type")):
        res = runner.invoke(app, ["events", "--db", str(db), *opts])
        assert res.exit_code == 2 and says in said(res), (opts, res.output)
        res = runner.invoke(app, ["export", "--db", str(db), *opts, "-"])
        assert res.exit_code == 2 and says in said(res), (opts, res.output)
    r = httpx.get(base + "/api/events", params={"since": "2025-13-45"})
    assert r.status_code == 400 and "month 13" in r.json()["error"]


def test_empty_results_say_so(db):
    res = runner.invoke(app, ["events", "--db", str(db), "--since", "2030"])
    assert res.exit_code == 0 and res.stdout.strip() == "no events match"
    assert json.loads(cli("events", "--db", str(db), "--since", "2030", "--format", "json")) == []
    assert cli("events", "--db", str(db), "--since", "2030", "--format", "csv") == ""
    res = runner.invoke(app, ["quotes", "--db", str(db), "--speaker", "nobody-at-all"])
    assert res.exit_code == 0 and res.stdout.strip() == "no quotes match"
