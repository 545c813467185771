"""Readers: page files, JSON Lines, Parquet and WARC turned into a stream of lightweight input items.

A reader does no cleaning: it yields `InputItem`s (raw bytes or decoded text, a Source, a format hint and
the input fields to carry through), so that the expensive work can run in worker processes and the reader
stays cheap and streaming. Items that cannot be read (a bad JSON line, a missing field) are yielded with an
`error` so that they end as error entries like any other failure.
"""
from __future__ import annotations

import gzip
import io
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from .core import Source
from .files import expand_inputs

JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.zst", ".ndjson", ".ndjson.gz", ".ndjson.zst",
                  ".json.gz", ".json.zst")
PARQUET_SUFFIXES = (".parquet",)
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
HTML_TYPES = ("text/html", "application/xhtml+xml")


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

    @property
    def key(self) -> str:
        return self.source.name

    def resolve(self) -> InputItem:
        """The item a deferred JSON line describes. Parsing a page-sized JSON string is real work: done here,
        in the worker, it no longer runs serially in the process that reads the input."""
        line = self.line
        if line is None and self.span is not None:
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
        return _record_item(obj, self.source.name, self.field_map or FieldMap())


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


def input_kind(path: str) -> str:
    """`jsonl`, `parquet`, `warc` or `pages` (a page file or a directory of them), from the name."""
    lower = path.lower()
    if lower.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if lower.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if lower.endswith(WARC_SUFFIXES):
        return "warc"
    return "pages"


def read_inputs(paths: Iterable[str], fields: FieldMap | None = None) -> Iterator[InputItem]:
    """All items of all inputs, in order: containers record by record, directories walked sorted."""
    fields = fields or FieldMap()
    for p in paths:
        kind = input_kind(p) if not os.path.isdir(p) else "pages"
        if kind == "jsonl":
            yield from read_jsonl(p, fields)
        elif kind == "parquet":
            yield from read_parquet(p, fields)
        elif kind == "warc":
            yield from read_warc(p)
        else:
            for path in expand_inputs([p]):
                if input_kind(path) == "warc":  # a crawl's OUTDIR/warc/, walked as a directory
                    yield from read_warc(path)
                else:
                    yield InputItem(Source(path), path=path)


def check_inputs(paths: Iterable[str], fields: FieldMap | None = None) -> None:
    """Fail early, before any output is touched, on a missing input or a field mapping the data lacks.

    Parquet is checked against its schema; JSON Lines against its first record. Later records that lack
    the field become error entries (`missing_field`).
    """
    fields = fields or FieldMap()
    for p in paths:
        if not os.path.exists(p):
            raise ReaderError(f"no such file or directory: {p}")
        kind = input_kind(p) if not os.path.isdir(p) else "pages"
        if kind == "parquet":
            import pyarrow.parquet as pq

            try:
                names = pq.ParquetFile(p).schema_arrow.names
            except Exception as exc:
                raise ReaderError(f"{p}: not a readable Parquet file ({exc})") from exc
            _check_names(p, names, fields)
        elif kind == "jsonl":
            first = _first_object(p)
            if first is not None:
                _check_names(p, list(first), fields)


def _check_names(path: str, names: list[str], fields: FieldMap) -> None:
    missing = [f for f in (fields.page_field, *fields.keep_fields) if f not in names]
    if missing:
        raise ReaderError(f"{path}: no field {', '.join(missing)} (fields: {', '.join(names)}); "
                          "map the page with --html-field or --text-field")


def _first_object(path: str) -> dict | None:
    try:
        with open_text(path) as fh:
            for line in fh:
                if line.strip():
                    obj = json.loads(line)
                    return obj if isinstance(obj, dict) else None
    except (OSError, ValueError, EOFError) as exc:
        raise ReaderError(f"{path}: not readable as JSON Lines ({exc})") from exc
    return None


def open_text(path: str) -> IO[str]:
    """A text stream over a plain, gzip or zstandard file (chosen by suffix)."""
    lower = path.lower()
    if lower.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8")
    if lower.endswith(".zst"):
        import zstandard

        stream = zstandard.ZstdDecompressor().stream_reader(open(path, "rb"), closefd=True, read_across_frames=True)
        return io.TextIOWrapper(stream, encoding="utf-8")
    return open(path, encoding="utf-8")


def _record_item(obj: dict[str, Any], name: str, fields: FieldMap) -> InputItem:
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


def open_binary(path: str) -> IO[bytes]:
    """A buffered binary stream over a plain, gzip or zstandard file (chosen by suffix)."""
    lower = path.lower()
    if lower.endswith(".gz"):
        return gzip.open(path, "rb")
    if lower.endswith(".zst"):
        import zstandard

        stream = zstandard.ZstdDecompressor().stream_reader(open(path, "rb"), closefd=True, read_across_frames=True)
        return io.BufferedReader(stream)  # type: ignore[arg-type]
    return open(path, "rb")


def read_jsonl(path: str, fields: FieldMap) -> Iterator[InputItem]:
    """One item per non-blank line, named `PATH:LINE` (1-based), so that resume can recognise it.

    Lines are left unparsed: the worker decodes them. In an uncompressed regular file the reading process only
    finds where lines end and each item holds its place (`FileSpan`), which the worker reads; a compressed file
    (or a pipe) is read line by line.
    """
    if not path.lower().endswith((".gz", ".zst")) and os.path.isfile(path):
        yield from _read_plain_jsonl(path, fields)
    else:
        yield from _read_jsonl_lines(path, fields)


def _read_plain_jsonl(path: str, fields: FieldMap) -> Iterator[InputItem]:
    lineno = 0
    try:
        with open(path, "rb", buffering=0) as fh:
            for offset, length, first in _line_spans(fh):
                lineno += 1
                span = FileSpan(path, offset, length)
                if first != b"{" and _blank(span.read()):
                    continue
                yield InputItem(Source(f"{path}:{lineno}"), field_map=fields, span=span)
    except OSError as exc:
        yield InputItem(Source(f"{path}:{lineno + 1}"), error=("unreadable", str(exc)))


_BLOCK = 1 << 20


def _line_spans(fh: IO[bytes]) -> Iterator[tuple[int, int, bytes]]:
    """(offset, length, first byte) of every line of a binary file, the last one with or without its newline.

    The file is scanned a block at a time for newlines and no line is copied: for page-sized JSON lines,
    copying them is most of what reading costs.
    """
    base = line_start = 0  # file offsets of the block's first byte and of the current line
    first = b""
    while block := fh.read(_BLOCK):
        i = 0
        while True:
            if not first and i < len(block):
                first = block[i:i + 1]
            nl = block.find(b"\n", i)
            if nl < 0:
                break
            end = base + nl + 1
            yield line_start, end - line_start, first
            line_start, first, i = end, b"", nl + 1
        base += len(block)
    if base > line_start:
        yield line_start, base - line_start, first


def _read_jsonl_lines(path: str, fields: FieldMap) -> Iterator[InputItem]:
    with open_binary(path) as fh:
        lineno = 0
        while True:
            try:
                line = fh.readline()
            except (OSError, EOFError, ValueError) as exc:  # a truncated .gz/.zst ends the file here
                yield InputItem(Source(f"{path}:{lineno + 1}"), error=("unreadable", str(exc)))
                return
            if not line:
                return
            lineno += 1
            if _blank(line):
                continue
            yield InputItem(Source(f"{path}:{lineno}"), line=line, field_map=fields)


def _blank(line: bytes) -> bool:
    """Whitespace only (Unicode whitespace too, as in text mode). A JSON object starts with `{`: such a line
    is told apart by its first byte, without a copy of a page-sized line."""
    if line[:1] == b"{":
        return False
    return line.isspace() or not line.decode("utf-8", "replace").strip()


def read_parquet(path: str, fields: FieldMap, batch_size: int = 256) -> Iterator[InputItem]:
    """One item per row, named `PATH:ROW` (1-based); only the mapped columns are read, batch by batch."""
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    names = pf.schema_arrow.names
    wanted = [c for c in dict.fromkeys((fields.page_field, fields.id_field, fields.url_field, *fields.keep_fields))
              if c in names]
    row = 0
    for batch in pf.iter_batches(batch_size=batch_size, columns=wanted):
        for obj in batch.to_pylist():
            row += 1
            yield _record_item(obj, f"{path}:{row}", fields)


def read_warc(path: str) -> Iterator[InputItem]:
    """HTML responses of a WARC file (plain or gzip), named `PATH#RECORD-ID`; other records are skipped.

    The HTTP Content-Type charset becomes `Source.http_charset`, which the decoder tries before the page's
    own declaration; the WARC date and target URI become `fetched_at` and `url`.
    """
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    with open(path, "rb") as fh:
        try:
            for n, record in enumerate(ArchiveIterator(fh), 1):
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                ctype = record.http_headers.get_header("Content-Type") or ""
                mime, charset = _parse_content_type(ctype)
                if mime not in HTML_TYPES:
                    continue
                rec_id = record.rec_headers.get_header("WARC-Record-ID") or f"record-{n}"
                status = record.http_headers.get_statuscode()
                source = Source(
                    f"{path}#{rec_id}", url=record.rec_headers.get_header("WARC-Target-URI"),
                    fetched_at=record.rec_headers.get_header("WARC-Date"),
                    http_status=int(status) if status and status.isdigit() else None, http_charset=charset,
                )
                try:
                    raw = record.content_stream().read(_max_bytes() + 1)
                except Exception as exc:  # a broken chunked or gzip body
                    yield InputItem(source, id=rec_id, error=("unreadable", f"{type(exc).__name__}: {exc}"))
                    continue
                if len(raw) > _max_bytes():  # never hold a giant body: the cleaner would refuse it anyway
                    yield InputItem(source, id=rec_id, error=("too_large", f"more than {_max_bytes():,} bytes"))
                    continue
                yield InputItem(source, raw=raw, fmt="html", id=rec_id)
        except ArchiveLoadFailed as exc:
            yield InputItem(Source(f"{path}#end"), error=("unreadable", str(exc)))


def _max_bytes() -> int:
    from . import core

    return getattr(core, "MAX_INPUT_BYTES", 64 * 1024 * 1024)


def _parse_content_type(value: str) -> tuple[str, str | None]:
    """`text/html; charset=GBK` -> ("text/html", "GBK")."""
    parts = [p.strip() for p in value.split(";")]
    mime = parts[0].lower()
    charset = None
    for p in parts[1:]:
        key, _, val = p.partition("=")
        if key.strip().lower() == "charset" and val.strip():
            charset = val.strip().strip("\"'")
    return mime, charset
