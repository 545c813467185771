"""Disk writes off the reactor: one thread appends queued chunks in order and fsyncs once per batch.

Writing and fsyncing on the reactor thread cost ~4 ms per record on an ordinary disk and stalled fetching
(measured: a third of the crawl's wall time). Here the reactor only queues bytes; the thread writes each chunk
with whole `write` calls and, for files that ask for it, fsyncs after each batch (group commit). A kill loses at
most the queued chunks, never half a line: what is not in the file yet is fetched again on resume.
"""
from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable


def write_all(fd: int, data: bytes) -> None:
    """Append `data` with whole writes (a regular file takes it in one; loop for the rare short write)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


class AppendFile:
    """A file opened for appending whose writes may go through a BackgroundWriter (shared by logs and WARCs)."""

    def __init__(self, path: str | os.PathLike, writer: BackgroundWriter | None = None) -> None:
        self.writer = writer  # when given, writes happen on its thread (the caller closes it first)
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.flush()
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


# How long the writer thread waits, once woken, for more chunks before it writes them. Woken by every chunk (WARC
# record, article, skips) and by every fsync, it switched in ~8,900 times in a 1,000-page crawl, each time
# liable to take a core from a cleaning worker; waiting 20 ms for the chunks of the next pages makes that ~3,000
# and its CPU a quarter less. A kill may lose 20 ms more of queued lines, which are fetched again on resume.
COALESCE_S = 0.02


class BackgroundWriter:
    """The writer thread. Its queue is a SimpleQueue (a C deque and a lock), not a queue.Queue, whose put() takes
    a Condition and notifies it in Python on every write: the reactor queues a few chunks per page."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[_Entry] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="newsclean-writer", daemon=True)
        self._thread.start()
        self.error: BaseException | None = None

    def write(self, fd: int, data: bytes | Callable[[], bytes], fsync: bool = False) -> None:
        """Queue `data` for appending to `fd` (opened O_APPEND); `fsync` asks for it to reach the disk.
        `data` may be a function making the bytes, to move work such as compression off the caller's thread."""
        if self.error is not None:
            raise OSError(f"the writer thread failed: {self.error}")
        self._queue.put((fd, data, fsync))

    def _run(self) -> None:
        while True:
            batch = self._take_batch()
            to_sync: set[int] = set()
            stop = False
            for entry in batch:
                if entry is None:
                    stop = True
                elif isinstance(entry, tuple):
                    self._write(entry, to_sync)
            for fd in to_sync:
                try:
                    os.fsync(fd)
                except OSError as exc:
                    self.error = exc
            for entry in batch:  # flush() markers: what was queued before them is written now
                if isinstance(entry, threading.Event):
                    entry.set()
            if stop:
                return

    def _take_batch(self) -> list[_Entry]:
        """The next entry (waited for), and, after a short wait for a chunk, all that is waiting then."""
        batch = [self._queue.get()]
        if batch[0] is not None and not isinstance(batch[0], threading.Event):
            time.sleep(COALESCE_S)  # let the chunks of the next few pages come: one wake-up and fsync for all
        while True:  # take what else is waiting: one fsync covers them all
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                return batch

    def _write(self, chunk: tuple[int, bytes | Callable[[], bytes], bool], to_sync: set[int]) -> None:
        """Write one chunk; its fd joins `to_sync` if it asked for an fsync."""
        fd, data, fsync = chunk
        try:
            view = memoryview(data() if callable(data) else data)
            while view:
                view = view[os.write(fd, view):]
            if fsync:
                to_sync.add(fd)
        except Exception as exc:  # disk full, closed fd: reported on the next write() and at close
            self.error = exc

    def flush(self) -> None:
        """Wait until everything queued so far is written (and fsynced where asked)."""
        if self._thread.is_alive():
            done = threading.Event()
            self._queue.put(done)
            while not done.wait(0.5):
                if not self._thread.is_alive():
                    return

    def close(self) -> None:
        """Write everything queued, then stop the thread."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        if self.error is not None:
            raise OSError(f"the writer thread failed: {self.error}")


# a chunk to write (fd, bytes or a function making them, fsync), a flush() marker, or None to stop
_Entry = tuple[int, bytes | Callable[[], bytes], bool] | threading.Event | None


_shared: BackgroundWriter | None = None
_users = 0
_lock = threading.Lock()


def acquire() -> BackgroundWriter:
    """The process's writer (started on first use); pair each call with release()."""
    global _shared, _users
    with _lock:
        if _shared is None:
            _shared = BackgroundWriter()
        _users += 1
        return _shared


def release() -> None:
    """Drop one user; the last one drains the queue and stops the thread."""
    global _shared, _users
    with _lock:
        _users -= 1
        if _users > 0 or _shared is None:
            return
        writer, _shared = _shared, None
    writer.close()
