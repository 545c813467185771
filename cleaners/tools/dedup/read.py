"""Dedup inputs cut into pieces, the same pieces in both passes: JSON Lines (plain, .gz, .zst) and Parquet.

The first pass hashes every record and keeps no text; the second reads the inputs again and writes each record
with its cluster. Both walk the inputs through `pieces`, so the n-th item of one pass is the n-th of the other
(line numbers, blank lines, lines too long, unreadable row groups alike). A piece of a plain JSON Lines file is
only where its lines are (`ByteRange`), cut by size at a line start: the process that hashes them reads them and
counts them, so with several jobs the parent reads next to nothing and the text never passes through it. A
compressed file is decompressed once, by the parent, into `Lines`; Parquet is read a batch at a time into
`Rows`, only the columns a pass needs.
"""
from __future__ import annotations

import datetime as dt
import decimal
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from cleaners.io.items import FieldMap, ReaderError, max_line_bytes
from cleaners.io.jsonl import first_object, is_blank, read_jsonl_lines

SPAN_BYTES = 2 << 20  # a piece of plain JSON Lines: ~400 news records, 80 ms of hashing; smaller pieces (512 KiB)
# left each of 2 workers idle ~10% of the time, waiting for the parent to take a result and send the next piece
WINDOW_BYTES = 64 << 10  # read at a time looking for a line start, or reading a span with a long line in it
PIECE_LINES = 128  # lines (or rows) per piece of compressed JSON Lines and Parquet
PIECE_BYTES = 4 << 20  # and at most this many bytes of compressed lines
PARQUET_BATCH = 128


@dataclass(frozen=True)
class DedupFields:
    """Which fields of a record hold the text compared, the id a cluster is named by, and the date
    `--keep earliest` goes by."""

    text: str = "text"
    id: str = "id"
    published: str = "published"


@dataclass(frozen=True)
class ByteRange:
    """Whole lines of an uncompressed JSON Lines file: bytes `offset` to `offset + length`. `first_line` is the
    number (1-based) of its first line, 0 until it is known: the first pass cuts a file by size and counts
    the lines of each span as it reads them."""

    path: str
    offset: int
    length: int
    first_line: int = 0

    @property
    def size(self) -> int:
        return self.length


@dataclass
class Lines:
    """Non-blank lines of a compressed JSON Lines file: (line number, bytes)."""

    path: str
    lines: list[tuple[int, bytes]] = field(default_factory=list)
    size: int = 0


@dataclass
class Rows:
    """Consecutive rows of a Parquet file (the columns asked for), the first being row `first_row` (1-based)."""

    path: str
    first_row: int
    rows: list[dict[str, Any]]

    @property
    def size(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class Failed:
    """Items that cannot be read (`reason`: too_large, truncated, unreadable), under the keys they would have."""

    keys: tuple[str, ...]
    reason: str
    detail: str
    size: int = 0


Piece = ByteRange | Lines | Rows | Failed


@dataclass
class Item:
    """One record of a piece: `payload` is a JSON line (bytes) or a row (dict); `error` is (reason, detail)."""

    key: str | None  # None for a line of a ByteRange whose first line number is not known yet
    payload: bytes | dict[str, Any] | None = None
    error: tuple[str, str] | None = None
    offset: int = -1  # where a line of a ByteRange starts in its file
    line: int = 0  # the line's place in its ByteRange (0-based), blank lines counted


def is_parquet(path: str) -> bool:
    return path.lower().endswith(".parquet")


def is_compressed(path: str) -> bool:
    return path.lower().endswith((".gz", ".zst"))


def pieces(paths: Iterable[str], columns: list[str] | None = None) -> Iterator[Piece]:
    """All inputs in order, as pieces; `columns`: the Parquet columns to read (None: all of them)."""
    for path in paths:
        if is_parquet(path):
            yield from _parquet_pieces(path, columns)
        elif is_compressed(path):
            yield from _compressed_pieces(path)
        else:
            yield from _plain_pieces(path)


def items(piece: Piece, lines: list[int] | None = None) -> Iterator[Item]:
    """The items of a piece, in order. A ByteRange is read here (whoever expands it reads its bytes), and the number
    of its lines, blank ones included, is appended to `lines` when given."""
    if isinstance(piece, Failed):
        for key in piece.keys:
            yield Item(key, error=(piece.reason, piece.detail))
    elif isinstance(piece, Rows):
        for i, row in enumerate(piece.rows):
            yield Item(f"{piece.path}:{piece.first_row + i}", payload=row)
    elif isinstance(piece, Lines):
        for lineno, line in piece.lines:
            yield Item(f"{piece.path}:{lineno}", payload=line)
    else:
        yield from _span_items(piece, lines if lines is not None else [])


def _span_items(piece: ByteRange, counted: list[int]) -> Iterator[Item]:
    """The lines of a span, each at most max_line_bytes() (newline included) or an error item `too_large`; blank
    lines are skipped (and counted). A span of ordinary lines is read at once; one with a long line in it is
    read a window at a time, so that a line too long is never held."""
    limit = max_line_bytes()
    key = (lambda i: f"{piece.path}:{piece.first_line + i}") if piece.first_line else (lambda i: None)
    i = -1
    try:
        for i, (offset, length, line) in enumerate(_span_lines(piece, limit)):
            if line is None:
                yield Item(key(i), error=("too_large", f"a JSON line of {length:,} bytes, more than {limit:,}"),
                           line=i)
            elif line[:1] == b"{" or not is_blank(line):
                yield Item(key(i), payload=line, offset=offset, line=i)
    except OSError as exc:
        i += 1
        yield Item(key(i), error=("unreadable", str(exc)), line=i)
    counted.append(i + 1)


def _span_lines(piece: ByteRange, limit: int) -> Iterator[tuple[int, int, bytes | None]]:
    """(offset, length with the newline, the line without it or None when longer than `limit`) for every line."""
    if piece.length <= 4 * SPAN_BYTES:
        data = _pread(piece.path, piece.offset, piece.length)
        start = 0
        while start < len(data):
            end = data.find(b"\n", start)
            end = len(data) if end < 0 else end
            length = min(end + 1, len(data)) - start
            yield piece.offset + start, length, data[start:end] if length <= limit else None
            start = end + 1
        return
    with open(piece.path, "rb") as fh:
        fh.seek(piece.offset)
        at, stop = piece.offset, piece.offset + piece.length
        while at < stop:
            line = fh.readline(min(limit + 1, stop - at))
            if not line:
                raise OSError(f"{piece.path} is shorter than when it was read (changed during the run?)")
            length = len(line)
            if length > limit:  # too long: read past the rest of it, a window at a time
                while not line.endswith(b"\n") and at + length < stop:
                    line = fh.readline(min(WINDOW_BYTES, stop - at - length))
                    if not line:
                        break
                    length += len(line)
                yield at, length, None
            else:
                yield at, length, line.rstrip(b"\n") if line.endswith(b"\n") else line
            at += length


def _pread(path: str, offset: int, length: int) -> bytes:
    fd = os.open(path, os.O_RDONLY)
    try:
        data = os.pread(fd, length, offset)
    finally:
        os.close(fd)
    if len(data) != length:
        raise OSError(f"{path} is shorter than when it was read (changed during the run?)")
    return data


def _plain_pieces(path: str) -> Iterator[Piece]:
    """ByteRanges of about SPAN_BYTES, each ending where a line ends: only a few bytes at each cut are read here."""
    size = os.path.getsize(path)
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        start = 0
        while start < size:
            cut = _line_start(fd, start + SPAN_BYTES, size)
            yield ByteRange(path, start, cut - start)
            start = cut
    finally:
        os.close(fd)


def _line_start(fd: int, at: int, size: int) -> int:
    """The offset of the first line that starts at `at` or after (`size` if none does)."""
    pos = at - 1
    while pos < size:
        window = os.pread(fd, WINDOW_BYTES, pos)
        if not window:
            break
        nl = window.find(b"\n")
        if nl >= 0:
            return pos + nl + 1
        pos += len(window)
    return size


def _compressed_pieces(path: str) -> Iterator[Piece]:
    """Lines of a .gz or .zst file, read (and bounded) by the same reader `newsclean clean` uses."""
    piece = Lines(path)
    for item in read_jsonl_lines(path, FieldMap()):
        if item.error is not None:
            if piece.lines:
                yield piece
                piece = Lines(path)
            yield Failed((item.key,), *item.error)
            continue
        line = item.line if isinstance(item.line, bytes) else (item.line or "").encode("utf-8")
        piece.lines.append((int(item.key.rpartition(":")[2]), line))
        piece.size += len(line)
        if len(piece.lines) >= PIECE_LINES or piece.size >= PIECE_BYTES:
            yield piece
            piece = Lines(path)
    if piece.lines:
        yield piece


def _parquet_pieces(path: str, columns: list[str] | None) -> Iterator[Piece]:
    """Rows a batch at a time, row group by row group: a row group that cannot be read is a `Failed` piece for
    each of its rows (under the keys they would have had), and reading goes on with the next."""
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # checked before the run; a file replaced since
        raise ReaderError(f"{path}: not a readable Parquet file ({exc})") from exc
    names = pf.schema_arrow.names
    wanted = names if columns is None else [c for c in dict.fromkeys(columns) if c in names]
    json_cols = _json_columns(pf) if columns is None else set()
    first = 0
    for group in range(pf.metadata.num_row_groups):
        rows = pf.metadata.row_group(group).num_rows
        row = first
        try:
            for batch in pf.iter_batches(batch_size=PARQUET_BATCH, row_groups=[group], columns=wanted):
                got = batch.to_pylist()
                for r in got:
                    for col in json_cols & r.keys():
                        if isinstance(r[col], str):
                            r[col] = json.loads(r[col])
                yield Rows(path, row + 1, got)
                row += len(got)
        except Exception as exc:  # pyarrow raises OSError, ArrowInvalid ... for a damaged row group
            detail = f"row group {group} (rows {first + 1}-{first + rows}) cannot be read: {exc}"
            yield Failed(tuple(f"{path}:{n}" for n in range(row + 1, first + rows + 1)), "unreadable", detail,
                         first + rows - row)
        first += rows


def _json_columns(pf: Any) -> set[str]:
    """Columns newsclean's Parquet writer stored as JSON strings (`newsclean_json` in the schema metadata)."""
    meta = pf.schema_arrow.metadata or {}
    return {c for c in meta.get(b"newsclean_json", b"").decode().split(",") if c}


def parquet_rows(paths: Iterable[str]) -> int | None:
    """Rows of all the Parquet inputs (from their footers), or None if an input is not Parquet."""
    import pyarrow.parquet as pq

    total = 0
    for p in paths:
        if not is_parquet(p):
            return None
        total += pq.ParquetFile(p).metadata.num_rows
    return total


# ---- reading a record --------------------------------------------------------------------------------------


def parse(payload: bytes | dict[str, Any]) -> dict[str, Any]:
    """The record of an item: a row as it is, a JSON line parsed (ValueError if it is not a JSON object)."""
    if isinstance(payload, dict):
        return payload
    obj = json.loads(payload)  # bytes: UTF-8 (or UTF-16/32 when the line is)
    if not isinstance(obj, dict):
        raise ValueError("the line is not a JSON object")
    return obj


def jsonable(value: Any) -> Any:
    """`json.dumps` default for what Parquet holds and JSON does not: dates and times as ISO 8601, decimals as
    strings, UTF-8 bytes as text. Anything else is a TypeError (the record becomes an error entry)."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            pass
    raise TypeError(f"a {type(value).__name__} cannot be written as JSON")


# ---- checks before anything is read --------------------------------------------------------------------------


def check_fields(paths: list[str], fields: DedupFields, explicit: Iterable[str] = ()) -> None:
    """ReaderError, before any work, when an input lacks the text field (a Parquet column, a field of the first
    JSON object among the first lines) or when a field named on the command line (`explicit`: id, published)
    is in no input at all."""
    seen: set[str] = set()
    for p in paths:
        names = _field_names(p)
        if names is None:  # no JSON object in the first lines: those lines are error entries of their own
            continue
        seen |= set(names)
        if fields.text not in names:
            raise ReaderError(f"{p}: no field {fields.text!r} (fields: {', '.join(names)}); "
                              "name the field that holds the text with --text-field")
    for flag in explicit:
        name = getattr(fields, flag)
        if seen and name not in seen:
            raise ReaderError(f"--{flag}-field {name}: no input has a field {name!r}")


def _field_names(path: str) -> list[str] | None:
    if is_parquet(path):
        import pyarrow.parquet as pq

        try:
            return list(pq.ParquetFile(path).schema_arrow.names)
        except Exception as exc:
            raise ReaderError(f"{path}: not a readable Parquet file ({exc})") from exc
    first = first_object(path)
    return None if first is None else list(first)

