"""Dedup's first pass, the costly part: each piece of the inputs hashed, in worker processes when jobs > 1.

A piece (two megabytes of JSON lines, or 128 rows: see `read`) goes to a worker of the shared chunk pool
(cleaners.run.chunkpool), which shingles and MinHashes its records and sends back only their rows
(`SignedPiece`), no text; results come back in input order whatever the number of jobs. A worker that dies
stops the run: hashing has no page-specific crash to retry around.
"""
from __future__ import annotations

import pickle
import signal
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, islice
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

from cleaners.tools.dedup.index import Signed, sign
from cleaners.tools.dedup.minhash import MinHasher
from cleaners.tools.dedup.output import body_end
from cleaners.tools.dedup.read import ByteRange, DedupFields, Lines, Piece, Rows, items, parse

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

    `errors` are (the item's line in its ByteRange, its key or None while the ByteRange's first line is not known,
    reason, detail); `lines` counts the lines of a ByteRange, blank ones included. `where` and `body` (for records
    of a ByteRange, -1 otherwise) are the file offset of the line and the bytes of it before its closing brace,
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
        body.append(body_end(item.payload) if item.offset >= 0 else -1)
    return SignedPiece(sign(records, task.hasher, task.keep), errors, np.array(where, dtype=np.int64),
                       np.array(body, dtype=np.int64), sum(lines))


# ---- in worker processes --------------------------------------------------------------------------------------


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
    if isinstance(piece, ByteRange):
        return f"{piece.path} (at byte {piece.offset:,})"
    if isinstance(piece, Rows):
        return f"{piece.path}:{piece.first_row}"
    if isinstance(piece, Lines):
        return f"{piece.path}:{piece.lines[0][0]}" if piece.lines else piece.path
    return piece.keys[0] if piece.keys else "?"
