"""casus: news text to source-grounded PLOVER event data.

`casus.extract(text_or_texts, published=…)` returns records; `casus.Store(path)` opens a store and
queries it (`.events(…)`, `.quotes(…)`, `.actors(…)`); `casus.load()` is the spaCy pipeline itself.
"""

__version__ = "0.1.0"

from casus.library import extract  # noqa: E402
from casus.pipeline import load  # noqa: E402
from casus.query import DISPLAY_MIN_CONFIDENCE  # noqa: E402
from casus.store import Store  # noqa: E402

__all__ = ["DISPLAY_MIN_CONFIDENCE", "Store", "__version__", "extract", "load"]
