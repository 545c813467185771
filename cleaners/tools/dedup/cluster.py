"""Near-duplicate detection across a corpus: MinHash over character shingles, banded with LSH.

Syndicated news is reposted across many portals with a different header, footer or a few edited lines, so
exact hashes miss it. Chinese has no spaces, so documents are compared as sets of character n-grams of the
text with whitespace removed; MinHash estimates their Jaccard similarity (`minhash`), LSH bands find candidate
pairs without comparing every pair, and candidates whose signatures agree on at least `threshold` of their
positions are joined into clusters (union-find).

The result depends only on the records and their order: `run` feeds it signatures hashed in worker processes,
`find_clusters` records hashed in-process, and both give the same clusters.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from cleaners.tools.dedup.config import PAIR, DedupConfig
from cleaners.tools.dedup.index import SignatureIndex, sign
from cleaners.tools.dedup.minhash import MinHasher

# A bucket (records whose signatures agree on one band) of more distinct signatures than this compares each
# signature with the WINDOW before it in input order, not with all: a chain of reposts stays connected, and a
# template shared by a million pages costs a million times WINDOW comparisons, not a million squared.
WINDOW = 256
PAIRS_PER_BATCH = 8192  # signature pairs compared at once (8192 x 2 x 128 x 4 bytes: 8 MiB)


@dataclass
class Grouping:
    """For each record, in input order: the first record of its cluster (`roots`), and whether --drop keeps it."""

    roots: np.ndarray  # int64
    keep: np.ndarray  # bool

    @property
    def duplicates(self) -> int:
        return int(len(self.keep) - self.keep.sum())

    @property
    def clusters(self) -> int:
        return int((self.roots == np.arange(len(self.roots))).sum())


class _Forest:
    """Union-find over record numbers; a cluster's root is its earliest record in input order."""

    def __init__(self, n: int) -> None:
        self.parent = np.arange(n, dtype=np.int64)

    def roots(self, idx: np.ndarray) -> np.ndarray:
        r = self.parent[idx]
        while True:
            up = self.parent[r]
            if np.array_equal(up, r):
                return r
            r = up

    def union_pairs(self, a: np.ndarray, b: np.ndarray) -> None:
        parent = self.parent
        for x, y in zip(a.tolist(), b.tolist(), strict=True):
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = int(parent[x])
            while parent[y] != y:
                parent[y] = parent[parent[y]]
                y = int(parent[y])
            if x != y:
                parent[max(x, y)] = min(x, y)

    def flatten(self) -> np.ndarray:
        p = self.parent
        while True:
            up = p[p]
            if np.array_equal(up, p):
                return p
            p[:] = up


def cluster(index: SignatureIndex, config: DedupConfig, hasher: MinHasher | None = None) -> Grouping:
    """Join records whose signatures agree on at least `threshold` of their positions, among the pairs that
    share a band; then choose the record --drop keeps in each cluster. The result depends only on the records
    and their order (not on how the signatures were computed or in what chunks)."""
    hasher = hasher or config.hasher()
    n = index.count
    forest = _Forest(n)
    has, full, bands = index.columns(hasher.bands)
    reps = _join_identical(index, forest, np.flatnonzero(has), full)
    for t in range(hasher.bands):
        _join_bucket_pairs(index, forest, reps, bands[reps, t], config.threshold)
    roots = forest.flatten().copy()
    return Grouping(roots=roots, keep=_kept(index, roots, config.keep))


def _sorted_by(keys: np.ndarray, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keys sorted, and `members` (ascending) in their order, ascending within equal keys: what a stable sort
    gives, from numpy's unstable sort (several times faster) and a sort of the few tied positions."""
    o = np.argsort(keys)
    k, m = keys[o], members[o]
    tied = np.flatnonzero(k[1:] == k[:-1])
    if len(tied):
        mark = np.zeros(len(k), dtype=bool)
        mark[tied] = mark[tied + 1] = True
        at = np.flatnonzero(mark)
        m[at] = m[at[np.lexsort((m[at], k[at]))]]
    return k, m


def _join_identical(index: SignatureIndex, forest: _Forest, valid: np.ndarray, full: np.ndarray) -> np.ndarray:
    """Join records with identical signatures (found by sorting a hash of the whole signature, then checked
    row by row), and return one record per distinct signature, in input order: the rest of the work only
    compares distinct signatures, so a text repeated ten thousand times costs one row."""
    hashes, order = _sorted_by(full[valid], valid)
    if len(order) < PAIR:
        return order
    a, b = order[:-1], order[1:]
    same = np.flatnonzero(hashes[1:] == hashes[:-1])
    equal = np.zeros(len(b), dtype=bool)
    for start in range(0, len(same), PAIRS_PER_BATCH):
        sel = same[start:start + PAIRS_PER_BATCH]
        equal[sel] = (index.rows(a[sel]) == index.rows(b[sel])).all(axis=1)
    forest.union_pairs(a[equal], b[equal])
    return np.sort(np.concatenate([order[:1], b[~equal]]))


def _join_bucket_pairs(index: SignatureIndex, forest: _Forest, reps: np.ndarray, hashes: np.ndarray,
                       threshold: float) -> None:
    """One band: sort the band hashes, and within each run of equal hashes (a bucket, in input order) compare
    each signature with the WINDOW before it; join the pairs whose share of equal positions (the estimated
    Jaccard similarity) is at least `threshold`."""
    if len(reps) < PAIR:
        return
    h, members = _sorted_by(hashes, reps)
    starts = np.flatnonzero(np.concatenate([[True], h[1:] != h[:-1]]))
    run_len = np.diff(np.append(starts, len(h)))
    if run_len.max() < PAIR:
        return
    left = np.repeat(starts + run_len, run_len) - np.arange(len(h)) - 1  # members after each in its bucket
    alive = np.flatnonzero(left >= 1)
    for d in range(1, WINDOW + 1):
        alive = alive[left[alive] >= d]
        if not len(alive):
            return
        a, b = members[alive], members[alive + d]
        apart = forest.roots(a) != forest.roots(b)
        a, b = a[apart], b[apart]
        for start in range(0, len(a), PAIRS_PER_BATCH):
            x, y = a[start:start + PAIRS_PER_BATCH], b[start:start + PAIRS_PER_BATCH]
            close = (index.rows(x) == index.rows(y)).sum(axis=1) / index.num_perm >= threshold
            forest.union_pairs(x[close], y[close])


def _kept(index: SignatureIndex, roots: np.ndarray, keep: str) -> np.ndarray:
    """One record per cluster: the earliest published (records without a date after dated ones, then input
    order), or the longest text (then input order). Records alone in their cluster are kept."""
    n = len(roots)
    kept = np.ones(n, dtype=bool)
    sizes = np.bincount(roots, minlength=n) if n else np.zeros(0, dtype=np.int64)
    members = np.flatnonzero(sizes[roots] > 1)
    if not len(members):
        return kept
    kept[members] = False
    if keep == "longest":
        keys: tuple[np.ndarray, ...] = (members, -np.frombuffer(index.lengths, dtype=np.int64)[members])
    else:  # numpy compares strings by code point, as Python does; False (dated) sorts before True
        dates = np.array([index.published[i] or "" for i in members.tolist()])
        keys = (members, dates, dates == "")
    order = members[np.lexsort((*keys, roots[members]))]  # by cluster, then best first
    first = np.concatenate([[True], roots[order[1:]] != roots[order[:-1]]])
    kept[order[first]] = True
    return kept


# ---- the in-memory API ---------------------------------------------------------------------------------------


@dataclass
class Clusters:
    """The outcome of `find_clusters`: for each record (in input order) its cluster id and whether it is kept."""

    cluster: list[str]  # the id of the cluster's first record in input order
    keep: list[bool]  # the one record per cluster that --drop keeps

    @property
    def duplicates(self) -> int:
        return self.keep.count(False)


def find_clusters(records: Iterable[dict[str, Any]], config: DedupConfig | None = None,
                  chunk: int = 256) -> Clusters:
    """Cluster records (dicts with `text`, `id` and `published`), hashed in one process as they stream by: the
    texts are not kept (see `index_records`)."""
    config = config or DedupConfig()
    hasher = config.hasher()
    index = index_records(records, config, hasher, chunk)
    grouping = cluster(index, config, hasher)
    return Clusters(cluster=[index.cluster_id(int(r)) for r in grouping.roots], keep=grouping.keep.tolist())


def index_records(records: Iterable[dict[str, Any]], config: DedupConfig, hasher: MinHasher | None = None,
                  chunk: int = 256) -> SignatureIndex:
    """The first pass over records, `chunk` at a time: after it, no text is referenced from here."""
    hasher = hasher or config.hasher()
    index = SignatureIndex(num_perm=config.num_perm, keep=config.keep)
    batch: list[tuple[Any, Any, Any]] = []
    for rec in records:
        batch.append((rec.get("text"), rec.get("id"), rec.get("published")))
        if len(batch) >= chunk:
            index.add(sign(batch, hasher, config.keep))
            batch = []
    if batch:
        index.add(sign(batch, hasher, config.keep))
    return index
