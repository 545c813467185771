"""How far a crawl may go: the bounds that end spider traps, and the record of what they cut.

A site can link without end: ever deeper paths (`/t/1/2/3/...`), calendars, `?page=N` with no last page, pages
of 200,000 links. With no bound the crawl never ended (31,888 requests, 4,598-character paths and 2.7 GB in two
minutes) and a page of 200,000 links cost the crawler 630 MiB. Each bound is a Scrapy setting and a `newsclean
crawl` flag; 0 turns it off.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields
from typing import Any

from .items import SkipItem

# Bytes of a robots.txt read (NEWSCLEAN_ROBOTS_MAX_BYTES, scraper.robots): RFC 9309's least parsing limit (2.5),
# and what Google reads; the rules after it are ignored.
ROBOTS_MAX_BYTES = 500 * 1024


@dataclass(frozen=True)
class CrawlLimits:
    # Links followed from an entry point (a start URL, sitemap or feed is depth 0, what it links depth 1). Page N
    # of a list that links only the next page is N levels deep, so 25 reaches 25 pages of such a list, and far
    # more of lists that link ten pages ahead; the test site's articles are 2 to 4 levels deep.
    max_depth: int = 25
    # Characters of the canonical URL (percent-encoded, so a Chinese character counts 9). 2083 is the old Internet
    # Explorer limit, Scrapy's URLLENGTH_LIMIT default, and far above any article URL of the seed sites.
    max_url_length: int = 2083
    # Distinct link targets read from one page, in document order; the rest are counted, not read. The most on
    # the development sets' 476 real pages is 3,850 (a fan-fiction index), on a news page 1,361.
    max_links_per_page: int = 5000
    # Requests for one source (its own `max_pages` in the sources file overrides it): what keeps a trap that
    # branches, whose depth alone allows 2^25 pages, and the frontier and its seen-set bounded.
    max_pages_per_source: int = 20_000
    # URLs cut by a limit recorded in skipped.jsonl, per source and reason; all of them are counted in the summary.
    # A trap cuts far more URLs than anyone reads, and each recorded one is a line and a key held in memory.
    recorded_cuts: int = 1000

    @classmethod
    def from_settings(cls, settings: Any) -> CrawlLimits:
        return cls(**{f.name: settings.getint(setting_name(f.name), f.default) for f in fields(cls)})


def setting_name(field: str) -> str:
    """The Scrapy setting of a CrawlLimits field: NEWSCLEAN_MAX_DEPTH, ..."""
    return f"NEWSCLEAN_{field.upper()}"


class Cuts:
    """Counts every URL a limit cut (stats `newsclean/cut/<reason>`, the summary's `cut`) and gives a SkipItem
    for the first `recorded` distinct ones of each source and reason, None for the rest."""

    def __init__(self, recorded: int, crawler: Any) -> None:
        self.recorded = recorded
        self.crawler = crawler  # its stats exist once the crawl starts
        self._given: defaultdict[tuple[str, str], set[str]] = defaultdict(set)

    def cut(self, url: str, reason: str, source: str, detail: str) -> SkipItem | None:
        self.crawler.stats.inc_value(f"newsclean/cut/{reason}")
        given = self._given[(source, reason)]
        if url in given or len(given) >= self.recorded:
            return None
        given.add(url)
        return SkipItem(url, reason, source, detail)
