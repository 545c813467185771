"""The discovery's frontier policy: budgets, and the priority of each link from its context.

The frontier itself is Scrapy's scheduler (a priority queue on disk with `--jobdir`, a Redis sorted set with
`--redis-url`): this module only says what a request is worth and what the budgets allow, from plain values.

Priorities (higher first):
- ENTRY (the sources' entry points) above everything;
- HOST_PROBE + ...: the pages of a host being probed (its home page, sitemap, feed, and the links of its pages
  to itself), so that a host started is finished and judged before new hosts are started; among them article
  URLs first (the cleaner's URL hint), then by the topic score of the anchor text;
- a link to a new host: 0 to 1000, half from its anchor text's score, three tenths from the score of the page
  that links (an on-topic article's links are worth more than a list page's), a fifth from what has been learnt
  of the linking host (the share of its articles on topic so far; a half while none has been scored). Scores
  are taken relative to twice the profile's threshold, so the scale does not depend on the profile.

Host learning also decides what is followed at all: nothing from a spam host, and a chain of hosts that are not
on topic is followed at most `max_off_topic_hops` hosts deep (an on-topic site reachable only through an
off-topic one is one such hop).
"""
from __future__ import annotations

from dataclasses import dataclass

ENTRY = 3000
HOST_PROBE = 1100  # above the best new host (1000)
ARTICLE_HINT = 500


@dataclass(frozen=True)
class Budgets:
    max_sites: int = 100  # hosts probed, the sources' own included
    pages_per_site: int = 5  # article pages scored per host (K)
    max_pages: int = 2000  # requests in all, robots.txt included
    max_off_topic_hops: int = 2  # hosts not on topic in a row that a chain of links may pass through
    max_links_per_page: int = 500  # distinct links read from a page (in document order)

    @property
    def host_requests(self) -> int:
        """Requests per host: robots.txt, its home page, a sitemap, a feed, K articles and up to K list pages."""
        return 2 * self.pages_per_site + 4


def relative(score: float, threshold: float) -> float:
    """A score on [0, 1], where the threshold is one half."""
    if threshold <= 0:
        return min(1.0, max(0.0, score))
    return min(1.0, max(0.0, score / (2 * threshold)))


def new_host_priority(anchor: float, page: float, host_share: float | None, threshold: float) -> int:
    """The priority of a link to a host not probed yet (0 to 1000)."""
    learnt = 0.5 if host_share is None else host_share
    value = 0.5 * relative(anchor, threshold) + 0.3 * relative(page, threshold) + 0.2 * learnt
    return round(1000 * value)


def same_host_priority(anchor: float, article_hint: bool, threshold: float) -> int:
    """The priority of a page of a host being probed: above every new host's."""
    return HOST_PROBE + (ARTICLE_HINT if article_hint else 0) + round(400 * relative(anchor, threshold))


def next_chain(linking_chain: int, linking_on_topic: bool) -> int:
    """The off-topic chain of a host linked from a host at `linking_chain`: zero after an on-topic host."""
    return 0 if linking_on_topic else linking_chain + 1
