"""What comes before the stages: reading a page file, the size guard, decoding and sniffing the format.

Apart because it is about bytes and files, not page text: every refusal here (empty, too_large, not_a_file,
unreadable, undecodable) is made before a line is cleaned.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

import regex

from cleaners import regexcache
from cleaners.decode.charset import Decoded, DecodeError, decode_bytes, repair_misread_chinese
from cleaners.document.source import CleanError, Source
from cleaners.document.suffixes import HTML_SUFFIXES, MARKDOWN_SUFFIXES, TEXT_SUFFIXES

# Inputs past MAX_INPUT_BYTES are refused outright (see also article.MAX_TRAFILATURA_CHARS).
MAX_INPUT_BYTES = 64 * 1024 * 1024
_HTML_SNIFF = regexcache.compile(r"<(!doctype\s+html|html|head|body|div|p|article|section|span|table|br)\b", regex.I)


def sniff_format(name: str, text: str) -> str:
    """`html`, `markdown` or `text`, from the file name and, when that says nothing, the content."""
    suffix = Path(name.split("?")[0]).suffix.lower()
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in MARKDOWN_SUFFIXES:
        return "markdown"
    head = text.lstrip()[:2000]
    if head.startswith("---"):
        return "markdown"
    if suffix not in TEXT_SUFFIXES and _HTML_SNIFF.search(head) and head.startswith("<"):
        return "html"
    return "text"


def looks_like_html(body: str) -> bool:
    """Whether a body (after front matter) holds HTML tags."""
    return bool(_HTML_SNIFF.search(body[:5000]))


def decode_input(raw: bytes, source: Source) -> Decoded:
    """The size guard and decoding of clean_bytes (CleanError: empty, too_large, undecodable)."""
    if not raw.strip():
        raise CleanError("empty", "the input is empty")
    if len(raw) > MAX_INPUT_BYTES:
        raise CleanError("too_large", f"{len(raw):,} bytes, more than {MAX_INPUT_BYTES:,}")
    try:
        decoded = decode_bytes(raw, source.http_charset)
    except DecodeError as exc:
        raise CleanError("undecodable", str(exc)) from exc
    if (repaired := repair_misread_chinese(decoded.text)) is not None:
        return Decoded(repaired, decoded.encoding, "repaired")
    return decoded


def check_text_size(text: str) -> None:
    """The refusal decode_input makes, counted in characters, for text that is already decoded."""
    if len(text) > MAX_INPUT_BYTES:
        raise CleanError("too_large", f"{len(text):,} characters, more than {MAX_INPUT_BYTES:,}")


def read_page_file(path: str, limit: int | None = None) -> bytes:
    """The bytes of a regular file of at most `limit` (default MAX_INPUT_BYTES) bytes.

    CleanError `not_a_file` for anything else (a FIFO, which would block the open; a device such as /dev/zero,
    which never ends; a directory), decided by stat before the file is opened, and `too_large` from its size,
    before a byte is read. The open does not block and the read stops past the limit, in case the file changed.
    """
    limit = MAX_INPUT_BYTES if limit is None else limit
    try:
        st = os.stat(path)
    except OSError as exc:
        raise CleanError("unreadable", exc.strerror or str(exc)) from exc
    if not stat.S_ISREG(st.st_mode):
        raise CleanError("not_a_file", f"{_file_kind(st.st_mode)}, not a regular file")
    if st.st_size > limit:
        raise CleanError("too_large", f"{st.st_size:,} bytes, more than {limit:,}")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise CleanError("unreadable", exc.strerror or str(exc)) from exc
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # replaced between the stat and the open
            raise CleanError("not_a_file", "not a regular file")
        try:
            raw = fh.read(limit + 1)
        except OSError as exc:
            raise CleanError("unreadable", exc.strerror or str(exc)) from exc
    if len(raw) > limit:
        raise CleanError("too_large", f"more than {limit:,} bytes")
    return raw


def _file_kind(mode: int) -> str:
    for test, kind in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return kind
    return "a special file"
