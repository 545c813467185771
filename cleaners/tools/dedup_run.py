"""`newsclean dedup` over files: hash in worker processes, cluster, then write; two streaming passes.

Pass one reads every record once and keeps only its `SignatureIndex` row (signature, band hashes, id, and the
date or length `--keep` goes by); the texts are dropped as soon as they are hashed, so memory grows by the
signatures (about 0.7 KiB a record), not by the texts. With `jobs` > 1 the hashing (shingling and MinHash, the
cost) runs in worker processes, a piece at a time (half a megabyte of JSON lines, or 128 rows), and the pieces
come back in input order whatever their number. Clustering then runs on the index alone. Pass two reads the
inputs again, piece for piece as in pass one, and writes each record with its `dup_cluster`: a JSON line is
written as it was read, the field added before its closing brace, so writing costs no parsing.

Every item ends up written (or dropped by `--drop`) or in the errors file with a reason (`bad_json`,
`too_large`, `truncated`, `unreadable`, `unwritable`). An input that changes between the passes stops the run.
"""
from __future__ import annotations

import errno
import json
import os
import pickle
import signal
import sys
from array import array
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from itertools import chain, islice
from multiprocessing.connection import Connection
from typing import Any

import numpy as np
from tqdm import tqdm

from cleaners.io.files import errors_path
from cleaners.io.guard import output_lock, plan_output
from cleaners.io.items import ReaderError
from cleaners.io.outputs import PART, output_kind
from cleaners.io.writers import RecordWriter, StdoutWriter, error_key
from cleaners.tools.dedup import DedupConfig, Grouping, SignatureIndex, Signed, cluster, sign
from cleaners.tools.dedup_read import (
    DedupFields,
    Lines,
    Piece,
    Rows,
    Span,
    is_compressed,
    is_parquet,
    items,
    jsonable,
    parquet_rows,
    parse,
    pieces,
)
from cleaners.tools.minhash import MinHasher

FIELD = "dup_cluster"
_FIELD_BYTES = json.dumps(FIELD).encode()
IN_FLIGHT_PER_JOB = 4  # pieces read ahead per worker: enough to keep them busy, few enough to bound memory
MAX_WAIT = 600.0  # seconds without any piece back before the workers are taken to be stuck


@dataclass(frozen=True)
class SignTask:
    """What a worker needs to hash pieces: fields, permutations and bands, and what --keep goes by."""

    fields: DedupFields
    hasher: MinHasher
    keep: str


@dataclass
class SignedPiece:
    """A piece hashed: the rows of its records, its items that are errors, and where each record's line is.

    `errors` are (the item's line in its Span, its key or None while the Span's first line is not known,
    reason, detail); `lines` counts the lines of a Span, blank ones included. `where` and `body` (for records
    of a Span, -1 otherwise) are the file offset of the line and the bytes of it before its closing brace,
    where the second pass inserts the cluster: -1 when the line cannot be extended that way (it already has
    the field, or is `{}`) and is parsed and encoded instead."""

    signed: Signed
    errors: list[tuple[int, str | None, str, str]]
    where: np.ndarray
    body: np.ndarray
    lines: int = 0


def sign_piece(piece: Piece, task: SignTask) -> SignedPiece:
    """Hash the records of a piece; an item that is not a readable JSON object is an error entry, not a stop."""
    f = task.fields
    records: list[tuple[Any, Any, Any]] = []
    errors: list[tuple[int, str | None, str, str]] = []
    where: list[int] = []
    body: list[int] = []
    lines: list[int] = []
    for item in items(piece, lines):
        if item.error is not None:
            errors.append((item.line, item.key, *item.error))
            continue
        try:
            rec = parse(item.payload or b"")
        except (ValueError, RecursionError) as exc:  # UnicodeDecodeError included
            errors.append((item.line, item.key, "bad_json", str(exc)))
            continue
        records.append((rec.get(f.text), rec.get(f.id), rec.get(f.published)))
        where.append(item.offset)
        body.append(_body(item.payload) if item.offset >= 0 else -1)
    return SignedPiece(sign(records, task.hasher, task.keep), errors, np.array(where, dtype=np.int64),
                       np.array(body, dtype=np.int64), sum(lines))


def _body(line: Any) -> int:
    """The bytes of a JSON object's line before its closing brace, or -1 if the cluster cannot go there."""
    if not isinstance(line, bytes):
        return -1
    stripped = line.rstrip()
    if stripped.lstrip()[:1] != b"{" or stripped[-1:] != b"}" or _FIELD_BYTES in stripped:
        return -1
    if not stripped.lstrip()[1:-1].strip():  # `{}`: no comma before the field
        return -1
    return len(stripped) - 1


def _entry(key: str, reason: str, detail: str) -> dict[str, Any]:
    return {"source": key, "error": f"{reason}: {detail}", "reason": reason}


# ---- pass one in worker processes --------------------------------------------------------------------------


def _sign_worker(conn: Connection, inherited: list[Connection], task: SignTask, parent_pid: int) -> None:
    """A worker of the chunk pool (cleaners.run.workers.serve): a pickled piece in, its pickled SignedPiece out."""
    from cleaners.run.workers import serve

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops the workers
    signal.signal(signal.SIGTERM, signal.SIG_DFL)

    def handle(piece: Piece) -> bytes:
        return pickle.dumps(sign_piece(piece, task), pickle.HIGHEST_PROTOCOL)

    serve(conn, handle, parent_pid=parent_pid, inherited=inherited)


def signed_pieces(source: Iterable[Piece], task: SignTask, jobs: int = 1) -> Iterator[tuple[Piece, SignedPiece]]:
    """Each piece with its hashes, in input order; with `jobs` > 1 hashed in that many worker processes, at most
    IN_FLIGHT_PER_JOB pieces per worker read ahead. Fewer pieces than jobs are hashed in-process."""
    it = iter(source)
    head = list(islice(it, max(1, jobs)))
    if jobs <= 1 or len(head) < jobs:
        for piece in chain(head, it):
            yield piece, sign_piece(piece, task)
        return
    import multiprocessing as mp

    from cleaners.run.chunkpool import ChunkPool

    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    pool = ChunkPool(ctx, jobs, _sign_worker, (task,), max_chunks=1 << 62)
    try:
        yield from _in_order(chain(head, it), pool, IN_FLIGHT_PER_JOB * jobs)
    finally:
        pool.close()


def _in_order(source: Iterator[Piece], pool: Any, in_flight: int) -> Iterator[tuple[Piece, SignedPiece]]:
    """Send pieces to idle workers, yield results in input order (a worker that dies stops the run: hashing has
    no page-specific crash to retry around, so it is the machine, out of memory)."""
    from cleaners.run.chunkpool import Task, WorkerError
    from cleaners.run.chunks import how_it_ended

    sent: dict[int, Piece] = {}
    done: dict[int, SignedPiece] = {}
    next_seq = next_out = 0
    exhausted = False
    while True:
        for worker in pool.idle():
            if exhausted or next_seq - next_out >= in_flight:
                break
            piece = next(source, None)
            if piece is None:
                exhausted = True
                break
            key = _first_key(piece)
            pool.send(worker, Task(next_seq, pickle.dumps(piece, pickle.HIGHEST_PROTOCOL), (key, key)))
            sent[next_seq] = piece
            next_seq += 1
        while next_out in done:
            yield sent.pop(next_out), done.pop(next_out)
            next_out += 1
        if exhausted and next_out == next_seq:
            return
        if not pool.busy():
            continue
        results, died = pool.receive(MAX_WAIT)
        if died:
            task, code = died[0]
            raise WorkerError(f"a worker process died ({how_it_ended(code)}) while hashing the records from "
                              f"{task.keys[0]}; nothing was written")
        for task, data in results:
            done[task.seq] = pickle.loads(data)


def _first_key(piece: Piece) -> str:
    if isinstance(piece, Span):
        return f"{piece.path} (at byte {piece.offset:,})"
    if isinstance(piece, Rows):
        return f"{piece.path}:{piece.first_row}"
    if isinstance(piece, Lines):
        return f"{piece.path}:{piece.lines[0][0]}" if piece.lines else piece.path
    return piece.keys[0] if piece.keys else "?"


# ---- the run -----------------------------------------------------------------------------------------------


@dataclass
class DedupSummary:
    records: int = 0
    clusters: int = 0
    duplicates: int = 0
    written: int = 0
    without_text: int = 0
    errors: Counter = field(default_factory=Counter)
    outputs: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"records: {self.records}  clusters: {self.clusters}  near-duplicates: {self.duplicates}"
               f"  written: {self.written}"]
        if self.without_text:
            out.append(f"records without text (each its own cluster): {self.without_text}")
        if self.errors:
            out.append(f"errors: {sum(self.errors.values())} ("
                       + ", ".join(f"{k} {v}" for k, v in self.errors.most_common()) + ")")
        return out


def dedup_files(inputs: list[str], output: str, config: DedupConfig | None = None, *,
                fields: DedupFields | None = None, jobs: int = 1, drop: bool = False,
                progress: bool | None = None) -> DedupSummary:
    """Mark (or with `drop`, drop) near-duplicates of JSON Lines and Parquet `inputs` into `output` (JSON Lines,
    .gz, .zst or Parquet; `-` for stdout), item errors into its errors file (standard error for a stream).

    `progress` None shows the bars when standard error is a terminal. OutputError when the output is an input or
    is being written by another run; ReaderError for an input that changed between the passes."""
    config = config or DedupConfig()
    fields = fields or DedupFields()
    plan = plan_output(output, inputs)
    task = SignTask(fields, config.hasher(), config.keep)
    disable = (not progress) if progress is not None else None
    summary = DedupSummary()
    before = _fingerprint(inputs)
    with output_lock(plan):
        errs = StdoutWriter(sys.stderr) if plan.stream else RecordWriter(errors_path(output) or "-", key=error_key)
        try:
            with errs:
                index, layout = _first_pass(inputs, task, jobs, errs, summary, disable)
                grouping = cluster(index, config, task.hasher)
                summary.records, summary.clusters = index.count, grouping.clusters
                summary.duplicates = grouping.duplicates
                if _fingerprint(inputs) != before:
                    raise ReaderError("an input changed while it was read: run again on inputs that stay put")
                if plan.stream:
                    out: Any = StdoutWriter()
                elif output_kind(output) == "plain":
                    out = PlainOutput(output)
                else:
                    out = RecordWriter(output)
                with out:
                    _second_pass(inputs, index, grouping, layout, out, errs, drop, summary, disable)
        except BaseException:
            if not plan.stream:  # nothing to resume: a dedup run is redone whole
                for part in (output + PART, (errors_path(output) or "") + PART):
                    if os.path.exists(part):
                        os.unlink(part)
            raise
    summary.outputs = [] if plan.stream else [output]
    return summary


def _fingerprint(paths: list[str]) -> list[tuple[int, int]]:
    out = []
    for p in paths:
        st = os.stat(p)
        out.append((st.st_size, st.st_mtime_ns))
    return out


@dataclass
class Layout:
    """Where the records are, for the second pass: the keys of the items that are error entries, the number of
    records of each piece, each record's line (`SignedPiece.where` and `body`), and the pieces of the plain
    JSON Lines inputs, which the second pass takes as they are instead of scanning the files again."""

    failed: set[str] = field(default_factory=set)
    per_piece: array = field(default_factory=lambda: array("q"))
    replay: dict[int, list[Piece]] = field(default_factory=dict)
    _where: list[np.ndarray] = field(default_factory=list)
    _body: list[np.ndarray] = field(default_factory=list)

    def add(self, source: int, piece: Piece, signed: SignedPiece, errors: list[dict[str, Any]], plain: bool) -> None:
        self.failed.update(e["source"] for e in errors)
        self.per_piece.append(len(signed.signed))
        self._where.append(signed.where)
        self._body.append(signed.body)
        if plain:
            self.replay.setdefault(source, []).append(piece)

    def lines(self) -> tuple[np.ndarray, np.ndarray]:
        join = lambda parts: np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)  # noqa: E731
        return join(self._where), join(self._body)

    def pieces(self, inputs: list[str]) -> Iterator[Piece]:
        """The pieces of the inputs again: those of plain JSON Lines as pass one found them, the others read."""
        for k, path in enumerate(inputs):
            yield from self.replay.get(k, ()) if _plain_jsonl(path) else pieces([path])


def _plain_jsonl(path: str) -> bool:
    return not is_parquet(path) and not is_compressed(path)


def _first_pass(inputs: list[str], task: SignTask, jobs: int, errs: Any, summary: DedupSummary,
                disable: bool | None) -> tuple[SignatureIndex, Layout]:
    """Hash every record: the index for clustering, and the layout for writing."""
    index = SignatureIndex(num_perm=task.hasher.num_perm, keep=task.keep)
    layout = Layout()
    f = task.fields
    origin: deque[int] = deque()  # the input of each piece read and not yet back

    def source() -> Iterator[Piece]:
        for k, path in enumerate(inputs):
            for piece in pieces([path], [f.text, f.id, f.published]):
                origin.append(k)
                yield piece

    by_bytes = all(_plain_jsonl(p) for p in inputs)
    bar_total = sum(os.path.getsize(p) for p in inputs) if by_bytes else parquet_rows(inputs)
    with tqdm(desc="dedup: hashing", total=bar_total, unit="B" if by_bytes else "doc", unit_scale=by_bytes,
              file=sys.stderr, disable=disable) as bar:
        next_line: dict[int, int] = {}  # the number of the next Span's first line, by input
        for piece, signed in signed_pieces(source(), task, jobs):
            k = origin.popleft()
            first_line = 0
            if isinstance(piece, Span):  # its lines are numbered now that those before it are counted
                first_line = next_line.get(k, 1)
                piece = replace(piece, first_line=first_line)
                next_line[k] = first_line + signed.lines
            errors = [_entry(key or f"{inputs[k]}:{first_line + line}", reason, detail)
                      for line, key, reason, detail in signed.errors]
            for entry in errors:
                errs.write(entry)
                summary.errors[entry["reason"]] += 1
            index.add(signed.signed)
            layout.add(k, piece, signed, errors, _plain_jsonl(inputs[k]))
            summary.without_text += int(len(signed.signed) - signed.signed.has.sum())
            bar.update(piece.size if by_bytes else len(signed.signed) + len(signed.errors))
    return index, layout


def _second_pass(inputs: list[str], index: SignatureIndex, grouping: Grouping, layout: Layout, out: Any,
                 errs: Any, drop: bool, summary: DedupSummary, disable: bool | None) -> None:
    """Write every record again with its cluster, in input order, piece for piece as pass one read them.

    Into a plain JSON Lines file, the lines of a Span are copied from the input by the kernel, the cluster
    written between each line's body and its closing brace; otherwise every item is read again."""
    where, body = layout.lines()
    wanted = ~grouping.keep if drop else np.zeros(index.count, dtype=bool)
    record = 0
    sources: dict[str, int] = {}
    with tqdm(desc="dedup: writing", total=index.count, unit="doc", file=sys.stderr, disable=disable) as bar:
        try:
            for n, piece in enumerate(layout.pieces(inputs)):
                if n >= len(layout.per_piece):
                    raise ReaderError(f"{piece.path}: more records than when it was first read (changed during "
                                      "the run?)")
                first, count = record, int(layout.per_piece[n])
                record += count
                if isinstance(out, PlainOutput) and isinstance(piece, Span) and (body[first:record] >= 0).all():
                    if piece.path not in sources:
                        sources[piece.path] = os.open(piece.path, os.O_RDONLY | os.O_CLOEXEC)
                    skip = wanted[first:record]
                    rows = np.flatnonzero(~skip) + first
                    out.copy_lines(sources[piece.path], where[rows].tolist(), body[rows].tolist(),
                                   [_TAIL + index.cluster_json(r) + b"}\n" for r in grouping.roots[rows].tolist()])
                    summary.written += len(rows)
                else:
                    _write_items(piece, first, count, index, grouping, layout, wanted, out, errs, summary)
                out.flush()
                bar.update(count)
        finally:
            for fd in sources.values():
                os.close(fd)
    if record != index.count:
        raise ReaderError("the inputs hold fewer records than when they were first read (changed during the run?)")


def _write_items(piece: Piece, first: int, count: int, index: SignatureIndex, grouping: Grouping, layout: Layout,
                 wanted: np.ndarray, out: Any, errs: Any, summary: DedupSummary) -> None:
    """The records of a piece read again, one by one: the `count` items that were records in pass one."""
    i = first
    lines = out.takes_lines
    for item in items(piece):
        if item.key in layout.failed:
            continue
        if i >= first + count:
            raise ReaderError(f"{item.key}: more records than when it was first read (changed during the run?)")
        at = i
        i += 1
        if item.error is not None:  # read in pass one, not now (a column pass one did not read)
            errs.write(_entry(item.key, *item.error))
            summary.errors[item.error[0]] += 1
            continue
        if wanted[at]:
            continue
        cluster_id = index.cluster_id(int(grouping.roots[at]))
        try:
            if lines:
                out.write_line(_line(item.payload, cluster_id))
            else:
                out.write(_row(item.payload, cluster_id))
        except (TypeError, ValueError) as exc:
            errs.write(_entry(item.key, "unwritable", str(exc)))
            summary.errors["unwritable"] += 1
            continue
        summary.written += 1
    if i != first + count:
        raise ReaderError(f"{piece.path}: fewer records than when it was first read (changed during the run?)")


_TAIL = b", " + _FIELD_BYTES + b": "  # what follows a line's body: this, the cluster, the closing brace


def _tail(cluster_id: str) -> bytes:
    return _TAIL + _json(cluster_id) + b"}\n"


def _line(payload: Any, cluster_id: str) -> bytes:
    """The output line of a record: a JSON line as it was read with the cluster added before its closing brace
    (no parsing), or, when the line already has the field or is `{}`, parsed and encoded."""
    if (cut := _body(payload)) >= 0:
        return payload[:cut] + _tail(cluster_id)
    rec = dict(parse(payload))
    rec[FIELD] = cluster_id
    return _json(rec) + b"\n"


def _row(payload: Any, cluster_id: str) -> dict[str, Any]:
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
    """UTF-8 JSON as `jsonl.encode_line` writes it; escaped when a string holds a lone surrogate."""
    try:
        return json.dumps(value, ensure_ascii=False, default=jsonable).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, default=jsonable).encode("ascii")


# ---- a plain JSON Lines output that input bytes are copied into ------------------------------------------------

_NO_COPY = {errno.EXDEV, errno.ENOSYS, errno.EOPNOTSUPP, errno.EINVAL, errno.EBADF, errno.EPERM}


class PlainOutput:
    """A JSON Lines file written as `OUT.part` and renamed when complete (as `RecordWriter` does), into which byte
    ranges of an input are copied by the kernel (`os.copy_file_range`): the lines' bytes never pass through this
    process. Where the kernel cannot (another file system on an old kernel), they are read and written."""

    takes_lines = True

    def __init__(self, path: str) -> None:
        self.path = path
        self.part = path + PART
        self._fd = -1
        self._copy = hasattr(os, "copy_file_range")

    def __enter__(self) -> PlainOutput:
        os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        self._fd = os.open(self.part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
        return self

    def write_line(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view):]

    def copy(self, source: int, offset: int, length: int) -> None:
        """Bytes `offset` to `offset + length` of the file open as `source`, appended."""
        while length > 0 and self._copy:
            try:
                n = os.copy_file_range(source, self._fd, length, offset)
            except OSError as exc:
                if exc.errno not in _NO_COPY:
                    raise
                self._copy = False
                break
            if n == 0:
                raise ReaderError("an input is shorter than when it was first read (changed during the run?)")
            offset, length = offset + n, length - n
        while length > 0:
            data = os.pread(source, min(length, 1 << 20), offset)
            if not data:
                raise ReaderError("an input is shorter than when it was first read (changed during the run?)")
            self.write_line(data)
            offset, length = offset + len(data), length - len(data)

    def copy_lines(self, source: int, where: list[int], body: list[int], tails: list[bytes]) -> None:
        """For each line: its body (`body` bytes at `where` in `source`) copied, then its tail written."""
        for offset, length, tail in zip(where, body, tails, strict=True):
            n = 0
            if self._copy:
                try:
                    n = os.copy_file_range(source, self._fd, length, offset)
                except OSError as exc:
                    if exc.errno not in _NO_COPY:
                        raise
                    self._copy = False
            if n != length:  # copied in part (the kernel may stop short) or not at all
                self.copy(source, offset + n, length - n)
            self.write_line(tail)

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
