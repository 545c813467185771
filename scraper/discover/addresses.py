"""Which addresses a discovery may request: public ones only, or, for tests, only a closed local web.

`newsclean crawl` goes only where its sources file says; discovery follows links to hosts nobody listed, so a
page could send it to a router, a cloud metadata endpoint or the machine itself. Hence:

- only http(s) URLs;
- a host written as an IP address must be a global one (not loopback, private, link-local, reserved ...);
- a host name must look public (not `localhost`, `*.local`, `*.internal`, a single label), and what it resolves
  to must be global too: PublicResolver refuses the lookup otherwise, so a name pointing inside is unreachable;
- with NEWSCLEAN_LOCAL_WEB (networks, for tests: `127.0.0.0/8`), only IP-address hosts inside those networks are
  allowed and every name is refused before any DNS lookup: the test web is all there is.

The same check runs on every link a page yields (in the cleaning worker, scraper.discover.pagework) and on every
request that reaches the downloader (AddressGuardMiddleware: redirects, robots.txt, sitemaps included).
"""
from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from scrapy.http import Request
from scrapy.resolver import CachingThreadedResolver
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.error import DNSLookupError

from ..refused import Refused

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_INTERNAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home", ".localdomain", ".intranet", ".corp")


def parse_networks(spec: str | Iterable[str] | None) -> tuple[Network, ...]:
    """`127.0.0.0/8,::1/128` (or a list of such) as networks; ValueError names a bad one."""
    if not spec:
        return ()
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    out = []
    for item in items:
        item = item.strip()
        if item:
            try:
                out.append(ipaddress.ip_network(item, strict=False))
            except ValueError as exc:
                raise ValueError(f"NEWSCLEAN_LOCAL_WEB: {item!r} is not a network: {exc}") from exc
    return tuple(out)


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def host_refusal(host: str, local_web: tuple[Network, ...] = ()) -> str | None:
    """Why a (lower-case) host may not be requested, None when it may. Never resolves a name."""
    if not host:
        return "no host"
    ip = _ip(host)
    if local_web:
        if ip is None:
            return f"{host} is a name, outside the local web (not resolved)"
        if not any(ip in net for net in local_web):
            return f"{host} is outside the local web"
        return None
    if ip is not None:
        return None if ip.is_global else f"{host} is not a public address"
    name = host.rstrip(".")
    if "." not in name or name == "localhost" or name.endswith(_INTERNAL_SUFFIXES):
        return f"{host} is not a public host name"
    return None


def url_refusal(url: str, local_web: tuple[Network, ...] = ()) -> str | None:
    """Why a URL may not be requested (scheme, host), None when it may."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return "not a URL"
    if parts.scheme not in ("http", "https"):
        return f"not http(s): {parts.scheme or 'no scheme'}"
    return host_refusal(host, local_web)


class AddressGuardMiddleware:
    """Refuse (reason `address`) every request whose URL url_refusal() refuses, before anything is sent."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.local_web = parse_networks(crawler.settings.get("NEWSCLEAN_LOCAL_WEB"))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AddressGuardMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Any = None) -> None:
        parts = urlparse_cached(request)
        host = (parts.hostname or "").lower()
        why = f"not http(s): {parts.scheme}" if parts.scheme not in ("http", "https") else \
            host_refusal(host, self.local_web)
        if why:
            self.crawler.stats.inc_value("newsclean/address_refused")
            raise Refused("address", f"{why}: {request.url}")


class PublicResolver(CachingThreadedResolver):
    """Scrapy's resolver, refusing names that resolve to an address that is not global (or, with a local web,
    any name at all: the guard refuses them first, this is the second lock). Lookups are counted
    (`newsclean/dns_lookups`)."""

    local_web: tuple[Network, ...] = ()
    stats: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> PublicResolver:
        resolver = super().from_crawler(crawler, reactor)
        resolver.local_web = parse_networks(crawler.settings.get("NEWSCLEAN_LOCAL_WEB"))
        resolver.stats = crawler.stats
        return resolver

    def getHostByName(self, name: str, timeout: Any = ()) -> Any:  # noqa: N802 - Twisted's interface
        from twisted.internet import defer

        ip = _ip(name)
        if ip is not None:  # an address is not looked up
            return defer.succeed(name)
        if self.stats is not None:
            self.stats.inc_value("newsclean/dns_lookups")
        if self.local_web:
            return defer.fail(DNSLookupError(f"{name}: names are not resolved in a local web"))
        d = super().getHostByName(name, timeout)
        d.addCallback(self._public, name)
        return d

    @staticmethod
    def _public(address: str, name: str) -> str:
        ip = _ip(address)
        if ip is None or not ip.is_global:
            raise DNSLookupError(f"{name} resolves to {address}, not a public address")
        return address
