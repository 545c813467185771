"""Cleaning input items in worker processes, streaming, in input order.

Items go to worker processes in small chunks with a bounded number of chunks read ahead, so memory stays flat
however long the input is, and results come back in input order, so output is deterministic whatever the
number of jobs. `jobs=1` runs in-process (no workers, no pickling).

With N jobs there are N workers and the parent that reads and writes, on N cores: every CPU-second the parent
spends is taken from the workers. So the workers do everything per document that they can: they read a JSON
line from its file themselves (the parent only finds where lines end), encode each record as its final JSON
line (`jsonl_out.encode_line`) and count the run summary (`Tally`); the parent writes bytes. The pool is our
own rather than `multiprocessing.Pool`, whose three helper threads in the parent (feeding tasks, collecting
results, and minding workers, which wakes on every pending result) cost the parent more CPU than its writing.

A worker that dies (a segfault in a C library, the OOM killer) must not cost the batch, nor stop it again on
every --resume: the chunk it held is cleaned again item by item, each item alone in a fresh worker, and the
item that kills its worker again ends in the errors file (reason `worker_died`). Only workers dying again and
again with nothing finished in between (the machine kills them all) stop the run, with `WorkerError`.
"""
from __future__ import annotations

import gc
import multiprocessing as mp
import pickle
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, islice
from multiprocessing.connection import Connection
from typing import Any

from cleaners.config import CleanerConfig
from cleaners.core import CleanError, Source, clean_bytes, clean_file
from cleaners.document.entry import clean_decoded
from cleaners.io.items import InputItem
from cleaners.io.jsonl_out import encode_line
from cleaners.record import Document
from cleaners.run.chunkpool import KEPT, ChunkPool, Task, WorkerError, default_jobs  # noqa: F401 (re-exported)
from cleaners.run.chunks import Chunk, Result, died, error_entry, how_it_ended, internal_entry, joined
from cleaners.run.warmup import loading, warm_up_with
from cleaners.run.workers import serve

MAX_CHUNKS_PER_WORKER = 500  # then the worker is replaced by a fresh fork: whatever a library leaks is returned
MAX_DEATHS_IN_A_ROW = 5  # worker deaths with no result in between that stop the run: no page is that bad

_config: CleanerConfig | None = None  # set once per worker process by _init


def clean_item(item: InputItem, config: CleanerConfig | None = None,
               file_cleaner: Callable[[str, CleanerConfig], Document] | None = None) -> Result:
    """Clean one item into a record dict, or an error entry; never raises for a bad page."""
    config = config or _config or CleanerConfig()
    try:
        item = item.resolve()
    except Exception as exc:  # a JSON line nested deeper than the parser recurses: not a reason to stop the run
        return "error", internal_entry(item, exc)
    if item.error is not None:
        reason, detail = item.error
        return "error", error_entry(item, f"{reason}: {detail}", reason)
    try:
        if item.path is not None:
            doc = (file_cleaner or clean_file)(item.path, config)
        elif item.raw is not None:
            doc = clean_bytes(item.raw, item.source, fmt=_bytes_fmt(item.fmt), config=config)
        else:
            doc = clean_decoded(item.text or "", item.source, fmt=item.fmt, config=config)
    except CleanError as exc:
        return "error", error_entry(item, str(exc), exc.reason)
    except Exception as exc:  # a bug on one page must not cost the batch
        return "error", internal_entry(item, exc)
    record = doc.to_dict()
    if item.id is not None:
        record["id"] = item.id
    record.update(item.fields)
    return "record", record


def _bytes_fmt(fmt: str | None) -> str | None:
    return None if fmt == "flat" else fmt


def clean_chunk(items: Iterable[InputItem], config: CleanerConfig | None = None, *, encode: bool = False,
                file_cleaner: Callable[[str, CleanerConfig], Document] | None = None) -> Chunk:
    """Clean items into a Chunk. The same function runs in-process (`jobs=1`) and in workers, so that the
    bytes written do not depend on the number of jobs."""
    out = Chunk()
    for item in items:
        kind, payload = clean_item(item, config, file_cleaner)
        if kind == "record" and encode:
            try:
                line = encode_line(payload)
            except (TypeError, ValueError) as exc:  # a carried field JSON cannot hold (a Parquet timestamp)
                kind, payload = "error", internal_entry(item, exc)
        if kind == "record":
            out.records.append(line if encode else payload)
            out.tally.add_record(payload)
        else:
            out.errors.append(encode_line(payload) if encode else payload)
            out.tally.add_error(payload)
    return out


# ---- workers -----------------------------------------------------------------------------------------------


def _init(config: CleanerConfig) -> None:
    global _config
    _config = config
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops the workers
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler, copied by fork



def _warm_up(config: CleanerConfig) -> None:
    warm_up_with(lambda page: clean_decoded(page, Source("warm-up.html"), fmt="html", config=config))


def _work(conn: Connection, inherited: list[Connection], config: CleanerConfig, encode: bool,
          parent_pid: int) -> None:
    """A worker: a pickled chunk of items in, its pickled Chunk out (cleaners.run.workers.serve)."""
    _init(config)  # first: a Ctrl-C meant for the parent must not end this worker with a traceback

    def handle(items: list[InputItem]) -> bytes:
        return pickle.dumps(clean_chunk(items, config, encode=encode), pickle.HIGHEST_PROTOCOL)

    serve(conn, handle, parent_pid=parent_pid, inherited=inherited)


def _chunks(items: Iterable[InputItem], size: int) -> Iterator[list[InputItem]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def clean_items(items: Iterable[InputItem], config: CleanerConfig | None = None, *, jobs: int = 1,
                chunk_size: int = 8, in_flight: int | None = None, encode: bool = False,
                file_cleaner: Callable[[str, CleanerConfig], Document] | None = None,
                max_chunks_per_worker: int = MAX_CHUNKS_PER_WORKER) -> Iterator[Chunk]:
    """Results chunk by chunk, in input order; at most `in_flight` chunks are read ahead of the writer.

    `encode=True` returns records and error entries as encoded JSON lines (what a JSON Lines writer takes),
    otherwise as dicts. Fewer items than one chunk per job are cleaned in-process: starting workers would cost
    more than it saves. `file_cleaner` replaces `clean_file` for page files cleaned in-process.
    """
    config = config or CleanerConfig()
    items = iter(items)
    head = list(islice(items, chunk_size * max(1, jobs)))
    if not head:
        return
    if len(head) < chunk_size * jobs:
        jobs = 1
    items = chain(head, items)
    try:
        if jobs <= 1:
            yield from _in_process(_chunks(items, chunk_size), config, encode, file_cleaner)
            return
        _warm_up(config)
        yield from _in_workers(items, config, jobs, chunk_size, in_flight or 4 * jobs, encode, max_chunks_per_worker)
    finally:
        gc.unfreeze()  # an in-process caller's heap is collected as usual again


def _in_process(chunks: Iterator[list[InputItem]], config: CleanerConfig, encode: bool,
                file_cleaner: Callable[[str, CleanerConfig], Document] | None) -> Iterator[Chunk]:
    """Chunks cleaned in this process. No warm-up page: there are no workers to share it with, and the first
    chunk loads what its own pages need and only that (the text rules of a script its pages do not hold are never
    compiled)."""
    with loading():
        first = next(chunks, None)
        result = None if first is None else clean_chunk(first, config, encode=encode, file_cleaner=file_cleaner)
    if result is None:
        return
    yield result
    for chunk in chunks:
        yield clean_chunk(chunk, config, encode=encode, file_cleaner=file_cleaner)


def _in_workers(items: Iterator[InputItem], config: CleanerConfig, jobs: int, chunk_size: int, in_flight: int,
                encode: bool, max_chunks_per_worker: int) -> Iterator[Chunk]:
    # a generous wait for any result: a worker that stops answering must not hang the run forever
    wait = max(600.0, chunk_size * (config.timeout + 5) * in_flight / jobs)
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    pool = _Pool(ctx, jobs, config, encode, max(1, max_chunks_per_worker))
    try:
        yield from _in_order(_chunks(items, chunk_size), pool, max(1, in_flight), wait)
    finally:
        pool.close()


class _Pool(ChunkPool):
    """The chunk pool with cleaning workers (`_work`), which remembers whether they encode their results."""

    def __init__(self, ctx: Any, jobs: int, config: CleanerConfig, encode: bool, max_chunks: int) -> None:
        self.encode = encode
        super().__init__(ctx, jobs, _work, (config, encode), max_chunks)


def _in_order(chunks: Iterator[list[InputItem]], pool: _Pool, in_flight: int, wait: float,
              max_deaths: int = MAX_DEATHS_IN_A_ROW) -> Iterator[Chunk]:
    """Send chunks to idle workers and yield their results in input order.

    The next chunk is read and pickled while the workers are busy, so that a worker that finishes gets its
    next chunk at once; results are written (by the consumer of this generator) only after every idle
    worker has work. At most `in_flight` chunks are read and not yet yielded.

    The chunk of a worker that died is cleaned again item by item, each in a fresh worker, before any new chunk
    (the output waits for it); an item whose worker dies again becomes a `worker_died` error entry. After
    `max_deaths` deaths in a row with no result in between, the fault is not the items': WorkerError.
    """
    order = _Order(chunks, pool, in_flight, max_deaths)
    while True:
        order.dispatch()
        yield from order.ready_in_order()
        if order.finished():
            return
        if pool.busy():
            order.collect(*pool.receive(wait))


class _Order:
    """The state of `_in_order`: chunks read, sent, cleaned again item by item, and yielded."""

    def __init__(self, chunks: Iterator[list[InputItem]], pool: _Pool, in_flight: int, max_deaths: int) -> None:
        self.chunks, self.pool, self.in_flight, self.max_deaths = chunks, pool, in_flight, max_deaths
        self.ready: dict[int, Chunk] = {}
        self.parts: dict[int, list[Chunk | None]] = {}  # the results so far of chunks cleaned again item by item
        self.retries: deque[Task] = deque()  # their items, each to clean alone in a fresh worker
        self.read = self.sent = self.yielded = self.deaths = 0
        self.pending: Task | None = None  # the next chunk, pickled
        self.exhausted = False

    def pull(self) -> None:
        """Read and pickle the next chunk, unless one is waiting or `in_flight` are out already."""
        if self.pending is not None or self.exhausted or self.read - self.yielded >= self.in_flight:
            return
        chunk = next(self.chunks, None)
        if chunk is None:
            self.exhausted = True
            return
        self.pending = Task(self.read, pickle.dumps(chunk, pickle.HIGHEST_PROTOCOL), (chunk[0].key, chunk[-1].key))
        self.read += 1

    def dispatch(self) -> None:
        """Give every idle worker a task: items cleaned again alone first, then new chunks."""
        self.pull()
        idle = self.pool.idle()
        if self.retries:  # workers that have cleaned nothing yet first: no need to replace them
            idle.sort(key=lambda w: w.chunks > 0)
        for worker in idle:
            if self.retries:
                self.pool.send(worker, self.retries.popleft(), fresh=True)
            elif self.pending is not None:
                self.pool.send(worker, self.pending)
                self.sent += 1
                self.pending = None
                self.pull()
            else:
                break

    def ready_in_order(self) -> Iterator[Chunk]:
        while self.yielded in self.ready:
            chunk = self.ready.pop(self.yielded)
            self.yielded += 1
            yield chunk

    def finished(self) -> bool:
        return self.exhausted and self.pending is None and self.yielded == self.sent

    def collect(self, results: list[tuple[Task, bytes]], dead: list[tuple[Task, int | None]]) -> None:
        """Take the workers' replies and deaths; too many deaths in a row end the run."""
        self.deaths = 0 if results else self.deaths + len(dead)
        if self.deaths >= self.max_deaths:
            task, code = dead[-1]
            raise WorkerError(f"worker processes died {self.deaths} times in a row, the last ({how_it_ended(code)})"
                              f" while cleaning {task.keys[0]} .. {task.keys[1]}; {KEPT}")
        for task, code in dead:
            if task.part is None:  # a whole chunk: its items are cleaned again, one by one
                items = pickle.loads(task.payload)
                self.parts[task.seq] = [None] * len(items)
                self.retries.extend(Task(task.seq, pickle.dumps([item], pickle.HIGHEST_PROTOCOL), (item.key, item.key),
                                         i) for i, item in enumerate(items))
            else:
                self.done(task, died(pickle.loads(task.payload)[0], code, self.pool.encode))
        for task, data in results:
            self.done(task, pickle.loads(data))

    def done(self, task: Task, chunk: Chunk) -> None:
        if task.part is None:
            self.ready[task.seq] = chunk
            return
        slots = self.parts[task.seq]
        slots[task.part] = chunk
        if all(slot is not None for slot in slots):
            self.ready[task.seq] = joined(self.parts.pop(task.seq))
