"""The blocking worker pool of `newsclean clean`: chunks of items out, their results back, from one thread.

A chunk goes only to an idle worker, which is then blocked reading its pipe: the parent's send never waits on a
worker that is itself waiting to send its results (no deadlock on full pipes, whatever the size of a chunk), and
no helper thread is needed. The processes themselves are cleaners.run.workers.WorkerProcess.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as wait_for
from typing import Any

from cleaners.run.workers import WorkerProcess


def default_jobs() -> int:
    """All cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


class WorkerError(RuntimeError):
    """Workers keep dying or one stopped answering: the run cannot go on, but what was written is kept."""


KEPT = "what was written is kept: run again with --resume to continue"


@dataclass
class Task:
    """A chunk of items to clean, or one item of it (`part`) cleaned again alone after its worker died."""

    seq: int  # the chunk's place in the input
    payload: bytes  # its items (or the one item), pickled: kept until the result is in, to clean them again
    keys: tuple[str, str]  # the first and last item, for error messages
    part: int | None = None  # the item's place in the chunk; None for the whole chunk


@dataclass(eq=False)
class PoolWorker:
    proc: WorkerProcess
    task: Task | None = None  # what it is cleaning; None when idle
    chunks: int = 0  # tasks sent to it

    @property
    def process(self) -> Any:
        return self.proc.process

    @property
    def conn(self) -> Connection:
        return self.proc.conn


class ChunkPool:
    """`jobs` workers running `target(conn, inherited, *args, parent_pid)`, each replaced after `max_chunks`
    tasks (whatever a library leaks goes with the old one), when it dies, or to clean an item alone."""

    def __init__(self, ctx: Any, jobs: int, target: Callable[..., None], args: tuple, max_chunks: int) -> None:
        self._ctx = ctx
        self._target = target
        self._args = args
        self._max_chunks = max_chunks
        self.workers: list[PoolWorker] = []
        try:
            for _ in range(jobs):
                self.workers.append(self._start())
        except BaseException:  # no fork (out of memory, process limit): stop the workers already started
            self.close()
            raise

    def _start(self) -> PoolWorker:
        proc = WorkerProcess.start(self._ctx, self._target, (*self._args, os.getpid()),
                                   others=[w.conn for w in self.workers])
        return PoolWorker(proc)

    def idle(self) -> list[PoolWorker]:
        return [w for w in self.workers if w.task is None]

    def busy(self) -> int:
        return sum(w.task is not None for w in self.workers)

    def send(self, worker: PoolWorker, task: Task, fresh: bool = False) -> None:
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
                                  f"{task.keys[1]}; {KEPT}") from exc
        worker.task = task
        worker.chunks += 1

    def receive(self, timeout: float) -> tuple[list[tuple[Task, bytes]], list[tuple[Task, int | None]]]:
        """The replies of the workers that have finished a task, and the tasks of those that died with their
        exit codes (each replaced by a fresh worker), waiting up to `timeout` for the first."""
        busy = [w for w in self.workers if w.task is not None]
        ready = wait_for([w.conn for w in busy], timeout)
        if not ready:
            raise WorkerError(f"no worker finished a chunk in {timeout:.0f} s; {KEPT}")
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
            results.append((task, data))
            w.task = None
            if w.chunks >= self._max_chunks:
                self._replace(w)
        return results, deaths

    def _replace(self, worker: PoolWorker) -> PoolWorker:
        """A fresh worker in place of one that has cleaned its share, is to clean an item alone, or died."""
        worker.proc.stop(ask=worker.task is None)
        try:
            fresh = self._start()
        except OSError as exc:  # no fork: out of memory or processes (as likely what killed a worker)
            raise WorkerError(f"no new worker process could be started ({exc}); {KEPT}") from exc
        self.workers[self.workers.index(worker)] = fresh
        return fresh

    def _bury(self, worker: PoolWorker) -> int | None:
        """The exit code of a worker that died, replaced by a fresh one."""
        code = worker.proc.reap()  # its own exit code, not that of the terminate in stop()
        self._replace(worker)
        return code

    def close(self) -> None:
        for w in self.workers:
            w.proc.stop(ask=w.task is None)
        self.workers = []
