"""The ways into the stages below the public API: raw bytes, text already decoded, and an HTML page whose parsed
tree the caller looks at first.

Each puts the config's time limit and thresholds around the whole document and hands the stages a known format;
`explain` and the crawler use these, cleaners.core builds the public entry points on them.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable

from lxml import html as lxml_html

from cleaners.config import CleanerConfig
from cleaners.decode.charset import repair_misread_chinese
from cleaners.document.intake import check_text_size, decode_input, sniff_format
from cleaners.document.limits import limits
from cleaners.document.source import CleanError, Source
from cleaners.document.stages import Trace, trace_document
from cleaners.html.parse import HtmlError, parse_html
from cleaners.record import Document
from cleaners.text.rules import RuleTable


def trace_bytes(
    raw: bytes, source: Source | str, *, fmt: str | None = None, config: CleanerConfig | None = None,
    table: RuleTable | None = None,
) -> Trace:
    """clean_bytes with the line-by-line account of removals (see Trace)."""
    source = Source(source) if isinstance(source, str) else source
    config = config or CleanerConfig()
    with limits(config):
        return trace_raw(raw, source, fmt, config, table)


def trace_raw(raw: bytes, source: Source, fmt: str | None, config: CleanerConfig,
              table: RuleTable | None) -> Trace:
    """Decode and clean raw bytes inside limits the caller has already set."""
    decoded = decode_input(raw, source)
    fmt = fmt or sniff_format(source.name, decoded.text)
    return trace_document(decoded.text, source, fmt=fmt, sha256=hashlib.sha256(raw).hexdigest(),
                          encoding=decoded.encoding, config=config, table=table)


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
    with limits(config):
        decoded = decode_input(raw, source)
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
    check_text_size(text)
    with limits(config):
        if fmt == "flat":
            fmt = "markdown" if text.lstrip().startswith("---") else "text"
        sha = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        text = repair_misread_chinese(text) or text
        fmt = fmt or sniff_format(source.name, text)
        return trace_document(text, source, fmt=fmt, sha256=sha, encoding=None, config=config)
