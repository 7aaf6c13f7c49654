"""Fusion: events of different articles (and repeats in one) that report the same real-world
happening share one happening id; a happening counts its reports and outlets (DESIGN.md §2).

`report` is the fusion view of an event, `rules` decides what may join, `cluster` forms the
happenings, `happening` summarises one; `storage` keeps them in a store, incrementally, and
`parquet` runs the same fusion over `casus run` output.
"""

from casus.fusion.cluster import fuse
from casus.fusion.params import Params, load_params

__all__ = ["Params", "fuse", "load_params"]
