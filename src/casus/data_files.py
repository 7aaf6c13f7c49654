"""Loader for the knowledge that ships as data files in `casus/data/` (lexicons, KB, ontology)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml


class DataFileError(ValueError):
    pass


def data_path(name: str) -> Path:
    return Path(str(resources.files("casus") / "data" / name))


@cache
def load_yaml(name: str) -> dict[str, Any]:
    """Load `casus/data/<name>`; every file carries a `version` key so changes are visible."""
    path = data_path(name)
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    if not isinstance(data, dict) or "version" not in data:
        raise DataFileError(f"{path}: expected a mapping with a 'version' key")
    return data


def plover_types() -> dict[str, dict[str, Any]]:
    return load_yaml("plover.yaml")["types"]


@cache
def event_model_meta() -> dict[str, str]:
    """The shipped events model's settings (its training sets, priors, and the display threshold
    chosen on its cross-validated precision/recall curve), read without loading spaCy."""
    import numpy as np

    with np.load(data_path("event_model.npz"), allow_pickle=False) as z:
        return dict(str(s).split("=", 1) for s in z["meta"])
