"""The crawler's side of page processing: every fetched HTML page goes to a cleaning worker, which parses it once
for its links, its type and (for an article) its record (scraper.cleanwork); the reactor awaits the outcome
and never parses HTML itself, so that it keeps fetching."""
from __future__ import annotations

from typing import Any

from cleaners.config import CleanerConfig

from .outcome import PageOutcome
from .workerpool import PipePool, start_fork_server

# imported by the fork server the workers are forked from: it warms the cleaner up once for all of them
WARM_MODULES = ("scraper.warmworker",)
# the workers' functions (scraper.cleanwork), by name: this process does not import the cleaner
INIT_WORKER = "scraper.cleanwork:init_worker"
PROCESS_PAGE = "scraper.cleanwork:process_page"


def cleaner_config(config_path: str | None, removed: str | None = None) -> CleanerConfig:
    """The crawl's cleaner config: the YAML file of NEWSCLEAN_CLEANER_CONFIG (if any), with NEWSCLEAN_REMOVED on top.
    ConfigError for an unknown key or value."""
    config = CleanerConfig.from_yaml(config_path) if config_path else CleanerConfig()
    return CleanerConfig.from_dict({**config.to_dict(), "removed": removed}) if removed else config


def start_cleaning_server() -> None:
    """Start the fork server of the cleaning workers now (it takes ~1 s to warm up, on another core): the earlier,
    the less the crawl waits for its first worker. `newsclean crawl` calls it before it even imports Scrapy."""
    start_fork_server(WARM_MODULES)


class PageCleaning:
    """A pool of cleaning processes (started by start(), stopped by close()) and the call that uses it."""

    def __init__(self, workers: int, config: CleanerConfig) -> None:
        self.workers = max(1, workers)
        self.config = config
        self.pool: PipePool | None = None

    def prepare(self) -> None:
        """Start the fork server (if it is not running yet), so that it warms up while the crawler starts; the
        first page's process() forks the workers from it, waiting for what is left of the warm-up. Nothing
        crawls further before the first worker is up anyway: a page's links come back from its worker."""
        start_cleaning_server()

    def start(self) -> None:
        if self.pool is None:
            self.pool = PipePool(self.workers, initializer=INIT_WORKER, initargs=(self.config.to_dict(),),
                                 preload=WARM_MODULES)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None

    async def process(self, body: bytes, source: dict[str, Any], is_article: bool | None,
                      keywords: tuple[str, ...], requested_url: str, links_of: tuple[str, tuple[str, ...]],
                      depth: int = 0, max_links: int = 0) -> PageOutcome:
        """The page's outcome (see cleanwork.process_page). A worker that dies on it (the pool replaces it) costs
        the page: reason `internal` and no links (None), which the caller may still read from the page."""
        self.start()
        assert self.pool is not None
        try:
            return await self.pool.run(PROCESS_PAGE, body, source, is_article, keywords, requested_url, links_of,
                                       depth, max_links)
        except Exception as exc:
            return PageOutcome(reason="internal", detail=f"{type(exc).__name__}: {exc}"[:200], worker_died=True)
