"""Cleaning processes fed from the reactor thread, with no helper threads in the crawler process.

concurrent.futures.ProcessPoolExecutor moves every task through a management thread and a queue-feeder thread;
in a crawler whose reactor thread is busy, each hand-over waits on the GIL (measured: ~1.8 ms per task, more
than the reactor spends on the page itself). Here each worker has its own pipe: the reactor sends a task to a
worker and the event loop calls back when the worker's pipe is readable.

Each worker holds up to DEPTH tasks: the next page is already in the worker when it finishes one, so it does
not sit idle until the busy reactor gets round to reading the result and sending more (measured on real pages
with one worker: idle a third of the time at depth 1). The crawler's end of each pipe is non-blocking: a task
the worker is not reading yet waits in the pipe or in the channel's buffer, written on when the pipe can take
it, so the reactor never waits for a page to be cleaned. The worker reads its next task when it is done with
one, on its only thread (a thread taking tasks off the pipe as they came woke ~1,800 times per worker in a
1,000-page crawl and took the GIL from the cleaning each time). A worker that dies fails the task it was on
(the page is recorded with reason `internal`); its other tasks go to the other workers, and it is replaced.

Workers are forked from multiprocessing's fork server when the pool is given modules to `preload` (not forked
from the crawler itself, which runs threads): the server imports them once, so a module that warms the cleaner
up on import (scraper.warmworker) is paid for once and shared, instead of once per spawned worker (measured:
~0.9 s of CPU per worker, ~1 ms a page on a 1,000-page crawl with two workers). `start_fork_server()` starts the
server early, so that it warms up while the crawler starts. Without preload, or without a fork server (not
Unix), workers are spawned.
"""
from __future__ import annotations

import asyncio
import importlib
import itertools
import multiprocessing
import multiprocessing.forkserver
import os
import pickle
import select
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from typing import Any

from cleaners.run.workers import WorkerProcess, serve

DEPTH = 2  # tasks a worker holds: the one it cleans and the next
# Connection's message framing (multiprocessing.connection): a signed 4-byte length, or, for a message over
# _SHORT_MAX bytes, -1 then an unsigned 8-byte length.
_SHORT_MAX = 0x7FFFFFFF
_SHORT_HEADER = struct.calcsize("!i")  # 4
_LONG_HEADER = struct.calcsize("!iQ")  # 12
_LONG_MARK = -1
_server_pools = 0  # open pools whose workers come from the fork server
_server_lock = threading.Lock()


def _dumps(obj: Any) -> bytes:
    """Tasks and results as plain pickles: Connection.send() builds a ForkingPickler for every message (it copies
    the copyreg table), which only matters for file descriptors and sockets, never sent here."""
    return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)


def start_fork_server(preload: Sequence[str]) -> BaseContext | None:
    """The fork-server context, its server started now with these modules to import (it imports them while the
    caller goes on); None where there is no fork server. Modules only take effect if the server is not running
    yet (it is one per process)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return None
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(list(preload))
    multiprocessing.forkserver.ensure_running()
    return ctx


def _stop_fork_server() -> None:
    """Stop the fork server once no pool uses it, and wait for it: the workers' CPU time is then accounted to
    this process's children (getrusage), as it is for spawned workers, and no server outlives the crawl.
    `_stop` is the standard library's own (private) way to do it; where it is missing the server simply ends
    with this process."""
    stop = getattr(getattr(multiprocessing.forkserver, "_forkserver", None), "_stop", None)
    if stop is not None:
        try:
            stop()
        except (OSError, ChildProcessError):
            pass


class WorkerDied(RuntimeError):
    """The worker process ended while it had a task."""


# A task's function, or its initializer: the function itself, or "module:name" for one the crawler process does
# not import (the cleaning worker's module imports the whole cleaner; see scraper.outcome).
Function = Callable[..., Any] | str
_named: dict[str, Callable[..., Any]] = {}


def resolve(fn: Function) -> Callable[..., Any]:
    """The function itself, or the one at "module:name" (imported once per process)."""
    if not isinstance(fn, str):
        return fn
    found = _named.get(fn)
    if found is None:
        module, _, name = fn.partition(":")
        found = _named[fn] = getattr(importlib.import_module(module), name)
    return found


def _serve(conn: Connection, inherited: list[Connection], initializer: Function | None,
           initargs: tuple) -> None:
    """A worker (cleaners.run.workers.serve): `(fn, args)` in, `("ok", result)` or `("error", exc)` back.

    A busy worker would finish its page (or stay stuck in it) after the crawler died: it is killed with its parent
    (a spawned worker's is the crawler), and exits when the crawler's end of its pipe hangs up (a fork server's
    children hold the server's lifeline, so the server does not end with the crawler while they live)."""
    setup = (lambda: resolve(initializer)(*initargs)) if initializer is not None else None
    serve(conn, _run_task, hangup=True, inherited=inherited, setup=setup)


def _run_task(task: tuple[Function, tuple]) -> bytes:
    fn, args = task
    try:
        result = ("ok", resolve(fn)(*args))
    except Exception as exc:  # the function's own error, returned, not fatal to the worker
        result = ("error", exc)
    try:
        return _dumps(result)
    except Exception as exc:  # a result or error that cannot be pickled
        return _dumps(("error", RuntimeError(f"unpicklable result: {exc!r}")))


def _frame(payload: bytes) -> bytes:
    """The header Connection.send_bytes() puts before a message, which the worker's recv_bytes() reads."""
    n = len(payload)
    return struct.pack("!i", n) if n <= _SHORT_MAX else struct.pack("!iQ", _LONG_MARK, n)


class _Channel:
    """The crawler's end of a worker's pipe, non-blocking: messages framed as Connection frames them, written
    as far as the pipe takes them (the rest when it is writable again), and read as they come."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.fd = conn.fileno()
        os.set_blocking(self.fd, False)
        self._out: deque[memoryview] = deque()
        self._in = bytearray()

    def put(self, payload: bytes) -> None:
        self._out.append(memoryview(_frame(payload)))
        self._out.append(memoryview(payload))

    def flush(self) -> bool:
        """Write what the pipe takes; True when nothing is left. OSError when the worker is gone."""
        while self._out:
            try:
                n = os.writev(self.fd, list(itertools.islice(self._out, 64)))
            except BlockingIOError:
                return False
            while n:
                head = self._out[0]
                if n >= len(head):
                    n -= len(head)
                    self._out.popleft()
                else:
                    self._out[0] = head[n:]
                    n = 0
        return True

    def read(self) -> tuple[list[bytes], bool]:
        """The whole messages that have arrived, and whether the worker's end is closed."""
        closed = False
        while True:
            try:
                chunk = os.read(self.fd, 1 << 16)  # under malloc's mmap threshold: no mapping per read
            except BlockingIOError:
                break
            except OSError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            self._in += chunk
        messages = []
        while len(self._in) >= _SHORT_HEADER:
            (n,) = struct.unpack_from("!i", self._in)
            start = _SHORT_HEADER
            if n == _LONG_MARK:
                if len(self._in) < _LONG_HEADER:
                    break
                (n,) = struct.unpack_from("!Q", self._in, _SHORT_HEADER)
                start = _LONG_HEADER
            if len(self._in) < start + n:
                break
            messages.append(bytes(self._in[start:start + n]))
            del self._in[:start + n]
        return messages, closed

    def close(self, timeout: float) -> None:
        """Write what is left, then a stop message, waiting at most `timeout` for the worker to take them."""
        self.put(_dumps(None))
        deadline = time.monotonic() + timeout
        try:
            while not self.flush() and time.monotonic() < deadline:
                select.select([], [self.fd], [], max(0.0, deadline - time.monotonic()))
        except OSError:  # the worker is gone already
            pass


@dataclass(eq=False)
class _Worker:
    proc: WorkerProcess
    channel: _Channel
    futures: deque = field(default_factory=deque)  # (task, future) sent and not answered yet, in order
    registered: bool = field(default=False)
    writing: bool = field(default=False)  # waiting for the pipe to be writable


class PipePool:
    def __init__(self, workers: int, initializer: Function | None = None, initargs: tuple = (),
                 depth: int = DEPTH, preload: Sequence[str] = ()) -> None:
        global _server_pools
        server = start_fork_server(preload) if preload else None
        self._ctx = server or multiprocessing.get_context("spawn")  # never fork: the crawler process runs threads
        self._forked = server is not None
        if self._forked:
            with _server_lock:
                _server_pools += 1
        self._init = (initializer, initargs)
        self._depth = max(1, depth)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: deque[tuple[tuple, asyncio.Future]] = deque()
        self._workers: list[_Worker] = [self._start() for _ in range(max(1, workers))]
        self._closed = False
        self.restarts = 0

    def _start(self) -> _Worker:
        proc = WorkerProcess.start(self._ctx, _serve, self._init, name="newsclean-clean")
        return _Worker(proc, _Channel(proc.conn))

    def _register(self, worker: _Worker) -> None:
        if not worker.registered and self._loop is not None:
            self._loop.add_reader(worker.channel.fd, self._readable, worker)
            worker.registered = True

    def _unregister(self, worker: _Worker) -> None:
        if self._loop is not None:
            if worker.registered:
                self._loop.remove_reader(worker.channel.fd)
            if worker.writing:
                self._loop.remove_writer(worker.channel.fd)
        worker.registered = worker.writing = False

    async def run(self, fn: Function, *args: Any) -> Any:
        """Run fn(*args) in a worker (fn a function or "module:name"); the result, or the exception fn raised
        (WorkerDied if the worker died)."""
        if self._closed:
            raise WorkerDied("pool closed")
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        future = self._loop.create_future()
        self._pending.append(((fn, args), future))
        self._dispatch()
        status, value = await future
        if status != "ok":
            raise value
        return value

    def _dispatch(self) -> None:
        while self._pending:
            worker = min(self._workers, key=lambda w: len(w.futures))  # idle workers first
            if len(worker.futures) >= self._depth:
                return
            task, future = self._pending.popleft()
            if future.done():  # cancelled while it waited
                continue
            self._register(worker)
            worker.channel.put(_dumps(task))
            worker.futures.append((task, future))
            self._write(worker)

    def _write(self, worker: _Worker) -> bool:
        """Write what the worker's pipe takes now, and wait for it to be writable for the rest; False when the
        worker turned out to be gone (it is replaced)."""
        assert self._loop is not None
        try:
            done = worker.channel.flush()
        except OSError as exc:  # broken pipe: the worker is gone
            self._replace(worker, WorkerDied(f"cleaning worker died: {exc!r}"))
            return False
        if done and worker.writing:
            self._loop.remove_writer(worker.channel.fd)
            worker.writing = False
        elif not done and not worker.writing:
            self._loop.add_writer(worker.channel.fd, self._writable, worker)
            worker.writing = True
        return True

    def _writable(self, worker: _Worker) -> None:
        if worker in self._workers and not self._write(worker):
            self._dispatch()

    def _readable(self, worker: _Worker) -> None:
        if worker not in self._workers:  # replaced while this call was on its way
            return
        messages, closed = worker.channel.read()
        for message in messages:
            result = pickle.loads(message)
            if worker.futures:
                _, future = worker.futures.popleft()
                if not future.done():
                    future.set_result(result)
        if closed:
            self._replace(worker, WorkerDied("cleaning worker died: its pipe closed"))
        self._dispatch()

    def _replace(self, worker: _Worker, error: Exception | None) -> None:
        """Start a fresh worker in place of a dead one. The task it was on fails with `error`; the tasks queued
        behind it go back to the front of the queue (they never started)."""
        self._unregister(worker)
        queued = list(worker.futures)
        worker.futures.clear()
        if queued and error is not None:
            _, future = queued.pop(0)
            if not future.done():
                future.set_result(("error", error))
        self._pending.extendleft(reversed(queued))
        worker.proc.stop(ask=False, timeout=5)
        self.restarts += 1
        self._workers[self._workers.index(worker)] = self._start()

    def close(self, timeout: float = 10.0) -> None:
        """Stop the workers (after their current task); tasks still queued or unanswered fail, and so do new ones."""
        if self._closed:
            return
        self._closed = True
        closed = ("error", WorkerDied("pool closed"))
        for _, future in self._pending:
            if not future.done():
                future.set_result(closed)
        self._pending.clear()
        for worker in self._workers:
            self._unregister(worker)
            worker.channel.close(timeout)
        for worker in self._workers:
            worker.proc.end(timeout)
            for _, future in worker.futures:
                if not future.done():
                    future.set_result(closed)
            worker.futures.clear()
        if self._forked:
            self._forked = False
            self._release_server()

    @staticmethod
    def _release_server() -> None:
        global _server_pools
        with _server_lock:
            _server_pools -= 1
            if _server_pools == 0:
                _stop_fork_server()
