"""casus as spaCy users keep pipelines: saved with to_disk, loaded with spacy.load in a fresh process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from spacy.tokens import Doc

from casus.extensions import DOC_ATTRS
from casus.pipeline import COMPONENTS

LOAD_AND_RUN = """
import sys, spacy
nlp = spacy.load(sys.argv[1])  # no `import casus`: the factories come from entry points
doc = nlp("Putin warned on Friday that Western troops in Ukraine would be legitimate targets.")
print(",".join(nlp.pipe_names))
print(",".join(e["type"] for e in doc._.casus_events))
print(len(doc._.casus_actors or {}))
"""


def test_saved_pipeline_loads_in_fresh_process(nlp, tmp_path: Path):
    nlp.to_disk(tmp_path / "pipe")
    proc = subprocess.run([sys.executable, "-c", LOAD_AND_RUN, str(tmp_path / "pipe")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    names, types, n_actors = proc.stdout.strip().splitlines()[-3:]
    assert all(c in names.split(",") for c in COMPONENTS)
    assert "THREATEN" in types.split(",")
    assert int(n_actors) >= 2


def test_extensions_are_namespaced():
    # other spaCy components may own doc._.events; casus keeps to its own prefix
    assert all(name.startswith("casus_") for name in DOC_ATTRS)
    assert Doc.has_extension("casus_times") and Doc.has_extension("casus_places")
    for plain in ("events", "actors", "quotes", "mentions", "times", "places"):
        assert not Doc.has_extension(plain)
