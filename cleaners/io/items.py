"""The item every reader yields: one document to clean, or the reason it cannot be, and how its key is spelled.

Readers do no cleaning: an `InputItem` carries raw bytes, decoded text, a path or an unparsed JSON line, so that the
expensive work runs in worker processes and reading stays cheap and streaming. The field mapping of tabular
inputs, the size limits readers apply and the key resolution that --resume relies on belong with it.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from cleaners.document.source import Source


class ReaderError(ValueError):
    """An input cannot be read as a whole (wrong field mapping, unreadable container): a usage error."""


@dataclass(frozen=True)
class FieldMap:
    """Which fields of a tabular record hold the page, its id and its URL, and which to carry through."""

    html_field: str | None = None  # the page is HTML
    text_field: str | None = None  # the page is flattened text (or Markdown with front matter)
    id_field: str = "id"
    url_field: str = "url"
    keep_fields: tuple[str, ...] = ()

    @property
    def page_field(self) -> str:
        return self.html_field or self.text_field or "text"

    @property
    def fmt(self) -> str | None:
        """`html` for --html-field, `flat` (text or Markdown) for --text-field, None (sniffed) otherwise."""
        return "html" if self.html_field else "flat" if self.text_field else None


@dataclass
class InputItem:
    """One document to clean. Exactly one of `path`, `raw`, `text`, `line`, `span` is set, unless `error` is."""

    source: Source  # source.name is the item's key: unique in a run, used by --resume
    path: str | None = None  # a page file, read by the worker
    raw: bytes | None = None  # page bytes, decoded by the cleaner (BOM, HTTP charset, declaration, detection)
    text: str | None = None  # page text already decoded (a JSON string)
    fmt: str | None = None  # html, text, markdown, or None to sniff
    id: str | None = None  # the input's own id, kept in the record
    fields: dict[str, Any] = field(default_factory=dict)  # carried through to the record
    error: tuple[str, str] | None = None  # (reason, detail) when the item could not be read
    line: str | bytes | None = None  # a JSON Lines record not parsed yet: the worker parses it (see resolve)
    field_map: FieldMap | None = None  # how to read `line`
    span: FileSpan | None = None  # or where that line is in an uncompressed file: the worker reads it
    skip: str | None = None  # nothing to clean (a WARC request, revisit, image ...): counted, by kind
    # how far into its input file reading is with this item, for a progress bar: bytes of a JSON Lines or WARC
    # file (compressed bytes when it is compressed), rows of a Parquet file; None for a page file
    consumed: int | None = None

    @property
    def key(self) -> str:
        return self.source.name

    def resolve(self) -> InputItem:
        """The item a deferred JSON line describes. Parsing a page-sized JSON string is real work: done here,
        in the worker, it no longer runs serially in the process that reads the input."""
        line = self.line
        if line is None and self.span is not None:
            if self.span.length > max_line_bytes():  # refused before it is read: parsing it would take 4x in memory
                return InputItem(self.source, error=("too_large", f"a JSON line of {self.span.length:,} bytes, "
                                                                  f"more than {max_line_bytes():,}"))
            try:
                line = self.span.read()
            except OSError as exc:
                return InputItem(self.source, error=("unreadable", str(exc)))
        if line is None:
            return self
        try:
            obj = json.loads(line)  # bytes are read as UTF-8 (or UTF-16/32 when the line is)
        except ValueError as exc:  # UnicodeDecodeError included: a line that is not UTF-8 is a bad line
            return InputItem(self.source, error=("bad_json", str(exc)))
        if not isinstance(obj, dict):
            return InputItem(self.source, error=("bad_json", "the line is not a JSON object"))
        return record_item(obj, self.source.name, self.field_map or FieldMap())


@dataclass(frozen=True)
class FileSpan:
    """Bytes `offset` to `offset + length` of an uncompressed file (one JSON line)."""

    path: str
    offset: int
    length: int

    def read(self) -> bytes:
        fd = os.open(self.path, os.O_RDONLY)
        try:
            data = os.pread(fd, self.length, self.offset)
        finally:
            os.close(fd)
        if len(data) != self.length:
            raise OSError(f"{self.path} is shorter than when it was read (changed during the run?)")
        return data


# A JSON string spells a page in at most about twice its UTF-8 bytes (`\\u4e2d` for a 3-byte ideograph, `\\"` and
# `\\n` for 1-byte ones): a line longer than this many times the page limit is refused unparsed (`too_large`).
LINE_BYTES_PER_PAGE_BYTE = 2


def max_line_bytes() -> int:
    return LINE_BYTES_PER_PAGE_BYTE * max_input_bytes()


def max_input_bytes() -> int:
    from cleaners.document import intake

    return intake.MAX_INPUT_BYTES


def record_item(obj: dict[str, Any], name: str, fields: FieldMap) -> InputItem:
    """An item from one tabular record (a JSON object or a Parquet row)."""
    rid = obj.get(fields.id_field)
    url = obj.get(fields.url_field)
    source = Source(name, url=str(url) if url else None)
    item = InputItem(source, id=str(rid) if rid is not None else None,
                     fields={k: obj.get(k) for k in fields.keep_fields}, fmt=fields.fmt)
    page = obj.get(fields.page_field)
    if page is None:
        item.error = ("missing_field", f"no field {fields.page_field!r} in this record")
    elif isinstance(page, bytes):
        item.raw = page
    elif isinstance(page, str):
        item.text = page
    else:
        item.error = ("bad_field", f"field {fields.page_field!r} is {type(page).__name__}, not text")
    return item


class KeyResolver:
    """Item keys with their file part resolved (os.path.realpath), so that resume does not depend on how a path is
    spelled: `in.jsonl:3`, `./in.jsonl:3` and `/abs/in.jsonl:3` are the same input.

    Keys are `PATH` (a page file), `PATH:N` (a JSON line or Parquet row) and `PATH#ID` (a WARC record). The file
    part is found by trying where it can end, and checked against the disk once per distinct path; a key whose
    file is gone stays as it is. Keys written before keys were resolved are read the same way.
    """

    def __init__(self) -> None:
        self._real: dict[str, str | None] = {}

    def __call__(self, key: str) -> str:
        for path, rest in self._splits(key):
            if (real := self._resolved(path)) is not None:
                return real + rest
        return key

    @staticmethod
    def _splits(key: str) -> Iterator[tuple[str, str]]:
        path, sep, row = key.rpartition(":")
        if sep and path and row.isdigit():
            yield path, ":" + row
        i = key.find("#")
        while i > 0:
            yield key[:i], key[i:]
            i = key.find("#", i + 1)
        yield key, ""

    def _resolved(self, path: str) -> str | None:
        if path not in self._real:
            self._real[path] = os.path.realpath(path) if os.path.isfile(path) else None
        return self._real[path]
