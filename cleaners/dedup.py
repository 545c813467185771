"""Near-duplicate detection across a corpus: MinHash over character shingles, banded with LSH.

Syndicated news is reposted across many portals with a different header, footer or a few edited lines, so
exact hashes miss it. Chinese has no spaces, so documents are compared as sets of character n-grams of the
text with whitespace removed; MinHash estimates their Jaccard similarity, LSH finds candidate pairs without
comparing every pair, and candidates at or above the threshold are joined into clusters (union-find).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class DedupConfig:
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


def shingles(text: str, k: int = 5) -> set[bytes]:
    """Character k-grams of the text with whitespace removed (a text shorter than k is one shingle)."""
    s = _SPACE.sub("", text or "")
    if len(s) <= k:
        return {s.encode("utf-8")} if s else set()
    return {s[i:i + k].encode("utf-8") for i in range(len(s) - k + 1)}


class _UnionFind:
    def __init__(self) -> None:
        self.parent: list[int] = []

    def add(self) -> int:
        self.parent.append(len(self.parent))
        return len(self.parent) - 1

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)  # the root is the earliest member in input order


@dataclass
class Clusters:
    """The outcome of `find_clusters`: for each record (in input order) its cluster id and whether it is kept."""

    cluster: list[str]  # the id of the cluster's first record in input order
    keep: list[bool]  # the one record per cluster that --drop keeps

    @property
    def duplicates(self) -> int:
        return self.keep.count(False)


def find_clusters(records: Iterable[dict[str, Any]], config: DedupConfig | None = None) -> Clusters:
    """One pass over the records (only id, text and published are looked at); memory is about 1 KiB a record."""
    from datasketch import MinHash, MinHashLSH

    config = config or DedupConfig()
    template = MinHash(num_perm=config.num_perm, seed=config.seed)
    reuse = {"permutations": template.permutations}  # computing permutations per document is the slow part
    if getattr(template, "scheme", None) is not None:  # datasketch >= 2 wants it named
        reuse["scheme"] = template.scheme
    lsh = MinHashLSH(threshold=config.threshold, num_perm=config.num_perm)
    sigs: list[Any] = []
    ids: list[str] = []
    rank: list[tuple] = []  # what "best" means for --keep, smaller is better
    uf = _UnionFind()
    for n, rec in enumerate(records):
        i = uf.add()
        text = rec.get("text") or ""
        ids.append(str(rec.get("id")) if rec.get("id") is not None else f"#{n}")
        if config.keep == "longest":
            rank.append((-len(text), n))
        else:  # earliest published first, records without a date after dated ones, then input order
            published = rec.get("published")
            rank.append((0, str(published), n) if published else (1, "", n))
        grams = shingles(text, config.shingle)
        if not grams:
            sigs.append(None)
            continue
        m = MinHash(num_perm=config.num_perm, seed=config.seed, **reuse)
        m.update_batch(list(grams))
        for j in lsh.query(m):
            if sigs[j] is not None and m.jaccard(sigs[j]) >= config.threshold:
                uf.union(i, j)
        lsh.insert(i, m)
        sigs.append(m)
    roots = [uf.find(i) for i in range(len(ids))]
    best: dict[int, int] = {}
    for i, r in enumerate(roots):
        if r not in best or rank[i] < rank[best[r]]:
            best[r] = i
    return Clusters(cluster=[ids[r] for r in roots], keep=[best[r] == i for i, r in enumerate(roots)])


def iter_inputs(paths: Iterable[str]) -> Iterator[dict[str, Any]]:
    """Records of JSON Lines (plain, .gz, .zst) and Parquet files, in order."""
    from .writers import iter_records

    for p in paths:
        yield from iter_records(p, strict=True)
