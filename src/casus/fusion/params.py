"""The fusion rules' numbers, from the versioned data file `casus/data/fusion.yaml`."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from casus.data_files import DataFileError, load_yaml


@dataclass(frozen=True)
class Params:
    version: int
    undated_lookback_days: int
    widest_interval_days: int
    source_same: int
    source_organ: int
    source_related: int
    source_missing: int
    target_same: int
    target_related: int
    target_missing: int
    date_same_day: int
    date_overlap: int
    date_undated: int
    place_same: int
    place_conflict: int
    words_max: int
    words_min_shared: int
    words_scale: int
    join_threshold: float

    def tag(self) -> str:
        """What a store records about the rules it was fused with: any change means re-fusing."""
        return ";".join(f"{f.name}={getattr(self, f.name)}" for f in fields(self))

    def with_(self, **changes: Any) -> Params:
        return replace(self, **changes)


def load_params(data: dict[str, Any] | None = None) -> Params:
    data = data if data is not None else load_yaml("fusion.yaml")
    try:
        points = data["points"]
        values = {"version": int(data["version"]), "undated_lookback_days": int(data["undated_lookback_days"]),
                  "widest_interval_days": int(data["widest_interval_days"]),
                  "join_threshold": float(data["join_threshold"])}
        for f in fields(Params):
            if f.name not in values:
                values[f.name] = int(points[f.name])
    except (KeyError, TypeError, ValueError) as exc:
        raise DataFileError(f"fusion.yaml: missing or bad value: {exc}") from exc
    extra = set(points) - {f.name for f in fields(Params)}
    if extra:
        raise DataFileError(f"fusion.yaml: unknown points {sorted(extra)}")
    return Params(**values)
