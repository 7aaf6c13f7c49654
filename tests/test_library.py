"""The Python API: `casus.extract(text | [texts] | Documents, published=…)` and `casus.Store(path)` queries."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys

import pytest

import casus
from casus.data_files import plover_types
from casus.document import Document, content_hash
from tests.conftest import ROOT

TEXT = "Putin warned on Friday that Western troops in Ukraine would be legitimate targets."


def test_one_text_gives_one_record(nlp):
    record = casus.extract(TEXT, published="2025-09-05", title="Putin's warning", nlp=nlp)
    assert isinstance(record, dict) and record["text"] == TEXT and not record["errors"]
    assert record["id"] == content_hash(TEXT)[:16]  # the id every other entry point gives a text without one
    assert record["meta"]["published"] == "2025-09-05" and record["meta"]["title"] == "Putin's warning"
    threat = next(e for e in record["events"] if e["type"] == "THREATEN")
    assert threat["source"]["actor"] == "rus-putin"
    assert threat["date"]["value"] == "2025-09-05"  # "on Friday" against the publication date


def test_many_texts_give_records_in_order(nlp):
    items = ["Iran accused Israel on Monday of attacking its embassy.",
             Document(id="doc-b", text="Russia rejected the proposal.", meta={"published": "2025-01-10"}),
             {"id": "row-c", "text": "France sent troops to Mali in January.", "published": "2013-02-01"},
             ""]
    records = casus.extract(items, published=dt.date(2024, 4, 2), nlp=nlp)
    assert [r["id"] for r in records] == [content_hash(items[0])[:16], "doc-b", "row-c", "text-4"]
    # the call's date fills only what a text doesn't say itself
    assert [r["meta"]["published"] for r in records[:3]] == ["2024-04-02", "2025-01-10", "2013-02-01"]
    assert records[0]["events"][0]["date"]["value"] == "2024-04-01"
    assert records[3]["errors"] and not records[3]["events"]  # an empty text is an error record, not an exception
    assert casus.extract([], nlp=nlp) == []
    with pytest.raises(TypeError, match="takes text"):
        casus.extract([42], nlp=nlp)


def test_store_opens_and_queries(nlp, tmp_path):
    records = casus.extract([TEXT, "The European Union imposed sanctions on Russia on Tuesday."],
                            published="2025-09-05", nlp=nlp)
    with casus.Store(tmp_path / "lib.duckdb") as store:
        assert store.add_records(records) == (2, 2)
        rows = store.events(actor="Putin", min_confidence=0)
        assert rows and all("rus-putin" in (r["source_actor"], r["target_actor"]) or "Putin" in r["source"]
                            for r in rows)
        assert rows[0]["source_name"] == "Vladimir Putin" and rows[0]["date_start"] == dt.date(2025, 9, 5)
        assert store.events(since="2026") == []
        assert {r["id"] for r in store.actors(country="RUS")} >= {"rus-putin"}
        assert store.record(records[0]["id"]) == records[0]
        assert [d["id"] for d in store.documents()] and store.summary()["documents"] == 2


def test_readme_python_example_runs_as_shown(tmp_path):
    """The README's Python block, in a fresh process (no session pipeline): it runs and prints events."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Python API"):]
    code = re.search(r"```python\n(.*?)```", section, re.S)[1]
    shutil.copytree(ROOT / "examples", tmp_path / "examples")  # the block reads examples/ and writes casus.duckdb
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stderr
    types = set(plover_types())
    lines = proc.stdout.splitlines()
    assert sum(1 for line in lines if line.split() and line.split()[0] in types) >= 2, proc.stdout
    assert sum(1 for line in lines if re.match(r"\d{4}-\d{2}-\d{2} [A-Z]+ ", line)) >= 1, proc.stdout
