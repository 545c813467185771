"""Finding inputs, and the name of an output's errors file."""
from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

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
