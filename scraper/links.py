"""A page's links: from the tree its cleaning worker parsed to the canonical URLs the crawl may request.

What is done here depends on the page and on the source's domains alone, never on the crawl's state, so it runs
in the worker that parsed the page (scraper.cleanwork); the reactor checks each URL it gets against the crawl's
state (seen, settled, budgets, robots.txt) and makes the requests.

Resolving is most of a link's cost (urljoin, canonicalisation, the domain check: ~25 µs), and real pages carry
a hundred distinct links each, most of them the same navigation and portal links on every page of a site. A
`LinkResolver` therefore remembers each href's verdict under a key that fixes urljoin's result exactly: the href
alone when it is an absolute http(s) URL, with the base's scheme for `//host/...`, its scheme and host for
`/path`, its directory for a relative path. Hrefs whose result depends on the whole base (`?query`, `;params`)
or that urlsplit would rewrite (tabs, newlines) are resolved every time. With `once`, it also yields each URL
only the first time: a URL the crawl has been offered once is settled for it (requested, refused or over
budget, for good), so a worker need not send the crawler the same navigation links with every page.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html

from .urls import canonical_url, has_binary_extension

# Link targets that are not pages (and fragments of the page itself).
SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "#", "data:")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_REWRITTEN = frozenset("\t\r\n")  # characters urlsplit removes from anywhere in a URL
# An absolute URL whose host canonical_url cannot change but for its case: dotted ASCII labels ending in a
# letter (not an IP address, which URL parsers may rewrite), no user info, an optional port, then the path.
_PLAIN_HOST = re.compile(r"https?://([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z][A-Za-z0-9-]*)(?::\d{1,5})?(?=[/?#]|$)")


_UNKNOWN = object()


def page_hrefs(tree: lxml_html.HtmlElement, limit: int = 0) -> tuple[str | None, list[str]]:
    """The page's `<base href>` (the first, None without one) and its distinct `<a>`/`<area>` hrefs in document
    order, stripped, without empty ones and non-page schemes (one walk over the tree for both). With `limit`, at
    most that many hrefs: the walk stops there (a page of 200,000 links is not read to its end)."""
    base: str | None = None
    hrefs: dict[str, None] = {}
    for el in tree.iter("a", "area", "base"):
        href = el.get("href")
        if href is None:
            continue
        if el.tag == "base":
            if base is None:
                base = href.strip()
            continue
        href = href.strip()
        if href and not href.lower().startswith(SKIP_SCHEMES):
            hrefs[href] = None
            if len(hrefs) == limit:
                break
    return base, list(hrefs)


def count_links(tree: lxml_html.HtmlElement) -> int:
    """How many `<a>`/`<area>` elements with an href the page has (for the record of a page whose links were
    cut: counting them holds nothing)."""
    return sum(1 for el in tree.iter("a", "area") if el.get("href") is not None)


def domain_filter(domains: Iterable[str]) -> tuple[Callable[[str], bool], Callable[[str], bool]]:
    """`accept` and `accept_host` for LinkResolver: pages inside these domains (and their subdomains), no
    binary files by extension: what the crawler asks of a link before it looks at the crawl's state."""
    domains = tuple(domains)

    def accept_host(host: str) -> bool:
        return any(host == d or host.endswith("." + d) for d in domains)

    def accept(canon: str) -> bool:
        return accept_host((urlsplit(canon).hostname or "").lower()) and not has_binary_extension(canon)

    return accept, accept_host


def resolve_href(base: str, href: str) -> str | None:
    """The absolute http(s) URL of an href on a page whose base URL is `base`, or None."""
    try:
        url = urljoin(base, href)
    except ValueError:  # e.g. a malformed IPv6 host
        return None
    return url if url.startswith(("http://", "https://")) else None


def _has_host(href: str, at: int) -> bool:
    """Whether `href` has `//` and a host at `at`: "http:///x", "//?q" have none, and urljoin reads them as
    relative to the base."""
    return href.startswith("//", at) and href[at + 2:at + 3] not in ("", "/", "?", "#")


class LinkResolver:
    """Hrefs to the canonical URLs that `accept` lets through, each verdict remembered (see the module doc).

    `accept(canonical_url)` must depend on the URL alone (domains, file types). `accept_host(host)`, when given,
    must be what `accept` requires of the URL's host name: a plain host it refuses spares canonicalising the URL
    (most links on a news page lead to other sites). With `once`, each URL is yielded only the first time (see
    the module doc), or again when it comes from a page fewer links from an entry point than before (the crawl's
    depth limit may have refused it the first time). At most `max_entries` verdicts (and URLs yielded) are kept;
    the memory is cleared when full, which can only make a URL come again."""

    def __init__(self, accept: Callable[[str], bool], accept_host: Callable[[str], bool] | None = None,
                 max_entries: int = 200_000, once: bool = False) -> None:
        self.accept = accept
        self.accept_host = accept_host
        self.max_entries = max_entries
        self.once = once
        self._verdicts: dict[object, str | None] = {}
        self._given: dict[str, int] = {}  # URL -> the least depth of a page it was given from

    def resolve(self, page_url: str, base_href: str | None, hrefs: Iterable[str], depth: int = 0) -> Iterator[str]:
        """Canonical URLs of a page's hrefs (as page_hrefs gives them), in order; duplicates included unless
        `once`. `depth` is the page's distance from an entry point (see `once`)."""
        base = page_url
        if base_href:
            try:
                base = urljoin(page_url, base_href)
            except ValueError:  # a malformed <base href> is ignored
                pass
        parts = urlsplit(base)
        origin = (parts.scheme, parts.netloc)
        directory = (parts.scheme, parts.netloc, parts.path[: parts.path.rfind("/") + 1])
        verdicts = self._verdicts
        for href in hrefs:
            canon = verdicts.get(href, _UNKNOWN)  # an absolute href is its own key (and most hrefs are absolute)
            if canon is _UNKNOWN:
                key = self._key(href, parts.scheme, origin, directory)
                if key is None:
                    canon = self._verdict(base, href)
                else:
                    canon = verdicts.get(key, _UNKNOWN)
                    if canon is _UNKNOWN:
                        if len(verdicts) >= self.max_entries:
                            verdicts.clear()
                            self._given.clear()
                        canon = verdicts[key] = self._verdict(base, href)
            if canon is None:
                continue
            if self.once:
                if self._given.get(canon, depth + 1) <= depth:
                    continue
                self._given[canon] = depth
            yield canon

    @staticmethod
    def _key(href: str, scheme: str, origin: tuple[str, str], directory: tuple[str, str, str]) -> object:
        """What urljoin(base, href) depends on, with the href; None when that is the whole base."""
        if not href or not _REWRITTEN.isdisjoint(href):
            return None
        m = _SCHEME.match(href)
        if m is not None:  # a scheme: absolute when it is http(s) with a host, else leave it to urljoin
            # lower case only: urljoin normalises `HTTPS://…` when the base's scheme is https, not otherwise
            absolute = _has_host(href, m.end()) and m.group()[:-1] in ("http", "https")
            return href if absolute else None
        if href.startswith("//"):
            return (scheme, href) if _has_host(href, 0) else None
        if href[0] == "/":
            return (origin, href)
        if href[0] in "?#;":
            return None
        return (directory, href)

    def _verdict(self, base: str, href: str) -> str | None:
        url = resolve_href(base, href)
        if url is None:
            return None
        if self.accept_host is not None and (m := _PLAIN_HOST.match(url)) and not self.accept_host(m[1].lower()):
            return None
        try:
            canon = canonical_url(url)
        except ValueError:
            return None
        return canon if self.accept(canon) else None
