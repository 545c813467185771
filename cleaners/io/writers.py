"""Writers: records to JSON Lines (plain, .gz, .zst) or Parquet, optionally in shards, safe to resume.

Every file is written as `NAME.part` beside its final name and renamed into place when complete, so a file
under its final name is never half-written (the guarantee `AtomicJsonl` gives a single file). Without
sharding the output is one shard that is renamed at the end of the run; with `shard_size` each shard is
renamed as soon as it is full. A run that is killed leaves at most one `.part` per output: `resume=True`
reads the keys of everything already written (final shards and the `.part`, whose torn last line is cut
off), and appends to it, so each input ends exactly once. Records are flushed per batch by the caller.
"""
from __future__ import annotations

import glob
import gzip
import io
import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from typing import IO, Any

JSONL_OUTPUTS = (".jsonl.gz", ".jsonl.zst", ".jsonl")
PARQUET_OUTPUTS = (".parquet",)
PART = ".part"
ROW_GROUP = 1000  # Parquet rows buffered before a row group is written


class OutputError(ValueError):
    """An output name we cannot write (unknown suffix, or a shard/format combination we do not support)."""


def split_output(output: str) -> tuple[str, str]:
    """`out.jsonl.gz` -> (`out`, `.jsonl.gz`); a name without a known suffix is JSON Lines as it is."""
    lower = output.lower()
    for suffix in (*JSONL_OUTPUTS, *PARQUET_OUTPUTS):
        if lower.endswith(suffix):
            return output[: -len(suffix)], output[-len(suffix):]
    return output, ""


def output_kind(output: str) -> str:
    """`parquet`, `gz`, `zst` or `plain` (JSON Lines)."""
    suffix = split_output(output)[1].lower()
    if suffix == ".parquet":
        return "parquet"
    return {".jsonl.gz": "gz", ".jsonl.zst": "zst"}.get(suffix, "plain")


def shard_name(output: str, index: int) -> str:
    stem, suffix = split_output(output)
    return f"{stem}-{index:05d}{suffix}"


def existing_shards(output: str, part: bool = False) -> list[str]:
    """Complete shards of `output` on disk (or their `.part` files), in index order."""
    stem, suffix = split_output(output)
    suffix += PART if part else ""
    pattern = re.compile(re.escape(os.path.basename(stem)) + r"-\d{5}" + re.escape(suffix) + "$")
    found = [p for p in glob.glob(glob.escape(stem) + "-[0-9]*" + glob.escape(suffix))
             if pattern.fullmatch(os.path.basename(p))]
    return sorted(found)


# ---- reading back (resume, dedup) -------------------------------------------------------------------------


def iter_records(path: str, strict: bool = False) -> Iterator[dict[str, Any]]:
    """Records of a JSON Lines (plain, .gz, .zst) or Parquet file.

    By default it stops quietly at a torn or truncated tail (what a kill leaves, for resume); `strict`
    raises instead (for files given as input).
    """
    if output_kind(path.removesuffix(".old").removesuffix(PART)) == "parquet":
        yield from _iter_parquet(path, strict)
        return
    try:
        with _open_part(path) as fh:
            for line in fh:
                if not line.endswith("\n") and not strict:
                    return
                if line.strip():
                    yield json.loads(line)
    except _TORN:
        if strict:
            raise
        return


def _torn_errors() -> tuple[type[BaseException], ...]:
    try:
        import zstandard

        return (EOFError, OSError, ValueError, zstandard.ZstdError)
    except ImportError:
        return (EOFError, OSError, ValueError)


_TORN = _torn_errors()


def _open_part(path: str) -> IO[str]:
    """A text stream over a JSON Lines file, `.part` or not, plain or compressed (by the final suffix)."""
    kind = output_kind(path.removesuffix(PART).removesuffix(".old").removesuffix(PART))
    if kind == "gz":
        return gzip.open(path, "rt", encoding="utf-8")
    if kind == "zst":
        import zstandard

        reader = zstandard.ZstdDecompressor().stream_reader(open(path, "rb"), closefd=True, read_across_frames=True)
        return io.TextIOWrapper(reader, encoding="utf-8")
    return open(path, encoding="utf-8")


def _iter_parquet(path: str, strict: bool = False) -> Iterator[dict[str, Any]]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception:  # a .part without its footer: nothing in it can be read
        if strict:
            raise
        return
    json_cols = set(pf.schema_arrow.metadata.get(b"newsclean_json", b"").decode().split(",")) \
        if pf.schema_arrow.metadata else set()
    for batch in pf.iter_batches(batch_size=ROW_GROUP):
        for row in batch.to_pylist():
            for col in json_cols & row.keys():
                if isinstance(row[col], str):
                    row[col] = json.loads(row[col])
            yield row


# ---- one shard file ---------------------------------------------------------------------------------------


def encode_line(record: dict[str, Any]) -> bytes:
    """One JSON Lines line, UTF-8. The only place a record becomes bytes: worker processes encode with it and
    the in-process path writes through it, so the output is the same byte for byte whatever the number of jobs.

    A string UTF-8 cannot hold (a lone surrogate: a file name that was not UTF-8) is written escaped, as JSON
    allows, rather than failing the run; that line then has every non-ASCII character escaped.
    """
    try:
        return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    except UnicodeEncodeError:
        return (json.dumps(record) + "\n").encode("ascii")


class _JsonlFile:
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


class _ParquetFile:
    """Rows buffered into row groups, written with the record schema (cleaners.schema); fields a record carries
    beyond it (--keep-fields, dup_cluster) are typed from the first row group (see `extra_fields`)."""

    takes_lines = False  # Parquet needs the record dicts

    def __init__(self, path: str) -> None:
        self.path = path
        self._rows: list[dict[str, Any]] = []
        self._writer = None
        self._schema = None

    def write(self, record: dict[str, Any]) -> None:
        self._rows.append(record)
        if len(self._rows) >= ROW_GROUP:
            self._write_group()

    def flush(self) -> None:  # Parquet is readable only once closed: rows wait for their row group
        return None

    def _write_group(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not self._rows:
            return
        if self._schema is None:
            self._schema = record_schema(self._rows)
            self._writer = pq.ParquetWriter(self.path, self._schema, compression="zstd")
        columns = {f.name: [_coerce(r.get(f.name), f.type) for r in self._rows] for f in self._schema}
        self._writer.write_table(pa.Table.from_pydict(columns, schema=self._schema))
        self._rows = []

    def close(self, sync: bool = True) -> None:
        self._write_group()
        if self._writer is None:  # an empty shard still gets a valid (empty) file, with the record's columns
            import pyarrow.parquet as pq

            from cleaners.schema import arrow_schema

            pq.write_table(arrow_schema().empty_table(), self.path)
        else:
            self._writer.close()


def record_schema(rows: list[dict[str, Any]]):
    """The record schema, with the fields the rows carry beyond it appended (see `extra_fields`)."""
    from cleaners.schema import arrow_schema, field_names

    extra, json_cols = extra_fields(rows, set(field_names()))
    return arrow_schema(extra, tuple(json_cols))


def extra_fields(rows: list[dict[str, Any]], known: set[str]) -> tuple[dict[str, Any], list[str]]:
    """Types of the fields outside the record schema, from the first rows: scalars as they are, lists of strings
    as lists, anything nested (dicts, other lists) as a JSON string, listed so that readers decode it."""
    import pyarrow as pa

    names = [k for k in dict.fromkeys(k for r in rows for k in r) if k not in known]
    fields, json_cols = {}, []
    for name in names:
        sample = next((r[name] for r in rows if r.get(name) is not None), None)
        if isinstance(sample, bool):
            typ = pa.bool_()
        elif isinstance(sample, int):
            typ = pa.int64()
        elif isinstance(sample, float):
            typ = pa.float64()
        elif isinstance(sample, list) and all(isinstance(x, str) for x in sample):
            typ = pa.list_(pa.string())
        elif isinstance(sample, dict | list):
            typ = pa.string()
            json_cols.append(name)
        else:
            typ = pa.string()
        fields[name] = typ
    return fields, json_cols


def _coerce(value: Any, typ) -> Any:
    """A value as its column's type takes it; nested values of the record schema are passed on as they are."""
    import pyarrow as pa

    if value is None or pa.types.is_struct(typ):
        return value
    if pa.types.is_string(typ):
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if pa.types.is_list(typ):
        if not pa.types.is_string(typ.value_type):
            return value
        return [str(x) for x in value] if isinstance(value, list) else [str(value)]
    if pa.types.is_floating(typ):
        return float(value) if isinstance(value, int | float) else None
    if pa.types.is_boolean(typ):
        return value if isinstance(value, bool) else None
    if pa.types.is_integer(typ):
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    return value


def _open_shard(path: str, kind: str, append: bool = False) -> _JsonlFile | _ParquetFile:
    return _ParquetFile(path) if kind == "parquet" else _JsonlFile(path, kind, append)


def _truncate_torn_line(path: str) -> None:
    """Cut a plain JSON Lines file after its last newline (a kill can leave half a line)."""
    with open(path, "rb+") as fh:
        size = fh.seek(0, os.SEEK_END)
        pos, block = size, 65536
        while pos > 0:
            start = max(0, pos - block)
            fh.seek(start)
            chunk = fh.read(pos - start)
            nl = chunk.rfind(b"\n")
            if nl >= 0:
                fh.truncate(start + nl + 1)
                return
            pos = start
        fh.truncate(0)


# ---- a sharded, resumable output --------------------------------------------------------------------------


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
        self._file: _JsonlFile | _ParquetFile | None = None

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
            _truncate_torn_line(part)
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

    def _next_file(self) -> _JsonlFile | _ParquetFile:
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
