"""Running one of the project's spiders in this process, as `newsclean crawl` and `newsclean discover` do."""
from __future__ import annotations

import gc
import logging
from typing import Any


def run_spider(spider: str, values: dict[str, object]) -> Any:
    """Crawl with the spider class at dotted path `spider` under the project's settings and `values` (at
    `cmdline` priority) until it ends; the settings used. The cleaning workers' fork server starts first, so that
    it warms up on the other core while Scrapy and the spider are imported and set up."""
    from scraper.cleaning import start_cleaning_server

    start_cleaning_server()
    _import_http_handler()
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings
    from scrapy.utils.misc import load_object

    settings = Settings()
    settings.setmodule("scraper.settings", priority="project")
    # The spider class is handed over, so Scrapy's spider loader need not import every module of SPIDER_MODULES
    # (the other spider's imports: ~0.1 s of start-up). `scrapy crawl NAME` still finds them by name.
    settings.set("SPIDER_MODULES", [], priority="project")
    settings.setdict(values, priority="cmdline")
    process = CrawlerProcess(settings)
    _quiet_scrapy_logger(settings.get("LOG_LEVEL"))
    process.crawl(load_object(spider))
    # what is loaded by now (Scrapy, Twisted, the crawl's own modules) lives as long as the crawl:
    # frozen, the garbage collector stops walking it at every full collection of the reactor's per-page garbage
    gc.freeze()
    process.start()
    return settings


def _import_http_handler() -> None:
    """Import Scrapy's HTTP download handler here, on a short stack. Its TLS module builds deprecated aliases
    with inspect.stack(), which reads every frame of the caller's stack (and scans all loaded modules for each
    importlib frame); loaded where Scrapy loads it, inside the engine's set-up, that took ~0.1 s of start-up."""
    import scrapy.core.downloader.handlers.http11  # noqa: F401


def _quiet_scrapy_logger(level: str | int | None) -> None:
    """Scrapy sets its logger to DEBUG and leaves the filtering to its handler, so every response and item
    builds a DEBUG log record that is then thrown away (~0.05 ms of the reactor's time per page). Raise the
    logger to the level the handler shows: the same lines are logged."""
    numeric = logging.getLevelName(level) if isinstance(level, str) else level
    if isinstance(numeric, int) and numeric > logging.DEBUG:
        logging.getLogger("scrapy").setLevel(numeric)
