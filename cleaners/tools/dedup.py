"""Near-duplicate detection across a corpus: MinHash over character shingles, banded with LSH.

Syndicated news is reposted across many portals with a different header, footer or a few edited lines, so
exact hashes miss it. Chinese has no spaces, so documents are compared as sets of character n-grams of the
text with whitespace removed; MinHash estimates their Jaccard similarity (`minhash`), LSH bands find candidate
pairs without comparing every pair, and candidates whose signatures agree on at least `threshold` of their
positions are joined into clusters (union-find).

Memory is bounded by the signatures, not the texts: what is kept of a record is a `SignatureIndex` row (its
signature, band hashes, id, and the date or length `--keep` needs: about 0.7 KiB), and the texts are dropped as
soon as they are hashed. Buckets are found by sorting band hashes, not by a dict per band.
"""
from __future__ import annotations

import json
import re
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cleaners.tools.minhash import MinHasher, squeeze


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
        if self.num_perm < PAIR:
            raise ValueError(f"num-perm must be at least {PAIR}")

    def hasher(self) -> MinHasher:
        return MinHasher.for_threshold(self.threshold, self.num_perm, self.shingle, self.seed)


# A bucket (records whose signatures agree on one band) of more distinct signatures than this compares each
# signature with the WINDOW before it in input order, not with all: a chain of reposts stays connected, and a
# template shared by a million pages costs a million times WINDOW comparisons, not a million squared.
WINDOW = 256
PAIR = 2  # fewer rows than a pair have nothing to join
PAIRS_PER_BATCH = 8192  # signature pairs compared at once (8192 x 2 x 128 x 4 bytes: 8 MiB)
BLOCK_ROWS = 65536  # signatures are stored in blocks of this many rows: growing never copies what is stored


_PLAIN_ASCII = re.compile(rb'[\x20\x21\x23-\x5b\x5d-\x7e]*')  # printable ASCII but `"` and `\\`


def shingles(text: str, k: int = 5) -> set[bytes]:
    """Character k-grams of the text with whitespace removed (a text shorter than k is one shingle). The set that
    `minhash.shingle_hashes` hashes, spelled out for tests and for anyone checking a pair by hand."""
    s = squeeze(text or "")
    if len(s) <= k:
        return {s.encode("utf-8")} if s else set()
    return {s[i:i + k].encode("utf-8") for i in range(len(s) - k + 1)}


# ---- what is kept of each record -----------------------------------------------------------------------------


@dataclass
class Signed:
    """What hashing a run of consecutive records gives: one row per record, no text."""

    sigs: np.ndarray  # (n, num_perm) uint32
    has: np.ndarray  # (n,) bool: the record has a text with shingles
    bands: np.ndarray  # (n, bands) uint64
    full: np.ndarray  # (n,) uint64
    ids: Packed
    published: Packed | None = None  # for keep=earliest
    lengths: np.ndarray | None = None  # for keep=longest: characters of the text

    def __len__(self) -> int:
        return len(self.ids)


def sign(records: list[tuple[Any, Any, Any]], hasher: MinHasher, keep: str) -> Signed:
    """Hash `(text, id, published)` triples. A text that is bytes is read as UTF-8; one that is neither text nor
    bytes (missing, a number) has no signature: the record stays a cluster of its own."""
    texts = [_as_text(t) for t, _, _ in records]
    sigs, has = hasher.signatures(texts)
    out = Signed(sigs=sigs, has=has, bands=hasher.band_hashes(sigs), full=hasher.full_hashes(sigs),
                 ids=Packed.of([None if i is None else str(i) for _, i, _ in records]))
    if keep == "longest":
        out.lengths = np.array([len(t) if t else 0 for t in texts], dtype=np.int64)
    else:
        out.published = Packed.of([str(p) if p else None for _, _, p in records])
    return out


def _as_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    return None


@dataclass
class Packed:
    """Optional strings as one UTF-8 buffer, where each ends, and which are None: how a worker sends the ids and
    dates of its records, so that the parent adds them to the index in three copies, not one call a string."""

    data: bytes
    ends: np.ndarray  # int64
    none: np.ndarray  # bool

    @classmethod
    def of(cls, values: list[str | None]) -> Packed:
        parts = [b"" if v is None else v.encode("utf-8", "surrogatepass") for v in values]
        ends = np.cumsum(np.fromiter((len(p) for p in parts), dtype=np.int64, count=len(parts)))
        return cls(b"".join(parts), ends, np.array([v is None for v in values], dtype=bool))

    def __len__(self) -> int:
        return len(self.ends)


class _Strings:
    """A column of optional strings in one byte buffer: about the string's UTF-8 length plus 9 bytes a row, where
    a list of str would take 50 more."""

    def __init__(self) -> None:
        self._data = bytearray()
        self._ends = array("q")
        self._none = bytearray()

    def extend(self, values: Packed) -> None:
        self._ends.frombytes((values.ends + len(self._data)).astype("=i8").tobytes())
        self._data += values.data
        self._none += values.none.tobytes()

    def __getitem__(self, i: int) -> str | None:
        if self._none[i]:
            return None
        start = self._ends[i - 1] if i else 0
        return self._data[start:self._ends[i]].decode("utf-8", "surrogatepass")

    def raw(self, i: int) -> bytes | None:
        """The string's UTF-8 bytes, not decoded."""
        if self._none[i]:
            return None
        return bytes(self._data[self._ends[i - 1] if i else 0:self._ends[i]])

    def __len__(self) -> int:
        return len(self._ends)

    @property
    def nbytes(self) -> int:
        return len(self._data) + self._ends.itemsize * len(self._ends) + len(self._none)


@dataclass
class SignatureIndex:
    """The rows of all records, in input order: what the first pass keeps, and all that clustering needs."""

    num_perm: int
    keep: str
    count: int = 0
    ids: _Strings = field(default_factory=_Strings)
    published: _Strings = field(default_factory=_Strings)
    lengths: array = field(default_factory=lambda: array("q"))
    _blocks: list[np.ndarray] = field(default_factory=list)
    _has: list[np.ndarray] = field(default_factory=list)
    _bands: list[np.ndarray] = field(default_factory=list)
    _full: list[np.ndarray] = field(default_factory=list)

    def add(self, signed: Signed) -> None:
        n = len(signed)
        done = 0
        while done < n:
            at = self.count + done
            if at % BLOCK_ROWS == 0:
                self._blocks.append(np.empty((BLOCK_ROWS, self.num_perm), dtype=np.uint32))
            take = min(n - done, BLOCK_ROWS - at % BLOCK_ROWS)
            self._blocks[-1][at % BLOCK_ROWS: at % BLOCK_ROWS + take] = signed.sigs[done:done + take]
            done += take
        self._has.append(signed.has)
        self._bands.append(signed.bands)
        self._full.append(signed.full)
        self.ids.extend(signed.ids)
        if self.keep == "longest":
            self.lengths.extend(int(x) for x in (signed.lengths if signed.lengths is not None else [0] * n))
        else:
            self.published.extend(signed.published or Packed.of([None] * n))
        self.count += n

    def rows(self, idx: np.ndarray) -> np.ndarray:
        """The signatures of records `idx` (an int array), as one (len(idx), num_perm) array."""
        if len(self._blocks) == 1:
            return self._blocks[0][idx]
        out = np.empty((len(idx), self.num_perm), dtype=np.uint32)
        block = idx // BLOCK_ROWS
        for b in np.flatnonzero(np.bincount(block, minlength=len(self._blocks))):
            sel = block == b
            out[sel] = self._blocks[b][idx[sel] % BLOCK_ROWS]
        return out

    def cluster_id(self, root: int) -> str:
        """The id of a cluster: its first record's id, or `#N` (N its place in the input) when it has none."""
        rid = self.ids[root]
        return rid if rid is not None else f"#{root}"

    def cluster_json(self, root: int) -> bytes:
        """`cluster_id` as a JSON string in UTF-8, as `json.dumps(..., ensure_ascii=False)` spells it: an id of
        printable ASCII without quotes or backslashes is that already, quoted."""
        raw = self.ids.raw(root)
        if raw is None:
            return b'"#%d"' % root
        if _PLAIN_ASCII.fullmatch(raw):
            return b'"' + raw + b'"'
        try:
            return json.dumps(self.cluster_id(root), ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate
            return json.dumps(self.cluster_id(root)).encode("ascii")

    @property
    def nbytes(self) -> int:
        """Bytes that hold the records (signature blocks are allocated ahead, and counted as they fill: memory
        the process has not written to is not taken)."""
        arrays = [*self._has, *self._bands, *self._full]
        return (self.count * self.num_perm * 4 + sum(a.nbytes for a in arrays) + self.ids.nbytes
                + self.published.nbytes + self.lengths.itemsize * len(self.lengths))


def _joined(parts: list[np.ndarray], shape: tuple[int, ...], dtype: type) -> np.ndarray:
    return np.concatenate(parts) if parts else np.empty(shape, dtype=dtype)


# ---- clustering ----------------------------------------------------------------------------------------------


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
    has = _joined(index._has, (0,), bool)
    full = _joined(index._full, (0,), np.uint64)
    bands = _joined(index._bands, (0, hasher.bands), np.uint64)
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


def iter_inputs(paths: Iterable[str]) -> Iterator[dict[str, Any]]:
    """Records of JSON Lines (plain, .gz, .zst) and Parquet files, in order."""
    from cleaners.io.outputs import iter_records

    for p in paths:
        yield from iter_records(p, strict=True)
