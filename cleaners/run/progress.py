"""A run's progress bar, with a total and an ETA when the inputs tell how much there is to do.

The total is measured before the run, from the file system and metadata only: page files are counted (the
directories walked once, as the run would walk them), JSON Lines and WARC files by their size on disk, Parquet
files by the row count in their footers. The bar counts in one unit: files when every input is a page file,
rows when every input is Parquet, bytes otherwise (a page file weighs its size, a Parquet row its share of its
file). Each item read carries how far into its file reading has got (`InputItem.consumed`); the bar moves when
an item's result is written, so it shows work done, not work read ahead.
"""
from __future__ import annotations

import os
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from cleaners.io.files import expand_inputs
from cleaners.io.items import FieldMap, InputItem
from cleaners.io.readers import input_kind, read_inputs

if TYPE_CHECKING:
    from tqdm import tqdm


@dataclass(frozen=True)
class Leaf:
    """One file a run reads: a page file, or a container (JSON Lines, Parquet, WARC)."""

    path: str
    kind: str  # pages, jsonl, parquet, warc
    size: int  # bytes on disk
    rows: int = 0  # Parquet rows (from the footer)


def bar_wanted(progress: bool | None, stream: IO[str] | None = None) -> bool:
    """True: shown; False: not; None: shown when the stream (standard error) is a terminal."""
    if progress is not None:
        return progress
    stream = stream or sys.stderr
    return bool(getattr(stream, "isatty", None) and stream.isatty())


@dataclass
class HiddenBar:
    """What a bar that is not shown needs to be: its count and total kept, nothing drawn, and tqdm not imported
    (a tenth of a one-page run's start-up)."""

    total: float | None = None
    n: float = 0

    def update(self, n: float = 1) -> None:
        self.n += n

    def refresh(self) -> None:
        return None

    def close(self) -> None:
        return None

    def __enter__(self) -> HiddenBar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def make_bar(desc: str, *, total: int | None = None, unit: str = "it", enabled: bool = True,
             file: IO[str] | None = None) -> tqdm | HiddenBar:
    """A tqdm bar on standard error; bytes are shown scaled (KiB, MiB). A HiddenBar when not `enabled`."""
    if not enabled:
        return HiddenBar(total=total)
    from tqdm import tqdm

    scaled = unit == "B"
    return tqdm(desc=desc, total=total, unit=unit, unit_scale=scaled, unit_divisor=1024 if scaled else 1000,
                file=file or sys.stderr, dynamic_ncols=True)


def measure(paths: Iterable[str]) -> list[Leaf]:
    """The files the inputs stand for, in the order a run reads them, with their sizes (and Parquet rows)."""
    leaves = []
    for p in paths:
        for path in expand_inputs([p]) if os.path.isdir(p) else [p]:
            kind = input_kind(path)
            try:
                size = os.stat(path).st_size
            except OSError:  # gone, or unreadable: the run reports it; it weighs nothing here
                size = 0
            leaves.append(Leaf(path, kind, size, _parquet_rows(path) if kind == "parquet" else 0))
    return leaves


def _parquet_rows(path: str) -> int:
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path).metadata.num_rows
    except Exception:  # unreadable: the run reports it
        return 0


class RunProgress:
    """The progress of a run over `leaves`: items read from them carry their position, in the bar's unit; the
    positions of items handed on for cleaning wait in order, and each chunk written moves the bar to the
    position of its last item."""

    def __init__(self, leaves: list[Leaf] | None, desc: str, *, enabled: bool = True,
                 documents: int | None = None) -> None:
        """`leaves`: what the items will be read from (see read), for a total; None: documents are counted, out of
        `documents` when that is known."""
        self.leaves = leaves
        kinds = {leaf.kind for leaf in leaves or ()}
        self.unit = "doc" if leaves is None else "file" if kinds == {"pages"} else (
            "row" if kinds == {"parquet"} else "B")
        total = documents if leaves is None else sum(self._weight(leaf) for leaf in leaves)
        self.bar = make_bar(desc, total=total, unit=self.unit, enabled=enabled)
        self._pending: deque[int] = deque()
        self._reached = 0  # the furthest position read so far

    @classmethod
    def for_inputs(cls, inputs: list[str], desc: str, progress: bool | None) -> RunProgress:
        """A bar with a total over the inputs when it is shown; nothing is measured when it is not."""
        enabled = bar_wanted(progress)
        return cls(measure(inputs) if enabled else None, desc, enabled=enabled)

    def _weight(self, leaf: Leaf) -> int:
        if self.unit == "file":
            return 1
        if self.unit == "row":
            return leaf.rows
        return leaf.size

    def read(self, inputs: list[str], fields: FieldMap | None) -> Iterator[InputItem]:
        """Every item of the inputs (the leaves they were measured as), skips included, as read_inputs gives them;
        the position of the item last read is kept for sent() and passed()."""
        if self.leaves is None:
            yield from read_inputs(inputs, fields, skips=True)
            return
        base = 0
        for leaf in self.leaves:
            weight = self._weight(leaf)
            for item in read_inputs([leaf.path], fields, skips=True):
                self._reached = base + self._within(leaf, item, weight)
                yield item
            base += weight
            self._reached = base

    def _within(self, leaf: Leaf, item: InputItem, weight: int) -> int:
        """How far into `leaf` an item is, in the bar's unit."""
        if leaf.kind == "pages":
            return weight
        if item.consumed is None:  # an item that ends the file (truncated, unreadable)
            return weight
        if self.unit == "B" and leaf.kind == "parquet":
            return weight * item.consumed // max(1, leaf.rows)
        return min(item.consumed, weight)

    def sent(self) -> None:
        """The item just read is handed on for cleaning."""
        if self.leaves is not None:
            self._pending.append(self._reached)

    def passed(self) -> None:
        """The item just read needs no cleaning (a WARC request, an item already written)."""
        if self.leaves is None:
            return
        if self._pending:
            self._pending[-1] = self._reached  # reached when the item before it is written
        else:
            self._move(self._reached)

    def written(self, n: int) -> None:
        """The results of the next `n` items handed on are written."""
        if self.leaves is None:
            self.bar.update(n)
            return
        at = None
        for _ in range(min(n, len(self._pending))):
            at = self._pending.popleft()
        if at is not None:
            self._move(at)

    def finish(self) -> None:
        """The run reached its end: the bar shows all of its total."""
        if self.leaves is not None and self.bar.total is not None:
            self._move(self.bar.total)

    def _move(self, position: int) -> None:
        if position > self.bar.n:
            self.bar.update(position - self.bar.n)

    def close(self) -> None:
        self.bar.close()

    def __enter__(self) -> RunProgress:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
