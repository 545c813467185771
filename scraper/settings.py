"""Scrapy settings of the `news` spider: polite by default (robots.txt, AutoThrottle, a named User-Agent,
few requests per domain, retries with back-off). Every value can be overridden with `-s NAME=VALUE`."""
from __future__ import annotations

import os

from scrapy.settings import default_settings as _scrapy

from scraper.limits import ROBOTS_MAX_BYTES, CrawlLimits

BOT_NAME = "newsclean"
SPIDER_MODULES = ["scraper.spiders"]
NEWSPIDER_MODULE = "scraper.spiders"

USER_AGENT = "newsclean/0.1 (Chinese education news text toolkit; polite crawler; obeys robots.txt)"
ROBOTSTXT_OBEY = True
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # Scrapy >= 2.19 opens a control port by default

# Politeness: AutoThrottle adapts the delay to the server's latency, within a per-domain cap.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0

# Failures: bounded retries with exponential back-off, bounded redirects, bounded bodies and waits.
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_BACKOFF_BASE = 2.0  # seconds before the first retry, doubled for each further one
RETRY_BACKOFF_MAX = 60.0
REDIRECT_MAX_TIMES = 5
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"  # the cleaning pool needs asyncio
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
LOG_LEVEL = "INFO"

# Middlewares this crawler has no use for are off: each one costs a few coroutine hops per request, and the
# reactor's time per page is what bounds a crawl whose cleaning runs in other processes.
DOWNLOADER_MIDDLEWARES = {
    # the spider checks the links it follows; this checks every request, redirects and robots.txt included
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "scraper.offsite.AllowedHostsMiddleware": 50,
    # robots.txt per RFC 9309: its first 500 KiB read, an unreadable one (5xx, 429, timeout ...) disallows all
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "scraper.robots.StrictRobotsTxtMiddleware": 100,
    "scraper.robots.RobotsBodyLimit": 595,  # between decompression (590) and the download
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
    "scrapy.downloadermiddlewares.httpproxy.HttpProxyMiddleware": None,
    "scrapy.downloadermiddlewares.stats.DownloaderStats": None,  # the WARC recorder counts responses
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scraper.middlewares.BackoffRetryMiddleware": 550,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "scraper.middlewares.QuickMetaRefreshMiddleware": 580,  # the same, without decoding pages that have none
    "scraper.middlewares.RedirectLoopMiddleware": 650,  # sees 3xx before RedirectMiddleware (600) does
    "scraper.middlewares.WarcRecorderMiddleware": 890,  # raw responses, before decompression and redirects
}
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,  # canonical URLs, same-site links only
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
}
# Scrapy hands each callback's output to CONCURRENT_ITEMS asyncio tasks (default 100), for every response and
# every errback: ~100 task creations per page, measured at a third of the reactor's time on real pages. A page
# yields one item (its record or skip, cleaned before the callback yields) and at most one batch of robots skips
# beside its requests, so a few tasks are enough; pages are still processed side by side (the scraper's slot, not
# this setting, bounds that).
CONCURRENT_ITEMS = 1
ITEM_PIPELINES = {
    "scraper.pipelines.StorePipeline": 800,  # pages are cleaned before they become items (scraper.cleaning)
}
EXTENSIONS = {
    "scraper.extensions.IdleClose": 500,
    "scraper.extensions.CrawlSummary": 510,
}


def _without(base: dict[str, int], *unused: str) -> dict[str, int]:
    """Scrapy's built-in components less `unused`. A component switched off with None in EXTENSIONS or
    DOWNLOADER_MIDDLEWARES is still imported (Scrapy loads each key to normalise it), so the ones whose imports
    cost start-up are left out of the base instead."""
    return {name: order for name, order in base.items() if name not in unused}


# Off, and not imported: the remote control (aiohttp, and the TLS contexts it builds on import: ~0.15 s of every
# crawl's start-up; REMOTE_CONTROL_ENABLED is False as well), the telnet console (twisted.conch), and the cookie
# middleware (tldextract and requests: ~0.06 s; this crawler keeps no sessions, COOKIES_ENABLED is False).
EXTENSIONS_BASE = _without(_scrapy.EXTENSIONS_BASE, "scrapy.extensions.remote_control.RemoteControl",
                           "scrapy.extensions.telnet.TelnetConsole")
DOWNLOADER_MIDDLEWARES_BASE = _without(_scrapy.DOWNLOADER_MIDDLEWARES_BASE,
                                       "scrapy.downloadermiddlewares.cookies.CookiesMiddleware")

# newsclean's own settings (the `newsclean crawl` flags set them).
NEWSCLEAN_SOURCES = None  # sources YAML file
NEWSCLEAN_OUTDIR = "out/crawl"  # articles.jsonl, skipped.jsonl, warc/, summary.json
NEWSCLEAN_MAX_PAGES = 0  # requests issued by one crawler process, over all sources; 0 = no limit
NEWSCLEAN_WORKERS = max(1, (os.cpu_count() or 2) - 1)  # cleaning processes
NEWSCLEAN_CLEANER_CONFIG = None  # CleanerConfig YAML for the pipeline
NEWSCLEAN_REMOVED = None  # full, counts or none: overrides the config's `removed` (what records keep of removed spans)
NEWSCLEAN_IDLE_CLOSE = 0  # seconds a crawler stays open with nothing to do (set for distributed crawls)
NEWSCLEAN_FSYNC = True  # fsync articles.jsonl after every record
NEWSCLEAN_ROBOTS_MAX_BYTES = ROBOTS_MAX_BYTES  # of a robots.txt read (scraper.robots); 0 = all of it

# Limits that end spider traps (scraper.limits, where each default is explained; `newsclean crawl` flags); 0 = off.
NEWSCLEAN_MAX_DEPTH = CrawlLimits.max_depth  # links from an entry point
NEWSCLEAN_MAX_URL_LENGTH = CrawlLimits.max_url_length  # characters of a canonical URL
NEWSCLEAN_MAX_LINKS_PER_PAGE = CrawlLimits.max_links_per_page  # distinct link targets read from a page
NEWSCLEAN_MAX_PAGES_PER_SOURCE = CrawlLimits.max_pages_per_source  # a source's `max_pages` overrides it
NEWSCLEAN_RECORDED_CUTS = CrawlLimits.recorded_cuts  # cut URLs written to skipped.jsonl per source and reason
