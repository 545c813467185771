"""The sources file: which sites to crawl and how. Validated; unknown keys are rejected by name."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import regex

from cleaners import regexcache
from cleaners.io.yamlfile import read_yaml


class SourcesError(ValueError):
    """The sources file is missing, malformed, or has unknown keys or bad values."""


@dataclass(frozen=True)
class SourceSpec:
    name: str
    start_urls: tuple[str, ...]
    allowed_domains: tuple[str, ...]
    sitemaps: tuple[str, ...] = ()  # sitemap or sitemap-index URLs
    feeds: tuple[str, ...] = ()  # RSS or Atom URLs
    article_pattern: str = ""  # URL regex: matching pages are articles, others list pages; "" = decide from page
    keywords: tuple[str, ...] = ()  # keep only articles whose title or text contains one
    max_pages: int = 0  # requests for this source; 0 = the crawl's NEWSCLEAN_MAX_PAGES_PER_SOURCE (scraper.limits)
    _pattern: Any = field(default=None, compare=False, repr=False)

    def is_article_url(self, url: str) -> bool | None:
        """True/False when an article_pattern is set, None when the page must decide."""
        return bool(self._pattern.search(url)) if self._pattern is not None else None

    def allows(self, url: str) -> bool:
        return self.allows_host((urlsplit(url).hostname or "").lower())

    def allows_host(self, host: str) -> bool:
        """Whether a (lower-case) host name is inside allowed_domains (what links.domain_filter checks too)."""
        return any(host == d or host.endswith("." + d) for d in self.allowed_domains)


_LISTS = ("start_urls", "allowed_domains", "sitemaps", "feeds", "keywords")
_ENTRY_POINTS = ("start_urls", "sitemaps", "feeds")


def _spec(entry: Any, where: str) -> SourceSpec:
    if not isinstance(entry, dict):
        raise SourcesError(f"{where}: each source must be a mapping")
    _check_keys(entry, where)
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise SourcesError(f"{where}: `name` is required (a non-empty string)")
    where = f"{where} ({name})"
    values: dict[str, Any] = {"name": name.strip(), **_lists(entry, where)}
    pattern, compiled = _article_pattern(entry, where)
    spec = SourceSpec(article_pattern=pattern, max_pages=_max_pages(entry, where), _pattern=compiled, **values)
    for url in spec.start_urls + spec.sitemaps + spec.feeds:
        if not spec.allows(url):
            raise SourcesError(f"{where}: {url} is outside allowed_domains ({', '.join(spec.allowed_domains)})")
    return spec


def _check_keys(entry: dict[str, Any], where: str) -> None:
    known = [f.name for f in fields(SourceSpec) if not f.name.startswith("_")]
    unknown = sorted(set(entry) - set(known))
    if unknown:
        raise SourcesError(f"{where}: unknown keys: {', '.join(unknown)} (known: {', '.join(known)})")


def _lists(entry: dict[str, Any], where: str) -> dict[str, tuple[str, ...]]:
    """The list keys, stripped and checked: http(s) entry points (at least one), allowed_domains defaulting to
    their hosts."""
    values: dict[str, tuple[str, ...]] = {}
    for key in _LISTS:
        value = entry.get(key) or []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise SourcesError(f"{where}: `{key}` must be a list of strings")
        values[key] = tuple(v.strip() for v in value)
    for key in _ENTRY_POINTS:
        for url in values[key]:
            if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
                raise SourcesError(f"{where}: `{key}` has a URL that is not http(s): {url}")
    if not any(values[key] for key in _ENTRY_POINTS):
        raise SourcesError(f"{where}: give at least one of start_urls, sitemaps, feeds")
    domains = [d.lower().lstrip(".") for d in values["allowed_domains"]]
    if not domains:  # default: the hosts of the entry points
        domains = sorted({urlsplit(u).hostname or "" for k in _ENTRY_POINTS for u in values[k]})
    values["allowed_domains"] = tuple(domains)
    return values


def _article_pattern(entry: dict[str, Any], where: str) -> tuple[str, Any]:
    """The article_pattern as given and compiled (None when there is none)."""
    pattern = entry.get("article_pattern") or ""
    if not isinstance(pattern, str):
        raise SourcesError(f"{where}: `article_pattern` must be a string (a regular expression)")
    try:
        return pattern, (regexcache.compile(pattern) if pattern else None)
    except regex.error as exc:
        raise SourcesError(f"{where}: `article_pattern` is not a valid regular expression: {exc}") from exc


def _max_pages(entry: dict[str, Any], where: str) -> int:
    max_pages = entry.get("max_pages") or 0
    if not isinstance(max_pages, int) or isinstance(max_pages, bool) or max_pages < 0:
        raise SourcesError(f"{where}: `max_pages` must be a non-negative integer")
    return max_pages


def load_sources(path: str | Path) -> list[SourceSpec]:
    """Read and validate a sources file (`sources: [ {name, start_urls, ...}, ... ]`)."""
    data = read_yaml(path, SourcesError)
    if not isinstance(data, dict) or set(data) != {"sources"}:
        extra = sorted(set(data) - {"sources"}) if isinstance(data, dict) else []
        hint = f" (unknown keys: {', '.join(extra)})" if extra else ""
        raise SourcesError(f"{path}: expected a mapping with one key, `sources`{hint}")
    entries = data["sources"]
    if not isinstance(entries, list) or not entries:
        raise SourcesError(f"{path}: `sources` must be a non-empty list")
    specs = [_spec(e, f"{path}: sources[{i}]") for i, e in enumerate(entries)]
    names = [s.name for s in specs]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise SourcesError(f"{path}: duplicate source names: {', '.join(dupes)}")
    return specs
