"""The crawler's cleaning pool: results, errors, and a worker that dies mid-task."""
from __future__ import annotations

import asyncio
import os
import signal

import pytest

from scraper.workerpool import PipePool, WorkerDied


def _square(x: int) -> int:
    return x * x


def _fail(message: str) -> None:
    raise ValueError(message)


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def test_results_errors_and_a_dead_worker():
    async def scenario() -> None:
        pool = PipePool(2)
        try:
            assert await asyncio.gather(*(pool.run(_square, i) for i in range(20))) == [i * i for i in range(20)]
            with pytest.raises(ValueError, match="bad page"):
                await pool.run(_fail, "bad page")
            with pytest.raises(WorkerDied):
                await pool.run(_die)
            assert pool.restarts == 1
            assert await pool.run(_square, 7) == 49  # the pool goes on with a fresh worker
        finally:
            pool.close()

    asyncio.run(scenario())
