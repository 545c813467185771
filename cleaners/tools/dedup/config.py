"""The settings of a dedup run: the similarity threshold, the shingle size, the permutations, what --drop keeps.

Checked when made, so that a bad value is a clear error before any input is read; the MinHash layout (bands
and rows) follows from them (`DedupConfig.hasher`).
"""
from __future__ import annotations

from dataclasses import dataclass

from cleaners.tools.dedup.minhash import MinHasher

PAIR = 2  # fewer rows than a pair have nothing to join


@dataclass(frozen=True)
class DedupConfig:
    """What the flags of `newsclean dedup` set; `seed` picks the permutations (the same seed, the same clusters)."""

    threshold: float = 0.8  # estimated Jaccard similarity of shingle sets at which two texts are duplicates
    shingle: int = 5  # characters per shingle
    num_perm: int = 128  # MinHash permutations: more is more precise and slower
    keep: str = "earliest"  # which record of a cluster --drop keeps: earliest (published date) or longest
    seed: int = 1

    def __post_init__(self) -> None:
        if not 0 < self.threshold <= 1:
            raise ValueError("threshold must be in (0, 1]")
        if self.keep not in ("earliest", "longest"):
            raise ValueError("keep must be 'earliest' or 'longest'")
        if self.shingle < 1:
            raise ValueError("shingle must be at least 1")
        if self.num_perm < PAIR:
            raise ValueError(f"num-perm must be at least {PAIR}")

    def hasher(self) -> MinHasher:
        return MinHasher.for_threshold(self.threshold, self.num_perm, self.shingle, self.seed)
