"""What dedup's second pass writes: each record with its `dup_cluster`, and the output that input bytes go into.

A JSON line is written as it was read with the field inserted before its closing brace (`body_end`,
`output_line`), so writing costs no parsing; a line that already has the field, or is `{}`, is parsed and
encoded, as `jsonl_out.encode_line` would. Into a plain JSON Lines output (`PlainOutput`) the lines of a piece
go by two system calls, a read of the piece and one vectored write of its lines' bodies and tails: one system
call a line (`os.copy_file_range`) cost more than the copying itself.
"""
from __future__ import annotations

import errno
import json
import os
from typing import Any

from cleaners.io.items import ReaderError
from cleaners.io.jsonl_out import encode_json
from cleaners.io.outputs import PART
from cleaners.tools.dedup.read import jsonable, parse

FIELD = "dup_cluster"
_FIELD_BYTES = json.dumps(FIELD).encode()


def body_end(line: Any) -> int:
    """The bytes of a JSON object's line before its closing brace, or -1 if the cluster cannot go there."""
    if not isinstance(line, bytes):
        return -1
    stripped = line.rstrip()
    if stripped.lstrip()[:1] != b"{" or stripped[-1:] != b"}" or _FIELD_BYTES in stripped:
        return -1
    if not stripped.lstrip()[1:-1].strip():  # `{}`: no comma before the field
        return -1
    return len(stripped) - 1


TAIL = b", " + _FIELD_BYTES + b": "  # what follows a line's body: this, the cluster, the closing brace


def _tail(cluster_id: str) -> bytes:
    return TAIL + _json(cluster_id) + b"}\n"


def output_line(payload: Any, cluster_id: str) -> bytes:
    """The output line of a record: a JSON line as it was read with the cluster added before its closing brace
    (no parsing), or, when the line already has the field or is `{}`, parsed and encoded."""
    if (cut := body_end(payload)) >= 0:
        return payload[:cut] + _tail(cluster_id)
    rec = dict(parse(payload))
    rec[FIELD] = cluster_id
    return _json(rec) + b"\n"


def output_row(payload: Any, cluster_id: str) -> dict[str, Any]:
    """The output record for Parquet: a Parquet row's dates, decimals and bytes as JSON would hold them, so that
    the writer can type its columns."""
    rec = dict(parse(payload)) if isinstance(payload, bytes) else {k: _plain(v) for k, v in payload.items()}
    rec[FIELD] = cluster_id
    return rec


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return jsonable(value)


def _json(value: Any) -> bytes:
    """UTF-8 JSON as `jsonl_out.encode_line` writes it, a Parquet row's dates and decimals as JSON holds them."""
    return encode_json(value, default=jsonable)


# ---- a plain JSON Lines output that input bytes are copied into ------------------------------------------------

_NO_COPY = {errno.EXDEV, errno.ENOSYS, errno.EOPNOTSUPP, errno.EINVAL, errno.EBADF, errno.EPERM}
READ_AT_ONCE = 4 << 20  # the lines of a piece spanning more input than this are copied line by line (long lines)
_IOV_MAX = 1024  # buffers per vectored write (Linux's IOV_MAX)


class PlainOutput:
    """A JSON Lines file written as `OUT.part` and renamed when complete (as `RecordWriter` does), into which lines
    of an input are copied with their tails (`copy_lines`): a piece read at once and written with one vectored
    write; the lines of a piece spanning more than READ_AT_ONCE bytes (long lines) copied one by one by the
    kernel (`os.copy_file_range`), so that they are never held, or read and written where it cannot."""

    takes_lines = True

    def __init__(self, path: str) -> None:
        self.path = path
        self.part = path + PART
        self._fd = -1
        self._pos = 0
        self._copy = hasattr(os, "copy_file_range")

    def __enter__(self) -> PlainOutput:
        os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        self._fd = os.open(self.part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
        return self

    def write_line(self, data: bytes) -> None:
        at = self._pos
        self._pos += len(data)
        self._pwrite(data, at)

    def _pwrite(self, data: bytes | memoryview, at: int) -> None:
        view = memoryview(data)
        while view:
            n = os.pwrite(self._fd, view, at)
            view, at = view[n:], at + n

    def copy_lines(self, source: int, where: list[int], body: list[int], tails: list[bytes]) -> None:
        """For each line: its body (`body` bytes at `where` in `source`, in increasing order) copied, then its
        tail written."""
        if not where:
            return
        at = self._pos
        self._pos += sum(body) + sum(len(t) for t in tails)
        self._write_lines(source, where, body, tails, at)

    def _write_lines(self, source: int, where: list[int], body: list[int], tails: list[bytes], at: int) -> None:
        start, end = where[0], where[-1] + body[-1]
        if end - start > READ_AT_ONCE:
            for offset, length, tail in zip(where, body, tails, strict=True):
                self._copy_range(source, offset, length, at)
                self._pwrite(tail, at + length)
                at += length + len(tail)
            return
        data = os.pread(source, end - start, start)
        if len(data) != end - start:
            raise ReaderError("an input is shorter than when it was first read (changed during the run?)")
        view = memoryview(data)
        bufs: list[memoryview | bytes] = []
        for offset, length, tail in zip(where, body, tails, strict=True):
            bufs += (view[offset - start:offset - start + length], tail)
        for k in range(0, len(bufs), _IOV_MAX):
            group = bufs[k:k + _IOV_MAX]
            size = sum(len(b) for b in group)
            n = os.pwritev(self._fd, group, at)
            if n < size:  # a short write: the rest by plain writes
                self._pwrite(memoryview(b"".join(group))[n:], at + n)
            at += size

    def _copy_range(self, source: int, offset: int, length: int, at: int) -> None:
        """Bytes `offset` to `offset + length` of the file open as `source`, written at `at`."""
        while length > 0 and self._copy:
            try:
                n = os.copy_file_range(source, self._fd, length, offset, at)
            except OSError as exc:
                if exc.errno not in _NO_COPY:
                    raise
                self._copy = False
                break
            if n == 0:
                raise ReaderError("an input is shorter than when it was first read (changed during the run?)")
            offset, length, at = offset + n, length - n, at + n
        while length > 0:
            data = os.pread(source, min(length, 1 << 20), offset)
            if not data:
                raise ReaderError("an input is shorter than when it was first read (changed during the run?)")
            self._pwrite(data, at)
            offset, length, at = offset + len(data), length - len(data), at + len(data)

    def flush(self) -> None:
        return None

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            if exc_type is None:
                os.fsync(self._fd)
        finally:
            os.close(self._fd)
        if exc_type is None:
            os.replace(self.part, self.path)
