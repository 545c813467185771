"""The `news` spider: walks list pages, pagination, sitemaps and feeds inside each source's domains. Each HTML page
goes to a cleaning worker (scraper.cleaning), which parses it once for its links, its type and, for an article,
its record; the spider turns the outcome into an ArticleRecord or a SkipItem with a reason and requests the new
links. It never parses HTML itself (sitemaps and feeds, which are XML and few, it reads here)."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from lxml import etree
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

from cleaners.decode.charset import parse_content_type

from .. import jobdir
from ..cleaning import PageCleaning, cleaner_config
from ..items import ArticleRecord, SkipBatch, SkipItem
from ..limits import CrawlLimits, Cuts
from ..links import LinkResolver, count_links, domain_filter, page_hrefs
from ..outcome import PageOutcome, bytes_tree
from ..refused import Refused
from ..robots import refusal_detail
from ..sources import SourceSpec, load_sources
from ..store import done_urls
from ..urls import canonical_url, has_binary_extension

REDIS_SETTINGS = {
    "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
    "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
    "SCHEDULER_PERSIST": True,  # a crawler that finishes first must not wipe the frontier the others share
    "NEWSCLEAN_IDLE_CLOSE": 30,
}


def header_charset(response: Response) -> str | None:
    """The charset named in the Content-Type header (not the one Scrapy guesses)."""
    return parse_content_type(response.headers.get(b"Content-Type", b"").decode("latin-1"))[1]


# Scrapy's own refusals, by the start of their message (the crawler's own are Refused, with their reason).
_IGNORED = (
    ("forbidden by robots.txt", "robots"),  # RobotsTxtMiddleware
    ("max redirections reached", "too_many_redirects"),  # RedirectMiddleware
    ("ignored response", "too_large"),  # HttpCompressionMiddleware: over DOWNLOAD_MAXSIZE once decompressed
    # (HttpCacheMiddleware's "Ignored request not in cache" is not this; the cache is off)
)


def skip_reason(failure: Any) -> tuple[str, str]:
    """A short word for why a request failed, and the detail."""
    exc = failure.value
    if isinstance(exc, Refused):
        return exc.reason, exc.detail[:200]
    message = str(exc)
    detail = message[:200]
    if failure.check(HttpError):
        return f"http_{exc.response.status}", detail
    if failure.check(IgnoreRequest):
        low = message.lower()
        return next((reason for start, reason in _IGNORED if low.startswith(start)), "ignored"), detail
    name = type(exc).__name__
    if "Cancel" in name or "maxsize" in detail or "max size" in detail:
        return "too_large", detail
    if "Timeout" in name:
        return "timeout", detail
    if "DNS" in name or "Resolve" in name:
        return "dns_error", detail
    return "connection_error" if "Connect" in name or "Response" in name else "error", f"{name}: {detail}"


# Sitemaps and feeds have no use for entity declarations; a billion-laughs file has nothing else. lxml is told
# not to expand entities, which leaves such a file without URLs: refused by name instead of yielding nothing.
_ENTITY_DECLARATION = b"<!ENTITY"
ENTITIES_REFUSED = "declares XML entities (refused, never expanded)"


def declares_entities(body: bytes) -> bool:
    return _ENTITY_DECLARATION in body


class NewsSpider(scrapy.Spider):
    name = "news"

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        if settings.get("REDIS_URL"):  # distributed: share the frontier through Redis (flags keep priority)
            for key, value in REDIS_SETTINGS.items():
                settings.set(key, value, priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.setup(crawler.settings)
        crawler.signals.connect(spider.closed_cleanly, signal=signals.spider_closed)
        if crawler.settings.getbool("ROBOTSTXT_OBEY"):
            crawler.signals.connect(spider.robots_parsed, signal=signals.robots_parsed)
        return spider

    def __init__(self, sources: str | None = None, outdir: str | None = None, max_pages: str | int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._args = {"sources": sources, "outdir": outdir, "max_pages": max_pages}

    def setup(self, settings: BaseSettings) -> None:
        path = self._args["sources"] or settings.get("NEWSCLEAN_SOURCES")
        if not path:
            raise ValueError("no sources file: give -a sources=FILE.yaml or -s NEWSCLEAN_SOURCES=FILE.yaml")
        self.specs: list[SourceSpec] = load_sources(path)
        self.by_name = {s.name: s for s in self.specs}
        self.outdir = self._args["outdir"] or settings.get("NEWSCLEAN_OUTDIR")
        self.max_pages = int(self._args["max_pages"] or settings.getint("NEWSCLEAN_MAX_PAGES", 0))
        self.limits = CrawlLimits.from_settings(settings)
        self.cuts = Cuts(self.limits.recorded_cuts, self.crawler)
        self.jobdir = settings.get("JOBDIR")
        self.resumed_after_crash = jobdir.begin(self.jobdir)
        self.done = done_urls(self.outdir)  # settled by earlier runs: not fetched again
        self.seen: set[str] = set()
        self.issued: Counter[str] = Counter()
        self.robots: dict[str, Any] = {}  # netloc -> the robots.txt parser RobotsTxtMiddleware built
        self.robots_agent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT")
        config = cleaner_config(settings.get("NEWSCLEAN_CLEANER_CONFIG"), settings.get("NEWSCLEAN_REMOVED"))
        self.cleaning = PageCleaning(settings.getint("NEWSCLEAN_WORKERS", 1), config)
        self.cleaning.prepare()

    def robots_parsed(self, robotparser: Any = None, request: Any = None) -> None:
        if robotparser is not None and request is not None:
            self.robots[urlsplit(request.url).netloc] = robotparser

    def closed_cleanly(self, spider: Any = None, reason: str = "") -> None:
        self.cleaning.close()
        jobdir.end(self.jobdir)

    # ---- requests ----------------------------------------------------------------------------------------

    async def start(self) -> Any:  # Scrapy >= 2.13: requests, and the skips of entry points over a limit
        for item in self._entry_points():
            yield item

    def start_requests(self) -> Iterator[scrapy.Request]:  # Scrapy < 2.13: requests only
        for item in self._entry_points():
            if isinstance(item, scrapy.Request):
                yield item

    def _entry_points(self) -> Iterator[scrapy.Request | SkipItem]:
        if self.done:
            self.logger.info("%d URLs settled by earlier runs will not be fetched again", len(self.done))
        for spec in self.specs:
            for url in spec.sitemaps:
                yield from self._follow(url, spec, self.parse_sitemap)
            for url in spec.feeds:
                yield from self._follow(url, spec, self.parse_feed)
            for url in spec.start_urls:
                yield from self._follow(url, spec, self.parse_page)

    def _follow(self, url: str, spec: SourceSpec, callback: Callable[..., Any], depth: int = 0,
                ) -> Iterator[scrapy.Request | SkipItem]:
        """A request for a discovered URL, unless it is off-domain, binary, already seen or over a limit."""
        if not url.startswith(("http://", "https://")):
            return
        canon = canonical_url(url)
        if not spec.allows(canon) or (callback == self.parse_page and has_binary_extension(canon)):
            return
        yield from self._follow_canonical(canon, spec, callback, depth)

    def _follow_canonical(self, canon: str, spec: SourceSpec, callback: Callable[..., Any], depth: int = 0,
                          ) -> Iterator[scrapy.Request | SkipItem]:
        """A request for an acceptable canonical URL `depth` links from an entry point, unless it is already
        seen or settled, over a limit (a skip for the first few of each limit) or forbidden by robots.txt."""
        if canon in self.seen or canon in self.done:
            return
        over = self._over_limit(canon, spec, depth)
        if over is not None:  # not marked seen: a URL too deep here may be reached by a shorter path
            reason, detail = over
            skip = self.cuts.cut(canon, reason, spec.name, detail)
            if skip is not None:
                yield skip
            return
        self.seen.add(canon)
        self.issued[spec.name] += 1
        robots = self.robots.get(urlsplit(canon).netloc) if self.robots else None
        if robots is not None and not robots.allowed(canon, self.robots_agent):
            # what RobotsTxtMiddleware would refuse, refused here: a request's round trip through the scheduler,
            # the middlewares and the errback costs the reactor ~1 ms, and real pages link many such URLs
            yield SkipItem(canon, "robots", spec.name, refusal_detail(robots))
            return
        yield scrapy.Request(canon, callback=callback, errback=self.on_error,
                             meta={"source": spec.name, "depth": depth})

    def _over_limit(self, canon: str, spec: SourceSpec, depth: int) -> tuple[str, str] | None:
        """The skip reason and detail of a URL that a limit cuts (scraper.limits), None for most."""
        limits = self.limits
        if limits.max_url_length and len(canon) > limits.max_url_length:
            return "url_too_long", f"{len(canon)} characters, over {limits.max_url_length}"
        if limits.max_depth and depth > limits.max_depth:
            return "too_deep", f"{depth} links from an entry point, over {limits.max_depth}"
        cap = spec.max_pages or limits.max_pages_per_source
        if cap and self.issued[spec.name] >= cap:
            return "source_cap", f"source {spec.name} made its {cap} requests"
        if self.max_pages and sum(self.issued.values()) >= self.max_pages:
            return "max_pages", f"this crawler made its {self.max_pages} requests (--max-pages)"
        return None

    def _spec(self, response: Response) -> SourceSpec:
        return self.by_name.get(response.meta.get("source", ""), self.specs[0])

    # ---- callbacks ---------------------------------------------------------------------------------------

    async def parse_page(self, response: Response) -> AsyncIterator[Any]:
        """An HTML page goes to a cleaning worker, which reads its links and type and cleans it if it is an
        article, all from one parse; the reactor only turns the outcome into items and requests."""
        spec = self._spec(response)
        url = canonical_url(response.url)
        ctype = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        if not isinstance(response, TextResponse) or ("html" not in ctype and not isinstance(response, HtmlResponse)):
            yield SkipItem(url, "not_html", spec.name, ctype or "no content type")
            return
        fetched_at = response.meta.get("fetched_at") or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        source = {"name": url, "url": url, "fetched_at": fetched_at, "final_url": response.url,
                  "http_status": response.status, "http_charset": header_charset(response)}
        requested = (response.meta.get("redirect_urls") or [response.request.url])[0]
        depth = response.meta.get("depth", 0)
        max_links = self.limits.max_links_per_page
        outcome = await self.cleaning.process(response.body, source, spec.is_article_url(url), spec.keywords,
                                              requested, (spec.name, spec.allowed_domains), depth, max_links)
        if outcome.line:
            yield ArticleRecord(url, line=outcome.line, key=outcome.key)
        else:
            yield SkipItem(url, outcome.reason, spec.name, outcome.detail)
        if outcome.worker_died:
            self.crawler.stats.inc_value("newsclean/worker_restarts")
        links = outcome.links
        if links is None and outcome.reason == "internal":  # the worker died (or failed) before it read them
            links = self._links_here(response, spec, outcome)
        if outcome.links_on_page:
            self.crawler.stats.inc_value("newsclean/cut/too_many_links")
            yield SkipItem(url, "too_many_links", spec.name,
                           f"{outcome.links_on_page} links on the page; the first {max_links} targets were read")
        for item in self._page_links(links or [], spec, depth + 1):
            yield item

    def _links_here(self, response: Response, spec: SourceSpec, outcome: PageOutcome) -> list[str]:
        """The links of a page whose worker died on it, read here (rare: the page is recorded as `internal`)."""
        try:
            tree = bytes_tree(response.body, header_charset(response))
        except (etree.ParserError, ValueError, LookupError):
            return []
        max_links = self.limits.max_links_per_page
        base, hrefs = page_hrefs(tree, max_links)
        if max_links and len(hrefs) >= max_links and (n := count_links(tree)) > max_links:
            outcome.links_on_page = n
        return list(LinkResolver(*domain_filter(spec.allowed_domains)).resolve(response.url, base, hrefs))

    def _page_links(self, links: list[str], spec: SourceSpec, depth: int) -> Iterator[Any]:
        """Requests for a page's links (canonical URLs inside the source's domains, `depth` links from an entry
        point); the ones robots.txt forbids and the first few a limit cuts as one SkipBatch."""
        forbidden: list[SkipItem] = []
        for canon in links:
            for out in self._follow_canonical(canon, spec, self.parse_page, depth):
                if isinstance(out, SkipItem):
                    forbidden.append(out)
                else:
                    yield out
        if forbidden:
            yield SkipBatch(forbidden)

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        spec = self._spec(response)
        url = canonical_url(response.url)
        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
            except (OSError, ValueError) as exc:
                yield SkipItem(url, "bad_sitemap", spec.name, str(exc)[:200])
                return
        if declares_entities(body):
            yield SkipItem(url, "bad_sitemap", spec.name, ENTITIES_REFUSED)
            return
        try:
            sitemap = Sitemap(body)
        except Exception as exc:  # lxml errors on hopeless XML
            yield SkipItem(url, "bad_sitemap", spec.name, str(exc)[:200])
            return
        if sitemap.type not in ("urlset", "sitemapindex"):
            yield SkipItem(url, "bad_sitemap", spec.name, f"not a sitemap: the root element is <{sitemap.type}>")
            return
        callback = self.parse_sitemap if sitemap.type == "sitemapindex" else self.parse_page
        depth = response.meta.get("depth", 0) + 1
        locs = 0
        for entry in sitemap:
            if entry.get("loc"):
                locs += 1
                yield from self._follow(entry["loc"], spec, callback, depth)
        if not locs:
            yield SkipItem(url, "bad_sitemap", spec.name, f"a <{sitemap.type}> without a <loc>")

    def parse_feed(self, response: Response) -> Iterator[Any]:
        spec = self._spec(response)
        if declares_entities(response.body):
            yield SkipItem(canonical_url(response.url), "bad_feed", spec.name, ENTITIES_REFUSED)
            return
        parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
        root = etree.fromstring(response.body, parser=parser) if response.body.strip() else None
        if root is None:
            yield SkipItem(canonical_url(response.url), "bad_feed", spec.name)
            return
        links = root.xpath("//*[local-name()='item']/*[local-name()='link']/text()")  # RSS 0.9x, 1.0, 2.0
        for link in root.xpath("//*[local-name()='entry']/*[local-name()='link']"):  # Atom
            if link.get("rel", "alternate") == "alternate" and link.get("href"):
                links.append(link.get("href"))
        depth = response.meta.get("depth", 0) + 1
        for link in links:
            yield from self._follow(urljoin(response.url, str(link).strip()), spec, self.parse_page, depth)

    def on_error(self, failure: Any) -> Iterator[SkipItem]:
        request = failure.request
        url = canonical_url((request.meta.get("redirect_urls") or [request.url])[0])
        reason, detail = skip_reason(failure)
        yield SkipItem(url, reason, request.meta.get("source"), detail)
