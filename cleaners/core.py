"""The public entry points: text, HTML, a file or raw bytes in, a Document with metadata and provenance out.

The work is done in cleaners.document (the input guard, the time limit, the stages, the provenance); this module
is what callers import, and CleanError, Source and __version__ are re-exported from there.
"""
from __future__ import annotations

import os

from cleaners.config import CleanerConfig
from cleaners.document.entry import clean_decoded, trace_bytes, trace_raw
from cleaners.document.intake import read_page_file
from cleaners.document.limits import limits
from cleaners.document.provenance import __version__
from cleaners.document.source import CleanError, Source
from cleaners.record import Document
from cleaners.text.rules import RuleTable

__all__ = ["CleanError", "Source", "__version__", "clean_bytes", "clean_file", "clean_html", "clean_text"]


def clean_bytes(
    raw: bytes, source: Source | str, *, fmt: str | None = None, config: CleanerConfig | None = None,
    table: RuleTable | None = None,
) -> Document:
    """Decode and clean raw page bytes; the format is sniffed from the name and content when not given."""
    return trace_bytes(raw, source, fmt=fmt, config=config, table=table).document


def clean_text(text: str, source: str = "<text>", *, url: str | None = None,
               config: CleanerConfig | None = None) -> Document:
    """Clean flattened page text (or Markdown with front matter) given as a string."""
    return clean_decoded(text, Source(source, url=url), fmt="flat", config=config)


def clean_html(html: str | bytes, source: str = "<html>", *, url: str | None = None,
               config: CleanerConfig | None = None) -> Document:
    """Clean an HTML page given as text or bytes (bytes are decoded: BOM, declaration, detection)."""
    if isinstance(html, bytes):
        return clean_bytes(html, Source(source, url=url), fmt="html", config=config)
    return clean_decoded(html, Source(source, url=url), fmt="html", config=config)


def clean_file(path: str | os.PathLike, config: CleanerConfig | None = None) -> Document:
    """Clean a file of any supported kind (.txt, .md, .html); raises CleanError when it cannot be cleaned.

    Reading is inside the time limit and bounded by the size guard, and only regular files are read."""
    name = os.fspath(path)
    config = config or CleanerConfig()
    with limits(config):
        return trace_raw(read_page_file(name), Source(name), None, config, None).document
