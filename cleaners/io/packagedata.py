"""The package's own data files (cleaners/data/*), read from beside its modules.

importlib.resources reads the same files of a package on disk, after importing its adapters and readers (tempfile
and zipfile among them): ~6 ms of every start. A package that is not on disk as files (a zip on sys.path) is read
through importlib.resources.
"""
from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # cleaners/


def package_text(relative: str) -> str:
    """The text (UTF-8) of a file of the cleaners package, `relative` to it (`data/tuning.yaml`)."""
    try:
        return (_PACKAGE / relative).read_text("utf-8")
    except FileNotFoundError:
        from importlib import resources

        return resources.files("cleaners").joinpath(relative).read_text("utf-8")
