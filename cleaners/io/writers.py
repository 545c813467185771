"""Writers: records to JSON Lines (plain, .gz, .zst) or Parquet, optionally in shards, safe to resume.

Every file is written as `NAME.part` beside its final name and renamed into place when complete, so a file
under its final name is never half-written. Without
sharding the output is one shard that is renamed at the end of the run; with `shard_size` each shard is
renamed as soon as it is full. A run that is killed leaves at most one `.part` per output: `resume=True`
reads the keys of everything already written (final shards and the `.part`, whose torn last line is cut
off), and appends to it, so each input ends exactly once. Records are flushed per batch by the caller.
"""
from __future__ import annotations

import glob
import os
import sys
from collections.abc import Callable
from typing import IO, Any

from cleaners.io.jsonl_out import JsonlFile, encode_line, truncate_torn_line
from cleaners.io.outputs import PART, OutputError, existing_shards, iter_records, output_kind, shard_name
from cleaners.io.parquet_out import ParquetFile


def _open_shard(path: str, kind: str, append: bool = False) -> JsonlFile | ParquetFile:
    return ParquetFile(path) if kind == "parquet" else JsonlFile(path, kind, append)


def record_key(record: dict[str, Any]) -> str | None:
    """The input a record came from: `provenance.source` (what --resume skips)."""
    prov = record.get("provenance")
    return prov.get("source") if isinstance(prov, dict) else None


def error_key(entry: dict[str, Any]) -> str | None:
    return entry.get("source")


class RecordWriter:
    """Records to `output` (or its shards with `shard_size`), through `.part` files renamed when complete.

    `resume=True` keeps what is on disk and exposes the keys already written in `done`; otherwise earlier
    shards and `.part` files of the same output are replaced. On an exception the `.part` is kept (flushed),
    so that `--resume` can continue it; the final names are untouched.
    """

    def __init__(self, output: str, *, shard_size: int | None = None, resume: bool = False,
                 key: Callable[[dict[str, Any]], str | None] = record_key) -> None:
        if shard_size is not None and shard_size < 1:
            raise OutputError("--shard-size must be at least 1")
        self.output = output
        self.kind = output_kind(output)
        self.shard_size = shard_size
        self.resume = resume
        self.key = key
        self.done: set[str] = set()
        self.count = 0  # records written by this run
        self.paths: list[str] = []  # final files written (or kept) by this run
        self._index = 0
        self._in_shard = 0
        self._file: JsonlFile | ParquetFile | None = None

    # -- names
    def _final(self, index: int) -> str:
        return shard_name(self.output, index) if self.shard_size else self.output

    def __enter__(self) -> RecordWriter:
        directory = os.path.dirname(os.path.abspath(self.output))
        os.makedirs(directory, exist_ok=True)
        if self.resume:
            self._open_resumed()
        else:
            stale = existing_shards(self.output, part=True) if self.shard_size else []
            for path in [*glob.glob(glob.escape(self.output) + PART), *stale]:
                os.unlink(path)
            if self.shard_size:
                for old in existing_shards(self.output):  # a new run replaces the old shards
                    os.unlink(old)
            self._file = _open_shard(self._final(0) + PART, self.kind)
        return self

    def _open_resumed(self) -> None:
        if self.shard_size:
            for path in existing_shards(self.output):
                for rec in iter_records(path):
                    if (k := self.key(rec)) is not None:
                        self.done.add(k)
                self.paths.append(path)
            self._index = len(self.paths)
        part = self._final(self._index) + PART
        if not os.path.exists(part) and not self.shard_size and os.path.exists(self.output):
            os.replace(self.output, part)  # a finished output: reopen it, append what is missing
        if not os.path.exists(part):
            self._file = _open_shard(part, self.kind)
            return
        if self.kind == "plain":
            truncate_torn_line(part)
            for rec in iter_records(part):
                self._note(rec)
            self._file = _open_shard(part, self.kind, append=True)
            return
        # compressed or Parquet: a torn tail cannot be appended to, so copy what can be read into a new file
        old = part + ".old"
        os.replace(part, old)
        self._file = _open_shard(part, self.kind)
        for rec in iter_records(old):
            self._note(rec)
            self._file.write(rec)
        os.unlink(old)

    def _note(self, rec: dict[str, Any]) -> None:
        if (k := self.key(rec)) is not None:
            self.done.add(k)
        self._in_shard += 1

    @property
    def takes_lines(self) -> bool:
        """True when records may arrive as encoded JSON lines (`write_line`): every output but Parquet."""
        return self.kind != "parquet"

    def write(self, record: dict[str, Any]) -> None:
        self._next_file().write(record)
        self._in_shard += 1
        self.count += 1

    def write_line(self, line: bytes) -> None:
        """One record already encoded by `encode_line` (a JSON Lines output only)."""
        self._next_file().write_line(line)  # type: ignore[union-attr]
        self._in_shard += 1
        self.count += 1

    def _next_file(self) -> JsonlFile | ParquetFile:
        """The shard the next record goes to, opening the next one when the current shard is full."""
        assert self._file is not None
        if self.shard_size and self._in_shard >= self.shard_size:
            self._finish_shard()
            self._index += 1
            self._file = _open_shard(self._final(self._index) + PART, self.kind)
        return self._file

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def _finish_shard(self) -> None:
        assert self._file is not None
        self._file.close()
        final = self._final(self._index)
        os.replace(final + PART, final)
        self.paths.append(final)
        self._file = None
        self._in_shard = 0

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if self._file is None:
            return
        if exc_type is None:
            if self.shard_size and self._in_shard == 0 and self.paths:
                self._file.close(sync=False)  # nothing went into this shard: no empty trailing file
                os.unlink(self._final(self._index) + PART)
                self._file = None
                return
            self._finish_shard()
        else:
            try:
                self._file.close(sync=False)  # keep what was written for --resume
            except Exception:
                pass
            self._file = None


class StdoutWriter:
    """JSON Lines to standard output (`-o -`): no shards, no resume."""

    takes_lines = True

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stdout
        self.done: set[str] = set()
        self.count = 0
        self.paths: list[str] = []

    def __enter__(self) -> StdoutWriter:
        return self

    def write(self, record: dict[str, Any]) -> None:
        self.write_line(encode_line(record))

    def write_line(self, line: bytes) -> None:
        """Bytes go to the stream's binary buffer when it has one (a terminal, a pipe); a text-only stream (a
        test's StringIO) gets them decoded."""
        buffer = getattr(self.stream, "buffer", None)
        if buffer is not None:
            self.stream.flush()  # whatever was written as text goes first
            buffer.write(line)
        else:
            self.stream.write(line.decode("utf-8"))
        self.count += 1

    def flush(self) -> None:
        buffer = getattr(self.stream, "buffer", None)
        self.stream.flush()
        if buffer is not None:
            buffer.flush()

    def __exit__(self, *exc: object) -> None:
        self.flush()
