"""Item pipelines: clean article pages in a process pool (the reactor keeps fetching meanwhile), then store
records and skips crash-safely. The spider only fetches and routes."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from cleaners.config import CleanerConfig

from . import writer
from .cleanwork import clean_page, init_worker
from .items import ArticleRecord, PageItem, SkipItem
from .store import AppendLog
from .workerpool import PipePool


def outdir_of(crawler: Crawler) -> Path:
    spider = getattr(crawler, "spider", None)
    return Path(getattr(spider, "outdir", None) or crawler.settings.get("NEWSCLEAN_OUTDIR") or "out/crawl")


class CleanPipeline:
    """PageItem -> ArticleRecord, or SkipItem when the cleaner rejects the page or it is off topic."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        path = settings.get("NEWSCLEAN_CLEANER_CONFIG")
        self.config = CleanerConfig.from_yaml(path) if path else CleanerConfig()
        self.workers = max(1, settings.getint("NEWSCLEAN_WORKERS", 1))
        self.pool: PipePool | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleanPipeline:
        return cls(crawler)

    def open_spider(self, spider: Any = None) -> None:
        # started now, so that the workers' imports overlap the first fetches
        self.pool = PipePool(self.workers, initializer=init_worker, initargs=(self.config.to_dict(),))

    def close_spider(self, spider: Any = None) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None

    async def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, PageItem):
            return item
        source = {"name": item.url, "url": item.url, "fetched_at": item.fetched_at, "final_url": item.final_url,
                  "http_status": item.http_status, "http_charset": item.http_charset}
        assert self.pool is not None
        try:
            status, value = await self.pool.run(clean_page, item.body, source, tuple(item.keywords))
        except Exception as exc:  # the worker died (the pool replaces it): record the page, go on
            self.crawler.stats.inc_value("newsclean/worker_restarts")
            return SkipItem(item.url, "internal", item.source, f"{type(exc).__name__}: {exc}"[:200])
        if status != "ok":
            reason, _, detail = value.partition(": ")
            return SkipItem(item.url, reason, item.source, detail)
        value["provenance"]["url"] = item.requested_url  # what was asked for; `url` is the canonical address
        return ArticleRecord(item.url, value)


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
            if not self.articles.append(item.record):
                stats.inc_value("newsclean/duplicates")
                raise DropItem(f"already stored: {item.url}")
            stats.inc_value("newsclean/articles")
            return item
        if isinstance(item, SkipItem):
            if item.url in self.articles:  # e.g. a list view of a stored article: the article stands
                return item
            record = {"url": item.url, "reason": item.reason, "source": item.source}
            if item.detail:
                record["detail"] = item.detail
            if self.skipped.append(record):
                stats.inc_value(f"newsclean/skipped/{item.reason}")
            return item
        return item
