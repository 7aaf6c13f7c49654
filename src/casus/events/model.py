"""Linear models over sparse string features, stored as one small .npz in casus/data.

Training (scripts/train_events.py) uses scikit-learn; running needs only numpy, which spaCy
already brings, so the default install gains no dependency.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np

from casus.data_files import data_path

MODEL_FILE = "event_model.npz"


class LinearModel:
    """Multinomial (or binary) logistic regression: softmax(sum of feature rows + bias)."""

    def __init__(self, classes: list[str], vocab: list[str], weights: np.ndarray, bias: np.ndarray):
        self.classes = classes
        self.index = {f: i for i, f in enumerate(vocab)}
        self.weights = weights.astype(np.float32)
        self.bias = bias.astype(np.float32)

    def partial(self, features: list[str]) -> np.ndarray:
        """The summed weights of some features, to reuse across candidates (a sentence's words)."""
        index = self.index
        rows = [index[f] for f in set(features) if f in index]
        return self.weights[rows].sum(axis=0) if rows else np.zeros(self.weights.shape[1], np.float32)

    def proba(self, features: list[str], base: np.ndarray | None = None) -> np.ndarray:
        index = self.index
        rows = [index[f] for f in set(features) if f in index]
        z = self.bias + (self.weights[rows].sum(axis=0) if rows else 0.0)
        if base is not None:
            z = z + base
        if len(self.classes) == 2 and z.shape[-1] == 1:  # binary: one column, P(class 1)
            p1 = 1.0 / (1.0 + np.exp(-z[0]))
            return np.array([1.0 - p1, p1])
        z = z - z.max()
        e = np.exp(z)
        return e / e.sum()


class EventModels:
    """The models of the events stage: the trigger's type (or NONE), the PLV-trained source and target
    pickers (a fallback where the grammar finds no argument), and the calibration that turns a scored
    event into the probability that the record is right (absent in models trained before issue 12)."""

    PARTS = ("trigger", "source", "target", "calibration")

    def __init__(self, trigger: LinearModel, source: LinearModel, target: LinearModel, meta: dict[str, str],
                 calibration: LinearModel | None = None):
        self.trigger, self.source, self.target, self.meta = trigger, source, target, meta
        self.calibration = calibration

    def save(self, path: str | Path) -> None:
        arrays: dict[str, np.ndarray] = {}
        for name in self.PARTS:
            m: LinearModel | None = getattr(self, name)
            if m is None:
                continue
            vocab = sorted(m.index, key=m.index.get)
            arrays[f"{name}_classes"] = np.array(m.classes)
            arrays[f"{name}_vocab"] = np.array(vocab)
            arrays[f"{name}_weights"] = m.weights.astype(np.float16)
            arrays[f"{name}_bias"] = m.bias.astype(np.float32)
        arrays["meta"] = np.array([f"{k}={v}" for k, v in self.meta.items()])
        np.savez_compressed(path, **arrays)

    @classmethod
    def load(cls, path: str | Path) -> EventModels:
        with np.load(path, allow_pickle=False) as z:
            models = {
                name: LinearModel([str(c) for c in z[f"{name}_classes"]], [str(v) for v in z[f"{name}_vocab"]],
                                  z[f"{name}_weights"], z[f"{name}_bias"])
                for name in cls.PARTS if f"{name}_classes" in z
            }
            meta = dict(str(s).split("=", 1) for s in z["meta"])
        return cls(models["trigger"], models["source"], models["target"], meta, models.get("calibration"))


@cache
def load_models(path: str | None = None) -> EventModels:
    return EventModels.load(path or data_path(MODEL_FILE))
