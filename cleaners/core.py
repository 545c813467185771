"""Cleaning one document: bytes or text in, a Document with metadata and provenance out."""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import os
import signal
import stat
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import regex
from lxml import html as lxml_html

from cleaners import tuning
from cleaners.config import CleanerConfig
from cleaners.decode.charset import Decoded, DecodeError, decode_bytes, repair_misread_chinese
from cleaners.decode.langid import detect_language
from cleaners.decode.normalize import convert_script, normalize_line, normalize_text
from cleaners.html.article import extract_article
from cleaners.html.parse import HtmlError, parse_html, text_chars
from cleaners.record import Document, Provenance
from cleaners.schema import iso_datetime, timestamp
from cleaners.text.clean import Removal, clean_page_text
from cleaners.text.frontmatter import as_list, split_front_matter
from cleaners.text.metadata import parse_date, plausible_author
from cleaners.text.quality import quality_signals
from cleaners.text.rules import RuleTable, default_table
from cleaners.text.siterules import load_site_rules

try:
    __version__ = importlib_metadata.version("newsclean")
except importlib_metadata.PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0+src"

HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
TEXT_SUFFIXES = {".txt", ".text"}
# Inputs past MAX_INPUT_BYTES are refused outright (see also article.MAX_TRAFILATURA_CHARS).
MAX_INPUT_BYTES = 64 * 1024 * 1024
_HTML_SNIFF = regex.compile(r"<(!doctype\s+html|html|head|body|div|p|article|section|span|table|br)\b", regex.I)


class CleanError(Exception):
    """A document that cannot be cleaned; `reason` is a short machine-readable word."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass
class Source:
    """Where a document came from, as far as it is known."""

    name: str  # path or URL as given
    url: str | None = None
    fetched_at: str | None = None
    final_url: str | None = None
    http_status: int | None = None
    http_charset: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def versions(table: RuleTable) -> dict[str, str]:
    """The versions recorded in provenance; the rules' say so when the config overrides thresholds."""
    return {"newsclean": __version__, "trafilatura": _trafilatura_version(),
            "rules": table.version + tuning.version_suffix(tuning.active)}


@functools.cache
def _trafilatura_version() -> str:
    """From the installed metadata: importing trafilatura costs ~0.1 s that a Chinese page never needs."""
    try:
        return importlib_metadata.version("trafilatura")
    except importlib_metadata.PackageNotFoundError:  # pragma: no cover - a core dependency
        return "unknown"


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


class _Expired(BaseException):
    """Raised by the alarm: a BaseException, so that no `except Exception` in a library can swallow it."""


@contextlib.contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise CleanError('timeout') when the block runs longer than `seconds` (main thread only).

    The alarm repeats every 0.1 s after it first fires, in case a library swallowed the first one; a single
    long call into C (a regex, libxml2) cannot be interrupted and ends before the alarm is seen.
    """
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def _expire(signum: int, frame: object) -> None:
        raise _Expired()

    previous = signal.signal(signal.SIGALRM, _expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.1)
    try:
        yield
    except _Expired:
        raise CleanError("timeout", f"cleaning took longer than {seconds:g} s") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _limits(config: CleanerConfig) -> Iterator[None]:
    """What a config sets for the cleaning of one document: its time limit and its thresholds."""
    with time_limit(config.timeout), tuning.applied(config.tuning):
        yield


def _looks_like_html(body: str) -> bool:
    return bool(_HTML_SNIFF.search(body[:5000]))


def _doc_id(source: Source, sha: str) -> str:
    key = source.url or os.path.basename(source.name.rstrip("/")) or source.name
    # a file name that is not UTF-8 holds lone surrogates once decoded: hashed as the bytes it was on disk
    return hashlib.sha256(f"{key}\n{sha}".encode("utf-8", "surrogateescape")).hexdigest()[:16]


@dataclass
class Trace:
    """A cleaned document with the line-by-line account of what was kept and removed (for `explain`)."""

    document: Document
    # the text the rules saw, line by line: (span, rule) pairs, rule None for kept text
    annotated: list[list[tuple[str, str | None]]]
    # removals that happened before the text rules (front matter, HTML pruning), as {rule, text}
    removed_before: list[dict[str, str]]


def clean_document(
    text: str, source: Source, *, fmt: str, sha256: str, encoding: str | None,
    config: CleanerConfig | None = None, table: RuleTable | None = None,
) -> Document:
    """Clean decoded page text of a known format (`html`, `markdown` or `text`)."""
    return trace_document(text, source, fmt=fmt, sha256=sha256, encoding=encoding, config=config,
                          table=table).document


def trace_document(
    text: str, source: Source, *, fmt: str, sha256: str, encoding: str | None,
    config: CleanerConfig | None = None, table: RuleTable | None = None, tree: lxml_html.HtmlElement | None = None,
) -> Trace:
    """Like clean_document, and also say line by line what was kept and what each rule removed.

    `tree`: an HTML `text` already parsed with parse_html(text), so that it is not parsed twice."""
    config = config or CleanerConfig()
    with tuning.applied(config.tuning):
        return _trace(text, source, fmt=fmt, sha256=sha256, encoding=encoding, config=config, table=table, tree=tree)


def _trace(
    text: str, source: Source, *, fmt: str, sha256: str, encoding: str | None,
    config: CleanerConfig, table: RuleTable | None, tree: lxml_html.HtmlElement | None,
) -> Trace:
    table = table or default_table()
    if config.extra_rules:
        table = table.extended(list(config.extra_rules))
    if not text.strip():
        raise CleanError("empty", "the document has no text")

    removed: list[Removal] = []
    fm_meta: dict[str, Any] = {}
    body, body_format = text, fmt
    if fmt in ("markdown", "text") and (fm := split_front_matter(text)) is not None:
        fm_meta, body = fm.meta, fm.body
        removed.append(Removal("front_matter_invalid" if fm.error else "front_matter", fm.raw.strip()))
        body_format = "html" if _looks_like_html(body) else "text"

    html_meta = None
    extractor = "text"
    fm_title = normalize_line(str(fm_meta["title"])) if fm_meta.get("title") else None
    input_chars = len(text)
    if body_format == "html":
        try:
            page = tree if tree is not None and body is text else parse_html(body)
            input_chars += text_chars(page) - len(body)  # the page's text, not its markup (front matter as it is)
            extraction = extract_article(body, table=table, title=fm_title, url=source.url,
                                         mojibake=config.fix_mojibake,
                                         site_rules=load_site_rules(config.site_rules) if config.site_rules else (),
                                         tree=page)
        except HtmlError as exc:
            raise CleanError("unparsable", str(exc)) from exc
        if extraction.not_article:
            raise CleanError("not_article", extraction.not_article)
        html_meta, extractor, result = extraction.meta, extraction.extractor, extraction.result
        removed.extend(Removal(rule, text) for rule, text in extraction.pruned)
    else:
        result = clean_page_text(normalize_text(body, mojibake=config.fix_mojibake), table, title=fm_title)
    # front matter states the title; for HTML the text rules may have found it shorter in the <h1>
    known_title = fm_title or (result.title if html_meta and result.title else None) or (
        normalize_line(html_meta.title) if html_meta and html_meta.title else None)
    removed_before = [r.to_dict() for r in removed]
    removed.extend(result.removed)
    if not result.text.strip():
        raise CleanError("no_text", "no article text found")

    meta = result.meta
    title = known_title or (normalize_line(result.title) if result.title else None)
    # what the page states (front matter, JSON-LD, meta tags), then what the text rules read in its datelines and
    # bylines, then what an HTML page prints by its headline; an account name (`@ACLU`) only when nothing else
    published = (
        parse_date(fm_meta.get("date") or fm_meta.get("published"))
        or (html_meta.published if html_meta else None)
        or meta.get("date")
        or (html_meta.printed_date if html_meta else None)
        or (html_meta.modified if html_meta else None)
    )
    author = _first_str(fm_meta.get("author"), plausible_author(html_meta.author) if html_meta else None,
                        meta.get("author"), html_meta.byline if html_meta else None,
                        html_meta.handle if html_meta else None)
    site = _first_str(fm_meta.get("site"), html_meta.site if html_meta else None, meta.get("site"))
    url = _first_str(source.url, fm_meta.get("url"), fm_meta.get("link"),
                     html_meta.url if html_meta else None, meta.get("url"))
    categories = as_list(fm_meta.get("categories")) or (html_meta.categories if html_meta else [])
    tags = as_list(fm_meta.get("tags")) or (html_meta.tags if html_meta else []) or as_list(meta.get("tags"))

    body_text, script = result.text, None
    if config.to_simplified:
        body_text = convert_script(body_text, config.opencc_config)
        title = convert_script(title, config.opencc_config) if title else title
        script = config.opencc_config
    language, score = detect_language(body_text) if config.detect_language else (None, None)

    published, precision = iso_datetime(published)
    provenance = Provenance(
        source=source.name, sha256=sha256, input_format=fmt, encoding=encoding, fetched_at=timestamp(source.fetched_at),
        cleaned_at=dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"), url=source.url,
        final_url=source.final_url, http_status=source.http_status, http_charset=source.http_charset,
        script=script, extractor=extractor, input_chars=input_chars, versions=versions(table),
        removed=[r.to_dict() for r in removed] if config.removed == "full" else None,
        removed_counts=removal_counts(removed) if config.removed != "none" else None,
    )
    document = Document(
        id=_doc_id(source, sha256), title=title, text=body_text, published=published, published_precision=precision,
        author=author, editor=_first_str(meta.get("editor")), source_name=_first_str(meta.get("source")), site=site,
        url=url, language=language, language_score=score, categories=categories, tags=tags,
        quality=quality_signals(result.text, removed, table), provenance=provenance,
    )
    return Trace(document, result.annotated, removed_before)


def removal_counts(removed: list[Removal]) -> list[dict[str, Any]]:
    """{rule, count, chars} per rule, in the order the rules first removed something."""
    counts: dict[str, dict[str, Any]] = {}
    for r in removed:
        entry = counts.get(r.rule)
        if entry is None:
            entry = counts[r.rule] = {"rule": r.rule, "count": 0, "chars": 0}
        entry["count"] += 1
        entry["chars"] += len(r.text)
    return list(counts.values())


def _first_str(*values: Any) -> str | None:
    for v in values:
        if isinstance(v, str) and v.strip():
            return normalize_line(v)
    return None


def clean_bytes(
    raw: bytes, source: Source | str, *, fmt: str | None = None, config: CleanerConfig | None = None,
    table: RuleTable | None = None,
) -> Document:
    """Decode and clean raw page bytes; the format is sniffed from the name and content when not given."""
    return trace_bytes(raw, source, fmt=fmt, config=config, table=table).document


def trace_bytes(
    raw: bytes, source: Source | str, *, fmt: str | None = None, config: CleanerConfig | None = None,
    table: RuleTable | None = None,
) -> Trace:
    """clean_bytes with the line-by-line account of removals (see Trace)."""
    source = Source(source) if isinstance(source, str) else source
    config = config or CleanerConfig()
    with _limits(config):
        return _trace_raw(raw, source, fmt, config, table)


def _trace_raw(raw: bytes, source: Source, fmt: str | None, config: CleanerConfig,
               table: RuleTable | None) -> Trace:
    decoded = _decode_input(raw, source)
    fmt = fmt or sniff_format(source.name, decoded.text)
    return trace_document(decoded.text, source, fmt=fmt, sha256=hashlib.sha256(raw).hexdigest(),
                          encoding=decoded.encoding, config=config, table=table)


def _decode_input(raw: bytes, source: Source) -> Decoded:
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


def clean_html_bytes(
    raw: bytes, source: Source | str, *, config: CleanerConfig | None = None, table: RuleTable | None = None,
    inspect: Callable[[lxml_html.HtmlElement], bool] | None = None,
) -> Document | None:
    """clean_bytes(raw, source, fmt="html"), letting the caller look at the page's tree first, from the same parse.

    The crawler takes each page's links and article/list type from the tree the cleaner works on instead of
    parsing the page a second time. `inspect(tree)` sees the tree as parsed, before the cleaner prunes it; when it
    returns False the page is not cleaned and None is returned. The time limit covers `inspect` too. CleanError as
    for clean_bytes; inspect is not called when the page cannot be decoded or parsed.
    """
    source = Source(source) if isinstance(source, str) else source
    config = config or CleanerConfig()
    with _limits(config):
        decoded = _decode_input(raw, source)
        text = decoded.text
        if not text.strip():
            raise CleanError("empty", "the document has no text")
        try:
            tree = parse_html(text)
        except HtmlError as exc:
            raise CleanError("unparsable", str(exc)) from exc
        if inspect is not None and not inspect(tree):
            return None
        return trace_document(text, source, fmt="html", sha256=hashlib.sha256(raw).hexdigest(),
                              encoding=decoded.encoding, config=config, table=table, tree=tree).document


def clean_decoded(text: str, source: Source | str, *, fmt: str | None = None,
                  config: CleanerConfig | None = None) -> Document:
    """Clean page text that is already decoded (a string from JSON, Parquet, datatrove or the caller).

    `fmt` is html, text, markdown, `flat` (text, or Markdown when it opens with front matter) or None (sniffed
    from the name and content, as for files). The same size guard and time limit as clean_bytes apply.
    """
    return trace_decoded(text, source, fmt=fmt, config=config).document


def trace_decoded(text: str, source: Source | str, *, fmt: str | None = None,
                  config: CleanerConfig | None = None) -> Trace:
    """clean_decoded with the line-by-line account of removals (see Trace), for `explain`."""
    source = Source(source) if isinstance(source, str) else source
    config = config or CleanerConfig()
    if len(text) > MAX_INPUT_BYTES:  # the refusal clean_bytes makes, counted in characters
        raise CleanError("too_large", f"{len(text):,} characters, more than {MAX_INPUT_BYTES:,}")
    with _limits(config):
        if fmt == "flat":
            fmt = "markdown" if text.lstrip().startswith("---") else "text"
        sha = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        text = repair_misread_chinese(text) or text
        fmt = fmt or sniff_format(source.name, text)
        return trace_document(text, source, fmt=fmt, sha256=sha, encoding=None, config=config)


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
    with _limits(config):
        return _trace_raw(read_page_file(name), Source(name), None, config, None).document


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
