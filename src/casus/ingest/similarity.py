"""Near-duplicate detection: the same wire story printed by two outlets, with their own headline,
byline and a few edits. Exact copies are already one document (same normalised-content hash);
near copies are kept and *linked* so a researcher can count the story once.

Method: word 5-gram shingles, a 64-value MinHash signature, and LSH banding (32 bands of 2 values)
to find candidates cheaply in the store; each candidate pair is then confirmed with the exact
Jaccard similarity of the two shingle sets, which is what the link records.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

SHINGLE = 5
PERMUTATIONS = 64
BANDS = 32
ROWS = PERMUTATIONS // BANDS
THRESHOLD = 0.5  # Jaccard of 5-gram sets; unrelated news articles score near 0.01
# A pair at the threshold shares 32 * 0.5**2 = 8 bands on average; fewer than 3 happens 2 % of the time.
MIN_BANDS = 3
MAX_CANDIDATES = 10
# Below this a "story" is a headline or a templated line; shared boilerplate would link everything.
MIN_WORDS = 50
_rng = np.random.default_rng(20250905)  # fixed: signatures must be comparable across runs
_A = _rng.integers(1, 2**63, PERMUTATIONS, dtype=np.uint64) | np.uint64(1)
_B = _rng.integers(0, 2**63, PERMUTATIONS, dtype=np.uint64)


def too_short(text: str) -> bool:
    return len(re.findall(r"\w+", text)) < MIN_WORDS


def shingles(text: str) -> set[int]:
    words = re.findall(r"\w+", text.lower())
    if len(words) < SHINGLE:
        return {_h(" ".join(words))} if words else set()
    return {_h(" ".join(words[i : i + SHINGLE])) for i in range(len(words) - SHINGLE + 1)}


def _h(s: str) -> int:
    return int.from_bytes(hashlib.blake2b(s.encode("utf-8"), digest_size=4).digest(), "little")


def signature(sh: set[int]) -> np.ndarray:
    if not sh:
        return np.zeros(PERMUTATIONS, dtype=np.uint64)
    x = np.fromiter(sh, dtype=np.uint64, count=len(sh))
    # multiply-shift hashing: (a*x + b) mod 2^64, high 32 bits; one row per permutation
    with np.errstate(over="ignore"):
        hashed = (_A[:, None] * x[None, :] + _B[:, None]) >> np.uint64(32)
    return hashed.min(axis=1)


def band_keys(sig: np.ndarray) -> list[str]:
    return [f"{b}:" + "-".join(str(int(v)) for v in sig[b * ROWS : (b + 1) * ROWS]) for b in range(BANDS)]


def jaccard(a: set[int], b: set[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
