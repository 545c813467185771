"""A request the crawler refuses on purpose, carrying the skip reason it is recorded under.

Scrapy's own refusals are plain IgnoreRequest messages that the spider has to read words from; the crawler's
own carry their reason, so a URL that happens to contain "robots" or "redirect" cannot change the verdict.
"""
from __future__ import annotations

from scrapy.exceptions import IgnoreRequest


class Refused(IgnoreRequest):
    """IgnoreRequest with `reason` (one word: offsite, robots, redirect_loop ...) and a short `detail`."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
