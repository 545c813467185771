"""The item pipeline: store cleaned records and skips crash-safely. (Pages are cleaned before they become items,
in the worker processes that the spider awaits: scraper.cleaning.)"""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from . import writer
from .items import ArticleRecord, SkipBatch, SkipItem
from .store import AppendLog


def outdir_of(crawler: Crawler) -> Path:
    spider = getattr(crawler, "spider", None)
    return Path(getattr(spider, "outdir", None) or crawler.settings.get("NEWSCLEAN_OUTDIR") or "out/crawl")


# Skip reasons about what a page linked, not the page: recorded even when the page itself is stored.
PAGE_STANDS = frozenset({"too_many_links"})


class StorePipeline:
    """ArticleRecord -> OUTDIR/articles.jsonl (once per canonical URL), SkipItem -> OUTDIR/skipped.jsonl."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.fsync = crawler.settings.getbool("NEWSCLEAN_FSYNC", True)
        self.articles: AppendLog | None = None
        self.skipped: AppendLog | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def open_spider(self, spider: Any = None) -> None:
        outdir = outdir_of(self.crawler)
        outdir.mkdir(parents=True, exist_ok=True)
        self.writer = writer.acquire()
        self.articles = AppendLog(outdir / "articles.jsonl", "url", fsync=self.fsync, writer=self.writer)
        self.skipped = AppendLog(outdir / "skipped.jsonl", "url+reason", fsync=False, writer=self.writer)
        stats = self.crawler.stats
        stats.set_value("newsclean/articles_before", len(self.articles.keys))
        if self.articles.repaired or self.skipped.repaired:
            stats.set_value("newsclean/repaired_bytes", self.articles.repaired + self.skipped.repaired)

    def close_spider(self, spider: Any = None) -> None:
        for log in (self.articles, self.skipped):
            if log is not None:
                log.close()
        if self.articles is not None:
            self.articles = self.skipped = None
            writer.release()

    def process_item(self, item: Any, spider: Any = None) -> Any:
        stats = self.crawler.stats
        assert self.articles is not None and self.skipped is not None
        if isinstance(item, ArticleRecord):
            stored = self.articles.append_line(item.key, item.line) if item.line else self.articles.append(item.record)
            if not stored:
                stats.inc_value("newsclean/duplicates")
                raise DropItem(f"already stored: {item.url}")
            stats.inc_value("newsclean/articles")
            return item
        if isinstance(item, SkipItem):
            self._skip([item])
        elif isinstance(item, SkipBatch):
            self._skip(item.skips)
        return item

    def _skip(self, items: list[SkipItem]) -> None:
        assert self.articles is not None and self.skipped is not None
        records = []
        for item in items:
            # e.g. a list view of a stored article: the article stands (but a stored page whose links were cut
            # says so: that skip is about its links)
            if item.url in self.articles and item.reason not in PAGE_STANDS:
                continue
            record = {"url": item.url, "reason": item.reason, "source": item.source}
            if item.detail:
                record["detail"] = item.detail
            records.append(record)
        counts = Counter(record["reason"] for record in self.skipped.append_many(records))
        for reason, n in counts.items():  # once per reason: each stats call is a few µs of Python in Scrapy
            self.crawler.stats.inc_value(f"newsclean/skipped/{reason}", n)
