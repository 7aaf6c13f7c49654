"""casus: news text to source-grounded PLOVER event data."""

__version__ = "0.1.0"

from casus.pipeline import extract, load  # noqa: E402

__all__ = ["__version__", "extract", "load"]
