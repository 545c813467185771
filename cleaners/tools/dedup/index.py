"""What dedup keeps of each record: its MinHash signature, band hashes, id, and the date or length --keep needs.

Memory is bounded by the signatures, not the texts: a record is a `SignatureIndex` row (about 0.7 KiB), and its
text is dropped as soon as it is hashed (`sign`). Signatures are stored in fixed blocks, so that growing never
copies them; ids and dates are packed into one byte buffer each (`Packed`, `_Strings`), not kept as str objects.
"""
from __future__ import annotations

import re
from array import array
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cleaners.io.jsonl_out import encode_json
from cleaners.tools.dedup.minhash import MinHasher

BLOCK_ROWS = 65536  # signatures are stored in blocks of this many rows: growing never copies what is stored

_PLAIN_ASCII = re.compile(rb'[\x20\x21\x23-\x5b\x5d-\x7e]*')  # printable ASCII but `"` and `\\`


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

    def columns(self, bands: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Of every record: whether it has a signature, the hash of the whole signature, its `bands` band hashes."""
        return (_joined(self._has, (0,), bool), _joined(self._full, (0,), np.uint64),
                _joined(self._bands, (0, bands), np.uint64))

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
        return encode_json(self.cluster_id(root))

    @property
    def nbytes(self) -> int:
        """Bytes that hold the records (signature blocks are allocated ahead, and counted as they fill: memory
        the process has not written to is not taken)."""
        arrays = [*self._has, *self._bands, *self._full]
        return (self.count * self.num_perm * 4 + sum(a.nbytes for a in arrays) + self.ids.nbytes
                + self.published.nbytes + self.lengths.itemsize * len(self.lengths))


def _joined(parts: list[np.ndarray], shape: tuple[int, ...], dtype: type) -> np.ndarray:
    return np.concatenate(parts) if parts else np.empty(shape, dtype=dtype)
