"""The time limit of one document, and what a config sets around its cleaning (time limit and thresholds).

Apart because it is signal handling, not cleaning: an alarm that no library's `except Exception` can swallow.
"""
from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

from cleaners import tuning
from cleaners.config import CleanerConfig
from cleaners.document.source import CleanError


class _Expired(BaseException):
    """Raised by the alarm: a BaseException, so that no `except Exception` in a library can swallow it."""


@contextlib.contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise CleanError('timeout') when the block runs longer than `seconds` (main thread only).

    The alarm repeats every 0.1 s after it first fires, in case a library swallowed the first one; a single
    long call into C (a regex, libxml2) cannot be interrupted and ends before the alarm is seen.
    """
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def _expire(signum: int, frame: object) -> None:
        raise _Expired()

    previous = signal.signal(signal.SIGALRM, _expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.1)
    try:
        yield
    except _Expired:
        raise CleanError("timeout", f"cleaning took longer than {seconds:g} s") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def limits(config: CleanerConfig) -> Iterator[None]:
    """What a config sets for the cleaning of one document: its time limit and its thresholds."""
    with time_limit(config.timeout), tuning.applied(config.tuning):
        yield
