"""Every fetched response as a WARC record, so pages can be cleaned again when the rules improve.

One gzipped WARC file per crawler process run; each record is built in memory and written with one write, so
a kill leaves the file a valid WARC (at worst without the record being written). `iter_warc_pages()` reads
them back as (raw bytes, Source) pairs for the cleaner.
"""
from __future__ import annotations

import datetime as dt
import io
import os
import zlib
from collections.abc import Iterable, Iterator
from http import HTTPStatus
from pathlib import Path
from urllib.parse import quote

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from cleaners.decode.charset import parse_content_type
from cleaners.document.source import Source

from .writer import AppendFile, BackgroundWriter, write_all

# Hop-by-hop framing that no longer describes the stored body.
_DROP_HEADERS = {b"transfer-encoding"}

try:  # ISA-L's deflate (the `isal` package): standard gzip members, ~5x faster than zlib for the same size
    from isal import isal_zlib as _deflate

    GZIP_LEVEL = 1
except ImportError:  # pragma: no cover - isal is a dependency; zlib keeps the crawler working without it
    _deflate = zlib
    GZIP_LEVEL = 3
# Each record is one gzip member, as warcio writes them. Measured on real news pages (126 pages of shared/eval,
# 106 KB each on average; CPU a page, and size against the page): zlib 9 (warcio's level) 3.1 ms, 23.6%; zlib 6
# 1.4 ms, 23.7%; zlib 3 0.75 ms, 25.8%; zlib 1 0.66 ms, 27.0%; isal 1 0.15 ms, 27.3%; isal 3 0.28 ms, 26.2%. The
# crawl's compression takes its CPU from cleaning; isal at 1 makes WARCs 15% larger than zlib at 6 for a tenth of
# the CPU (zlib, where isal is missing: 3, 9% larger for half).


def warc_name(prefix: str = "newsclean") -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
    return f"{prefix}-{stamp}-{os.getpid()}.warc.gz"


class WarcFile(AppendFile):
    def __init__(self, directory: str | Path, writer: BackgroundWriter | None = None) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / warc_name()
        super().__init__(self.path, writer)
        self.records = 0

    def write_response(self, url: str, status: int, reason: str, headers: Iterable[tuple[bytes, bytes]],
                       body: bytes, fetched_at: str | None = None, truncated: bool = False) -> None:
        """One response record; `truncated` when the download was stopped before the body's end (a robots.txt
        read up to its limit), which the record says as WARC-Truncated: length."""
        header_list = [(_header_name(k), v.decode("latin-1")) for k, v in headers if k.lower() not in _DROP_HEADERS]
        status_line = f"{status} {reason}".strip()

        def build() -> bytes:  # runs on the writer thread when there is one (gzip releases the GIL)
            buf = io.BytesIO()
            writer = WARCWriter(buf, gzip=False)
            http_headers = StatusAndHeaders(status_line, header_list, protocol="HTTP/1.1")
            warc_headers = {"WARC-Date": fetched_at} if fetched_at else {}
            if truncated:
                warc_headers["WARC-Truncated"] = "length"
            # with the length given, warcio digests the body in place instead of copying it to a temporary file
            record = writer.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body),
                                               http_headers=http_headers, warc_headers_dict=warc_headers or None)
            writer.write_record(record)
            gz = _deflate.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)
            return gz.compress(buf.getvalue()) + gz.flush()

        if self.writer is not None:
            self.writer.write(self._fd, build)
        else:
            write_all(self._fd, build())
        self.records += 1


def _header_name(name: bytes) -> str:
    """A header name as warcio can write it: it percent-encodes values but fails on a name that is not ASCII."""
    text = name.decode("latin-1")
    return text if text.isascii() else quote(text, safe="-_.!#$%&'*+^`|~")


def iter_warc_pages(paths: Iterable[str | Path], html_only: bool = True) -> Iterator[tuple[bytes, Source]]:
    """(body, Source) for every 200 response in WARC files or directories of them (content decoded)."""
    files: list[Path] = []
    for p in map(Path, paths):
        files += sorted(p.rglob("*.warc.gz")) + sorted(p.rglob("*.warc")) if p.is_dir() else [p]
    for file in files:
        with open(file, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                status = int(record.http_headers.get_statuscode() or 0)
                ctype = record.http_headers.get_header("Content-Type") or ""
                if status != HTTPStatus.OK or (html_only and "html" not in ctype.lower()):
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                source = Source(url, url=url, fetched_at=record.rec_headers.get_header("WARC-Date"),
                                final_url=url, http_status=status, http_charset=parse_content_type(ctype)[1])
                yield record.content_stream().read(), source
