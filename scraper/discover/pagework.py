"""The work done on each page a discovery fetches, in a cleaning worker: one parse for its type (the cleaner's
page-type decision), its links with their anchor text and the score of that text, its feeds and sitemaps, its
spam signals (the cleaner's own detectors), and, for an article, its cleaned record and its topic score.

The worker holds the topic profile (sent once, at start) and the networks of a local web, so that a link the
crawl may never request is dropped here, before the reactor sees it.
"""
from __future__ import annotations

import gc
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html

from cleaners import regexcache
from cleaners.config import CleanerConfig
from cleaners.core import CleanError, Source
from cleaners.document.entry import clean_html_bytes
from cleaners.html.pagetype import PageKind, page_kind
from cleaners.html.parse import flatten
from cleaners.text.rules import Rule, default_table
from cleaners.text.structure import is_keyword_farm

from ..store import encode_line, record_key
from ..urls import canonical_url, has_binary_extension
from .addresses import Network, parse_networks, url_refusal
from .profile import TopicProfile

ANCHOR_CHARS = 200  # of an anchor's text (and title) scored
XML_LINKS = 2  # sitemaps, and feeds, a page's report keeps (the spider follows the first, if on the page's host)
# A link farm page: links to at least this many other hosts, which take at least this share of its links.
# News portals link a few dozen partner sites (友情链接) under hundreds of their own links; a farm is mostly
# other hosts' links.
LINK_FARM_HOSTS = 20
LINK_FARM_SHARE = 0.6
# A keyword farm page: at least this many `|`-separated keyword lines (structure.is_keyword_farm), or such lines
# holding at least this share of the page's text. One tag line under an article is no farm.
KEYWORD_FARM_LINES = 3
KEYWORD_FARM_SHARE = 0.2
# Spam text rules of the cleaner's table (concept spam_farm) that say nothing bad of a site: portals list partner
# sites under 友情链接 in their footers.
NOT_SPAM_RULES = frozenset({"friendly_links"})
_PIPES = regexcache.compile(r"[|｜]")
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")
_NOT_LINKS = ("#", "javascript:", "mailto:", "tel:", "data:")  # hrefs that lead to no page
_SITEMAP_ENDS = ("sitemap.xml", "sitemap_index.xml")
_FEED_ENDS = ("/rss.xml", "/feed.xml", "/atom.xml", ".rss", "/feed", "/rss")


@dataclass
class PageReport:
    """What a page is and says (see the module doc); `line` is the record of an on-topic article."""

    kind: str = "list"  # "article", "list", or "error" (not parsable or not cleanable)
    reason: str = ""  # why it is not an article, or the cleaner's error reason
    title: str = ""
    score: float = 0.0  # the topic score: of the article's text, or of a list page's link texts
    terms: tuple[str, ...] = ()
    on_topic: bool = False
    line: bytes = b""
    key: str | None = None
    links: list[tuple[str, float]] = field(default_factory=list)  # (canonical URL, anchor score), page order
    feeds: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    spam: str = ""  # why the page is spam ("" when it is not)
    refused: int = 0  # links dropped because their address may not be requested (scraper.discover.addresses)
    text_chars: int = 0


_profile: TopicProfile | None = None
_config: CleanerConfig | None = None
_local_web: tuple[Network, ...] = ()


def init_worker(config: dict[str, Any], profile: dict[str, Any], local_web: str = "") -> None:
    """Pool initializer: the cleaner config, the topic profile and the local web, once per worker."""
    global _profile, _config, _local_web
    _config = CleanerConfig.from_dict(config)
    _profile = TopicProfile.from_dict(profile)
    _local_web = parse_networks(local_web)
    gc.collect()
    gc.freeze()


def setup(config: CleanerConfig, profile: TopicProfile, local_web: str = "") -> None:
    """The same, in this process (tests, and a crawl run without worker processes)."""
    init_worker(config.to_dict(), profile.to_dict(), local_web)


@lru_cache(maxsize=1)
def _spam_rules() -> tuple[Rule, ...]:
    return tuple(r for r in default_table().rules if r.concept == "spam_farm" and r.name not in NOT_SPAM_RULES)


def spam_signal(tree: lxml_html.HtmlElement, kind: PageKind, other_hosts: int, other_links: int,
                links: int) -> str:
    """Why the page is spam, by the cleaner's detectors, or "": a spam-farm text rule (蜘蛛池 ...), keyword-farm
    lines, or a link farm (a list page whose links lead mostly to many other hosts)."""
    lines = [ln.strip() for ln in flatten(tree).splitlines() if ln.strip()]
    for ln in lines:
        for rule in _spam_rules():
            if rule.regex.search(ln):
                return f"spam-farm rule {rule.name}: {ln[:40]}"
    anchors = {" ".join((a.text_content() or "").split()) for a in tree.iter("a")}
    farms = [ln for ln in lines if is_keyword_farm(ln) and not _link_row(ln, anchors)]
    farm_chars = sum(len(ln) for ln in farms)
    total = sum(len(ln) for ln in lines) or 1
    if len(farms) >= KEYWORD_FARM_LINES or (farms and farm_chars >= KEYWORD_FARM_SHARE * total):
        return f"{len(farms)} keyword-farm lines ({farm_chars * 100 // total}% of the text)"
    if other_hosts >= LINK_FARM_HOSTS and links and other_links >= LINK_FARM_SHARE * links and not kind.is_article:
        return f"link farm: {other_links} of {links} links lead to {other_hosts} other hosts"
    return ""


def _link_row(line: str, anchors: set[str]) -> bool:
    """A `|`-separated row of links (navigation, partner links under 友情链接), not keywords: most of its parts
    are the texts of the page's links."""
    parts = [p.strip() for p in _PIPES.split(line) if p.strip()]
    linked = sum(1 for p in parts if p in anchors or p.split("：")[-1].split(":")[-1].strip() in anchors)
    return bool(parts) and linked * 2 >= len(parts)


def _links(tree: lxml_html.HtmlElement, page_url: str, max_links: int, report: PageReport,
           ) -> tuple[list[tuple[str, str]], int, int, int]:
    """The page's distinct allowed links with their anchor texts, and the link-farm counts: distinct other
    hosts, links to them, all links. Sitemap and feed links go to the report instead."""
    base = _base_url(tree, page_url)
    here = (urlsplit(page_url).hostname or "").lower()
    found: dict[str, str] = {}
    hosts: set[str] = set()
    other = total = 0
    for a in tree.iter("a", "area"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(_NOT_LINKS):
            continue
        try:
            url = urljoin(base, href)
            host = (urlsplit(url).hostname or "").lower()
        except ValueError:
            continue
        total += 1
        if host and host != here:
            other += 1
            hosts.add(host)
        if max_links and len(found) >= max_links:
            continue
        canon = _allowed(url, report)
        if canon is None or _xml_link(canon, report):
            continue
        text = _anchor_text(a)
        found[canon] = f"{found.get(canon, '')} {text}".strip()[:ANCHOR_CHARS] if canon in found else text
    _alternate_feeds(tree, base, report)
    return list(found.items()), len(hosts), other, total


def _base_url(tree: lxml_html.HtmlElement, page_url: str) -> str:
    """The URL the page's links are relative to: its <base href>, if any and valid."""
    el = tree.find(".//base[@href]")
    if el is not None:
        try:
            return urljoin(page_url, el.get("href").strip())
        except ValueError:
            pass
    return page_url


def _allowed(url: str, report: PageReport) -> str | None:
    """The canonical URL of a link the crawl may request and a page can be at, or None (an address refused is
    counted in the report)."""
    if url_refusal(url, _local_web) is not None:
        report.refused += 1
        return None
    try:
        canon = canonical_url(url)
    except ValueError:
        return None
    return None if has_binary_extension(canon) else canon


def _xml_link(canon: str, report: PageReport) -> bool:
    """Whether the link is a sitemap or feed by its URL, kept in the report (up to XML_LINKS of each)."""
    low = canon.lower()
    if low.endswith(_SITEMAP_ENDS) and len(report.sitemaps) < XML_LINKS:
        report.sitemaps.append(canon)
        return True
    if low.endswith(_FEED_ENDS) and len(report.feeds) < XML_LINKS:
        report.feeds.append(canon)
        return True
    return False


def _anchor_text(a: lxml_html.HtmlElement) -> str:
    """The link's text, and its title when that says more."""
    text = " ".join((a.text_content() or "").split())[:ANCHOR_CHARS]
    title = (a.get("title") or "").strip()[:ANCHOR_CHARS]
    if title and title not in text:
        text = f"{text} {title}".strip()
    return text


def _alternate_feeds(tree: lxml_html.HtmlElement, base: str, report: PageReport) -> None:
    """The feeds the page declares (<link rel=alternate type=rss...>), after those it links, up to XML_LINKS."""
    for link in tree.iter("link"):
        if (link.get("rel") or "").lower() == "alternate" and (link.get("type") or "").lower() in _FEED_TYPES:
            try:
                feed = canonical_url(urljoin(base, (link.get("href") or "").strip()))
            except ValueError:
                continue
            if url_refusal(feed, _local_web) is None and feed not in report.feeds and len(report.feeds) < XML_LINKS:
                report.feeds.append(feed)


def process_page(body: bytes, source: dict[str, Any], requested_url: str, max_links: int = 0) -> PageReport:
    """The PageReport of one fetched HTML page; never raises, so that one page cannot break the pool."""
    report = PageReport()
    profile = _profile
    assert profile is not None, "init_worker() first"
    url = source.get("final_url") or source.get("url") or requested_url
    anchors: list[tuple[str, str]] = []
    inspected = False

    def inspect(tree: lxml_html.HtmlElement) -> bool:
        nonlocal anchors, inspected
        inspected = True
        kind = page_kind(tree, url)
        anchors, hosts, other, total = _links(tree, url, max_links, report)
        report.spam = spam_signal(tree, kind, hosts, other, total)
        report.text_chars = kind.text_chars
        report.kind = "article" if kind.is_article else "list"
        report.reason = "" if kind.is_article else kind.reason
        if not kind.is_article:
            report.title = " ".join((tree.findtext(".//title") or "").split())[:200]
        return kind.is_article

    try:
        doc = clean_html_bytes(body, Source(**source), config=_config or CleanerConfig(), inspect=inspect)
    except CleanError as exc:  # not decodable (never inspected: an error), or an "article" with no text (a list)
        report.kind, report.reason = ("list" if inspected else "error"), exc.reason
        doc = None
    except Exception as exc:  # a bug on one page must not cost the discovery
        report.kind, report.reason = "error", f"internal: {type(exc).__name__}: {exc}"[:200]
        return report
    report.links = [(u, profile.score(t) if t else 0.0) for u, t in anchors]
    if doc is None:
        texts = " ".join(t for _, t in anchors)
        if texts:
            m = profile.match(texts)
            report.score, report.terms = round(m.score, 4), m.terms
        return report
    report.title = doc.title or ""
    m = profile.match(f"{doc.title or ''}\n{doc.text}")
    report.score, report.terms = round(m.score, 4), m.terms
    report.on_topic = profile.on_topic(m.score)
    if report.on_topic and not report.spam:
        record = doc.to_dict()
        record["provenance"]["url"] = requested_url
        report.line, report.key = encode_line(record), record_key(record, "url")
    return report
