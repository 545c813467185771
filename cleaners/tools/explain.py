"""Why was this text removed? One document's text with every removed span marked with its rule (the names are
the catalogue's, cleaners.text.catalogue, which `newsclean rules` lists).

`explain_file` cleans one input and keeps the line-by-line account (a Trace) or the reason it failed;
`render_text` prints that account for a terminal (colours) or a pipe (plain `[-rule: text-]` markers), then the
metadata found and a count per rule. The HTML report (cleaners.tools.report) renders the same Explained objects.
"""
from __future__ import annotations

import os
import zlib
from collections import Counter
from dataclasses import dataclass, replace

from cleaners import regexcache
from cleaners.config import CleanerConfig
from cleaners.core import CleanError, Source
from cleaners.document.entry import trace_bytes, trace_decoded
from cleaners.document.intake import read_page_file
from cleaners.document.stages import Trace
from cleaners.io.items import InputItem
from cleaners.text.catalogue import RuleInfo, all_rules, rule_concepts

# The catalogue (cleaners.text.catalogue) as `newsclean rules` reads it from here.
__all__ = ["Explained", "RuleInfo", "all_rules", "annotated_lines", "explain_bytes", "explain_file", "render_text",
           "rule_concepts", "safe"]

# Control characters, bidi overrides and other format characters: shown escaped, never sent to a terminal
# or a report as they are (a page or a file name must not be able to move the cursor or reorder the line).
_UNSAFE = regexcache.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\u061c]")

RESET = "\x1b[0m"
BOLD = "\x1b[1m"
DIM = "\x1b[2m"
# Foreground colours for removed spans, picked per rule (stable: by a hash of its name).
_PALETTE = ("\x1b[31m", "\x1b[33m", "\x1b[35m", "\x1b[36m", "\x1b[34m", "\x1b[91m", "\x1b[93m", "\x1b[95m",
            "\x1b[96m", "\x1b[94m", "\x1b[32m", "\x1b[92m")


@dataclass
class Explained:
    """One input explained: the trace when it could be cleaned, the reason when it could not."""

    source: str
    trace: Trace | None = None
    reason: str | None = None  # CleanError.reason, or "internal" for a bug
    error: str | None = None  # the message that goes with the reason
    id: str | None = None  # the input's own id (a JSON Lines or Parquet record's, a WARC record's)

    @property
    def ok(self) -> bool:
        return self.trace is not None

    def rule_counts(self) -> Counter:
        """Removed spans per rule, most frequent first (the same count as provenance.removed)."""
        if self.trace is None:
            return Counter()
        return Counter(r.rule for r in self.trace.document.provenance.removed)

    def rule_chars(self) -> Counter:
        """Removed characters per rule."""
        out: Counter = Counter()
        if self.trace is not None:
            for r in self.trace.document.provenance.removed:
                out[r.rule] += len(r.text)
        return out


def with_spans(config: CleanerConfig | None) -> CleanerConfig:
    """The config with every removed span kept, whatever its `removed` says: the spans are what explain shows."""
    return replace(config or CleanerConfig(), removed="full")


def explain_bytes(raw: bytes, source: str | Source, config: CleanerConfig | None = None) -> Explained:
    name = source.name if isinstance(source, Source) else source
    config = with_spans(config)
    try:
        return Explained(name, trace=trace_bytes(raw, source, config=config))
    except CleanError as exc:
        return Explained(name, reason=exc.reason, error=str(exc))
    except Exception as exc:  # a bug on one page must not cost the others
        return Explained(name, reason="internal", error=f"internal: {type(exc).__name__}: {exc}")


def explain_file(path: str | os.PathLike, config: CleanerConfig | None = None) -> Explained:
    name = os.fspath(path)
    try:
        raw = read_page_file(name)  # a FIFO or a device is refused by stat, a giant file by its size
    except CleanError as exc:
        return Explained(name, reason=exc.reason, error=str(exc))
    return explain_bytes(raw, name, config)


def explain_item(item: InputItem, config: CleanerConfig | None = None) -> Explained:
    """One item of any input `newsclean clean` reads (a page file, a JSON line, a Parquet row, a WARC response),
    explained as clean would have cleaned it; an item that cannot be read is shown with its reason."""
    config = with_spans(config)
    try:
        item = item.resolve()  # a JSON line is parsed here
    except Exception as exc:  # a line nested deeper than the parser recurses
        return Explained(item.key, reason="internal", error=f"internal: {type(exc).__name__}: {exc}", id=item.id)
    if item.error is not None:
        reason, detail = item.error
        return Explained(item.key, reason=reason, error=f"{reason}: {detail}", id=item.id)
    if item.path is not None:
        ex = explain_file(item.path, config)
    else:
        try:
            if item.raw is not None:  # bytes decoded as a file's are; `flat` is text or Markdown, sniffed
                trace = trace_bytes(item.raw, item.source, fmt=None if item.fmt == "flat" else item.fmt,
                                    config=config)
            else:
                trace = trace_decoded(item.text or "", item.source, fmt=item.fmt, config=config)
            ex = Explained(item.key, trace=trace)
        except CleanError as exc:
            ex = Explained(item.key, reason=exc.reason, error=str(exc))
        except Exception as exc:  # a bug on one page must not cost the others
            ex = Explained(item.key, reason="internal", error=f"internal: {type(exc).__name__}: {exc}")
    ex.id = item.id
    return ex


def safe(text: str) -> str:
    """Text with control and bidi characters shown as escapes (`\\x1b`, `\\u202e`)."""
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def rule_color(rule: str) -> str:
    return _PALETTE[zlib.crc32(rule.encode()) % len(_PALETTE)]


def _removed(text: str, rule: str, color: bool) -> str:
    if color:
        c = rule_color(rule)
        return f"{c}{DIM}{text}{RESET} {c}{BOLD}‹{rule}›{RESET}"
    return f"[-{rule}: {text}-]"


def annotated_lines(ex: Explained, color: bool = False) -> list[str]:
    """The text the rules saw, one output line per input line, removed spans marked."""
    assert ex.trace is not None
    out: list[str] = []
    for item in ex.trace.removed_before:  # front matter: removed before the text rules ran
        for line in item.text.splitlines() or [""]:
            out.append(_removed(safe(line), item.rule, color))
    for row in ex.trace.annotated:
        out.append("".join(safe(s.text) if s.rule is None else _removed(safe(s.text), s.rule, color) for s in row))
    return out


_META_FIELDS = ("title", "published", "author", "editor", "source_name", "site", "url", "language", "categories",
                "tags")


def metadata_lines(ex: Explained) -> list[str]:
    assert ex.trace is not None
    doc = ex.trace.document
    out = []
    for name in _META_FIELDS:
        value = getattr(doc, name)
        if name == "language" and value:
            value = f"{value} ({doc.language_score:.2f})" if doc.language_score is not None else value
        if isinstance(value, list):
            value = ", ".join(value)
        out.append(f"  {name + ':':<13}{safe(str(value)) if value else '-'}")
    p = doc.provenance
    out.append(f"  {'format:':<13}{p.input_format}, {p.encoding or 'text'}, extracted by {p.extractor}")
    out.append(f"  {'sha256:':<13}{p.sha256}")
    out.append(f"  {'rules:':<13}{p.versions.get('rules')}")
    return out


def count_lines(ex: Explained) -> list[str]:
    counts, chars = ex.rule_counts(), ex.rule_chars()
    out = [f"  {rule:<28}{n:>5} span{'s' if n != 1 else ' '} {chars[rule]:>7,} chars"
           for rule, n in counts.most_common()]
    return out or ["  (nothing removed)"]


def render_text(ex: Explained, color: bool = False) -> str:
    """The whole explanation of one document, for a terminal (`color`) or a pipe."""
    head = f"== {safe(ex.source)}{f' (id {safe(ex.id)})' if ex.id else ''} =="
    if not ex.ok:
        line = f"error ({ex.reason}): {safe(ex.error or '')}"
        return "\n".join([head, f"\x1b[31m{line}{RESET}" if color else line]) + "\n"
    assert ex.trace is not None
    doc = ex.trace.document
    sections = [BOLD + head + RESET if color else head]
    if doc.provenance.extractor == "trafilatura":
        sections.append("(HTML page: the main content was chosen by trafilatura; the rest of the page is not shown)")
    sections += annotated_lines(ex, color)
    kept, total = len(doc.text), doc.provenance.input_chars or 0
    sections += ["", "metadata:", *metadata_lines(ex), "", "removed by rule:", *count_lines(ex)]
    sections.append(f"kept {kept:,} of {total:,} characters" + (f" ({kept / total:.0%})" if total else ""))
    return "\n".join(sections) + "\n"
