"""Cleaning processes fed from the reactor thread, with no helper threads in the crawler process.

concurrent.futures.ProcessPoolExecutor moves every task through a management thread and a queue-feeder thread;
in a crawler whose reactor thread is busy, each hand-over waits on the GIL (measured: ~1.8 ms per task, more
than the reactor spends on the page itself). Here each worker has its own pipe: the reactor sends a task to a
worker and the event loop calls back when the worker's pipe is readable.

Each worker holds up to DEPTH tasks: the next page is already in the worker when it finishes one, so it does
not sit idle until the busy reactor gets round to reading the result and sending more (measured on real pages
with one worker: idle a third of the time at depth 1). A thread in the worker takes tasks off the pipe as they
come, so that the reactor's send never waits for a page to be cleaned. A worker that dies fails the task it was
on (the page is recorded with reason `internal`); its other tasks go to the other workers, and it is replaced.
"""
from __future__ import annotations

import asyncio
import multiprocessing
import queue
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

DEPTH = 2  # tasks a worker holds: the one it cleans and the next


class WorkerDied(RuntimeError):
    """The worker process ended while it had a task."""


def _receive(conn: Connection, tasks: queue.SimpleQueue) -> None:
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            task = None
        tasks.put(task)
        if task is None:
            return


def _serve(conn: Connection, initializer: Callable[..., None] | None, initargs: tuple) -> None:
    tasks: queue.SimpleQueue = queue.SimpleQueue()
    threading.Thread(target=_receive, args=(conn, tasks), daemon=True, name="newsclean-receive").start()
    if initializer is not None:
        initializer(*initargs)
    while True:
        task = tasks.get()
        if task is None:
            return
        fn, args = task
        try:
            result = ("ok", fn(*args))
        except Exception as exc:  # the function's own error, returned, not fatal to the worker
            result = ("error", exc)
        try:
            conn.send(result)
        except (OSError, ValueError):
            return


@dataclass(eq=False)
class _Worker:
    process: Any
    conn: Connection
    futures: deque = field(default_factory=deque)  # (task, future) sent and not answered yet, in order
    registered: bool = field(default=False)


class PipePool:
    def __init__(self, workers: int, initializer: Callable[..., None] | None = None, initargs: tuple = (),
                 depth: int = DEPTH) -> None:
        self._ctx = multiprocessing.get_context("spawn")  # not fork: the crawler process runs threads
        self._init = (initializer, initargs)
        self._depth = max(1, depth)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: deque[tuple[tuple, asyncio.Future]] = deque()
        self._workers: list[_Worker] = [self._start() for _ in range(max(1, workers))]
        self.restarts = 0

    def _start(self) -> _Worker:
        parent, child = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(target=_serve, args=(child, *self._init), daemon=True, name="newsclean-clean")
        process.start()
        child.close()
        return _Worker(process, parent)

    def _register(self, worker: _Worker) -> None:
        if not worker.registered and self._loop is not None:
            self._loop.add_reader(worker.conn.fileno(), self._readable, worker)
            worker.registered = True

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run fn(*args) in a worker; the result, or the exception fn raised (WorkerDied if the worker died)."""
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
            try:
                worker.conn.send(task)
            except (OSError, ValueError) as exc:  # broken pipe: the worker is gone
                future.set_result(("error", WorkerDied(str(exc))))
                self._replace(worker, None)
                continue
            worker.futures.append((task, future))

    def _readable(self, worker: _Worker) -> None:
        try:
            result = worker.conn.recv()
        except (EOFError, OSError) as exc:
            self._replace(worker, WorkerDied(f"cleaning worker died: {exc!r}"))
            self._dispatch()
            return
        if worker.futures:
            _, future = worker.futures.popleft()
            if not future.done():
                future.set_result(result)
        self._dispatch()

    def _replace(self, worker: _Worker, error: Exception | None) -> None:
        """Start a fresh worker in place of a dead one. The task it was on fails with `error`; the tasks queued
        behind it go back to the front of the queue (they never started)."""
        if worker.registered and self._loop is not None:
            self._loop.remove_reader(worker.conn.fileno())
            worker.registered = False
        queued = list(worker.futures)
        worker.futures.clear()
        if queued and error is not None:
            _, future = queued.pop(0)
            if not future.done():
                future.set_result(("error", error))
        self._pending.extendleft(reversed(queued))
        worker.conn.close()
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=5)
        self.restarts += 1
        self._workers[self._workers.index(worker)] = self._start()

    def close(self, timeout: float = 10.0) -> None:
        """Stop the workers (after their current task); tasks still queued or unanswered fail."""
        closed = ("error", WorkerDied("pool closed"))
        for _, future in self._pending:
            if not future.done():
                future.set_result(closed)
        self._pending.clear()
        for worker in self._workers:
            if worker.registered and self._loop is not None:
                self._loop.remove_reader(worker.conn.fileno())
                worker.registered = False
            try:
                worker.conn.send(None)
            except (OSError, ValueError):
                pass
        for worker in self._workers:
            worker.process.join(timeout=timeout)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(timeout=5)
            worker.conn.close()
            for _, future in worker.futures:
                if not future.done():
                    future.set_result(closed)
            worker.futures.clear()
