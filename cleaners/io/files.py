"""Finding inputs and writing outputs atomically."""
from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from cleaners.document.suffixes import HTML_SUFFIXES, MARKDOWN_SUFFIXES, TEXT_SUFFIXES

PAGE_SUFFIXES = HTML_SUFFIXES | MARKDOWN_SUFFIXES | TEXT_SUFFIXES
ARCHIVE_SUFFIXES = (".warc", ".warc.gz")


class InputError(ValueError):
    """An input path given on the command line does not exist."""


def expand_inputs(paths: Iterable[str]) -> Iterator[str]:
    """Files as given, and directories walked recursively in sorted order (hidden entries skipped).

    Inside directories page files (.txt, .md, .html, …) and web archives (.warc, .warc.gz: a crawl's
    `OUTDIR/warc/`) are taken; JSON Lines and Parquet files only when named, since a directory often holds a
    previous run's output. A file named explicitly is always taken, whatever its suffix.
    """
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    lower = name.lower()
                    if not name.startswith(".") and (Path(lower).suffix in PAGE_SUFFIXES
                                                     or lower.endswith(ARCHIVE_SUFFIXES)):
                        yield os.path.join(root, name)
        elif path.exists():
            yield p
        else:
            raise InputError(f"no such file or directory: {p}")


class AtomicJsonl:
    """JSON Lines written to a temporary file beside the target and renamed into place on success.

    `-` writes to standard output instead (nothing to rename). On failure the target is left untouched.
    """

    def __init__(self, target: str) -> None:
        self.target = target
        self._fh: IO[str] | None = None
        self._tmp: str | None = None
        self.count = 0

    def __enter__(self) -> AtomicJsonl:
        if self.target == "-":
            self._fh = sys.stdout
        else:
            directory = os.path.dirname(os.path.abspath(self.target))
            os.makedirs(directory, exist_ok=True)
            fd, self._tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".jsonl", dir=directory)
            self._fh = os.fdopen(fd, "w", encoding="utf-8")
        return self

    def write(self, record: dict[str, Any]) -> None:
        assert self._fh is not None
        self._fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.count += 1

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if self._fh is None or self._tmp is None:
            if self._fh is not None:
                self._fh.flush()
            return
        if exc_type is None:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            os.replace(self._tmp, self.target)
        else:
            self._fh.close()
            os.unlink(self._tmp)


def errors_path(output: str) -> str | None:
    """`OUT.jsonl` (or .jsonl.gz, .jsonl.zst, .parquet) -> `OUT.errors.jsonl`; None for standard output
    (errors then go to standard error)."""
    if output == "-":
        return None
    base = output
    for suffix in (".jsonl.gz", ".jsonl.zst", ".jsonl", ".parquet"):
        if output.lower().endswith(suffix):
            base = output[: -len(suffix)]
            break
    return base + ".errors.jsonl"
