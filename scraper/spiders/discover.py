"""The `discover` spider: a focused crawl across hosts that finds sites publishing articles like the examples.

From the sources' entry points it follows links to other hosts, probes each new host cheaply (robots.txt, its
home page, a sitemap or feed if it names one, up to K article pages), scores every article against the topic
profile (scraper.discover.profile) and judges each host (scraper.discover.judge). The order of the requests is
the frontier's (scraper.discover.frontier: Scrapy's priority queue, on disk with JOBDIR, in Redis with
REDIS_URL); what is known of the hosts lives in a HostBook (in Redis too when distributed), kept and read by
scraper.discover.hosts, and saved in JOBDIR by scraper.discover.state. Pages are parsed and cleaned in worker
processes (scraper.discover.pagework), sitemaps and feeds read by scraper.discover.xmlurls; the spider only routes.

Politeness and safety are crawl's: robots.txt (unreadable means disallowed), AutoThrottle, retries with
back-off, bounded bodies, URL length and depth limits, and only public http(s) addresses
(scraper.discover.addresses; a test web is allowed with NEWSCLEAN_LOCAL_WEB).
"""
from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import AsyncIterator, Iterator
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.settings import BaseSettings

from cleaners.html.pagetype import url_hint

from .. import jobdir, writer
from ..cleaning import WARM_MODULES, cleaner_config, start_cleaning_server
from ..discover import frontier, hosts, pagework
from ..discover.addresses import parse_networks, url_refusal
from ..discover.hostbook import HostBook, RedisHostBook
from ..discover.hosts import host_of
from ..discover.middlewares import RAW_META
from ..discover.output import run_summary, summary_lines, write_outputs
from ..discover.profile import TopicProfile
from ..discover.spidersettings import apply_spider_settings, budgets_from_settings
from ..discover.state import SAVE_EVERY_S, Requests, load_state, save_state, state_path
from ..discover.xmlurls import XML_URLS, xml_urls
from ..items import ArticleRecord, SkipItem
from ..limits import CrawlLimits
from ..refused import Refused
from ..robots import Unreachable
from ..sources import load_sources
from ..urls import canonical_url
from ..warc import WarcFile
from ..workerpool import PipePool
from .news import ENTITIES_REFUSED, REDIS_SETTINGS, declares_entities, header_charset, skip_reason


class DiscoverSpider(scrapy.Spider):
    name = "discover"

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        apply_spider_settings(settings, REDIS_SETTINGS)

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> DiscoverSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.setup(crawler.settings)
        crawler.signals.connect(spider.finish, signal=signals.spider_closed)
        crawler.signals.connect(spider.robots_parsed, signal=signals.robots_parsed)
        return spider

    def setup(self, settings: BaseSettings) -> None:
        self.started = time.monotonic()
        self.specs = load_sources(settings.get("NEWSCLEAN_SOURCES"))
        self.outdir = Path(settings.get("NEWSCLEAN_OUTDIR") or "out/discover")
        self.profile = TopicProfile.from_dict(json.loads(Path(settings.get("NEWSCLEAN_PROFILE")).read_text("utf-8")))
        self.budgets = budgets_from_settings(settings)
        self.limits = CrawlLimits.from_settings(settings)
        self.local_web_spec = settings.get("NEWSCLEAN_LOCAL_WEB") or ""
        self.local_web = parse_networks(self.local_web_spec)
        self.jobdir = settings.get("JOBDIR")
        self.redis_url = settings.get("REDIS_URL")
        crashed = jobdir.begin(self.jobdir)
        self.state_path = state_path(self.jobdir, self.redis_url)
        self.book: HostBook = RedisHostBook(self.redis_url) if self.redis_url else HostBook()
        self.requests = Requests()
        self.resumed = self._load_state(crashed)
        self.robots: dict[str, Any] = {}
        self.robots_agent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT")
        self.refused: dict[str, int] = {}
        self.saved_at = 0.0
        config = cleaner_config(settings.get("NEWSCLEAN_CLEANER_CONFIG"), settings.get("NEWSCLEAN_REMOVED"))
        start_cleaning_server()
        self.pool = PipePool(max(1, settings.getint("NEWSCLEAN_WORKERS", 1)), initializer=pagework.init_worker,
                             initargs=(config.to_dict(), self.profile.to_dict(), self.local_web_spec),
                             preload=WARM_MODULES)
        self.warc: WarcFile | None = None

    # ---- state (--jobdir) ------------------------------------------------------------------------------------

    def _load_state(self, crashed: bool) -> bool:
        """Load the book and the unanswered requests of an earlier run in JOBDIR (scraper.discover.state)."""
        loaded = load_state(self.state_path)
        if loaded is None:
            return False
        self.book, self.requests = loaded
        self.logger.info("resuming: %d hosts known, %d requests to issue again%s", len(self.book.hosts()),
                         len(self.requests.pending), " (the previous run was killed)" if crashed else "")
        return True

    def _save_state(self, force: bool = False) -> None:
        now = time.monotonic()
        if self.state_path is None or (not force and now - self.saved_at < SAVE_EVERY_S):
            return
        self.saved_at = now
        save_state(self.state_path, self.book, self.requests)

    # ---- requests ----------------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        for request in self._entry_points():
            yield request

    def start_requests(self) -> Iterator[scrapy.Request]:
        yield from self._entry_points()

    def _entry_points(self) -> Iterator[scrapy.Request]:
        if self.resumed:
            for url, how in list(self.requests.pending.items()):
                if url in self.requests.seen:  # issued again already: a page answered meanwhile links it
                    continue
                del self.requests.pending[url]
                request = self._request(url, how["role"], how["priority"], how["chain"], how.get("via", ""),
                                        how.get("depth", 0))
                if request is not None:
                    yield request
            return
        for spec in self.specs:
            for role, urls in (("sitemap", spec.sitemaps), ("feed", spec.feeds), ("page", spec.start_urls)):
                for url in urls:
                    host = host_of(canonical_url(url))
                    self.book.put(host, "seed", spec.name)
                    self.book.put(host, "via", "--sources")
                    if role != "page":
                        self.book.put(host, f"{role}_tried", "1")
                    request = self._request(url, role, frontier.ENTRY, 0, "--sources")
                    if request is not None:
                        yield request
                    home = self._home(url, frontier.ENTRY, 0, "--sources")
                    if home is not None:
                        yield home

    def _home(self, url: str, priority: int, chain: int, via: str, depth: int = 0) -> scrapy.Request | None:
        parts = urlsplit(canonical_url(url))
        return self._request(f"{parts.scheme}://{parts.netloc}/", "page", priority, chain, via, depth)

    def _request(self, url: str, role: str, priority: int, chain: int, via: str, depth: int = 0,
                 ) -> scrapy.Request | None:
        """A request for a canonical URL not issued before, unless an address, a limit or robots.txt refuses it;
        `depth` is the number of links from an entry point."""
        try:
            canon = canonical_url(url)
        except ValueError:
            return None
        seen = self.requests.seen
        if canon in seen:
            return None
        why = url_refusal(canon, self.local_web)
        if why is not None:
            self._refuse("address")
            return None
        if self.limits.max_url_length and len(canon) > self.limits.max_url_length:
            self._refuse("url_too_long")
            return None
        if self.limits.max_depth and depth > self.limits.max_depth:
            self._refuse("too_deep")
            return None
        host = host_of(canon)
        robots = self.robots.get(host)
        if robots is not None and not isinstance(robots, Unreachable) and not robots.allowed(canon, self.robots_agent):
            seen.add(canon)
            self.book.incr(host, "robots_refused")
            return None
        seen.add(canon)
        self.requests.pending[canon] = {"role": role, "priority": priority, "chain": chain, "via": via, "depth": depth}
        callback = self.parse_xml if role in ("sitemap", "feed") else self.parse_page
        # issued again on resume: past Scrapy's seen-set, which may hold it (admit_request drops a second copy)
        return scrapy.Request(canon, callback=callback, errback=self.on_error, priority=priority,
                              dont_filter=self.resumed,
                              meta={"host": host, "role": role, "chain": chain, "via": via, "depth": depth})

    def _answered(self, url: str) -> None:
        self.requests.answered(canonical_url(url))

    def _refuse(self, reason: str, n: int = 1) -> None:
        self.refused[reason] = self.refused.get(reason, 0) + n

    def count_robots_request(self, request: scrapy.Request) -> None:
        self.book.add_requests(1)
        self.book.incr(host_of(request.url), "requests")

    def admit_request(self, request: scrapy.Request) -> None:
        """Raise Refused("budget") for a request over a budget (called as the scheduler hands it out)."""
        host = request.meta.get("host") or host_of(request.url)
        canon = canonical_url(request.url)
        redirected = request.meta.get("redirect_urls") is not None
        if not self.redis_url and not redirected and (
                canon in self.requests.in_flight or canon not in self.requests.pending):
            raise Refused("duplicate", f"{canon} is answered or on its way already")  # a resumed queue's copy
        over = hosts.budget_refusal(self.book, self.budgets, host, request.meta.get("role", ""), redirected)
        if over is not None:
            self._over(*over)
        self.book.add_requests(1)
        self.book.incr(host, "requests")
        self.book.put(host, "scheme", urlsplit(request.url).scheme)
        if not redirected:
            self.requests.in_flight[canon] = host

    def _over(self, reason: str, detail: str) -> None:
        self._refuse(reason)
        raise Refused("budget", f"{reason}: {detail}")

    def robots_parsed(self, robotparser: Any = None, request: Any = None) -> None:
        if robotparser is None or request is None:
            return
        host = host_of(request.url)
        self.robots[host] = robotparser
        if isinstance(robotparser, Unreachable):
            self.book.put(host, "robots", "unreachable")
            self.book.put(host, "robots_detail", robotparser.detail)
            return
        sitemaps = list(getattr(getattr(robotparser, "rp", None), "sitemaps", None) or [])
        for url in sitemaps[:1]:
            if host_of(url) == host and self.book.put(host, "sitemap_tried", "1"):
                req = self._request(url, "sitemap", frontier.same_host_priority(0, True, 0), 0, request.url)
                if req is not None:
                    self.crawler.engine.crawl(req)

    # ---- callbacks ---------------------------------------------------------------------------------------

    async def parse_page(self, response: Response) -> AsyncIterator[Any]:
        meta = response.meta
        requested = (meta.get("redirect_urls") or [response.request.url])[0]
        self._answered(requested)
        host = meta.get("host") or host_of(response.url)
        url = canonical_url(response.url)
        ctype = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        if not isinstance(response, TextResponse) or ("html" not in ctype and not isinstance(response, HtmlResponse)):
            self.book.incr(host, "other")
            yield SkipItem(url, "not_html", host, ctype or "no content type")
            return
        fetched_at = meta.get("fetched_at") or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        source = {"name": url, "url": url, "fetched_at": fetched_at, "final_url": response.url,
                  "http_status": response.status, "http_charset": header_charset(response)}
        try:
            report = await self.pool.run(pagework.process_page, response.body, source, requested,
                                         self.budgets.max_links_per_page)
        except Exception as exc:  # the worker died on the page
            report = pagework.PageReport(kind="error", reason=f"internal: {type(exc).__name__}"[:hosts.ERROR_CHARS])
        if report.refused:
            self._refuse("address", report.refused)
        hosts.record_page(self.book, host, url, report, self.budgets)
        if report.line:
            self._archive(meta)
            yield ArticleRecord(url, line=report.line, key=report.key)
        else:
            reason = "off_topic" if report.kind == "article" else ("not_article" if report.kind == "list"
                                                                    else report.reason or "error")
            detail = f"score {report.score:.3f}" if report.kind == "article" else report.reason
            yield SkipItem(url, "spam" if report.spam else reason, host, (report.spam or detail)[:hosts.ERROR_CHARS])
        for request in self._follow(report, host, url, meta, meta.get("depth", 0) + 1):
            yield request
        self._save_state()

    def _follow(self, report: pagework.PageReport, host: str, url: str, meta: dict[str, Any],
                depth: int) -> Iterator[scrapy.Request]:
        """Requests for the page's feeds, sitemaps and links, by the frontier's policy."""
        if report.spam or self.book.get(host, "spam") is not None:
            return  # a spam host's links lead to more spam
        yield from self._follow_xml(report, host, url, meta.get("chain", 0), depth)
        yield from self._follow_links(report, host, url, meta.get("chain", 0), depth)

    def _follow_xml(self, report: pagework.PageReport, host: str, url: str, chain: int,
                    depth: int) -> Iterator[scrapy.Request]:
        """The page's first feed and first sitemap, if on its host and the host has none tried yet."""
        priority = frontier.same_host_priority(0, True, self.profile.threshold)
        for role, found in (("feed", report.feeds), ("sitemap", report.sitemaps)):
            for xml in found[:1]:
                if host_of(xml) == host and self.book.put(host, f"{role}_tried", "1"):
                    req = self._request(xml, role, priority, chain, url, depth)
                    if req is not None:
                        yield req

    def _follow_links(self, report: pagework.PageReport, host: str, url: str, linking_chain: int,
                      depth: int) -> Iterator[scrapy.Request]:
        """The page's links: to its own host while the host is being probed, to other hosts (their home pages
        first) unless the chain of off-topic hosts is too long or the host is spam or done."""
        t = self.profile.threshold
        share = hosts.on_topic_share(self.book, host)
        chain = frontier.next_chain(linking_chain, hosts.links_on_topic(self.book, host, report.on_topic))
        host_open = self.book.count(host, "articles") < self.budgets.pages_per_site
        new_hosts: set[str] = set()
        for link, anchor in report.links:
            target = host_of(link)
            if target == host:
                if host_open:
                    priority = frontier.same_host_priority(anchor, url_hint(link) == "article", t)
                    req = self._request(link, "page", priority, linking_chain, url, depth)
                    if req is not None:
                        yield req
                continue
            if chain > self.budgets.max_off_topic_hops:
                self._refuse("off_topic_chain")
                continue
            if not self._worth_probing(target):
                continue
            priority = frontier.new_host_priority(anchor, report.score, share, t)
            if target not in new_hosts and not self.book.admitted(target):
                new_hosts.add(target)
                self.book.put(target, "via", url)
                home = self._home(link, priority, chain, url, depth)
                if home is not None:
                    yield home
            req = self._request(link, "page", priority, chain, url, depth)
            if req is not None:
                yield req

    def _worth_probing(self, host: str) -> bool:
        """Whether links to another host are followed: it is not spam and has not its K articles yet."""
        if self.book.get(host, "spam") is not None:
            return False
        return not (self.book.admitted(host) and self.book.count(host, "articles") >= self.budgets.pages_per_site)

    def _archive(self, meta: dict[str, Any]) -> None:
        raw = meta.get(RAW_META)
        if raw is None:
            return
        if self.warc is None:
            self.warc = WarcFile(self.outdir / "warc", writer.acquire())
        url, status, headers, body, fetched_at, truncated = raw
        phrase = "OK" if status == HTTPStatus.OK else ""
        self.warc.write_response(url, status, phrase, headers, body, fetched_at, truncated)

    def parse_xml(self, response: Response) -> Iterator[Any]:
        """A sitemap or feed: its in-host URLs become article candidates; the host's entry names it."""
        meta = response.meta
        self._answered((meta.get("redirect_urls") or [response.request.url])[0])
        host = meta.get("host") or host_of(response.url)
        role = meta.get("role", "sitemap")
        urls = xml_urls(response.body, role, response.url)
        url = canonical_url(response.url)
        if urls is None:
            yield SkipItem(url, f"bad_{role}", host, ENTITIES_REFUSED if declares_entities(response.body) else "")
            return
        own = [u for u in urls if host_of(u) == host][:XML_URLS]
        if not own:
            yield SkipItem(url, f"bad_{role}", host, f"no URL of {host}")
            return
        self.book.put(host, role, url)
        t = self.profile.threshold
        for link in own[: 2 * self.budgets.pages_per_site]:
            req = self._request(link, "page", frontier.same_host_priority(0, True, t), meta.get("chain", 0), url,
                                meta.get("depth", 0) + 1)
            if req is not None:
                yield req

    def on_error(self, failure: Any) -> Iterator[SkipItem]:
        request = failure.request
        requested = (request.meta.get("redirect_urls") or [request.url])[0]
        url = canonical_url(requested)
        reason, detail = skip_reason(failure)
        if reason == "duplicate":
            return
        self._answered(requested)
        host = request.meta.get("host") or host_of(url)
        if reason == "budget":
            self.requests.seen.discard(url)  # not asked: another path may bring it within a budget later
        hosts.record_error(self.book, host, reason, detail)
        yield SkipItem(url, reason, host, detail)

    # ---- the end -----------------------------------------------------------------------------------------

    def finish(self, spider: Any = None, reason: str = "finished") -> None:
        self.pool.close()
        if self.warc is not None:
            self.warc.close()
            self.warc = None
            writer.release()
        self._save_state(force=True)
        judged = hosts.judge_hosts(self.book, self.profile.threshold)
        summary = run_summary(judged, reason, self.outdir, self.crawler.stats.get_stats(), self.refused,
                              self.profile.threshold, time.monotonic() - self.started)
        note = (f"topic profile of {self.profile.examples} examples; an article is on topic at a score of "
                f"{self.profile.threshold:.3f} or more")
        write_outputs(self.outdir, judged, summary, note)
        for line in summary_lines(summary):
            self.logger.info(line)
        self.book.close()
        jobdir.end(self.jobdir)
