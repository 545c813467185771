"""One worker process: its pipe, its serving loop, its end (asked, forced, or with its parent).

Both pools are built on it: the blocking pool of `newsclean clean` (cleaners.run.chunkpool, driven from the parent's
one thread) and the crawler's event-loop pool (scraper.workerpool, driven from the reactor). What differs is how
the parent talks to the pipe; the process, the message loop, replacing a worker and making sure no worker
outlives its parent are written here once.

A message is a pickle framed as `Connection.send_bytes` frames it; `None` asks the worker to stop after the task
it is on. A worker ends when it reads STOP, when its pipe closes (the parent is gone, or gave up on it), when the
kernel signals its parent's death (`lifeline.die_with_parent`), or, for workers whose parent is not the process
that talks to them (a fork server's children), as soon as the other end of its pipe hangs up, even while busy
(`lifeline.exit_on_hangup`).
"""
from __future__ import annotations

import contextlib
import pickle
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from cleaners.run.lifeline import die_with_parent, exit_on_hangup

STOP = pickle.dumps(None)  # the message that ends a worker after its current task

Handler = Callable[[Any], bytes]  # one task (unpickled) in, its reply (already pickled) out


def serve(conn: Connection, handle: Handler, *, parent_pid: int | None = None, hangup: bool = False,
          inherited: Sequence[Connection] = (), setup: Callable[[], None] | None = None) -> None:
    """The worker's loop: the next task off the pipe, its reply back, until STOP or the end of the pipe.

    `inherited` are the parent's ends of pipes copied by fork (its own and the other workers'): closed here, so
    that the worker sees the end of its own pipe when the parent dies instead of waiting on itself for ever.
    `parent_pid` is the process that started this one: if it is already gone, the worker exits at once.
    `setup` runs once the worker is tied to its parent, before the first task (a warm-up may take a while).
    """
    die_with_parent(parent_pid)
    if hangup:
        exit_on_hangup(conn.fileno())
    for other in inherited:
        other.close()
    if setup is not None:
        setup()
    while True:
        try:
            task = pickle.loads(conn.recv_bytes())
        except (EOFError, OSError):
            return
        if task is None:
            return
        reply = handle(task)
        try:
            conn.send_bytes(reply)
        except (OSError, ValueError):  # the parent stopped or died while this task ran: nobody will read it
            return


@dataclass(eq=False)
class WorkerProcess:
    """A started worker and the parent's end of its pipe."""

    process: Any  # a multiprocessing Process
    conn: Connection

    @classmethod
    def start(cls, ctx: Any, target: Callable[..., None], args: tuple = (), *, others: Sequence[Connection] = (),
              name: str = "newsclean-worker") -> WorkerProcess:
        """Start `target(conn, inherited, *args)` in a new process of the multiprocessing context `ctx`.

        With fork, the child gets a copy of every pipe end the parent holds: `others` (the other workers' ends)
        and this worker's own parent end are passed as `inherited`, for the child to close. The child's end is
        closed here: the worker holds the only copy, so its death is seen as the end of `conn`.
        """
        for stream in (sys.stdout, sys.stderr):  # a forked copy of unflushed output would be written twice
            if stream is not None:
                stream.flush()
        parent, child = ctx.Pipe(duplex=True)
        inherited = [*others, parent] if ctx.get_start_method() == "fork" else []
        process = ctx.Process(target=target, args=(child, inherited, *args), daemon=True, name=name)
        process.start()
        child.close()
        return cls(process, parent)

    def reap(self, timeout: float = 1.0) -> int | None:
        """The exit code of a worker that died (negative: the signal that killed it), once it is gone."""
        self.process.join(timeout)
        return self.process.exitcode

    def stop(self, *, ask: bool, timeout: float = 10.0) -> int | None:
        """End the worker: ask it (STOP, read after its current task) or, when it is busy with work nobody will
        read or is dead already, terminate it; kill it if it is still alive after `timeout`."""
        if ask:
            with contextlib.suppress(OSError, ValueError):
                self.conn.send_bytes(STOP)
        self.conn.close()
        if not ask and self.process.is_alive():
            self.process.terminate()
        return self.end(timeout)

    def end(self, timeout: float = 10.0) -> int | None:
        """Wait up to `timeout` for the worker to exit, then kill it; its exit code."""
        self.process.join(timeout)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()
        return self.process.exitcode
