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
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from cleaners.core import Source
from cleaners.io.files import expand_inputs

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


# A JSON string spells a page in at most about twice its UTF-8 bytes (`\\u4e2d` for a 3-byte ideograph, `\\"` and
# `\\n` for 1-byte ones): a line longer than this many times the page limit is refused unparsed (`too_large`).
LINE_BYTES_PER_PAGE_BYTE = 2


def max_line_bytes() -> int:
    return LINE_BYTES_PER_PAGE_BYTE * _max_bytes()


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


def read_inputs(paths: Iterable[str], fields: FieldMap | None = None, *, skips: bool = False) -> Iterator[InputItem]:
    """All items of all inputs, in order: containers record by record, directories walked sorted.

    `skips`: also the items that hold nothing to clean (WARC requests, images ...), so that they can be counted."""
    items = _all_items(paths, fields or FieldMap())
    return items if skips else (item for item in items if item.skip is None)


def _all_items(paths: Iterable[str], fields: FieldMap) -> Iterator[InputItem]:
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


# Lines looked at for the first JSON object, whose fields the mapping is checked against: bad lines before it are
# error entries of their own (`bad_json`), not a reason to refuse the file.
FIRST_OBJECT_LINES = 100


def _first_object(path: str) -> dict | None:
    """The first line that is a JSON object, read line by line and bounded (a bad byte or a bad line is that
    line's problem); None when the first lines hold none."""
    try:
        fh = open_binary(path)
    except OSError as exc:
        raise ReaderError(f"{path}: not readable as JSON Lines ({exc.strerror or exc})") from exc
    with fh:
        for _ in range(FIRST_OBJECT_LINES):
            try:
                line, whole = _bounded_line(fh)
            except (OSError, ValueError, EOFError, _zstd_error()):  # truncated or corrupt: an error entry, later
                return None
            if not line:
                return None
            if not whole or _blank(line):
                continue
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict):
                return obj
    return None


def open_text(path: str) -> IO[str]:
    """A text stream over a plain, gzip or zstandard file (chosen by suffix)."""
    lower = path.lower()
    if lower.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8")
    if lower.endswith(".zst"):
        return io.TextIOWrapper(open_binary(path), encoding="utf-8")
    return open(path, encoding="utf-8")


def _zstd_error() -> type[Exception]:
    try:
        import zstandard
    except ImportError:  # pragma: no cover - zstandard is a dependency
        return OSError
    return zstandard.ZstdError


class ZstdFrames(io.RawIOBase):
    """A zstandard file, frame after frame, read through the library's bounded stream reader. That reader reports a
    file that ends inside a frame as a normal end of file, so at the end the frames are walked (headers and block
    sizes only, nothing decompressed): a file cut short raises EOFError there, as a truncated gzip file does."""

    def __init__(self, path: str) -> None:
        import zstandard

        self._path = path
        self.source = open(path, "rb")  # the compressed file: its position is how far reading has got
        self._reader = zstandard.ZstdDecompressor().stream_reader(self.source, closefd=True, read_across_frames=True)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self._reader.readinto(buffer)
        if n == 0 and (problem := zstd_truncation(self._path)):
            raise EOFError(problem)
        return n

    def close(self) -> None:
        self._reader.close()
        super().close()


ZSTD_MAGIC = 0xFD2FB528
ZSTD_SKIPPABLE = 0x184D2A50  # to 0x184D2A5F: a skippable frame (4-byte size, then data)


def zstd_truncation(path: str) -> str | None:
    """Why a zstandard file is incomplete (its last frame cut short), or None: frame headers and block headers
    are read, blocks are skipped by their sizes (RFC 8878)."""
    import zstandard

    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        pos = 0
        while pos < size:
            fh.seek(pos)
            head = fh.read(18)  # the longest frame header
            magic = int.from_bytes(head[:4], "little") if len(head) >= 4 else None
            if magic is not None and magic & 0xFFFFFFF0 == ZSTD_SKIPPABLE:
                if len(head) < 8:
                    return f"a skippable frame at byte {pos} is cut short"
                pos += 8 + int.from_bytes(head[4:8], "little")
                continue
            if magic is None:
                return f"the file ends inside a frame header, at byte {size:,} (truncated)"
            if magic != ZSTD_MAGIC:
                return None  # not a frame: the decompressor reports what it is
            try:
                header = zstandard.frame_header_size(head)
                checksum = 4 if zstandard.get_frame_parameters(head).has_checksum else 0
            except zstandard.ZstdError:
                return f"the file ends inside a frame header, at byte {size:,} (truncated)"
            pos += header
            while True:  # blocks: a 3-byte header, then the block (one byte for an RLE block)
                fh.seek(pos)
                block = fh.read(3)
                if len(block) < 3:
                    return f"the file ends inside a frame, at byte {size:,} (truncated)"
                value = int.from_bytes(block, "little")
                pos += 3 + (1 if (value >> 1) & 3 == 1 else value >> 3)
                if value & 1:
                    break
            pos += checksum
        if pos > size:
            return f"the file ends inside a frame, at byte {size:,} (truncated)"
    return None


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
        return io.BufferedReader(ZstdFrames(path))
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
                if first != b"{" and length <= _BLOCK and _blank(span.read()):  # a longer line is not read here
                    continue
                yield InputItem(Source(f"{path}:{lineno}"), field_map=fields, span=span, consumed=offset + length)
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
    """Line by line, each line read at most to max_line_bytes() (the rest of a longer line is skipped unread)."""
    try:
        fh = open_binary(path)
    except OSError as exc:
        yield InputItem(Source(f"{path}:1"), error=("unreadable", str(exc)))
        return
    with fh:
        position = _file_position(fh)
        lineno = 0
        while True:
            try:
                line, whole = _bounded_line(fh)
            except EOFError as exc:  # a truncated .gz/.zst: an incomplete member or frame
                yield InputItem(Source(f"{path}:{lineno + 1}"), error=("truncated", str(exc)))
                return
            except (OSError, ValueError, _zstd_error()) as exc:  # corrupt data
                yield InputItem(Source(f"{path}:{lineno + 1}"), error=("unreadable", str(exc)))
                return
            if not line:
                return
            lineno += 1
            if not whole:
                yield InputItem(Source(f"{path}:{lineno}"), error=(
                    "too_large", f"a JSON line of more than {max_line_bytes():,} bytes"), consumed=position())
                continue
            if _blank(line):
                continue
            yield InputItem(Source(f"{path}:{lineno}"), line=line, field_map=fields, consumed=position())


def _file_position(fh: IO[bytes]) -> Callable[[], int | None]:
    """How many bytes of the file on disk a stream from open_binary has read (the compressed bytes of a .gz or
    .zst file, read ahead by at most a buffer), or None where that cannot be told (a pipe)."""
    raw: Any = getattr(fh, "fileobj", None) or getattr(getattr(fh, "raw", None), "source", None) or fh

    def position() -> int | None:
        try:
            return raw.tell()
        except (OSError, ValueError):
            return None

    return position


def _bounded_line(fh: IO[bytes]) -> tuple[bytes, bool]:
    """The next line, and False when it is longer than max_line_bytes(): then only its start is returned and the
    rest is read past, a block at a time."""
    limit = max_line_bytes()
    line = fh.readline(limit + 1)
    if len(line) <= limit or line.endswith(b"\n"):
        return line, True
    while (rest := fh.readline(_BLOCK)) and not rest.endswith(b"\n"):
        pass
    return line[:_BLOCK], False


def _blank(line: bytes) -> bool:
    """Whitespace only (Unicode whitespace too, as in text mode). A JSON object starts with `{`: such a line
    is told apart by its first byte, without a copy of a page-sized line."""
    if line[:1] == b"{":
        return False
    return line.isspace() or not line.decode("utf-8", "replace").strip()


def read_parquet(path: str, fields: FieldMap, batch_size: int = 256) -> Iterator[InputItem]:
    """One item per row, named `PATH:ROW` (1-based); only the mapped columns are read, batch by batch.

    Row groups are read one by one: the rows of a row group that cannot be read (corrupt pages, a bad checksum)
    are error entries, under the keys they would have had, and reading goes on with the next row group."""
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    names = pf.schema_arrow.names
    wanted = [c for c in dict.fromkeys((fields.page_field, fields.id_field, fields.url_field, *fields.keep_fields))
              if c in names]
    first = 0  # rows before this row group
    for group in range(pf.metadata.num_row_groups):
        rows = pf.metadata.row_group(group).num_rows
        row = first
        try:
            for batch in pf.iter_batches(batch_size=batch_size, row_groups=[group], columns=wanted):
                for obj in batch.to_pylist():
                    row += 1
                    item = _record_item(obj, f"{path}:{row}", fields)
                    item.consumed = row
                    yield item
        except Exception as exc:  # pyarrow raises OSError, ArrowInvalid ... for a damaged row group
            detail = f"row group {group} (rows {first + 1}-{first + rows}) cannot be read: {exc}"
            for lost in range(row + 1, first + rows + 1):
                yield InputItem(Source(f"{path}:{lost}"), error=("unreadable", detail), consumed=lost)
        first += rows


def read_warc(path: str) -> Iterator[InputItem]:
    """HTML responses of a WARC file (plain or gzip), named `PATH#RECORD-ID`; every other record is an item to
    skip (`skip`: its kind, counted in the summary), and what cannot be read an error entry (`truncated`,
    `unreadable`), named `PATH#RECORD-ID` when its headers are readable, `PATH#offset=N` otherwise.

    The HTTP Content-Type charset becomes `Source.http_charset`, which the decoder tries before the page's
    own declaration; the WARC date and target URI become `fetched_at` and `url`.
    """
    from cleaners.io.warc import iter_warc

    try:
        st = os.stat(path)
    except OSError as exc:
        yield InputItem(Source(f"{path}#end"), error=("unreadable", exc.strerror or str(exc)))
        return
    if not stat.S_ISREG(st.st_mode):  # a FIFO would block the open, a device never end
        yield InputItem(Source(f"{path}#end"), error=("not_a_file", "not a regular file"))
        return
    try:
        entries = iter_warc(path, _max_bytes())
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
        mime, charset = _parse_content_type(record.http_headers.get_header("Content-Type") or "")
        if mime not in HTML_TYPES:
            return InputItem(source, id=rec_id, skip="not_html")
        status = record.http_headers.get_statuscode()
        source.http_status = int(status) if status and status.isdigit() else None
        source.http_charset = charset
        if entry.too_large:
            return InputItem(source, id=rec_id, error=("too_large", f"more than {_max_bytes():,} bytes"))
        raw = record.content_stream().read(_max_bytes() + 1)
    except Exception as exc:  # broken HTTP headers, a broken chunked or gzip body
        return InputItem(source, id=rec_id, error=("unreadable", f"{type(exc).__name__}: {exc}"))
    if len(raw) > _max_bytes():  # never hold a giant body: the cleaner would refuse it anyway
        return InputItem(source, id=rec_id, error=("too_large", f"more than {_max_bytes():,} bytes"))
    return InputItem(source, raw=raw, fmt="html", id=rec_id)


def _max_bytes() -> int:
    from cleaners.document import intake

    return intake.MAX_INPUT_BYTES


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
