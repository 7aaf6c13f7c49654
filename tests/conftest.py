from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SEED = EXAMPLES / "putin-reassurance-force.txt"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def nlp():
    from casus.pipeline import load

    return load()


@pytest.fixture(scope="session")
def seed_record(nlp):
    from casus.ingest import read_inputs
    from casus.pipeline import extract

    [record] = list(extract(read_inputs([str(SEED)]), nlp=nlp))
    return record


def run_casus(*args: str, stdin: str | None = None, cwd: Path | None = None,
              check: bool = False) -> subprocess.CompletedProcess:
    """Run the real CLI in a subprocess, as a user would."""
    env = {**os.environ, "COLUMNS": "200"}
    proc = subprocess.run([sys.executable, "-m", "casus", *args], input=stdin, capture_output=True, text=True,
                          cwd=cwd or ROOT, env=env, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"casus {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    return proc


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def span_text(record: dict, span: dict | None) -> str:
    assert span is not None
    return record["text"][span["start"] : span["end"]]
