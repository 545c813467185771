"""WARC inputs as items: the HTML responses to clean, every other record a counted skip or an error entry.

The framing is checked by `cleaners.io.warc`; this module turns each entry it yields into an item, with the HTTP
status, charset, date and target URI carried into the item's Source.
"""
from __future__ import annotations

import io
import os
import stat
from collections.abc import Iterator
from typing import Any

from cleaners.core import Source
from cleaners.decode.charset import parse_content_type
from cleaners.io.items import InputItem, max_input_bytes
from cleaners.io.warc import HTML_TYPES, iter_warc

WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")


def read_warc(path: str) -> Iterator[InputItem]:
    """HTML responses of a WARC file (plain or gzip), named `PATH#RECORD-ID`; every other record is an item to
    skip (`skip`: its kind, counted in the summary), and what cannot be read an error entry (`truncated`,
    `unreadable`), named `PATH#RECORD-ID` when its headers are readable, `PATH#offset=N` otherwise.

    The HTTP Content-Type charset becomes `Source.http_charset`, which the decoder tries before the page's
    own declaration; the WARC date and target URI become `fetched_at` and `url`.
    """
    try:
        st = os.stat(path)
    except OSError as exc:
        yield InputItem(Source(f"{path}#end"), error=("unreadable", exc.strerror or str(exc)))
        return
    if not stat.S_ISREG(st.st_mode):  # a FIFO would block the open, a device never end
        yield InputItem(Source(f"{path}#end"), error=("not_a_file", "not a regular file"))
        return
    try:
        entries = iter_warc(path, max_input_bytes())
        for entry in entries:
            item = _warc_item(path, entry)
            item.consumed = entry.end
            yield item
    except (OSError, ValueError) as exc:  # unreadable as a whole: a directory, a special file, an I/O error
        yield InputItem(Source(f"{path}#end"), error=("unreadable", str(exc)))


def _warc_item(path: str, entry: Any) -> InputItem:
    """The item of one WARC entry: the record's page parsed by warcio from its own bytes."""
    headers = entry.headers or {}
    source = Source(f"{path}#{entry.key}", url=headers.get("warc-target-uri"), fetched_at=headers.get("warc-date"))
    rec_id = headers.get("warc-record-id")
    if entry.error is not None:
        return InputItem(source, id=rec_id, error=entry.error)
    if entry.skip is not None:
        return InputItem(source, id=rec_id, skip=entry.skip)
    from warcio.archiveiterator import ArchiveIterator

    try:
        record = next(iter(ArchiveIterator(io.BytesIO(entry.blob))))
        if record.http_headers is None:
            return InputItem(source, id=rec_id, skip="not_http")
        mime, charset = parse_content_type(record.http_headers.get_header("Content-Type") or "")
        if mime not in HTML_TYPES:
            return InputItem(source, id=rec_id, skip="not_html")
        status = record.http_headers.get_statuscode()
        source.http_status = int(status) if status and status.isdigit() else None
        source.http_charset = charset
        if entry.too_large:
            return InputItem(source, id=rec_id, error=("too_large", f"more than {max_input_bytes():,} bytes"))
        raw = record.content_stream().read(max_input_bytes() + 1)
    except Exception as exc:  # broken HTTP headers, a broken chunked or gzip body
        return InputItem(source, id=rec_id, error=("unreadable", f"{type(exc).__name__}: {exc}"))
    if len(raw) > max_input_bytes():  # never hold a giant body: the cleaner would refuse it anyway
        return InputItem(source, id=rec_id, error=("too_large", f"more than {max_input_bytes():,} bytes"))
    return InputItem(source, raw=raw, fmt="html", id=rec_id)
