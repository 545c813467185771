"""Shared test fixtures: paths into the repository."""
from __future__ import annotations

import atexit
import os
import shutil
import signal
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# The regex cache (cleaners.regexcache) of the suite and of every command it runs: a directory of its own, so that
# tests neither read what the user's runs cached nor write there. tests/test_regexcache.py tests the cache itself.
if "NEWSCLEAN_CACHE_DIR" not in os.environ:
    _CACHE = tempfile.mkdtemp(prefix="newsclean-test-cache-")
    os.environ["NEWSCLEAN_CACHE_DIR"] = _CACHE
    atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)

# A suite started in the background (`pytest &` from a script) inherits SIGINT ignored, and so would every command
# it runs: the tests that stop a run with Ctrl-C would then see it finish instead. A handler of our own is reset to
# the default in each child, where Python turns SIGINT into KeyboardInterrupt as in a terminal.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture
def seeds_dir() -> Path:
    return ROOT / "seeds"


@pytest.fixture
def fixtures_dir() -> Path:
    return ROOT / "fixtures"
