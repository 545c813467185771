"""newsclean: clean Chinese news pages (HTML or flattened text) into normalised text with provenance.

    from cleaners import clean_text, clean_html, clean_file, clean_tree, CleanerConfig
    doc = clean_file("seeds/003_eb5bf98bd8c8b1df.txt")
    doc.title, doc.text, doc.to_dict()
    clean_tree(["seeds"], "out/seeds.jsonl", jobs=2)

The public API is these five names and the types they return or raise (Document, CleanError, ConfigError);
everything else in the package is internal. Names are imported on first use, so that `import cleaners` (and
every command) pays only for what it uses.
"""
from __future__ import annotations

import importlib
import os
from collections.abc import Sequence
from typing import Any

# public name -> the module that defines it
_EXPORTS = {
    "CleanError": "cleaners.core", "Source": "cleaners.core", "__version__": "cleaners.core",
    "clean_bytes": "cleaners.core", "clean_file": "cleaners.core", "clean_html": "cleaners.core",
    "clean_text": "cleaners.core",
    "CleanerConfig": "cleaners.config", "ConfigError": "cleaners.config",
    "Document": "cleaners.record", "Provenance": "cleaners.record", "Quality": "cleaners.record",
}

__all__ = sorted([*_EXPORTS, "clean_tree"])


def clean_tree(inputs: str | os.PathLike | Sequence[str | os.PathLike], output: str | os.PathLike,
               config: Any = None, *, jobs: int = 1, resume: bool = False, shard_size: int | None = None,
               progress: bool = False) -> Any:
    """Clean files and directories of pages, JSON Lines, Parquet and WARC files into `output`, as
    `newsclean clean` does: every input ends as a record in `output` or an entry in its errors file.

    Returns the run's summary (documents, errors by reason, characters in and out, removals by rule).
    """
    from .run.batch import clean_inputs

    paths = [os.fspath(inputs)] if isinstance(inputs, str | os.PathLike) else [os.fspath(p) for p in inputs]
    return clean_inputs(paths, os.fspath(output), config, jobs=jobs, shard_size=shard_size, resume=resume,
                        progress=progress)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'cleaners' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
