"""Extensions: close an idle distributed crawler after a while; write and log the crawl's summary."""
from __future__ import annotations

import json
import logging
import time
from collections import Counter
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider

from .pipelines import outdir_of

logger = logging.getLogger(__name__)


class IdleClose:
    """Keep a crawler open for NEWSCLEAN_IDLE_CLOSE seconds after its last activity.

    With a shared (Redis) frontier a crawler whose own queue runs dry is not done: another process may push
    new requests any moment. Scrapy itself looks at the scheduler again only every 5 s (its heartbeat), so an
    idle crawler asks for a look every POLL seconds, to join in soon after the others push work."""

    POLL = 0.5

    def __init__(self, crawler: Crawler, idle: float) -> None:
        self.crawler = crawler
        self.idle = idle
        self.last = time.monotonic()
        if idle <= 0:  # off: no handler on every request, response and item
            return
        for sig in (signals.request_scheduled, signals.response_received, signals.item_scraped):
            crawler.signals.connect(self.touch, signal=sig)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IdleClose:
        return cls(crawler, crawler.settings.getfloat("NEWSCLEAN_IDLE_CLOSE", 0))

    def touch(self, *args: Any, **kwargs: Any) -> None:
        self.last = time.monotonic()

    def spider_idle(self, spider: Any = None) -> None:
        if self.idle > 0 and time.monotonic() - self.last < self.idle:
            slot = getattr(self.crawler.engine, "_slot", None) or getattr(self.crawler.engine, "slot", None)
            nextcall = getattr(slot, "nextcall", None)
            if nextcall is not None:  # engine internals; without them the heartbeat still gets there
                nextcall.schedule(self.POLL)
            raise DontCloseSpider


class CrawlSummary:
    """At the end: OUTDIR/summary.json and a few log lines (pages, articles, skips by reason, rate)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.started = time.monotonic()
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlSummary:
        return cls(crawler)

    def spider_opened(self, spider: Any = None) -> None:
        self.started = time.monotonic()

    def summary(self, reason: str) -> dict[str, Any]:
        stats = self.crawler.stats.get_stats()
        skipped = Counter({k.split("/", 2)[2]: v for k, v in stats.items() if k.startswith("newsclean/skipped/")})
        cut = Counter({k.split("/", 2)[2]: v for k, v in stats.items() if k.startswith("newsclean/cut/")})
        elapsed = time.monotonic() - self.started
        articles = stats.get("newsclean/articles", 0)
        return {
            "finish_reason": reason,
            "pages_fetched": stats.get("newsclean/warc_records", 0),
            "articles": articles,
            "articles_before": stats.get("newsclean/articles_before", 0),
            "duplicates_dropped": stats.get("newsclean/duplicates", 0),
            "skipped": dict(skipped.most_common()),
            "cut": dict(cut.most_common()),  # by a limit (scraper.limits), recorded in skipped.jsonl or not
            "elapsed_s": round(elapsed, 2),
            "articles_per_s": round(articles / elapsed, 2) if elapsed else 0.0,
        }

    def spider_closed(self, spider: Any = None, reason: str = "finished") -> None:
        summary = self.summary(reason)
        outdir = outdir_of(self.crawler)
        outdir.mkdir(parents=True, exist_ok=True)
        (outdir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1) + "\n", "utf-8")
        for line in summary_lines(summary):
            logger.info(line)


def summary_lines(summary: dict[str, Any]) -> list[str]:
    lines = [f"crawl {summary['finish_reason']}: {summary['pages_fetched']} pages fetched, "
             f"{summary['articles']} articles stored ({summary['articles_before']} from earlier runs), "
             f"{summary['elapsed_s']} s, {summary['articles_per_s']} articles/s"]
    if summary["skipped"]:
        lines.append("skipped: " + ", ".join(f"{k} {v}" for k, v in summary["skipped"].items()))
    if summary.get("cut"):
        lines.append("cut by limits (the first of each recorded as skips): "
                     + ", ".join(f"{k} {v}" for k, v in summary["cut"].items()))
    return lines
