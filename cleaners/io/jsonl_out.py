"""JSON Lines outputs, plain or compressed (.gz, .zst): a record's one line, a shard file, its torn tail, reading it
back (JSON Lines inputs are read by `cleaners.io.jsonl`).

`encode_line` is the only place a record becomes bytes, so the output is the same byte for byte whatever the
number of jobs; the shard file takes those lines as they are. A kill can leave half a line: `truncate_torn_line`
cuts a plain file back to its last whole line, and reading stops at a torn compressed tail (`TORN`).
"""
from __future__ import annotations

import gzip
import io
import json
import os
from collections.abc import Callable
from typing import IO, Any


def encode_line(record: dict[str, Any]) -> bytes:
    """One JSON Lines line, UTF-8. The only place a record becomes bytes: worker processes encode with it and
    the in-process path writes through it, so the output is the same byte for byte whatever the number of jobs;
    the crawler's files and `newsclean dedup` write their lines with it too."""
    return encode_json(record) + b"\n"


def encode_json(value: Any, default: Callable[[Any], Any] | None = None) -> bytes:
    """A JSON value in UTF-8 (`default` as json.dumps takes it).

    A string UTF-8 cannot hold (a lone surrogate: a file name that was not UTF-8) is written escaped, as JSON
    allows, rather than failing the run; that value then has every non-ASCII character escaped.
    """
    try:
        return json.dumps(value, ensure_ascii=False, default=default).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, default=default).encode("ascii")


class JsonlFile:
    """A binary stream: lines arrive already encoded (see `encode_line`), nothing is re-encoded here."""

    takes_lines = True

    def __init__(self, path: str, kind: str, append: bool = False) -> None:
        self.path = path
        raw = open(path, "ab" if append else "wb")
        if kind == "plain":
            self._fh: IO[bytes] = raw
            self._raw = None
        else:
            if kind == "gz":
                stream: IO[bytes] = gzip.GzipFile(fileobj=raw, mode="wb")
            else:
                import zstandard

                stream = zstandard.ZstdCompressor().stream_writer(raw, closefd=False)
            self._raw = raw
            self._fh = stream

    def write(self, record: dict[str, Any]) -> None:
        self._fh.write(encode_line(record))

    def write_line(self, line: bytes) -> None:
        self._fh.write(line)

    def flush(self) -> None:
        self._fh.flush()

    def close(self, sync: bool = True) -> None:
        self._fh.flush()
        if self._raw is None and sync:
            os.fsync(self._fh.fileno())
        self._fh.close()  # finishes the gzip member / zstd frame
        if self._raw is not None:
            if sync:
                self._raw.flush()
                os.fsync(self._raw.fileno())
            self._raw.close()


def truncate_torn_line(path: str | os.PathLike[str]) -> int:
    """Cut a plain JSON Lines file after its last newline (a kill can leave half a line), synced to disk when
    anything was cut; the bytes removed. Used by resumed runs and by the crawler's append logs."""
    with open(path, "rb+") as fh:
        size = fh.seek(0, os.SEEK_END)
        pos, block, keep = size, 65536, 0
        while pos > 0:  # find the last newline, reading backwards
            start = max(0, pos - block)
            fh.seek(start)
            chunk = fh.read(pos - start)
            nl = chunk.rfind(b"\n")
            if nl >= 0:
                keep = start + nl + 1
                break
            pos = start
        if keep < size:
            fh.truncate(keep)
            fh.flush()
            os.fsync(fh.fileno())
        return size - keep


def open_jsonl(path: str, kind: str) -> IO[str]:
    """A text stream over a JSON Lines file of `kind` (`gz`, `zst` or `plain`, as `outputs.output_kind` names
    it from the final suffix, `.part` or not)."""
    if kind == "gz":
        return gzip.open(path, "rt", encoding="utf-8")
    if kind == "zst":
        import zstandard

        reader = zstandard.ZstdDecompressor().stream_reader(open(path, "rb"), closefd=True, read_across_frames=True)
        return io.TextIOWrapper(reader, encoding="utf-8")
    return open(path, encoding="utf-8")


def _torn_errors() -> tuple[type[BaseException], ...]:
    try:
        import zstandard

        return (EOFError, OSError, ValueError, zstandard.ZstdError)
    except ImportError:
        return (EOFError, OSError, ValueError)


TORN = _torn_errors()  # what reading a torn or truncated file raises
