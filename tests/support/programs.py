"""System programs a test needs (redis-server, Chromium): required in CI, skipped with a hint elsewhere.

`make test` installs them with apt-get; on a machine set up another way a missing program skips its tests with
the command that installs it, while under `CI=true` the same absence fails them, so CI never goes green by
skipping.
"""
from __future__ import annotations

import os
import shutil

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def require_program(*names: str, make_target: str) -> str:
    """The path of the first of `names` on PATH; otherwise fail under CI and skip elsewhere, saying how to install."""
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    message = f"{names[0]} is not installed: run `make {make_target}` (Debian, as root) or install it yourself"
    if in_ci():
        pytest.fail(message + " (CI=true: required)")
    pytest.skip(message)
