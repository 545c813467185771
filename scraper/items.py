"""What the spider hands to the pipelines: a cleaned article, or a page it skipped and why."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class SkipItem:
    """A page that is not emitted as an article: `reason` is one short word (not_article, robots, http_404 ...)."""

    url: str
    reason: str
    source: str | None = None
    detail: str = ""


@dataclass
class SkipBatch:
    """Several skips found on one page (the links robots.txt forbids: a real page has dozens): one trip through
    Scrapy's item machinery instead of one each, which costs the reactor ~0.1 ms per item."""

    skips: list[SkipItem] = field(default_factory=list)


@dataclass
class ArticleRecord:
    """A cleaned article ready to be stored: the cleaned-record dict (Document.to_dict()), or the same record
    already encoded as its JSON line by the cleaning worker (`line`, with `key`, the record's `url` field), so
    that the reactor neither unpickles nor encodes the dict."""

    url: str
    record: dict[str, Any] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()  # other URLs that led to it (redirects, tracking variants)
    line: bytes = b""
    key: str | None = None
