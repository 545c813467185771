"""The cleaning pool's pipes: messages larger than a pipe holds, many tasks in flight, results in order, a pool
fed from the fork server, and a closed pool."""
from __future__ import annotations

import asyncio
import hashlib
import os
import resource
import sys

import pytest

from scraper.workerpool import PipePool, WorkerDied


def _digest(data: bytes) -> tuple[int, str]:
    return len(data), hashlib.sha1(data).hexdigest()


def _echo(data: bytes) -> bytes:
    return data


def _pid() -> int:
    return os.getpid()


def test_large_messages_both_ways_never_block_the_loop():
    """Tasks and results of megabytes (a pipe holds ~200 KB) go through whole, while the loop keeps running."""
    big = [os.urandom(n) for n in (3 << 20, 5 << 20, 300_000, 1, 0)]

    async def scenario() -> None:
        pool = PipePool(2)
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.001)

        tick = asyncio.create_task(ticker())
        try:
            assert await asyncio.gather(*(pool.run(_digest, b) for b in big)) == [_digest(b) for b in big]
            assert await asyncio.gather(*(pool.run(_echo, b) for b in big)) == big
        finally:
            tick.cancel()
            pool.close()
        assert ticks > 5  # the loop ran while megabytes were written in pieces

    asyncio.run(scenario())


def test_many_tasks_in_flight_each_answered_once():
    payloads = [bytes([i % 256]) * (150_000 + i) for i in range(60)]

    async def scenario() -> None:
        pool = PipePool(2, depth=2)
        try:
            results = await asyncio.gather(*(pool.run(_digest, p) for p in payloads))
        finally:
            pool.close()
        assert results == [_digest(p) for p in payloads]

    asyncio.run(scenario())


def test_workers_forked_from_a_preloaded_server_are_accounted_to_this_process():
    """With modules to preload the workers come from the fork server; when the pool closes, the server is
    stopped and waited for, so the workers' CPU time counts among this process's children (as the bench reads)."""
    async def scenario() -> set[int]:
        pool = PipePool(2, preload=("scraper.links",))
        try:
            pids = set(await asyncio.gather(*(pool.run(_pid) for _ in range(8))))
            burn = await asyncio.gather(*(pool.run(_digest, os.urandom(1 << 20) * 40) for _ in range(2)))
            assert len(burn) == 2
        finally:
            pool.close()
        return pids

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    pids = asyncio.run(scenario())
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert os.getpid() not in pids and 1 <= len(pids) <= 2
    assert (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime) > 0.05  # hashing 80 MB


def test_a_closed_pool_fails_what_is_left():
    async def scenario() -> None:
        pool = PipePool(1)
        assert await pool.run(_echo, b"x") == b"x"
        pool.close()
        with pytest.raises(WorkerDied):
            await asyncio.wait_for(pool.run(_echo, b"y"), 10)

    asyncio.run(scenario())


_CRAWLER = """
import asyncio, sys, time
from scraper.workerpool import PipePool

async def main(state, preload):
    pool = PipePool(2, preload=preload)
    print(" ".join(str(w.proc.process.pid) for w in pool._workers), flush=True)
    if state == "busy":
        await asyncio.gather(pool.run(time.sleep, 300), pool.run(time.sleep, 300))
    await asyncio.sleep(300)

if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], ["os"] if sys.argv[2] == "forkserver" else []))
"""


@pytest.mark.parametrize("start", ["spawn", "forkserver"])
@pytest.mark.parametrize("state", ["idle", "busy"])
def test_cleaning_workers_exit_when_the_crawler_is_killed(tmp_path, start, state):
    import sys
    import time

    from test_parallel_crash import _orphans_after_kill

    script = tmp_path / "crawler.py"
    script.write_text(_CRAWLER)
    started: list[int] = []

    def ready(proc) -> None:
        started.extend(int(pid) for pid in proc.stdout.readline().split())
        time.sleep(2)  # started, and sleeping in their task (busy) or waiting for one (idle)

    left = _orphans_after_kill([sys.executable, str(script), state, start], ready, lambda _: started)
    assert left == [], f"cleaning workers {left} outlived the crawler ({start}, {state})"


def test_functions_named_by_module_path_run_in_the_worker_only():
    """A task or initializer given as "module:name" is imported in the worker, not in the calling process (the
    crawler names the cleaning worker's functions so: tests/test_crawl_startup.py); a name that does not resolve
    fails its own task, and the worker goes on."""
    async def scenario() -> None:
        pool = PipePool(1, initializer="os:getpid")
        try:
            assert "colorsys" not in sys.modules
            assert await pool.run("colorsys:rgb_to_hsv", 1.0, 0.0, 0.0) == (0.0, 1.0, 1.0)
            assert "colorsys" not in sys.modules  # imported by the worker alone
            assert await pool.run("json:dumps", [1, "二"]) == '[1, "\\u4e8c"]'
            with pytest.raises(AttributeError):
                await pool.run("json:no_such_function", 1)
            with pytest.raises(ModuleNotFoundError):
                await pool.run("no_such_module_here:f")
            assert await pool.run(_echo, b"still up") == b"still up"
            assert pool.restarts == 0
        finally:
            pool.close()

    asyncio.run(scenario())
