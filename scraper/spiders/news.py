"""The `news` spider: walks list pages, pagination, sitemaps and feeds inside each source's domains, and routes
each page: articles to the cleaning pipeline, everything else to skipped.jsonl with a reason."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin, urlsplit

import regex
import scrapy
from lxml import etree
from lxml import html as lxml_html
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

from cleaners.decode import canonical_codec, declared_charset
from cleaners.pagetype import page_kind

from .. import jobdir
from ..items import PageItem, SkipItem
from ..sources import SourceSpec, load_sources
from ..store import done_urls
from ..urls import canonical_url, has_binary_extension

_XML_DECL = regex.compile(r"^\s*<\?xml[^>]*\?>")
_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "#", "data:")

REDIS_SETTINGS = {
    "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
    "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
    "SCHEDULER_PERSIST": True,  # a crawler that finishes first must not wipe the frontier the others share
    "NEWSCLEAN_IDLE_CLOSE": 30,
}


def header_charset(response: Response) -> str | None:
    """The charset named in the Content-Type header (not the one Scrapy guesses)."""
    ctype = response.headers.get(b"Content-Type", b"").decode("latin-1")
    for part in ctype.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def parse_page_tree(response: TextResponse) -> lxml_html.HtmlElement:
    """The page's tree. When the charset is declared (header or page) libxml2 decodes the bytes itself, which
    spares the reactor a Python-level decode of every page; otherwise Scrapy's detection decodes it."""
    codec = canonical_codec(header_charset(response) or declared_charset(response.body))
    if codec:
        try:
            tree = lxml_html.document_fromstring(response.body, parser=_parser(codec))
        except (LookupError, etree.ParserError, ValueError):  # a codec Python knows and libxml2 not (euc_jp)
            tree = None
        if tree is not None:
            return tree
    return lxml_html.document_fromstring(_XML_DECL.sub("", response.text, count=1) or "<html></html>")


@lru_cache(maxsize=32)
def _parser(codec: str) -> lxml_html.HTMLParser:
    return lxml_html.HTMLParser(encoding=codec, remove_comments=True, no_network=True)


def skip_reason(failure: Any) -> tuple[str, str]:
    """A short word for why a request failed, and the detail."""
    exc = failure.value
    detail = str(exc)[:200]
    if failure.check(HttpError):
        return f"http_{exc.response.status}", detail
    if failure.check(IgnoreRequest):
        low = detail.lower()
        if "robots" in low:
            return "robots", detail
        if low.startswith("redirect_loop"):
            return "redirect_loop", detail
        if "redirect" in low:
            return "too_many_redirects", detail
        return "ignored", detail
    name = type(exc).__name__
    if "Cancel" in name or "maxsize" in detail or "max size" in detail:
        return "too_large", detail
    if "Timeout" in name:
        return "timeout", detail
    if "DNS" in name or "Resolve" in name:
        return "dns_error", detail
    return "connection_error" if "Connect" in name or "Response" in name else "error", f"{name}: {detail}"


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
        self.jobdir = settings.get("JOBDIR")
        self.resumed_after_crash = jobdir.begin(self.jobdir)
        self.done = done_urls(self.outdir)  # settled by earlier runs: not fetched again
        self.seen: set[str] = set()
        self.issued: Counter[str] = Counter()
        self.robots: dict[str, Any] = {}  # netloc -> the robots.txt parser RobotsTxtMiddleware built
        self.robots_agent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT")

    def robots_parsed(self, robotparser: Any = None, request: Any = None) -> None:
        if robotparser is not None and request is not None:
            self.robots[urlsplit(request.url).netloc] = robotparser

    def closed_cleanly(self, spider: Any = None, reason: str = "") -> None:
        jobdir.end(self.jobdir)

    # ---- requests ----------------------------------------------------------------------------------------

    async def start(self) -> Any:  # Scrapy >= 2.13
        for request in self.start_requests():
            yield request

    def start_requests(self) -> Iterator[scrapy.Request]:  # Scrapy < 2.13
        if self.done:
            self.logger.info("%d URLs settled by earlier runs will not be fetched again", len(self.done))
        for spec in self.specs:
            for url in spec.sitemaps:
                yield from self._follow(url, spec, self.parse_sitemap)
            for url in spec.feeds:
                yield from self._follow(url, spec, self.parse_feed)
            for url in spec.start_urls:
                yield from self._follow(url, spec, self.parse_page)

    def _follow(self, url: str, spec: SourceSpec, callback: Callable[..., Any]) -> Iterator[scrapy.Request]:
        """A request for a discovered URL, unless it is off-domain, binary, already seen or over budget."""
        if not url.startswith(("http://", "https://")):
            return
        canon = canonical_url(url)
        if canon in self.seen or canon in self.done or not spec.allows(canon):
            return
        if callback == self.parse_page and has_binary_extension(canon):
            return
        if (spec.max_pages and self.issued[spec.name] >= spec.max_pages) or (
                self.max_pages and sum(self.issued.values()) >= self.max_pages):
            return
        self.seen.add(canon)
        self.issued[spec.name] += 1
        robots = self.robots.get(urlsplit(canon).netloc) if self.robots else None
        if robots is not None and not robots.allowed(canon, self.robots_agent):
            # what RobotsTxtMiddleware would refuse, refused here: a request's round trip through the scheduler,
            # the middlewares and the errback costs the reactor ~1 ms, and real pages link many such URLs
            yield SkipItem(canon, "robots", spec.name, "Forbidden by robots.txt")
            return
        yield scrapy.Request(canon, callback=callback, errback=self.on_error, meta={"source": spec.name})

    def _spec(self, response: Response) -> SourceSpec:
        return self.by_name.get(response.meta.get("source", ""), self.specs[0])

    # ---- callbacks ---------------------------------------------------------------------------------------

    def parse_page(self, response: Response) -> Iterator[Any]:
        spec = self._spec(response)
        url = canonical_url(response.url)
        ctype = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        if not isinstance(response, TextResponse) or ("html" not in ctype and not isinstance(response, HtmlResponse)):
            yield SkipItem(url, "not_html", spec.name, ctype or "no content type")
            return
        try:
            tree = parse_page_tree(response)
        except (etree.ParserError, ValueError, LookupError) as exc:
            yield SkipItem(url, "unparsable", spec.name, str(exc)[:200])
            return
        by_url = spec.is_article_url(url)
        if by_url is None:
            kind = page_kind(tree, url)
            is_article, why = kind.is_article, kind.reason
        else:
            is_article, why = by_url, "article_pattern"
        if is_article:
            requested = (response.meta.get("redirect_urls") or [response.request.url])[0]
            fetched_at = response.meta.get("fetched_at") or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            yield PageItem(url=url, requested_url=requested, final_url=response.url, http_status=response.status,
                           http_charset=header_charset(response), fetched_at=fetched_at, body=response.body,
                           source=spec.name, keywords=spec.keywords)
        else:
            yield SkipItem(url, "not_article", spec.name, why)
        yield from self._links(tree, response, spec)

    def _links(self, tree: lxml_html.HtmlElement, response: Response, spec: SourceSpec) -> Iterator[Any]:
        base_el = tree.find(".//base[@href]")
        base = urljoin(response.url, base_el.get("href").strip()) if base_el is not None else response.url
        # each distinct href once: navigation and related-article links repeat on a page, and resolving and
        # canonicalising them is most of the reactor's time on a real page
        for href in dict.fromkeys((el.get("href") or "").strip() for el in tree.iter("a", "area")):
            if href and not href.lower().startswith(_SKIP_SCHEMES):
                yield from self._follow(urljoin(base, href), spec, self.parse_page)

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        spec = self._spec(response)
        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
            except (OSError, ValueError) as exc:
                yield SkipItem(canonical_url(response.url), "bad_sitemap", spec.name, str(exc)[:200])
                return
        try:
            sitemap = Sitemap(body)
        except Exception as exc:  # lxml errors on hopeless XML
            yield SkipItem(canonical_url(response.url), "bad_sitemap", spec.name, str(exc)[:200])
            return
        callback = self.parse_sitemap if sitemap.type == "sitemapindex" else self.parse_page
        for entry in sitemap:
            if entry.get("loc"):
                yield from self._follow(entry["loc"], spec, callback)

    def parse_feed(self, response: Response) -> Iterator[Any]:
        spec = self._spec(response)
        parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
        root = etree.fromstring(response.body, parser=parser) if response.body.strip() else None
        if root is None:
            yield SkipItem(canonical_url(response.url), "bad_feed", spec.name)
            return
        links = root.xpath("//*[local-name()='item']/*[local-name()='link']/text()")  # RSS 0.9x, 1.0, 2.0
        for link in root.xpath("//*[local-name()='entry']/*[local-name()='link']"):  # Atom
            if link.get("rel", "alternate") == "alternate" and link.get("href"):
                links.append(link.get("href"))
        for link in links:
            yield from self._follow(urljoin(response.url, str(link).strip()), spec, self.parse_page)

    def on_error(self, failure: Any) -> Iterator[SkipItem]:
        request = failure.request
        url = canonical_url((request.meta.get("redirect_urls") or [request.url])[0])
        reason, detail = skip_reason(failure)
        yield SkipItem(url, reason, request.meta.get("source"), detail)
