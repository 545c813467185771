"""What the spider hands to the pipelines: a raw article page to clean, or a page it skipped and why."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class PageItem:
    """A fetched page judged to be an article; the pipelines clean and store it."""

    url: str  # canonical URL of the final response (the article's identity)
    requested_url: str  # the URL first requested (before redirects)
    final_url: str  # the URL the body came from
    http_status: int
    http_charset: str | None  # charset declared in the Content-Type header, if any
    fetched_at: str  # ISO 8601, UTC
    body: bytes
    source: str  # the source's name in the sources file
    keywords: tuple[str, ...] = ()


@dataclass
class SkipItem:
    """A page that is not emitted as an article: `reason` is one short word (not_article, robots, http_404 ...)."""

    url: str
    reason: str
    source: str | None = None
    detail: str = ""


@dataclass
class ArticleRecord:
    """A cleaned article: the cleaned-record dict (Document.to_dict()) ready to be stored."""

    url: str
    record: dict[str, Any] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()  # other URLs that led to it (redirects, tracking variants)
