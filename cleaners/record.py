"""The output record: one cleaned document with its metadata, quality signals and provenance.

The fields and their order are those of `cleaners.schema.RECORD` (a test keeps the two the same); `to_dict()` is
the record every output writes.
"""
from __future__ import annotations

import copy
import functools
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

_SCALARS = frozenset({str, int, float, bool, type(None)})
# what a record keeps of the removed text (config `removed`, `clean --removed`): every span with its rule, per-rule
# counts and characters only, or neither
REMOVED_MODES = ("full", "counts", "none")


@dataclass(frozen=True, slots=True)
class Span:
    """A piece of page text and the rule that removed it, None for kept text: what DOM pruning, the text rules,
    `explain` and the record's `provenance.removed` all hold. One is made per removed line, hence slots; a record
    turns it into its `{rule, text}` dict form only in `to_dict()`."""

    rule: str | None
    text: str


@dataclass
class Provenance:
    source: str  # the input path or URL as given
    sha256: str  # of the raw input bytes
    input_format: str  # text, markdown, html
    encoding: str | None  # the codec the bytes were decoded with
    fetched_at: str | None = None
    cleaned_at: str = ""  # ISO 8601, UTC
    url: str | None = None
    final_url: str | None = None
    http_status: int | None = None
    http_charset: str | None = None
    script: str | None = None  # OpenCC conversion applied to the text, if any
    extractor: str | None = None  # which extraction path produced the text
    # characters of text in the input, for the run summary: an HTML page's text (htmlextract.text_chars), not its
    # markup; the decoded text of other inputs
    input_chars: int | None = None
    versions: dict[str, str] = field(default_factory=dict)  # newsclean, trafilatura, rules
    # every removed span, its rule set (config `removed: full`), else None; {rule, text} in to_dict()
    removed: list[Span] | None = field(default_factory=list)
    # {rule, count, chars} per rule in order of first removal (`full` and `counts`), else None
    removed_counts: list[dict[str, Any]] | None = field(default_factory=list)


@dataclass
class Quality:
    """Signals for the filters corpus builders run next (meanings and ranges: cleaners.schema.QUALITY)."""

    han_share: float = 0.0
    sentence_punct_density: float = 0.0
    repeated_line_share: float = 0.0
    boilerplate_share: float = 0.0
    spam_farm_score: float = 0.0


@dataclass
class Document:
    id: str
    title: str | None
    text: str
    published: str | None  # YYYY-MM-DDTHH:MM:SS.ffffff[+HH:MM] (cleaners.schema.iso_datetime)
    published_precision: str | None  # year, month, day or second
    author: str | None
    editor: str | None
    source_name: str | None  # the outlet a page credits (来源: …), not the input path
    site: str | None
    url: str | None
    language: str | None
    language_score: float | None
    categories: list[str]
    tags: list[str]
    quality: Quality
    provenance: Provenance

    def to_dict(self) -> dict[str, Any]:
        """What `dataclasses.asdict` gives, at a third of its cost: it looks up the fields of each of a page's
        hundreds of removed spans; this looks them up once a class."""
        return _plain(self)


@functools.cache
def _field_names(cls: type) -> tuple[str, ...] | None:
    return tuple(f.name for f in fields(cls)) if is_dataclass(cls) else None


def _plain(value: Any) -> Any:
    """`value` as `dataclasses.asdict` turns it: dataclasses into dicts, lists, tuples and dicts copied, the rest
    deep-copied (strings, numbers and None are their own copies)."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if (names := _field_names(kind)) is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    if kind is list:
        return [_plain(v) for v in value]
    if kind is dict:
        return {_plain(k): _plain(v) for k, v in value.items()}
    if kind is tuple:
        return tuple(_plain(v) for v in value)
    return copy.deepcopy(value)
