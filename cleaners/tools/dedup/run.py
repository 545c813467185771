"""`newsclean dedup` over files: hash in worker processes, cluster, then write; two streaming passes.

Pass one reads every record once and keeps only its `SignatureIndex` row (signature, band hashes, id, and the
date or length `--keep` goes by); the texts are dropped as soon as they are hashed, so memory grows by the
signatures (about 0.7 KiB a record), not by the texts. With `jobs` > 1 the hashing (shingling and MinHash, the
cost) runs in worker processes, a piece at a time (two megabytes of JSON lines, or 128 rows), and the pieces
come back in input order whatever their number. Clustering then runs on the index alone. Pass two reads the
inputs again, piece for piece as in pass one, and writes each record with its `dup_cluster`: a JSON line is
written as it was read, the field added before its closing brace, so writing costs no parsing.

Every item ends up written (or dropped by `--drop`) or in the errors file with a reason (`bad_json`,
`too_large`, `truncated`, `unreadable`, `unwritable`). An input that changes between the passes stops the run.
"""
from __future__ import annotations

import os
import sys
from array import array
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from tqdm import tqdm

from cleaners.io.files import errors_path
from cleaners.io.guard import output_lock, plan_output
from cleaners.io.items import ReaderError
from cleaners.io.outputs import PART, output_kind
from cleaners.io.writers import RecordWriter, StdoutWriter, error_key
from cleaners.tools.dedup.cluster import Grouping, cluster
from cleaners.tools.dedup.config import DedupConfig
from cleaners.tools.dedup.hashing import SignedPiece, SignTask, signed_pieces
from cleaners.tools.dedup.index import SignatureIndex
from cleaners.tools.dedup.output import TAIL, PlainOutput, output_line, output_row
from cleaners.tools.dedup.read import (
    ByteRange,
    DedupFields,
    Piece,
    is_compressed,
    is_parquet,
    items,
    parquet_rows,
    pieces,
)


def _entry(key: str, reason: str, detail: str) -> dict[str, Any]:
    return {"source": key, "error": f"{reason}: {detail}", "reason": reason}


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
        next_line: dict[int, int] = {}  # the number of the next ByteRange's first line, by input
        for piece, signed in signed_pieces(source(), task, jobs):
            k = origin.popleft()
            first_line = 0
            if isinstance(piece, ByteRange):  # its lines are numbered now that those before it are counted
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

    Into a plain JSON Lines file, the lines of a ByteRange are copied from the input, the cluster written between each
    line's body and its closing brace; otherwise every item is read again."""
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
                if isinstance(out, PlainOutput) and isinstance(piece, ByteRange) and (body[first:record] >= 0).all():
                    if piece.path not in sources:
                        sources[piece.path] = os.open(piece.path, os.O_RDONLY | os.O_CLOEXEC)
                    skip = wanted[first:record]
                    rows = np.flatnonzero(~skip) + first
                    out.copy_lines(sources[piece.path], where[rows].tolist(), body[rows].tolist(),
                                   [TAIL + index.cluster_json(r) + b"}\n" for r in grouping.roots[rows].tolist()])
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
                out.write_line(output_line(item.payload, cluster_id))
            else:
                out.write(output_row(item.payload, cluster_id))
        except (TypeError, ValueError) as exc:
            errs.write(_entry(item.key, "unwritable", str(exc)))
            summary.errors["unwritable"] += 1
            continue
        summary.written += 1
    if i != first + count:
        raise ReaderError(f"{piece.path}: fewer records than when it was first read (changed during the run?)")
