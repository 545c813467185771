"""newsclean: clean Chinese news pages (HTML or flattened text) into normalised text with provenance.

    from cleaners import clean_text, clean_html, clean_file
    doc = clean_file("seeds/003_eb5bf98bd8c8b1df.txt")
    doc.title, doc.text, doc.to_dict()

The names are imported on first use, so that `import cleaners` (and every command) pays only for what it uses.
"""
from __future__ import annotations

import importlib
from typing import Any

# public name -> the module that defines it
_EXPORTS = {
    "CleanError": "cleaners.core", "Source": "cleaners.core", "__version__": "cleaners.core",
    "clean_bytes": "cleaners.core", "clean_file": "cleaners.core", "clean_html": "cleaners.core",
    "clean_text": "cleaners.core",
    "CleanerConfig": "cleaners.config", "ConfigError": "cleaners.config",
    "Document": "cleaners.record", "Provenance": "cleaners.record", "Quality": "cleaners.record",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'cleaners' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
