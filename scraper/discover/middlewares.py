"""Downloader middlewares of the discovery: budgets checked when a request leaves the scheduler, the raw
responses kept for the on-topic articles' WARC records, and a log of every request sent."""
from __future__ import annotations

import json
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Request, Response

from ..middlewares import utc_now
from ..robots import ROBOTS_META

RAW_META = "newsclean_raw"


class BudgetMiddleware:
    """Ask the spider whether a request is still within the budgets (sites, pages, the host's share) when the
    scheduler hands it out, so that what is admitted follows the frontier's priorities; robots.txt requests are
    counted, never refused (a refused robots.txt would forbid its host)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BudgetMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Any = None) -> None:
        spider = self.crawler.spider
        if request.meta.get(ROBOTS_META):
            spider.count_robots_request(request)
        else:
            spider.admit_request(request)  # raises Refused("budget", ...) when over


class RawResponseMiddleware:
    """Keep each response as the downloader got it (still compressed) in its request's meta, so that the spider
    can write an on-topic article's WARC record as `newsclean crawl` writes every response's."""

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        headers = [(k, v) for k, values in response.headers.items() for v in values]
        request.meta[RAW_META] = (response.url, response.status, headers, response.body, utc_now(),
                                  "download_stopped" in response.flags)
        request.meta["fetched_at"] = request.meta[RAW_META][4]
        return response


class RequestLogMiddleware:
    """Count every request handed to the downloader (`newsclean/requests`), and with NEWSCLEAN_REQUEST_LOG
    append each one's URL to that file: what the discovery asked of the network, request by request."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        path = crawler.settings.get("NEWSCLEAN_REQUEST_LOG")
        self.log = open(path, "a", encoding="utf-8") if path else None  # noqa: SIM115 - closed at spider_closed
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RequestLogMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Any = None) -> None:
        self.crawler.stats.inc_value("newsclean/requests")
        if self.log is not None:
            self.log.write(json.dumps({"url": request.url, "robots": bool(request.meta.get(ROBOTS_META))}) + "\n")
            self.log.flush()

    def spider_closed(self, spider: Any = None) -> None:
        if self.log is not None:
            self.log.close()
            self.log = None
