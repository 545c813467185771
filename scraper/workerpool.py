"""Cleaning processes fed from the reactor thread, with no helper threads in the crawler process.

concurrent.futures.ProcessPoolExecutor moves every task through a management thread and a queue-feeder thread;
in a crawler whose reactor thread is busy, each hand-over waits on the GIL (measured: ~1.8 ms per task, more
than the reactor spends on the page itself). Here each worker has its own pipe: the reactor sends a task to an
idle worker and the event loop calls back when the worker's pipe is readable. A worker that dies fails its
task (the page is recorded with reason `internal`) and is replaced.
"""
from __future__ import annotations

import asyncio
import multiprocessing
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any


class WorkerDied(RuntimeError):
    """The worker process ended while it had a task."""


def _serve(conn: Connection, initializer: Callable[..., None] | None, initargs: tuple) -> None:
    if initializer is not None:
        initializer(*initargs)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        fn, args = task
        try:
            conn.send(("ok", fn(*args)))
        except Exception as exc:  # the function's own error, returned, not fatal to the worker
            conn.send(("error", exc))


@dataclass(eq=False)
class _Worker:
    process: Any
    conn: Connection
    future: asyncio.Future | None = None
    registered: bool = field(default=False)


class PipePool:
    def __init__(self, workers: int, initializer: Callable[..., None] | None = None, initargs: tuple = ()) -> None:
        self._ctx = multiprocessing.get_context("spawn")  # not fork: the crawler process runs threads
        self._init = (initializer, initargs)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._idle: deque[_Worker] = deque()
        self._pending: deque[tuple[tuple, asyncio.Future]] = deque()
        self._workers: list[_Worker] = [self._start() for _ in range(max(1, workers))]
        self._idle.extend(self._workers)
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
        while self._idle and self._pending:
            worker = self._idle.popleft()
            task, future = self._pending.popleft()
            self._register(worker)
            try:
                worker.conn.send(task)
            except (OSError, ValueError) as exc:  # broken pipe: the worker is gone
                future.set_result(("error", WorkerDied(str(exc))))
                self._replace(worker)
                continue
            worker.future = future

    def _readable(self, worker: _Worker) -> None:
        future, worker.future = worker.future, None
        try:
            result = worker.conn.recv()
        except (EOFError, OSError) as exc:
            if future is not None and not future.done():
                future.set_result(("error", WorkerDied(f"cleaning worker died: {exc!r}")))
            self._replace(worker)
            self._dispatch()
            return
        if future is not None and not future.done():
            future.set_result(result)
        self._idle.append(worker)
        self._dispatch()

    def _replace(self, worker: _Worker) -> None:
        if worker.registered and self._loop is not None:
            self._loop.remove_reader(worker.conn.fileno())
        worker.conn.close()
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=5)
        self.restarts += 1
        fresh = self._start()
        self._workers[self._workers.index(worker)] = fresh
        self._idle.append(fresh)

    def close(self, timeout: float = 10.0) -> None:
        """Stop the workers (after their current task); tasks still queued fail."""
        for _, future in self._pending:
            if not future.done():
                future.set_result(("error", WorkerDied("pool closed")))
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
