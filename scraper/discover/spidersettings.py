"""How the discover spider is configured: crawl's settings with its own middlewares, and its budgets from the
NEWSCLEAN_* settings (defaults: scraper.discover.frontier.Budgets)."""
from __future__ import annotations

from typing import Any

from scrapy.settings import BaseSettings

from .frontier import Budgets


def downloader_middlewares(base: dict[str, Any]) -> dict[str, Any]:
    """crawl's downloader middlewares, with the address guard instead of allowed_domains, the budgets, the raw
    responses kept for the WARC (only on-topic articles are archived) and the request log."""
    mws = dict(base)
    mws.update({
        "scraper.offsite.AllowedHostsMiddleware": None,
        "scraper.discover.addresses.AddressGuardMiddleware": 50,
        "scraper.discover.middlewares.BudgetMiddleware": 60,
        "scraper.middlewares.WarcRecorderMiddleware": None,
        "scraper.discover.middlewares.RawResponseMiddleware": 890,
        "scraper.discover.middlewares.RequestLogMiddleware": 950,
    })
    return mws


def apply_spider_settings(settings: BaseSettings, redis_settings: dict[str, Any]) -> None:
    """The spider's settings over the project's: its middlewares, the public-address resolver, no crawl summary
    (the discovery writes its own), and `redis_settings` when REDIS_URL is set."""
    base = settings.getdict("DOWNLOADER_MIDDLEWARES")
    settings.set("DOWNLOADER_MIDDLEWARES", downloader_middlewares(base), priority="spider")
    settings.set("DNS_RESOLVER", "scraper.discover.addresses.PublicResolver", priority="spider")
    extensions = dict(settings.getdict("EXTENSIONS"), **{"scraper.extensions.CrawlSummary": None})
    settings.set("EXTENSIONS", extensions, priority="spider")
    if settings.get("REDIS_URL"):
        for key, value in redis_settings.items():
            settings.set(key, value, priority="spider")


def budgets_from_settings(settings: BaseSettings) -> Budgets:
    return Budgets(
        max_sites=settings.getint("NEWSCLEAN_MAX_SITES", Budgets.max_sites),
        pages_per_site=settings.getint("NEWSCLEAN_PAGES_PER_SITE", Budgets.pages_per_site),
        max_pages=settings.getint("NEWSCLEAN_MAX_PAGES", Budgets.max_pages) or Budgets.max_pages,
        max_off_topic_hops=settings.getint("NEWSCLEAN_MAX_OFF_TOPIC_HOPS", Budgets.max_off_topic_hops),
        max_links_per_page=settings.getint("NEWSCLEAN_MAX_LINKS_PER_PAGE", Budgets.max_links_per_page))
