"""JSON Lines inputs: one item per non-blank line, the lines left unparsed for the workers, each line bounded.

An uncompressed file is only scanned for where its lines end (a `FileSpan` per line, read by the worker); a
compressed file or a pipe is read line by line, and a line past max_line_bytes() is an error entry, read past
rather than held.
"""
from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from typing import IO, Any

from cleaners.document.source import Source
from cleaners.io.compressed import open_binary, zstd_error
from cleaners.io.items import FieldMap, FileSpan, InputItem, ReaderError, max_line_bytes

JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.zst", ".ndjson", ".ndjson.gz", ".ndjson.zst",
                  ".json.gz", ".json.zst")


def read_jsonl(path: str, fields: FieldMap) -> Iterator[InputItem]:
    """One item per non-blank line, named `PATH:LINE` (1-based), so that resume can recognise it.

    Lines are left unparsed: the worker decodes them. In an uncompressed regular file the reading process only
    finds where lines end and each item holds its place (`FileSpan`), which the worker reads; a compressed file
    (or a pipe) is read line by line.
    """
    if not path.lower().endswith((".gz", ".zst")) and os.path.isfile(path):
        yield from _read_plain_jsonl(path, fields)
    else:
        yield from read_jsonl_lines(path, fields)


def _read_plain_jsonl(path: str, fields: FieldMap) -> Iterator[InputItem]:
    lineno = 0
    try:
        with open(path, "rb", buffering=0) as fh:
            for offset, length, first in _line_spans(fh):
                lineno += 1
                span = FileSpan(path, offset, length)
                if first != b"{" and length <= _BLOCK and is_blank(span.read()):  # a longer line is not read here
                    continue
                yield InputItem(Source(f"{path}:{lineno}"), field_map=fields, span=span, consumed=offset + length)
    except OSError as exc:
        yield InputItem(Source(f"{path}:{lineno + 1}"), error=("unreadable", str(exc)))


_BLOCK = 1 << 20


def _line_spans(fh: IO[bytes]) -> Iterator[tuple[int, int, bytes]]:
    """(offset, length, first byte) of every line of a binary file, the last one with or without its newline.

    The file is scanned a block at a time for newlines and no line is copied: for page-sized JSON lines,
    copying them is most of what reading costs.
    """
    base = line_start = 0  # file offsets of the block's first byte and of the current line
    first = b""
    while block := fh.read(_BLOCK):
        i = 0
        while True:
            if not first and i < len(block):
                first = block[i:i + 1]
            nl = block.find(b"\n", i)
            if nl < 0:
                break
            end = base + nl + 1
            yield line_start, end - line_start, first
            line_start, first, i = end, b"", nl + 1
        base += len(block)
    if base > line_start:
        yield line_start, base - line_start, first


def read_jsonl_lines(path: str, fields: FieldMap) -> Iterator[InputItem]:
    """Line by line, each line read at most to max_line_bytes() (the rest of a longer line is skipped unread)."""
    try:
        fh = open_binary(path)
    except OSError as exc:
        yield InputItem(Source(f"{path}:1"), error=("unreadable", str(exc)))
        return
    with fh:
        position = _file_position(fh)
        lineno = 0
        while True:
            try:
                line, whole = _bounded_line(fh)
            except EOFError as exc:  # a truncated .gz/.zst: an incomplete member or frame
                yield InputItem(Source(f"{path}:{lineno + 1}"), error=("truncated", str(exc)))
                return
            except (OSError, ValueError, zstd_error()) as exc:  # corrupt data
                yield InputItem(Source(f"{path}:{lineno + 1}"), error=("unreadable", str(exc)))
                return
            if not line:
                return
            lineno += 1
            if not whole:
                yield InputItem(Source(f"{path}:{lineno}"), error=(
                    "too_large", f"a JSON line of more than {max_line_bytes():,} bytes"), consumed=position())
                continue
            if is_blank(line):
                continue
            yield InputItem(Source(f"{path}:{lineno}"), line=line, field_map=fields, consumed=position())


def _file_position(fh: IO[bytes]) -> Callable[[], int | None]:
    """How many bytes of the file on disk a stream from open_binary has read (the compressed bytes of a .gz or
    .zst file, read ahead by at most a buffer), or None where that cannot be told (a pipe)."""
    raw: Any = getattr(fh, "fileobj", None) or getattr(getattr(fh, "raw", None), "source", None) or fh

    def position() -> int | None:
        try:
            return raw.tell()
        except (OSError, ValueError):
            return None

    return position


def _bounded_line(fh: IO[bytes]) -> tuple[bytes, bool]:
    """The next line, and False when it is longer than max_line_bytes(): then only its start is returned and the
    rest is read past, a block at a time."""
    limit = max_line_bytes()
    line = fh.readline(limit + 1)
    if len(line) <= limit or line.endswith(b"\n"):
        return line, True
    while (rest := fh.readline(_BLOCK)) and not rest.endswith(b"\n"):
        pass
    return line[:_BLOCK], False


def is_blank(line: bytes) -> bool:
    """Whitespace only (Unicode whitespace too, as in text mode). A JSON object starts with `{`: such a line
    is told apart by its first byte, without a copy of a page-sized line."""
    if line[:1] == b"{":
        return False
    return line.isspace() or not line.decode("utf-8", "replace").strip()


# Lines looked at for the first JSON object, whose fields the mapping is checked against: bad lines before it are
# error entries of their own (`bad_json`), not a reason to refuse the file.
FIRST_OBJECT_LINES = 100


def first_object(path: str) -> dict | None:
    """The first line that is a JSON object, read line by line and bounded (a bad byte or a bad line is that
    line's problem); None when the first lines hold none."""
    try:
        fh = open_binary(path)
    except OSError as exc:
        raise ReaderError(f"{path}: not readable as JSON Lines ({exc.strerror or exc})") from exc
    with fh:
        for _ in range(FIRST_OBJECT_LINES):
            try:
                line, whole = _bounded_line(fh)
            except (OSError, ValueError, EOFError, zstd_error()):  # truncated or corrupt: an error entry, later
                return None
            if not line:
                return None
            if not whole or is_blank(line):
                continue
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict):
                return obj
    return None
