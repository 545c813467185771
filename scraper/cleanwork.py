"""The work done on each fetched HTML page in a worker process, off the reactor: parse it once, read its links
and (without an article_pattern) its page type from that tree, and clean it when it is an article.

The crawler used to parse every page on the reactor for its links and type, and the cleaner parsed articles a
second time; both cost CPU that `newsclean clean` does not spend (see README, Throughput). The links come back
as canonical URLs inside the source's domains, each once per worker (scraper.links): the reactor only checks
them against the crawl's state.
"""
from __future__ import annotations

from typing import Any

from lxml import etree
from lxml import html as lxml_html

from cleaners.config import CleanerConfig
from cleaners.core import CleanError, Source
from cleaners.document.entry import clean_html_bytes
from cleaners.html.pagetype import page_kind
from cleaners.run.warmup import warm_up_with

from .links import LinkResolver, count_links, domain_filter, page_hrefs
from .outcome import PageOutcome, bytes_tree
from .store import encode_line, record_key

_config: CleanerConfig | None = None


def init_worker(config: dict[str, Any]) -> None:
    """Process-pool initializer: build the cleaner config once per worker, and warm up (cheap in a worker forked
    from a warm fork server: only what this config adds is loaded)."""
    global _config
    _config = CleanerConfig.from_dict(config)
    warm_up()


def warm_up() -> None:
    """Load what the cleaner loads lazily (rule tables, language profiles: ~0.8 s of CPU) by cleaning a small
    page through this module's own path, then freeze all of it for the garbage collector (cleaners.run.warmup).

    Frozen objects are never traversed again by the cyclic collector, which otherwise walks the ~130,000 objects
    of the cleaner's modules and tables at every full collection (measured: 0.3 ms of CPU a page), and, in
    forked workers, stay shared with the fork server instead of being copied when the collector touches them."""
    warm_up_with(lambda page: process_page(page.encode(), {"name": "warm-up.html"}, True))


def process_page(body: bytes, source: dict[str, Any], is_article: bool | None, keywords: tuple[str, ...] = (),
                 requested_url: str | None = None, links_of: tuple[str, tuple[str, ...]] = ("", ()),
                 depth: int = 0, max_links: int = 0) -> PageOutcome:
    """Links, type and (for an article) cleaned record of one page; never raises, so one bad page cannot break
    the pool. `is_article` is the source's article_pattern verdict on the URL, None to let the page decide;
    `requested_url` becomes the record's `provenance.url` (what was asked for; `url` is the canonical URL);
    `links_of` is the source's name and allowed domains, which the links must be inside; `depth` is the page's
    distance from an entry point and `max_links` the most link targets read from it (0: all).

    The record comes back encoded as its final JSON line: the reactor would otherwise unpickle the dict and
    encode it again, on the thread that fetches."""
    out = PageOutcome()
    url = source.get("url")

    def inspect(tree: lxml_html.HtmlElement) -> bool:
        out.links = page_links(tree, source.get("final_url") or url, links_of, depth, max_links, out)
        out.parsed = True
        return _is_article(tree, url, is_article, out)

    try:
        doc = clean_html_bytes(body, Source(**source), config=_config or CleanerConfig(), inspect=inspect)
    except CleanError as exc:
        if not out.parsed:  # not decodable or parseable as the cleaner wants it: links and type from the bytes
            return _unclean(body, source, is_article, exc, out, links_of, depth, max_links)
        return out.skip(exc.reason)
    except Exception as exc:  # a bug on one page must not cost the crawl
        return out.skip("internal", f"{type(exc).__name__}: {exc}"[:200])
    if doc is None:  # a list page: inspect() said why
        return out
    if keywords and not any(k in doc.text or k in (doc.title or "") for k in keywords):
        return out.skip("off_topic")
    record = doc.to_dict()
    if requested_url:
        record["provenance"]["url"] = requested_url
    out.line, out.key = encode_line(record), record_key(record, "url")
    return out


def _is_article(tree: lxml_html.HtmlElement, url: str | None, by_url: bool | None, out: PageOutcome) -> bool:
    if by_url is None:
        kind = page_kind(tree, url)
        if not kind.is_article:
            out.skip("not_article", kind.reason)
        return kind.is_article
    if not by_url:
        out.skip("not_article", "article_pattern")
    return by_url


def _unclean(body: bytes, source: dict[str, Any], is_article: bool | None, exc: CleanError,
             out: PageOutcome, links_of: tuple[str, tuple[str, ...]], depth: int, max_links: int) -> PageOutcome:
    """A page the cleaner refused before parsing it (empty, undecodable): parsed as libxml2 reads the bytes, as
    the crawler always did for links, so a list page of odd bytes is still followed and called a list page."""
    try:
        tree = bytes_tree(body, source.get("http_charset"))
    except (etree.ParserError, ValueError, LookupError) as err:
        return out.skip("unparsable", str(err)[:200])
    out.links = page_links(tree, source.get("final_url") or source.get("url"), links_of, depth, max_links, out)
    if _is_article(tree, source.get("url"), is_article, out):
        out.skip(exc.reason)
    return out


# per source (name, allowed domains): verdicts, and the URLs given, kept across pages. Per source, not per set of
# domains: a URL one source cannot take (over its budget) may still be another's.
_resolvers: dict[tuple[str, tuple[str, ...]], LinkResolver] = {}


def page_links(tree: lxml_html.HtmlElement, page_url: str | None, links_of: tuple[str, tuple[str, ...]],
               depth: int = 0, max_links: int = 0, out: PageOutcome | None = None) -> list[str]:
    """The canonical URLs of the page's links inside the source's domains that this worker has not given for the
    source before, from a page as deep or deeper (`links_of`: the source's name and allowed domains). At most
    `max_links` link targets are read; when the page has more, `out.links_on_page` says how many."""
    if not page_url:
        return []
    resolver = _resolvers.get(links_of)
    if resolver is None:
        resolver = _resolvers[links_of] = LinkResolver(*domain_filter(links_of[1]), once=True)
    base, hrefs = page_hrefs(tree, max_links)
    if max_links and len(hrefs) >= max_links and out is not None and (n := count_links(tree)) > max_links:
        out.links_on_page = n
    return list(resolver.resolve(page_url, base, hrefs, depth))
