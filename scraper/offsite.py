"""Every request inside allowed_domains: the spider's own, redirects, meta refreshes, robots.txt and sitemaps.

The spider checks the links it follows itself (scraper.links), so Scrapy's OffsiteMiddleware is off; but a
redirect's or a refresh's new request is made by a downloader middleware and never passes through the spider,
and neither does robots.txt. A 302 to `http://localhost:PORT/` or to another address would be fetched, stored
and archived. This middleware sits first in the downloader chain, which every request goes through (a
redirected one again from the start), so it refuses such a request before anything else, even the robots.txt
of its host, is fetched for it.
"""
from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.http import Request
from scrapy.utils.httpobj import urlparse_cached

from .refused import Refused


class AllowedHostsMiddleware:
    """Refuse (reason `offsite`) a request whose host is outside its source's allowed_domains; a request of no
    source (robots.txt, and what it redirects to) must be inside some source's domains."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AllowedHostsMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Any = None) -> None:
        specs = getattr(self.crawler.spider, "by_name", None) or {}
        host = (urlparse_cached(request).hostname or "").lower()
        spec = specs.get(request.meta.get("source"))
        if spec.allows_host(host) if spec is not None else any(s.allows_host(host) for s in specs.values()):
            return
        self.crawler.stats.inc_value("newsclean/offsite_refused")
        origin = request.meta.get("redirect_urls")
        via = f" (redirected from {origin[0]})" if origin else ""
        raise Refused("offsite", f"{host or 'no host'} is outside allowed_domains: {request.url}{via}")
