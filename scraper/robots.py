"""robots.txt as RFC 9309 reads it: a file that could not be read never allows everything.

Scrapy's RobotsTxtMiddleware treats a robots.txt it could not download (over DOWNLOAD_MAXSIZE, a timeout, a
refused redirect) as allowing everything, and parses whatever body a 5xx or 429 answer brings (an HTML error
page: no rules, everything allowed). A 10 MB robots.txt thus opened the pages it disallowed. Here:

- 2xx: the rules in the first NEWSCLEAN_ROBOTS_MAX_BYTES (500 KiB) are obeyed, up to the last whole line; the
  download stops there, whatever size the server announces. RFC 9309 (2.5) asks for a parsing limit of at least
  500 KiB, and Google reads that much.
- 4xx other than 429: the file is "unavailable" (RFC 9309, 2.3.1.3): no rules, everything allowed.
- 429, 5xx, other statuses, and a robots.txt not fetched at all (timeout, connection error, too many redirects,
  a redirect off the allowed domains, a body over DOWNLOAD_MAXSIZE once decompressed): "unreachable" (2.3.1.4),
  and the crawler "MUST assume complete disallow": every page of the host is skipped as `robots` for this crawl.
  RFC 9309 has crawlers follow a robots.txt redirect to another host; this crawler never requests a host outside
  allowed_domains (scraper.offsite), so such a site could not say what it allows.
"""
from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import NotConfigured, StopDownload
from scrapy.http import Request, Response
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred

from .limits import ROBOTS_MAX_BYTES
from .refused import Refused

logger = logging.getLogger(__name__)

ROBOTS_META = "newsclean_robots"  # marks the robots.txt requests (and their redirects) in request.meta
_BYTES_META = "newsclean_robots_bytes"
FORBIDDEN = "Forbidden by robots.txt"


class Unreachable:
    """The rules of a host whose robots.txt could not be read: nothing is allowed (RFC 9309, 2.3.1.4)."""

    def __init__(self, detail: str) -> None:
        self.detail = detail

    def allowed(self, url: str | bytes, user_agent: str | bytes) -> bool:
        return False


def refusal_detail(parser: Any) -> str:
    """The detail of a `robots` skip under these rules."""
    return getattr(parser, "detail", FORBIDDEN)


def robots_body(body: bytes, max_bytes: int) -> bytes:
    """The part of a robots.txt that is read: its first max_bytes, cut after the last whole line there."""
    if not max_bytes or len(body) <= max_bytes:
        return body
    head = body[:max_bytes]
    end = head.rfind(b"\n")
    return head[: end + 1] if end >= 0 else head


class StrictRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's RobotsTxtMiddleware with the policy of the module doc; a robots.txt that cannot be read sends
    robots_parsed with an Unreachable parser, so the spider refuses the host's links without a request.

    A robots.txt download stops after NEWSCLEAN_ROBOTS_MAX_BYTES (see RobotsBodyLimit) from a bytes_received
    handler, connected only while a robots.txt is being fetched: the signal is sent for every chunk of every
    response, and a handler on it costs ~7 µs a chunk."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.max_bytes = crawler.settings.getint("NEWSCLEAN_ROBOTS_MAX_BYTES", ROBOTS_MAX_BYTES)
        self._fetching = 0  # robots.txt downloads in flight

    def process_request_2(self, rp: Any, request: Request) -> None:
        if rp is None:
            return
        useragent = self._robotstxt_useragent or request.headers.get(b"User-Agent", self._default_useragent)
        if not rp.allowed(request.url, useragent):
            self._stats.inc_value("robotstxt/forbidden")
            raise Refused("robots", refusal_detail(rp))

    async def robot_parser(self, request: Request) -> Any:
        url = urlparse_cached(request)
        netloc = url.netloc
        if netloc not in self._parsers:
            self._parsers[netloc] = Deferred()
            robotsreq = Request(f"{url.scheme}://{netloc}/robots.txt", priority=self.DOWNLOAD_PRIORITY,
                                meta={"dont_obey_robotstxt": True, ROBOTS_META: True}, callback=NO_CALLBACK)
            self._watch(+1)
            try:
                response = await self.crawler.engine.download_async(robotsreq)  # redirects included
                parser = self._rules(response)
            except Exception as exc:  # whatever stopped the download: the site could not say
                reason = exc.detail if isinstance(exc, Refused) else f"{type(exc).__name__}: {exc}"
                parser = Unreachable(f"robots.txt not fetched ({reason[:120]}): host treated as disallowed")
                self._stats.inc_value("robotstxt/unreachable")
                logger.warning("%s: %s", robotsreq.url, parser.detail)
            finally:
                self._watch(-1)
            self._stats.inc_value("robotstxt/request_count")
            await self.crawler.signals.send_catch_log_async(signal=signals.robots_parsed, robotparser=parser,
                                                            request=request)
            waiting = self._parsers[netloc]
            self._parsers[netloc] = parser
            assert isinstance(waiting, Deferred)
            waiting.callback(parser)
        parser = self._parsers[netloc]
        if isinstance(parser, Deferred):
            return await maybe_deferred_to_future(parser)
        return parser

    def _watch(self, change: int) -> None:
        """Count robots.txt downloads in flight; listen to bytes_received while there is one."""
        if not self.max_bytes:
            return
        before, self._fetching = self._fetching, self._fetching + change
        if before == 0 and self._fetching:
            self.crawler.signals.connect(self.bytes_received, signal=signals.bytes_received)
        elif before and self._fetching == 0:
            self.crawler.signals.disconnect(self.bytes_received, signal=signals.bytes_received)

    def bytes_received(self, data: bytes, request: Request, spider: Any = None) -> None:
        if request.meta.get(ROBOTS_META):
            received = request.meta[_BYTES_META] = request.meta.get(_BYTES_META, 0) + len(data)
            if received >= self.max_bytes:
                raise StopDownload(fail=False)  # the response keeps what came, flagged download_stopped

    def _rules(self, response: Response) -> Any:
        status = response.status
        self._stats.inc_value("robotstxt/response_count")
        self._stats.inc_value(f"robotstxt/response_status_count/{status}")
        if HTTPStatus.OK <= status < HTTPStatus.MULTIPLE_CHOICES:  # 2xx
            return build_from_crawler(self._parserimpl, self.crawler, robots_body(response.body, self.max_bytes))
        if HTTPStatus.BAD_REQUEST <= status < HTTPStatus.INTERNAL_SERVER_ERROR \
                and status != HTTPStatus.TOO_MANY_REQUESTS:  # 4xx but 429, unavailable: no rules
            return build_from_crawler(self._parserimpl, self.crawler, b"")
        self._stats.inc_value("robotstxt/unreachable")
        return Unreachable(f"robots.txt answered HTTP {status}: host treated as disallowed")


class RobotsBodyLimit:
    """Lets a robots.txt download run past DOWNLOAD_MAXSIZE, which StrictRobotsTxtMiddleware stops after
    NEWSCLEAN_ROBOTS_MAX_BYTES, so that the rules at its start are read whatever its size: Scrapy would cancel a
    body announced or grown over DOWNLOAD_MAXSIZE, and its middleware then allowed everything. Sits after
    HttpCompressionMiddleware (590) for requests, before it for responses: DOWNLOAD_MAXSIZE is off for the
    download itself (the stop bounds it) and back on for decompression, which a gzip bomb must not get
    through."""

    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured
        self.max_bytes = crawler.settings.getint("NEWSCLEAN_ROBOTS_MAX_BYTES", ROBOTS_MAX_BYTES)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RobotsBodyLimit:
        return cls(crawler)

    def process_request(self, request: Request, spider: Any = None) -> None:
        if self.max_bytes and request.meta.get(ROBOTS_META):
            request.meta["download_maxsize"] = 0
            request.meta[_BYTES_META] = 0

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        if self.max_bytes and request.meta.get(ROBOTS_META):
            request.meta.pop("download_maxsize", None)  # DOWNLOAD_MAXSIZE again, for decompression
        return response
