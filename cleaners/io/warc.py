"""WARC files read record by record, every record accounted for: a page, a skip (counted), or an error entry.

warcio's ArchiveIterator trusts each record's Content-Length and the gzip stream: a length too large swallows
the records after it (with only a warning), a last gzip member cut short comes out as a normal, shorter record,
and a corrupt member ends the file behind one error. So the framing is checked here first: each gzip member is
decompressed on its own (a corrupt one is an error entry, and reading goes on at the next gzip member magic), and
each record's Content-Length must land on the blank line that ends it (when it does not, reading goes on at the
next `WARC/1.` header). Only a record whose bytes are whole is handed to warcio, alone and from memory, to parse
its HTTP headers and decode its body.
"""
from __future__ import annotations

import mmap
import os
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

HEADER_MAX = 64 * 1024  # WARC (or HTTP) headers longer than this are not headers
SPILL_BYTES = 8 * 1024 * 1024  # a gzip member that decompresses past this goes to a temporary file, not memory
BLOCK = 1 << 20  # compressed bytes read at a time
GZIP_MAGIC = b"\x1f\x8b\x08"
WARC_START = b"WARC/1."
END = b"\r\n\r\n"  # the blank line after the headers, and the two CRLFs after a record's block
HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass
class WarcEntry:
    """One thing read from a WARC file: a record whose block is whole (`blob`: its headers and block), a record
    skipped (`skip`: its kind), or bytes that could not be read as a record (`error`: reason, detail).

    `key` is the record's id (`<urn:uuid:…>`) when its headers could be read, otherwise `offset=N`."""

    key: str
    blob: bytes | None = None
    skip: str | None = None
    error: tuple[str, str] | None = None
    headers: dict[str, str] | None = None
    too_large: bool = False  # the block holds more than max_bytes: `blob` stops after its HTTP headers
    end: int = 0  # the file offset reading has reached with this entry (compressed bytes for .warc.gz): progress


def iter_warc(path: str, max_bytes: int) -> Iterator[WarcEntry]:
    """The entries of a plain or gzip WARC file (gzip recognised by its magic bytes), in file order.

    A record whose block holds more than `max_bytes` is only read as far as its HTTP headers."""
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size == 0:
            return
        if fh.read(len(GZIP_MAGIC)) == GZIP_MAGIC:
            yield from _gzip_entries(fh, size, max_bytes)
            return
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as view:
            yield from _records(view, 0, True, max_bytes)


# ---- gzip members -------------------------------------------------------------------------------------------


def _gzip_entries(fh: Any, size: int, max_bytes: int) -> Iterator[WarcEntry]:
    offset, pending = 0, b""  # compressed bytes read past the end of the last member: the start of the next
    while offset < size:
        if not pending:
            fh.seek(offset)
        member = _Member(fh, pending)
        if member.error is not None and member.spool.size == 0:
            nxt = _next_magic(fh, offset + 1, size)
            if not _padding(fh, offset, nxt):
                yield WarcEntry(f"offset={offset}", error=("unreadable", f"bytes {offset}-{nxt - 1} are not a gzip "
                                                           f"member ({member.error})"), end=nxt)
            offset, pending = nxt, b""
            continue
        # what the records of this member have read up to: its end, the end of a file that ends inside it, or (a
        # corrupt member) its start, until reading goes on at the next member
        end = offset + member.length if member.complete else size if member.error is None else offset
        with member.spool as data:
            for entry in _records(data, offset, member.error is None and member.complete, max_bytes,
                                  cut=member.error or "the file ends inside this gzip member"):
                entry.end = end  # in compressed bytes: where this member ends
                yield entry
        if member.error is not None:
            offset, pending = _next_magic(fh, offset + 1, size), b""
        elif not member.complete:  # the file ends inside this member
            return
        else:
            offset, pending = offset + member.length, member.rest


class _Member:
    """One gzip member decompressed from where the file is (after the compressed bytes `pending`, already read):
    its data (`spool`), its compressed `length`, the bytes read past its end (`rest`), whether it ended properly
    (`complete`), and the zlib error that cut it short, if any."""

    def __init__(self, fh: Any, pending: bytes) -> None:
        self.spool = _Spool()
        self.error: str | None = None
        self.complete = False
        self.length = 0
        self.rest = b""
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        data, taken = pending, 0
        try:
            while not d.eof:
                if not data and not (data := fh.read(BLOCK)):
                    break
                taken += len(data)
                while data and not d.eof:  # bounded output per call: a small block may expand a thousandfold
                    self.spool.write(d.decompress(data, BLOCK))
                    data = d.unconsumed_tail
        except zlib.error as exc:
            self.error = f"corrupt gzip data: {exc}"
            return
        self.complete = d.eof
        self.rest = d.unused_data
        self.length = taken - len(self.rest)


class _Spool:
    """Bytes kept in memory up to SPILL_BYTES, then in an unlinked temporary file; read back as one buffer."""

    def __init__(self) -> None:
        self.size = 0
        self._mem = bytearray()
        self._file: Any = None
        self._map: mmap.mmap | None = None

    def write(self, data: bytes) -> None:
        if not data:
            return
        self.size += len(data)
        if self._file is None and len(self._mem) + len(data) <= SPILL_BYTES:
            self._mem += data
            return
        if self._file is None:
            self._file = tempfile.TemporaryFile()
            self._file.write(self._mem)
            self._mem = bytearray()
        self._file.write(data)

    def __enter__(self) -> bytes | bytearray | mmap.mmap:
        if self._file is None:
            return self._mem
        self._file.flush()
        self._map = mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ)
        return self._map

    def __exit__(self, *exc: object) -> None:
        if self._map is not None:
            self._map.close()
        if self._file is not None:
            self._file.close()


def _next_magic(fh: Any, start: int, size: int) -> int:
    """The offset of the next gzip member magic at or after `start`, or `size`."""
    pos = start
    while pos < size:
        fh.seek(pos)
        block = fh.read(BLOCK + len(GZIP_MAGIC) - 1)
        i = block.find(GZIP_MAGIC)
        if i >= 0:
            return pos + i
        pos += BLOCK
    return size


def _padding(fh: Any, start: int, end: int) -> bool:
    """NUL bytes or whitespace to the end of the file (what some writers leave): nothing lost there."""
    if end - start > BLOCK:
        return False
    fh.seek(start)
    return not fh.read(end - start).strip(b"\x00 \t\r\n")


# ---- records in a buffer ------------------------------------------------------------------------------------


def _records(buf: Any, base: int, complete: bool, max_bytes: int,
             cut: str = "the file ends inside this record") -> Iterator[WarcEntry]:
    """The records of `buf` (a plain file, or one gzip member: `base` is its offset in the file, for error keys).
    `complete` is False when the buffer was cut short (a truncated or corrupt member): `cut` says how."""
    n = len(buf)
    pos = _skip_blank(buf, 0)
    while pos < n:
        if buf[pos:pos + len(WARC_START)] != WARC_START:
            nxt = _find_header(buf, pos + 1)
            what = "bytes that are not a WARC record" if complete or nxt >= 0 else cut
            yield WarcEntry(f"offset={base + pos}", error=("unreadable", f"{(nxt if nxt >= 0 else n) - pos:,} {what}"),
                            end=base + (nxt if nxt >= 0 else n))
            if nxt < 0:
                return
            pos = nxt
            continue
        hend = buf.find(END, pos, pos + HEADER_MAX)
        headers = _parse_headers(bytes(buf[pos:hend])) if hend >= 0 else None
        length = _content_length(headers)
        if headers is None or length is None:
            nxt = _find_header(buf, pos + 1)
            reason = "truncated" if hend < 0 and nxt < 0 and (n - pos < HEADER_MAX or not complete) else "unreadable"
            key = headers.get("warc-record-id") if headers else None
            yield WarcEntry(key or f"offset={base + pos}", error=(reason, "the WARC headers are cut short" if
                            reason == "truncated" else "no readable WARC headers with a Content-Length"),
                            end=base + (nxt if nxt >= 0 else n))
            if nxt < 0:
                return
            pos = nxt
            continue
        key = headers.get("warc-record-id") or f"offset={base + pos}"
        body = hend + len(END)
        end = body + length
        if end > n:  # the file or member ends inside the block, or the length is larger than the record
            nxt = _find_header(buf, body)
            detail = (f"Content-Length {length:,} runs past the end of the record ({n - body:,} bytes)" if complete
                      else f"{cut}: {n - body:,} of {length:,} bytes")
            yield WarcEntry(key, error=("truncated", detail), headers=headers, end=base + (nxt if nxt >= 0 else n))
            if nxt < 0:
                return
            pos = nxt
            continue
        tail = bytes(buf[end:end + len(END)])
        if tail != END and not (end + len(tail) == n and END.startswith(tail)):
            nxt = _find_header(buf, body)
            yield WarcEntry(key, error=("truncated", f"Content-Length {length:,} does not end where the record "
                                        "does: the record is cut short or its length is wrong"), headers=headers,
                            end=base + (nxt if nxt >= 0 else n))
            if nxt < 0:
                return
            pos = nxt
            continue
        entry = _entry(key, headers, buf, pos, body, end, max_bytes)
        entry.end = base + end + len(tail)
        yield entry
        pos = _skip_blank(buf, end + len(tail))


def _entry(key: str, headers: dict[str, str], buf: Any, start: int, body: int, end: int,
           max_bytes: int) -> WarcEntry:
    """A whole record: skipped when it holds no page, otherwise its bytes (only its HTTP headers when too large)."""
    kind = headers.get("warc-type", "").lower()
    if kind != "response":
        return WarcEntry(key, skip=kind or "untyped", headers=headers)
    if not headers.get("content-type", "").lower().startswith("application/http"):
        return WarcEntry(key, skip="not_http", headers=headers)
    if end - body <= max_bytes + HEADER_MAX:
        return WarcEntry(key, blob=bytes(buf[start:end]), headers=headers)
    return WarcEntry(key, blob=bytes(buf[start:body + HEADER_MAX]), headers=headers, too_large=True)


def _skip_blank(buf: Any, pos: int) -> int:
    n = len(buf)
    while pos < n and buf[pos:pos + 1] in (b"\r", b"\n"):
        pos += 1
    return pos


def _find_header(buf: Any, start: int) -> int:
    """The offset of the next `WARC/1.` that starts a line at or after `start`, or -1."""
    i = buf.find(b"\n" + WARC_START, max(0, start - 1))
    return i + 1 if i >= 0 else -1


def _parse_headers(block: bytes) -> dict[str, str] | None:
    """WARC headers (names lower-cased), or None when the block is not a WARC header block."""
    lines = block.decode("utf-8", "replace").split("\r\n")
    if not lines[0].startswith("WARC/1."):
        return None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers.setdefault(name.strip().lower(), value.strip())
    return headers


def _content_length(headers: dict[str, str] | None) -> int | None:
    value = (headers or {}).get("content-length", "")
    return int(value) if value.isdigit() else None
