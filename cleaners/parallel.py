"""Cleaning input items in worker processes, streaming, in input order.

Items go to worker processes in small chunks with a bounded number of chunks read ahead, so memory stays flat
however long the input is, and results come back in input order, so output is deterministic whatever the
number of jobs. `jobs=1` runs in-process (no workers, no pickling).

With N jobs there are N workers and the parent that reads and writes, on N cores: every CPU-second the parent
spends is taken from the workers. So the workers do everything per document that they can: they read a JSON
line from its file themselves (the parent only finds where lines end), encode each record as its final JSON
line (`writers.encode_line`) and count the run summary (`Tally`); the parent writes bytes. The pool is our
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
import os
import pickle
import signal
import sys
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as wait_for
from typing import Any

from . import core
from .config import CleanerConfig
from .core import CleanError, clean_bytes, clean_file
from .lifeline import die_with_parent
from .readers import InputItem
from .record import Document
from .writers import encode_line

Result = tuple[str, dict[str, Any]]  # ("record", record) or ("error", {source, error, reason})

MAX_CHUNKS_PER_WORKER = 500  # then the worker is replaced by a fresh fork: whatever a library leaks is returned
MAX_DEATHS_IN_A_ROW = 5  # worker deaths with no result in between that stop the run: no page is that bad

_config: CleanerConfig | None = None  # set once per worker process by _init


class WorkerError(RuntimeError):
    """Workers keep dying or one stopped answering: the run cannot go on, but what was written is kept."""


def default_jobs() -> int:
    """All cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def clean_item(item: InputItem, config: CleanerConfig | None = None,
               file_cleaner: Callable[[str, CleanerConfig], Document] | None = None) -> Result:
    """Clean one item into a record dict, or an error entry; never raises for a bad page."""
    config = config or _config or CleanerConfig()
    try:
        item = item.resolve()
    except Exception as exc:  # a JSON line nested deeper than the parser recurses: not a reason to stop the run
        return "error", _internal(item, exc)
    if item.error is not None:
        reason, detail = item.error
        return "error", _error(item, f"{reason}: {detail}", reason)
    try:
        if item.path is not None:
            doc = (file_cleaner or clean_file)(item.path, config)
        elif item.raw is not None:
            doc = clean_bytes(item.raw, item.source, fmt=_bytes_fmt(item.fmt), config=config)
        else:
            doc = clean_str(item.text or "", item.source, fmt=item.fmt, config=config)
    except CleanError as exc:
        return "error", _error(item, str(exc), exc.reason)
    except Exception as exc:  # a bug on one page must not cost the batch
        return "error", _internal(item, exc)
    record = doc.to_dict()
    if item.id is not None:
        record["id"] = item.id
    record.update(item.fields)
    return "record", record


clean_str = core.clean_decoded  # the name the datatrove step and older callers use


def _bytes_fmt(fmt: str | None) -> str | None:
    return None if fmt == "flat" else fmt


def _error(item: InputItem, message: str, reason: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"source": item.key, "error": message, "reason": reason}
    if item.id is not None:
        entry["id"] = item.id
    if item.source.url:
        entry["url"] = item.source.url
    return entry


def _internal(item: InputItem, exc: Exception) -> dict[str, Any]:
    return _error(item, f"internal: {type(exc).__name__}: {exc}", "internal")


# ---- results of a chunk ------------------------------------------------------------------------------------


@dataclass
class Tally:
    """The run-summary figures of some results. Workers count their own chunks, so that the process that
    writes never decodes a record it receives as an encoded line."""

    documents: int = 0
    errors: int = 0
    chars_in: int = 0
    chars_out: int = 0
    removed_by_rule: Counter = field(default_factory=Counter)
    errors_by_reason: Counter = field(default_factory=Counter)

    def add_record(self, record: dict[str, Any]) -> None:
        prov = record.get("provenance") or {}
        self.documents += 1
        self.chars_in += prov.get("input_chars") or 0
        self.chars_out += len(record.get("text") or "")
        self.removed_by_rule.update(r["rule"] for r in prov.get("removed") or ())

    def add_error(self, entry: dict[str, Any]) -> None:
        self.errors += 1
        self.errors_by_reason[entry["reason"]] += 1

    def add(self, other: Tally) -> None:
        self.documents += other.documents
        self.errors += other.errors
        self.chars_in += other.chars_in
        self.chars_out += other.chars_out
        self.removed_by_rule.update(other.removed_by_rule)
        self.errors_by_reason.update(other.errors_by_reason)


@dataclass
class Chunk:
    """The results of consecutive items, in input order: records and error entries, each either encoded JSON
    lines (`encode=True`, for JSON Lines outputs) or dicts (for Parquet), and their tally."""

    records: list[Any] = field(default_factory=list)
    errors: list[Any] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)

    def __len__(self) -> int:
        return len(self.records) + len(self.errors)


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
                kind, payload = "error", _internal(item, exc)
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



_WARM_PAGE = ("<html><head><title>预热</title></head><body><article><p>"
              + "这是一段用于预热清洗器的中文正文，句子完整，标点齐全。" * 8 + "</p></article></body></html>")


def _warm_up(config: CleanerConfig) -> None:
    """Clean one small page before the first input: rule tables, extractors and lazy imports are then loaded
    once, before forking, and shared by every worker instead of each worker paying for them on its first page.

    The cyclic collector is paused meanwhile (loading them creates ~100,000 long-lived objects, which would
    set off collections that walk them again and again: 40% of the warm-up), and what is loaded is then
    frozen: never collected, so full collections during the run skip it, and in a forked worker they do not
    touch (and copy) the pages it shares with the parent. Both hold for the in-process path too.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        clean_str(_WARM_PAGE, core.Source("warm-up.html"), fmt="html", config=config)
    except Exception:  # a warm-up that fails costs nothing but the warm-up
        pass
    finally:
        if enabled:
            gc.enable()
    gc.freeze()


_STOP = pickle.dumps(None)


def _work(conn: Connection, config: CleanerConfig, encode: bool, inherited: list[Connection],
          parent_pid: int) -> None:
    """A worker: a pickled chunk of items in, its pickled Chunk out, until told to stop or the parent is gone.

    `inherited` are the parent's ends of the connections, its own and the other workers', copied by fork: closed
    here, so that a worker sees the end of its own connection when the parent dies, instead of waiting forever.
    """
    _init(config)  # first: a Ctrl-C meant for the parent must not end this worker with a traceback
    die_with_parent(parent_pid)
    for other in inherited:
        other.close()
    while True:
        try:
            items = pickle.loads(conn.recv_bytes())
        except (EOFError, OSError):
            return
        if items is None:
            return
        result = pickle.dumps(clean_chunk(items, config, encode=encode), pickle.HIGHEST_PROTOCOL)
        try:
            conn.send_bytes(result)
        except OSError:  # the parent stopped (Ctrl-C) or died while this chunk was cleaned: nobody will read it
            return


@dataclass
class _Task:
    """A chunk of items to clean, or one item of it (`part`) cleaned again alone after its worker died."""

    seq: int  # the chunk's place in the input
    payload: bytes  # its items (or the one item), pickled: kept until the result is in, to clean them again
    keys: tuple[str, str]  # the first and last item, for error messages
    part: int | None = None  # the item's place in the chunk; None for the whole chunk


@dataclass
class _Worker:
    process: Any  # a multiprocessing Process
    conn: Connection  # the parent's end of the worker's own connection
    task: _Task | None = None  # what it is cleaning; None when idle
    chunks: int = 0  # tasks sent to it


class _Pool:
    """Worker processes with a connection each, driven from the parent's one thread.

    A chunk goes only to an idle worker, which is then blocked reading its connection: the parent's send
    never waits on a worker that is itself waiting to send its results (no deadlock on full pipes, whatever
    the size of a chunk), and no helper thread is needed.
    """

    def __init__(self, ctx: Any, jobs: int, config: Any, encode: bool, max_chunks: int,
                 work: Callable[..., None] | None = None) -> None:
        """`work` is the workers' loop (default `_work`, cleaning); another loop (dedup's hashing) takes the same
        arguments, with its own `config`."""
        self._ctx = ctx
        self._work = work or _work
        self._fork = ctx.get_start_method() == "fork"
        self._config = config
        self.encode = encode
        self._max_chunks = max_chunks
        self.workers: list[_Worker] = []
        try:
            for _ in range(jobs):
                self.workers.append(self._start())
        except BaseException:  # no fork (out of memory, process limit): stop the workers already started
            self.close()
            raise

    def _start(self) -> _Worker:
        for stream in (sys.stdout, sys.stderr):  # a forked copy of unflushed output would be written twice
            if stream is not None:
                stream.flush()
        parent, child = self._ctx.Pipe(duplex=True)
        inherited = [w.conn for w in self.workers] + [parent] if self._fork else []
        process = self._ctx.Process(target=self._work, args=(child, self._config, self.encode, inherited, os.getpid()),
                                    daemon=True)
        process.start()
        child.close()  # the worker holds the only copy: its death is seen as the end of `parent`
        return _Worker(process, parent)

    def idle(self) -> list[_Worker]:
        return [w for w in self.workers if w.task is None]

    def busy(self) -> int:
        return sum(w.task is not None for w in self.workers)

    def send(self, worker: _Worker, task: _Task, fresh: bool = False) -> None:
        """Give an idle worker a task; with `fresh`, a worker that has cleaned nothing yet (replacing it if need
        be), so that a death is down to the task alone. A worker found dead is replaced: it held nothing."""
        if fresh and worker.chunks:
            worker = self._replace(worker)
        try:
            worker.conn.send_bytes(task.payload)
        except OSError:
            worker = self._replace(worker)
            try:
                worker.conn.send_bytes(task.payload)
            except OSError as exc:
                raise WorkerError(f"a fresh worker process died before it was sent {task.keys[0]} .. "
                                  f"{task.keys[1]}; what was written is kept: run again with --resume to continue"
                                  ) from exc
        worker.task = task
        worker.chunks += 1

    def receive(self, timeout: float) -> tuple[list[tuple[_Task, Chunk]], list[tuple[_Task, int | None]]]:
        """The results of the workers that have finished a task, and the tasks of those that died with their
        exit codes (each replaced by a fresh worker), waiting up to `timeout` for the first."""
        busy = [w for w in self.workers if w.task is not None]
        ready = wait_for([w.conn for w in busy], timeout)
        if not ready:
            raise WorkerError(f"no worker finished a chunk in {timeout:.0f} s; what was written is kept: "
                              "run again with --resume to continue")
        results, deaths = [], []
        for w in busy:
            if w.conn not in ready:
                continue
            task = w.task
            assert task is not None
            try:
                data = w.conn.recv_bytes()
            except (EOFError, OSError):
                deaths.append((task, self._bury(w)))
                continue
            results.append((task, pickle.loads(data)))
            w.task = None
            if w.chunks >= self._max_chunks:
                self._replace(w)
        return results, deaths

    def _replace(self, worker: _Worker) -> _Worker:
        """A fresh worker for one that has cleaned its share (memory a library leaked goes with the old one), is
        to clean an item alone, or died."""
        self._stop(worker)
        try:
            fresh = self._start()
        except OSError as exc:  # no fork: out of memory or processes (as likely what killed a worker)
            raise WorkerError(f"no new worker process could be started ({exc}); what was written is kept: "
                              "run again with --resume to continue") from exc
        self.workers[self.workers.index(worker)] = fresh
        return fresh

    def _bury(self, worker: _Worker) -> int | None:
        """The exit code of a worker that died (negative: the signal that killed it), replaced by a fresh one."""
        worker.process.join(1)  # gone, or about to be: its own exit code, not that of the terminate in _stop
        code = worker.process.exitcode
        self._replace(worker)
        return code

    @staticmethod
    def _stop(worker: _Worker) -> None:
        try:
            if worker.task is None:
                worker.conn.send_bytes(_STOP)
        except OSError:
            pass
        worker.conn.close()
        if worker.task is not None:  # in the middle of a chunk nobody will read (or dead): stop it now
            worker.process.terminate()
        worker.process.join(10)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()

    def close(self) -> None:
        for w in self.workers:
            self._stop(w)
        self.workers = []


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
    _warm_up(config)
    try:
        if jobs <= 1:
            for chunk in _chunks(items, chunk_size):
                yield clean_chunk(chunk, config, encode=encode, file_cleaner=file_cleaner)
            return
        yield from _in_workers(items, config, jobs, chunk_size, in_flight or 4 * jobs, encode, max_chunks_per_worker)
    finally:
        gc.unfreeze()  # an in-process caller's heap is collected as usual again


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
    ready: dict[int, Chunk] = {}
    parts: dict[int, list[Chunk | None]] = {}  # the results so far of chunks cleaned again item by item
    retries: deque[_Task] = deque()  # their items, each to clean alone in a fresh worker
    read = sent = yielded = deaths = 0
    pending: _Task | None = None  # the next chunk, pickled
    exhausted = False

    def pull() -> None:
        nonlocal pending, read, exhausted
        if pending is not None or exhausted or read - yielded >= in_flight:
            return
        chunk = next(chunks, None)
        if chunk is None:
            exhausted = True
            return
        pending = _Task(read, pickle.dumps(chunk, pickle.HIGHEST_PROTOCOL), (chunk[0].key, chunk[-1].key))
        read += 1

    def done(task: _Task, chunk: Chunk) -> None:
        if task.part is None:
            ready[task.seq] = chunk
            return
        slots = parts[task.seq]
        slots[task.part] = chunk
        if all(slot is not None for slot in slots):
            ready[task.seq] = _joined(parts.pop(task.seq))

    while True:
        pull()
        idle = pool.idle()
        if retries:  # workers that have cleaned nothing yet first: no need to replace them
            idle.sort(key=lambda w: w.chunks > 0)
        for worker in idle:
            if retries:
                pool.send(worker, retries.popleft(), fresh=True)
            elif pending is not None:
                pool.send(worker, pending)
                sent += 1
                pending = None
                pull()
            else:
                break
        while yielded in ready:
            chunk = ready.pop(yielded)
            yielded += 1
            yield chunk
        if exhausted and pending is None and yielded == sent:
            return
        if not pool.busy():
            continue
        results, died = pool.receive(wait)
        deaths = 0 if results else deaths + len(died)
        if deaths >= max_deaths:
            task, code = died[-1]
            raise WorkerError(f"worker processes died {deaths} times in a row, the last ({_how(code)}) while "
                              f"cleaning {task.keys[0]} .. {task.keys[1]}; what was written is kept: "
                              "run again with --resume to continue")
        for task, code in died:
            if task.part is None:
                items = pickle.loads(task.payload)
                parts[task.seq] = [None] * len(items)
                retries.extend(_Task(task.seq, pickle.dumps([item], pickle.HIGHEST_PROTOCOL), (item.key, item.key), i)
                               for i, item in enumerate(items))
            else:
                done(task, _died(pickle.loads(task.payload)[0], code, pool.encode))
        for task, chunk in results:
            done(task, chunk)


def _joined(parts: list[Chunk | None]) -> Chunk:
    """One chunk of the results of its items, cleaned one by one: what the chunk would have given."""
    out = Chunk()
    for part in parts:
        assert part is not None
        out.records += part.records
        out.errors += part.errors
        out.tally.add(part.tally)
    return out


def _died(item: InputItem, code: int | None, encode: bool) -> Chunk:
    """The error entry of an item whose worker died while cleaning it alone."""
    try:
        resolved = item.resolve()  # the id and URL of a JSON line, for the entry; the key is the same
    except Exception:
        resolved = item
    entry = _error(resolved if resolved.error is None else item,
                   f"the worker process died ({_how(code)}) while cleaning this item", "worker_died")
    out = Chunk()
    out.errors.append(encode_line(entry) if encode else entry)
    out.tally.add_error(entry)
    return out


def _how(code: int | None) -> str:
    """How a process ended, from its exit code: negative is the signal that killed it."""
    if code is None:
        return "exit code unknown"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"
