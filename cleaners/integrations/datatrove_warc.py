"""`NewsWarcReader`: the HTML responses of WARC files as datatrove Documents that carry the response's bytes.

datatrove's own `WarcReader` decodes each body itself (UTF-8, then cchardet), asks libmagic for the type of a
record without `WARC-Identified-Payload-Type` (it calls some HTML pages `application/javascript`) and drops what
fails either way, uncounted; the pages it keeps reach `NewsCleaner` as text that newsclean can no longer decode
(`provenance.encoding` null). This reader reads the files with newsclean's own WARC reader
(`cleaners.io.warc_items.read_warc`, the one `newsclean clean X.warc.gz` uses: framing checked, every record accounted
for) and passes each HTML response on undecoded, so that `NewsCleaner` decodes it as `newsclean clean` does: BOM,
HTTP charset, the page's declaration, detection; gb2312/gbk as gb18030, big5 as big5hkscs.

How the bytes travel: in `doc.media`, as one datatrove `Media` entry (`type` DOCUMENT) whose `media_bytes` is the
response body and whose `metadata` holds `http_charset` and `http_status`; `doc.text` stays empty until
`NewsCleaner`, the step to put next, replaces it with the cleaned text. Bytes pickle as they are (a Document sent
to another process keeps its body, unlike a str that would have to be decoded first), datatrove's writers leave
`media_bytes` out unless given `save_media_bytes=True`, and `NewsCleaner` removes the entry when it has read it,
so the body never reaches its output.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Container, Iterator
from dataclasses import dataclass
from typing import Any

try:
    from datatrove.data import Document, DocumentsPipeline, Media, MediaType
    from datatrove.pipeline.readers.base import BaseDiskReader
    from datatrove.utils.logging import logger
except ImportError as exc:  # pragma: no cover - depends on the extra
    raise ImportError("cleaners.integrations.datatrove needs datatrove: pip install 'newsclean[datatrove]'") from exc

from cleaners.decode.charset import DecodeError, decode_bytes
from cleaners.io.files import ARCHIVE_SUFFIXES
from cleaners.io.items import InputItem
from cleaners.io.warc_items import read_warc

BODY_KIND = "http_body"  # Media.metadata["kind"] of the entry that holds a response body
COPY_BLOCK = 1 << 20  # bytes copied at a time when a remote WARC file is fetched to a local temporary file
OK_STATUSES = range(200, 300)


@dataclass(frozen=True)
class HttpBody:
    """A response body as NewsWarcReader passes it on: the bytes and what the HTTP headers said of them."""

    raw: bytes
    http_charset: str | None
    http_status: int | None

    def decoded(self) -> str:
        """The page as newsclean decodes it (for a dropped page written to an exclusion writer)."""
        try:
            return decode_bytes(self.raw, self.http_charset).text
        except DecodeError:
            return self.raw.decode("utf-8", "replace")


def body_media(raw: bytes, http_charset: str | None, http_status: int | None, record_id: str,
               url: str | None, path: str) -> Media:
    """The Media entry that carries a response body in `doc.media`."""
    return Media(id=record_id, type=MediaType.DOCUMENT, url=url or "", path=path, length=len(raw), media_bytes=raw,
                 metadata={"kind": BODY_KIND, "http_charset": http_charset, "http_status": http_status})


def pop_http_body(doc: Document) -> HttpBody | None:
    """The response body NewsWarcReader put in `doc.media`, taken out of the document; None when there is none
    (the document came from another reader: its text is the page)."""
    for i, media in enumerate(doc.media):
        if media.metadata.get("kind") == BODY_KIND and media.media_bytes is not None:
            del doc.media[i]
            return HttpBody(media.media_bytes, media.metadata.get("http_charset"), media.metadata.get("http_status"))
    return None


class NewsWarcReader(BaseDiskReader):
    """Read the WARC files (`.warc`, `.warc.gz`) of a data folder; yield one Document per HTML response.

    Each Document has the WARC-Record-ID as its id, `url` (WARC-Target-URI), `date` (WARC-Date) and `file_path`
    in its metadata, an empty text, and the body in `doc.media` (see the module docstring): put `NewsCleaner`
    next. Every record is either yielded or counted in the step's stats: `records` (all of them) = `documents`
    (yielded) + `skipped` + `errors`, when `limit` and `skip` are not used, with one counter per reason:
    `skipped_<kind>` for records that hold no page (`request`, `revisit`, `warcinfo`, `metadata`, `not_http`,
    `not_html`) and for responses whose status is not in `statuses` (`skipped_status_3xx`, `_4xx`, `_5xx`,
    `skipped_status_unknown`), `error_<reason>` for what cannot be read (`truncated`, `unreadable`,
    `too_large`; each also logged with its detail). Files whose names are not WARC files are counted as
    `files_not_warc` and not read.

    Args:
        data_folder: a str, tuple or DataFolder (local or remote; a remote file is copied to a local temporary
            file first, since the framing checks need to seek).
        statuses: the HTTP statuses whose responses are passed on (default 2xx); None passes every status.
        The other arguments are BaseDiskReader's (paths_file, limit, skip, file_progress, doc_progress,
        default_metadata, recursive, glob_pattern, shuffle_files).
    """

    name = "📰 NewsWarc"
    _requires_dependencies = ["warcio"]

    def __init__(self, data_folder: Any, paths_file: Any = None, limit: int = -1, skip: int = 0,
                 file_progress: bool = False, doc_progress: bool = False, default_metadata: dict | None = None,
                 recursive: bool = True, glob_pattern: str | None = None, shuffle_files: bool = False,
                 statuses: Container[int] | None = OK_STATUSES) -> None:
        super().__init__(data_folder, paths_file=paths_file, limit=limit, skip=skip, file_progress=file_progress,
                         doc_progress=doc_progress, default_metadata=default_metadata, recursive=recursive,
                         glob_pattern=glob_pattern, shuffle_files=shuffle_files)
        self.statuses = statuses

    def read_file(self, filepath: str) -> DocumentsPipeline:
        name = self.data_folder.resolve_paths(filepath)
        if not filepath.lower().endswith(ARCHIVE_SUFFIXES):
            self.stat_update("files_not_warc")
            logger.warning(f"{name}: not a WARC file (.warc, .warc.gz), not read")
            return
        with self._local(filepath) as local:
            for item in read_warc(local):
                with self.track_time():
                    doc = self._document(item, name, item.key[len(local):])
                if doc is not None:
                    yield doc

    def _document(self, item: InputItem, name: str, key: str) -> Document | None:
        """The Document of one WARC entry, or None when it is counted instead. `key` is `#RECORD-ID` (or
        `#offset=N`), the part of the entry's name after the file's."""
        self.stat_update("records")
        if item.error is not None:
            reason, detail = item.error
            self.stat_update("errors", f"error_{reason}")
            logger.warning(f"{name}{key}: {reason}: {detail}")
            return None
        if item.skip is not None:
            self.stat_update("skipped", f"skipped_{item.skip}")
            return None
        source = item.source
        status = source.http_status
        if self.statuses is not None and (status is None or status not in self.statuses):
            self.stat_update("skipped", f"skipped_status_{status // 100}xx" if status else "skipped_status_unknown")
            return None
        record_id = item.id or key[1:]
        media = body_media(item.raw or b"", source.http_charset, status, record_id, source.url, name)
        metadata = {"url": source.url, "date": source.fetched_at, "file_path": name}
        if self.default_metadata:
            metadata = self.default_metadata | metadata
        return Document(text="", id=record_id, media=[media], metadata=metadata)

    @contextlib.contextmanager
    def _local(self, filepath: str) -> Iterator[str]:
        """A local path to the file: its own on a local data folder, else a temporary copy (deleted after)."""
        if self.data_folder.is_local():
            yield self.data_folder.resolve_paths(filepath)
            return
        suffix = ".warc.gz" if filepath.lower().endswith(".gz") else ".warc"
        fd, tmp = tempfile.mkstemp(prefix="newsclean-", suffix=suffix)
        try:
            with os.fdopen(fd, "wb") as out, self.data_folder.open(filepath, "rb", compression=None) as src:
                shutil.copyfileobj(src, out, COPY_BLOCK)
            yield tmp
        finally:
            os.unlink(tmp)
