"""A probed host's verdict, from what its probe saw: on_topic, off_topic, not_news, spam, unreachable or robots.

The rules, in order (the first that holds decides):

1. `robots`: robots.txt was read and forbade every page asked for; nothing was fetched.
2. `unreachable`: nothing was fetched, because the host did not answer (connection refused, timeout, DNS, HTTP
   errors) or its robots.txt could not be read (RFC 9309: then nothing is allowed).
3. `spam`: at least half of the fetched pages are spam by the cleaner's detectors (a spam-farm text rule, keyword
   farm lines, a link farm; scraper.discover.pagework), checked before the topic because farms stuff the topic's
   words.
4. `not_news`: pages were fetched but none is an article by the cleaner's page-type decision (shops, forums,
   directories).
5. `on_topic`: at least ON_TOPIC_SHARE (half) of the articles sampled score at or above the profile's threshold,
   and at least MIN_ON_TOPIC of them do (all of them when fewer were sampled): one lucky article is not a site.
6. `off_topic` otherwise.

The host's score is the mean topic score of its sampled articles; on-topic hosts are ranked by it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ON_TOPIC_SHARE = 0.5
MIN_ON_TOPIC = 2


@dataclass
class Sample:
    """An article page of the host, as scored."""

    url: str
    score: float
    on_topic: bool
    terms: tuple[str, ...] = ()
    title: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "score": self.score, "on_topic": self.on_topic, "terms": list(self.terms),
                "title": self.title}


@dataclass
class HostState:
    """What is known of a host (scraper.discover.hostbook keeps it, shared between crawlers with Redis)."""

    host: str  # host[:port], as in URLs
    counts: dict[str, int] = field(default_factory=dict)  # requests, pages, articles, on_topic, spam_pages, ...
    facts: dict[str, str] = field(default_factory=dict)  # scheme, via, robots, error, sitemap, feed, spam, ...
    samples: list[Sample] = field(default_factory=list)
    urls: dict[str, list[str]] = field(default_factory=dict)  # "list": URLs of its list pages (for patterns)

    def n(self, name: str) -> int:
        return int(self.counts.get(name, 0))


@dataclass(frozen=True)
class Verdict:
    verdict: str
    score: float
    reason: str


def judge(state: HostState, threshold: float) -> Verdict:
    """The verdict of a probed host (see the module doc)."""
    pages, articles = state.n("pages"), len(state.samples)
    score = round(sum(s.score for s in state.samples) / articles, 4) if articles else 0.0
    if pages == 0:
        refused = state.n("robots_refused")
        if state.facts.get("robots") == "unreachable":
            return Verdict("unreachable", score, state.facts.get("robots_detail") or "robots.txt not fetched")
        if refused:
            return Verdict("robots", score, f"robots.txt forbids the {refused} page(s) asked for")
        error = state.facts.get("error") or "no answer"
        return Verdict("unreachable", score, f"no page fetched ({state.n('errors')} failed requests; {error})")
    spam = state.n("spam_pages")
    if spam and spam * 2 >= pages:
        return Verdict("spam", score, f"{spam} of {pages} pages are spam: {state.facts.get('spam', '')}")
    if articles == 0:
        why = state.facts.get("list_reason", "")
        return Verdict("not_news", score, f"{pages} page(s) fetched, none an article" + (f" ({why})" if why else ""))
    hits = sum(1 for s in state.samples if s.on_topic)
    share = hits / articles
    detail = f"{hits} of {articles} articles at or above the threshold {threshold:.3f} (mean score {score:.3f})"
    if share >= ON_TOPIC_SHARE and hits >= min(MIN_ON_TOPIC, articles):
        return Verdict("on_topic", score, detail)
    return Verdict("off_topic", score, detail)
