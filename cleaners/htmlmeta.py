"""Metadata from an HTML tree: meta tags, JSON-LD, canonical links and the <title>, as pages state them."""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import regex
from lxml import html as lxml_html

from .metadata import parse_date

# Meta tags by what they carry, most specific first (Open Graph, article:*, Dublin Core, Chinese CMS names).
META_KEYS: dict[str, tuple[str, ...]] = {
    "title": ("og:title", "twitter:title", "title", "dc.title", "headline", "articletitle"),
    "published": (
        "article:published_time", "og:article:published_time", "datepublished", "publishdate", "pubdate",
        "publish-date", "publish_date", "publishtime", "article:published", "dc.date.issued", "dc.date",
        "date", "og:release_date", "sailthru.date", "weibo:article:create_at", "firstpublishedtime",
    ),
    "author": ("author", "article:author", "dc.creator", "byl", "sailthru.author", "twitter:creator"),
    "site": ("og:site_name", "application-name", "sitename", "site_name", "apple-mobile-web-app-title"),
    "url": ("og:url", "twitter:url"),
    "tags": ("keywords", "news_keywords", "article:tag"),
    "categories": ("article:section", "section", "category", "column", "contentsource"),
    "source": ("source", "contentsource", "mediaid"),
}
# What a page declares itself to be: JSON-LD @type values and og:type values, by kind.
ARTICLE_TYPES = frozenset({"article", "newsarticle", "blogposting", "reportagenewsarticle", "analysisnewsarticle",
                           "opinionnewsarticle", "techarticle", "scholarlyarticle", "liveblogposting", "report"})
LIST_TYPES = frozenset({"collectionpage", "itemlist", "searchresultspage", "profilepage"})
# Title suffixes: `新闻标题_新浪网`, `标题-中国新闻网`, `标题 | 澎湃新闻`.
_NOT_TEXT = regex.compile(r"[\p{P}\p{S}\p{Z}\s]+")
_TITLE_SPLIT = regex.compile(r"\s*(?:[_|｜]|\s[-–—]\s|--|——|-(?=[\p{Han}A-Za-z]{2,12}(?:网|新闻|频道|在线|门户)?$))\s*")


@dataclass
class HtmlMeta:
    title: str | None = None
    page_title: str | None = None  # the <title> element as it stood
    published: str | None = None
    author: str | None = None
    site: str | None = None
    url: str | None = None
    tags: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    source: str | None = None
    declared_kind: str | None = None  # "article" or "list" as the page declares itself (og:type, JSON-LD @type)


def _meta_tags(tree: lxml_html.HtmlElement) -> dict[str, str]:
    found: dict[str, str] = {}
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv") or "").lower()
        value = (el.get("content") or "").strip()
        if key and value and key not in found:
            found[key] = value
    return found


def _json_ld(tree: lxml_html.HtmlElement) -> dict[str, Any]:
    out: dict[str, Any] = {"@types": []}
    for el in tree.iter("script"):
        if (el.get("type") or "").lower() != "application/ld+json" or not el.text:
            continue
        try:
            data = json.loads(el.text)
        except ValueError:
            continue
        items = data if isinstance(data, list) else data.get("@graph", [data]) if isinstance(data, dict) else []
        for item in items:
            if not isinstance(item, dict):
                continue
            kinds = item.get("@type")
            out["@types"].extend(str(k).lower() for k in (kinds if isinstance(kinds, list) else [kinds]) if k)
            for key in ("headline", "datePublished", "dateCreated", "url", "keywords"):
                if key in item and key not in out:
                    out[key] = item[key]
            for key in ("author", "publisher"):
                value = item.get(key)
                if isinstance(value, list) and value:
                    value = value[0]
                if isinstance(value, dict):
                    value = value.get("name")
                if isinstance(value, str) and value.strip() and key not in out:
                    out[key] = value.strip()
    return out


def _squash(s: str) -> str:
    return _NOT_TEXT.sub("", s).lower()


def split_site_suffix(page_title: str, headings: Sequence[str] = ()) -> tuple[str, str | None]:
    """`新闻标题_新浪网` -> (`新闻标题`, `新浪网`): the <h1> when the <title> prints it whole, else the longest
    part the <h1> prints, else the longest part; the last part is the site.

    The longest part is wrong when the site's name is long: `雄安新区 - 维基百科，自由的百科全书`.
    """
    parts = [p for p in _TITLE_SPLIT.split(page_title.strip()) if p]
    if len(parts) < 2:
        return page_title.strip(), None
    whole = _squash(page_title)
    keyed = [(" ".join(h.split()), _squash(h)) for h in headings]
    keys = [key for _h, key in keyed if key]
    for h, key in keyed:  # an <h1> printed inside the <title>, separators and all, is the headline
        if len(key) >= 4 and key in whole and key != whole:
            return h, (parts[-1] if _squash(parts[-1]) not in key else None)
    printed = [p for p in parts if _squash(p) and any(_squash(p) in k for k in keys)]
    headline = max(printed or parts, key=len)
    site = parts[-1] if parts[-1] != headline else None
    return headline, site


def _headline(candidates: list[str], printed: list[str]) -> str | None:
    """The first candidate (JSON-LD headline, og:title, <title>) that the page prints in an <h1>, else in its
    <title>; else the first. JSON-LD `headline` is sometimes a description (`中华人民共和国河北省的国家级新区` for the
    page `雄安新区`)."""
    for where in printed:  # the <h1>s first, then the <title>
        key = _squash(where)
        found = next((c for c in candidates if _squash(c) and _squash(c) in key), None)
        if found:
            return found
    return candidates[0] if candidates else None


def extract_meta(tree: lxml_html.HtmlElement) -> HtmlMeta:
    tags = _meta_tags(tree)
    ld = _json_ld(tree)

    def first(kind: str) -> str | None:
        for key in META_KEYS[kind]:
            if tags.get(key):
                return tags[key]
        return None

    meta = HtmlMeta()
    title_el = tree.find(".//title")
    page_title = " ".join(title_el.text_content().split()) if title_el is not None else ""
    meta.page_title = page_title or None
    h1s = [" ".join(el.text_content().split()) for el in list(tree.iter("h1"))[:2]]
    headline, suffix = split_site_suffix(page_title, h1s) if page_title else ("", None)
    candidates = [split_site_suffix(c, h1s)[0] for c in (_clean(ld.get("headline")), _clean(first("title")), headline)
                  if c]
    meta.title = _headline(candidates, h1s + [page_title])
    meta.published = parse_date(ld.get("datePublished") or ld.get("dateCreated") or first("published"))
    if meta.published is None:
        stamps = (parse_date(el.get("datetime")) for el in tree.iter("time") if el.get("datetime"))
        meta.published = next((d for d in stamps if d), None)
    meta.author = _clean(ld.get("author")) or _clean(first("author"))
    meta.site = _clean(first("site")) or _clean(ld.get("publisher")) or suffix
    canonical = next((el.get("href") for el in tree.iter("link")
                      if "canonical" in (el.get("rel") or "").lower() and el.get("href")), None)
    meta.url = canonical or first("url") or (ld.get("url") if isinstance(ld.get("url"), str) else None)
    keywords = first("tags") or ld.get("keywords")
    if isinstance(keywords, list):
        keywords = ",".join(str(k) for k in keywords)
    meta.tags = [t.strip() for t in regex.split(r"[,，、;；|]", keywords or "") if t.strip()][:30]
    meta.declared_kind = _declared_kind(ld["@types"], (tags.get("og:type") or "").lower())
    section = first("categories")
    meta.categories = [section] if section else []
    return meta


def _declared_kind(ld_types: list[str], og_type: str) -> str | None:
    """"list" when the JSON-LD names a collection page, "article" when it or og:type names an article."""
    if any(t in LIST_TYPES for t in ld_types):
        return "list"
    if any(t in ARTICLE_TYPES for t in ld_types) or og_type in ARTICLE_TYPES:
        return "article"
    return None


def _clean(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None
