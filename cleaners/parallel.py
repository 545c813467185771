"""Cleaning input items in worker processes, streaming, in input order.

Items go to a `multiprocessing` pool in small chunks with a bounded number of chunks in flight, so memory
stays flat however long the input is, and results come back in input order, so output is deterministic
whatever the number of jobs. `jobs=1` runs in-process (no pool, no pickling).
"""
from __future__ import annotations

import gc
import multiprocessing as mp
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, islice
from typing import Any

from . import core
from .config import CleanerConfig
from .core import CleanError, clean_bytes, clean_file
from .readers import InputItem
from .record import Document

Result = tuple[str, dict[str, Any]]  # ("record", record) or ("error", {source, error, reason})

_config: CleanerConfig | None = None  # set once per worker process by _init


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
    item = item.resolve()
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
        return "error", _error(item, f"internal: {type(exc).__name__}: {exc}", "internal")
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


def _init(config: CleanerConfig) -> None:
    global _config
    _config = config
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops the pool


_WARM_PAGE = ("<html><head><title>预热</title></head><body><article><p>"
              + "这是一段用于预热清洗器的中文正文，句子完整，标点齐全。" * 8 + "</p></article></body></html>")


def _warm_up(config: CleanerConfig) -> None:
    """Clean one small page before forking: rule tables, extractors and lazy imports are then loaded once
    and shared by every worker, instead of each worker paying for them on its first page."""
    try:
        clean_str(_WARM_PAGE, core.Source("warm-up.html"), fmt="html", config=config)
    except Exception:  # a warm-up that fails costs nothing but the warm-up
        pass


def _clean_chunk(items: list[InputItem]) -> list[Result]:
    return [clean_item(item, _config) for item in items]


def _chunks(items: Iterable[InputItem], size: int) -> Iterator[list[InputItem]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def clean_items(items: Iterable[InputItem], config: CleanerConfig | None = None, *, jobs: int = 1,
                chunk_size: int = 8, in_flight: int | None = None,
                file_cleaner: Callable[[str, CleanerConfig], Document] | None = None) -> Iterator[list[Result]]:
    """Results chunk by chunk, in input order; at most `in_flight` chunks are read ahead of the writer.

    Fewer items than one chunk per job are cleaned in-process: starting workers would cost more than it
    saves. `file_cleaner` replaces `clean_file` for page files cleaned in-process.
    """
    config = config or CleanerConfig()
    items = iter(items)
    if jobs > 1:
        head = list(islice(items, chunk_size * jobs))
        if len(head) < chunk_size * jobs:
            jobs = 1
        items = chain(head, items)
    if jobs <= 1:
        for chunk in _chunks(items, chunk_size):
            yield [clean_item(item, config, file_cleaner) for item in chunk]
        return
    in_flight = in_flight or 4 * jobs
    # a generous wait per chunk: a worker that dies (killed, segfault) must not hang the run forever
    wait = max(600.0, chunk_size * (config.timeout + 5) * in_flight / jobs)
    fork = "fork" in mp.get_all_start_methods()
    ctx = mp.get_context("fork") if fork else mp.get_context()
    if fork:
        _warm_up(config)
        # what the workers inherit (rule tables, langdetect profiles, trafilatura) is never collected: frozen,
        # the cyclic collector skips it in every worker instead of walking (and copying) it again and again
        gc.freeze()
    with ctx.Pool(jobs, initializer=_init, initargs=(config,), maxtasksperchild=500) as pool:
        pending: deque = deque()
        for chunk in _chunks(items, chunk_size):
            pending.append(pool.apply_async(_clean_chunk, (chunk,)))
            if len(pending) >= in_flight:
                yield pending.popleft().get(wait)
        while pending:
            yield pending.popleft().get(wait)
    if fork:
        gc.unfreeze()
