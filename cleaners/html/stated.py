"""Structured metadata as a page states it for machines: its meta tags and its JSON-LD.

Apart from the rest of the HTML metadata because it reads no layout: keys and nodes, looked up in a fixed order,
whatever the page prints. meta.extract_meta weighs what this finds against the printed byline and headline.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from lxml import html as lxml_html

from cleaners import regexcache

# Meta tags by what they carry, most specific first (Open Graph, article:*, Dublin Core, analytics and citation
# conventions, Chinese CMS names).
META_KEYS: dict[str, tuple[str, ...]] = {
    "title": ("og:title", "twitter:title", "title", "dc.title", "dcterms.title", "headline", "articletitle",
              "citation_title"),
    "published": (
        "article:published_time", "og:article:published_time", "datepublished", "parsely-pub-date",
        "citation_publication_date", "citation_date", "dcterms.issued", "dcterms.date", "dcterms.created",
        "publishdate", "pubdate", "publish-date", "publish_date", "publishtime", "published_time", "publication_date",
        "article:published", "dc.date.issued", "dc.date", "date", "og:release_date", "sailthru.date",
        "weibo:article:create_at", "firstpublishedtime",
    ),
    # article:author is often a profile URL: plausible_author refuses those and the next key is tried
    "author": ("author", "article:author", "og:article:author", "parsely-author", "dc.creator", "dcterms.creator",
               "citation_author", "byl", "sailthru.author", "cxenseparse:author"),
    "modified": ("article:modified_time", "og:updated_time", "datemodified", "dcterms.modified", "last-modified"),
    "site": ("og:site_name", "application-name", "sitename", "site_name", "apple-mobile-web-app-title"),
    "url": ("og:url", "twitter:url"),
    "tags": ("keywords", "news_keywords", "article:tag"),
    "categories": ("article:section", "section", "category", "column", "contentsource"),
    "source": ("source", "contentsource", "mediaid"),
}
# Meta tags that name an account rather than a person: a name only when the page states nothing else.
HANDLE_KEYS = ("twitter:creator",)
# Meta tags that list one author each, several times (scholarly pages): every value is kept.
MULTI_AUTHOR_KEYS = frozenset({"citation_author", "article:author", "dc.creator", "dcterms.creator"})
# `twitter:label1` = "Written by", `twitter:data1` = the name: how WordPress SEO plugins state the author, in the
# languages they ship.
WRITTEN_BY_LABELS = frozenset({"written by", "escrito por", "écrit par", "verfasst von", "geschrieben von",
                               "scritto da", "geschreven door", "autor", "auteur", "author"})
# What a page declares itself to be: JSON-LD @type values and og:type values, by kind.
ARTICLE_TYPES = frozenset({"article", "newsarticle", "blogposting", "reportagenewsarticle", "analysisnewsarticle",
                           "opinionnewsarticle", "techarticle", "scholarlyarticle", "liveblogposting", "report"})
LIST_TYPES = frozenset({"collectionpage", "itemlist", "searchresultspage", "profilepage"})


def meta_tags(tree: lxml_html.HtmlElement) -> dict[str, list[str]]:
    """Every meta tag's values by key (lower-cased), in page order."""
    found: dict[str, list[str]] = {}
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv") or "").lower()
        value = (el.get("content") or "").strip()
        if key and value:
            found.setdefault(key, []).append(value)
    return found


# JSON-LD nesting followed this deep (lists, @graph, mainEntity): pages nest two or three levels.
LD_MAX_DEPTH = 4
_LD_COMMENT = regexcache.compile(r"^\s*(?://\s*)?(?:<!--|<!\[CDATA\[)|(?://\s*)?(?:-->|\]\]>)\s*$")


def _ld_nodes(tree: lxml_html.HtmlElement, tags: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page, flattened out of lists, @graph and mainEntity, in page order; from
    <script type=application/ld+json> and from meta tags that carry it (`<meta name="script:ld+json" content=…>`,
    as some page frameworks render it)."""
    nodes: list[dict[str, Any]] = []
    texts = [el.text for el in tree.iter("script") if (el.get("type") or "").lower() == "application/ld+json"]
    texts += [value for key, values in tags.items() if key.endswith("ld+json") for value in values]
    for text in texts:
        if not text:
            continue
        try:
            data = json.loads(_LD_COMMENT.sub("", text))
        except ValueError:
            continue
        _collect_ld(data, nodes, 0)
    return nodes


def _collect_ld(data: Any, nodes: list[dict[str, Any]], depth: int) -> None:
    if depth > LD_MAX_DEPTH:
        return
    if isinstance(data, list):
        for item in data:
            _collect_ld(item, nodes, depth + 1)
    elif isinstance(data, dict):
        graph = data.get("@graph")
        if graph is None or "@type" in data:
            nodes.append(data)
        if graph is not None:
            _collect_ld(graph, nodes, depth + 1)
        if isinstance(data.get("mainEntity"), dict | list):
            _collect_ld(data["mainEntity"], nodes, depth + 1)


def _ld_types(node: dict[str, Any]) -> list[str]:
    kinds = node.get("@type")
    return [str(k).lower() for k in (kinds if isinstance(kinds, list) else [kinds]) if k]


def _ld_names(value: Any, by_id: dict[str, dict[str, Any]], depth: int = 0) -> list[str]:
    """Names in a JSON-LD author or publisher: a string, a Person or Organization (by `name`, given and family
    name, or a reference by `@id` to a node elsewhere on the page), or a list of those."""
    if depth > LD_MAX_DEPTH:
        return []
    if isinstance(value, str):
        return _ld_names(by_id[value], by_id, depth + 1) if value in by_id else [value]
    if isinstance(value, list):
        return [n for item in value for n in _ld_names(item, by_id, depth + 1)]
    if not isinstance(value, dict):
        return []
    name = value.get("name")
    if isinstance(name, str | list) and name:
        return [n for n in (name if isinstance(name, list) else [name]) if isinstance(n, str)]
    given = " ".join(v for v in (value.get("givenName"), value.get("familyName")) if isinstance(v, str))
    if given.strip():
        return [given]
    ref = value.get("@id")
    if isinstance(ref, str) and by_id.get(ref) not in (None, value):
        return _ld_names(by_id[ref], by_id, depth + 1)
    return []


@dataclass
class LdMeta:
    types: list[str] = field(default_factory=list)
    headline: str | None = None
    published: Any = None
    modified: Any = None
    authors: list[str] = field(default_factory=list)
    publisher: str | None = None
    url: Any = None
    keywords: Any = None


def json_ld(tree: lxml_html.HtmlElement, tags: dict[str, list[str]]) -> LdMeta:
    """What the JSON-LD says, the Article node first: its headline, datePublished and author win over those of
    other nodes (a WebPage's dates, a Review's author, a BreadcrumbList's names)."""
    nodes = _ld_nodes(tree, tags)
    out = LdMeta(types=[t for node in nodes for t in _ld_types(node)])
    if not nodes:
        return out
    by_id = {node["@id"]: node for node in nodes if isinstance(node.get("@id"), str) and len(node) > 1}
    articles = [node for node in nodes if ARTICLE_TYPES.intersection(_ld_types(node))]
    ordered = articles + [node for node in nodes if node not in articles]

    def first(*keys: str) -> Any:
        return next((node[k] for k in keys for node in ordered if node.get(k)), None)

    out.headline = clean_value(first("headline"))
    out.published = first("datePublished") or first("dateCreated")
    out.modified = first("dateModified")
    for node in ordered:
        names = [n for n in _ld_names(node.get("author") or node.get("creator"), by_id) if n.strip()]
        if names:
            out.authors = names
            break
    publishers = _ld_names(first("publisher"), by_id)
    out.publisher = clean_value(publishers[0]) if publishers else None
    out.url = next((node["url"] for node in nodes if node.get("url")), None)
    out.keywords = first("keywords")
    return out


def first_tag(tags: dict[str, list[str]], key: str) -> str | None:
    values = tags.get(key)
    return values[0] if values else None


def declared_kind(ld_types: list[str], og_type: str) -> str | None:
    """"list" when the JSON-LD names a collection page, "article" when it or og:type names an article."""
    if any(t in LIST_TYPES for t in ld_types):
        return "list"
    if any(t in ARTICLE_TYPES for t in ld_types) or og_type in ARTICLE_TYPES:
        return "article"
    return None


def clean_value(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None
