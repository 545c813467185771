"""Metadata from an HTML tree: meta tags, JSON-LD, canonical links and the <title>, as pages state them."""
from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any
from urllib.parse import urlsplit

import regex
from lxml import html as lxml_html

from cleaners import tuning
from cleaners.text.dates import YEAR
from cleaners.text.metadata import (
    TEXT_DATE,
    bylines,
    find_text_date,
    is_handle,
    parse_date,
    plausible_author,
    printed_byline,
    text_date_at,
)
from cleaners.text.structure import DATE

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
# Title suffixes: `新闻标题_新浪网`, `标题-中国新闻网`, `标题 | 澎湃新闻`.
_NOT_TEXT = regex.compile(r"[\p{P}\p{S}\p{Z}\s]+")
_TITLE_SPLIT = regex.compile(
    r"(?<!\s)\s*(?:[_|｜]|\s[-–—@]\s|::|--|——|-(?=[\p{Han}A-Za-z]{2,12}(?:网|新闻|频道|在线|门户)?$))\s*"
)
_TRAILING_SEPARATORS = regex.compile(r"(?<![\s_|｜@·:：\-–—])[\s_|｜@·:：\-–—]+$")  # from a run's start only


@dataclass
class HtmlMeta:
    title: str | None = None
    page_title: str | None = None  # the <title> element as it stood
    published: str | None = None
    author: str | None = None  # as JSON-LD, meta tags or microdata state it
    byline: str | None = None  # as the page prints it (a byline element, a `By …` line): after the text rules' own
    handle: str | None = None  # an account (`@ACLU`, an email): a name only when nothing else names the author
    printed_date: str | None = None  # a date printed by the headline or in a byline: after the text rules' dateline
    modified: str | None = None  # when the page says it was last changed: its date when it states no other
    site: str | None = None
    url: str | None = None
    tags: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    source: str | None = None
    declared_kind: str | None = None  # "article" or "list" as the page declares itself (og:type, JSON-LD @type)


def _meta_tags(tree: lxml_html.HtmlElement) -> dict[str, list[str]]:
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
_LD_COMMENT = regex.compile(r"^\s*(?://\s*)?(?:<!--|<!\[CDATA\[)|(?://\s*)?(?:-->|\]\]>)\s*$")


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
class _LdMeta:
    types: list[str] = field(default_factory=list)
    headline: str | None = None
    published: Any = None
    modified: Any = None
    authors: list[str] = field(default_factory=list)
    publisher: str | None = None
    url: Any = None
    keywords: Any = None


def _json_ld(tree: lxml_html.HtmlElement, tags: dict[str, list[str]]) -> _LdMeta:
    """What the JSON-LD says, the Article node first: its headline, datePublished and author win over those of
    other nodes (a WebPage's dates, a Review's author, a BreadcrumbList's names)."""
    nodes = _ld_nodes(tree, tags)
    out = _LdMeta(types=[t for node in nodes for t in _ld_types(node)])
    if not nodes:
        return out
    by_id = {node["@id"]: node for node in nodes if isinstance(node.get("@id"), str) and len(node) > 1}
    articles = [node for node in nodes if ARTICLE_TYPES.intersection(_ld_types(node))]
    ordered = articles + [node for node in nodes if node not in articles]

    def first(*keys: str) -> Any:
        return next((node[k] for k in keys for node in ordered if node.get(k)), None)

    out.headline = _clean(first("headline"))
    out.published = first("datePublished") or first("dateCreated")
    out.modified = first("dateModified")
    for node in ordered:
        names = [n for n in _ld_names(node.get("author") or node.get("creator"), by_id) if n.strip()]
        if names:
            out.authors = names
            break
    publishers = _ld_names(first("publisher"), by_id)
    out.publisher = _clean(publishers[0]) if publishers else None
    out.url = next((node["url"] for node in nodes if node.get("url")), None)
    out.keywords = first("keywords")
    return out


def _squash(s: str) -> str:
    return _NOT_TEXT.sub("", s).lower()


def split_title_parts(page_title: str) -> list[str]:
    """The parts a title's separators divide (`栏目|标题_网站` -> [栏目, 标题, 网站])."""
    return [p for p in _TITLE_SPLIT.split(page_title.strip()) if p]


_PARTED = 2  # a title with a separator: a headline and what names its site or section


def split_site_suffix(page_title: str, headings: Sequence[str] = (),
                      site: str | None = None) -> tuple[str, str | None]:
    """`新闻标题_新浪网` -> (`新闻标题`, `新浪网`): what comes before the site's own name when `site` is given
    and the <title> prints it after something; else the <h1> when the <title> prints it whole, else the longest
    part the <h1> prints, else the longest part but the last, which names the site however long it is
    (`雄安新区 - 维基百科，自由的百科全书`).
    """
    parts = split_title_parts(page_title)
    if len(parts) < _PARTED:
        return page_title.strip(), None
    t = tuning.active
    whole = _squash(page_title)
    keyed = [(" ".join(h.split()), _squash(h)) for h in headings]
    # the site's own name inside the <title> (`标题 @ 博客名 :: 平台名`): what comes after it is more site, and
    # what comes before is the headline, unless an <h1> printed there says which part
    at = page_title.find(site) if site and len(_squash(site)) >= t.site_name_min_chars else -1
    if at > 0 and (before := _TITLE_SPLIT.sub(" ", page_title[:at]).strip()) and _squash(before) != _squash(site):
        head = page_title[:at].strip()
        head = _TRAILING_SEPARATORS.sub("", head).strip()
        for h, key in keyed:
            if len(key) >= t.h1_min_key and key in _squash(head) and key != _squash(head):
                return h, site
        return head, site
    keys = [key for _h, key in keyed if key]
    for h, key in keyed:  # an <h1> printed inside the <title>, separators and all, is the headline
        if len(key) >= t.h1_min_key and key in whole and key != whole:
            return h, (parts[-1] if _squash(parts[-1]) not in key else None)
    printed = [p for p in parts if _squash(p) and any(_squash(p) in k for k in keys)]
    headline = max(printed or parts[:-1], key=len)  # the last part names the site, however long
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


# Words too common to tie an <h1> to the <title> (`The Guide` and `A Guide to …` share nothing that counts).
_COMMON_WORDS = frozenset(
    "a an the and or of to in on for with by at from is are be how what why your you our my this that it its "
    "de la le les des du et en un une el los las y del der die das und von den zu im da di il e o".split()
)
_WORD = regex.compile(r"[\p{L}\p{N}]+")


def _content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.casefold()) if w not in _COMMON_WORDS}


def _is_logo(h1: lxml_html.HtmlElement, text: str, site: str | None) -> bool:
    """An <h1> that holds the site's name or its link home (`<h1 class=site-title><a href="/" rel=home>`)."""
    if site and _squash(text) == _squash(site):
        return True
    links = list(h1.iter("a"))
    return len(links) == 1 and ("home" in (links[0].get("rel") or "").split()
                                or _link_depth(links[0].get("href") or "") <= tuning.active.logo_link_depth
                                and _squash(links[0].text_content()) == _squash(text))


def _link_depth(href: str) -> int:
    path = urlsplit(href).path if "//" in href else href.split("?")[0].split("#")[0]
    return len([seg for seg in path.split("/") if seg])


def _printed_headline(h1s: list[lxml_html.HtmlElement], candidates: list[str], site: str | None) -> str | None:
    """The headline as the page prints it in an <h1>, on pages in scripts that separate words: the first <h1>
    that is not the site's logo and shares a word that counts with the <title>, og:title or JSON-LD headline.

    og:title and <title> are often an SEO rewrite (`How To Use Gym Equipment: A Beginner's Guide` for the printed
    `How To Use Gym Equipment (With Confidence!)`); on wcxb-dev the gold title is the <h1>'s in 162 of 199 pages.
    Chinese pages keep _headline's choice: their words are not separated, and a portal's <title> is the headline.
    """
    stated = set().union(*(_content_words(c) for c in candidates)) if candidates else set()
    t = tuning.active
    for el in h1s:
        text = " ".join(el.text_content().split())
        if not text or _HAN_CHAR.search(text) or not 0 < len(text.split()) <= t.headline_max_words:
            continue
        if _is_logo(el, text, site):
            continue
        words = _content_words(text)
        if len(words) < t.headline_min_words:  # `Planning`, `Menu`: a section's name; _headline weighs it exactly
            continue
        if not stated or words & stated:
            return text
    return None


def extract_meta(tree: lxml_html.HtmlElement) -> HtmlMeta:
    """What the page states about itself: structured metadata first (JSON-LD, meta tags, microdata), then what it
    prints by the headline (bylines, dates), kept apart so that the text rules' own findings can come between."""
    tags = _meta_tags(tree)
    ld = _json_ld(tree, tags)

    def first(kind: str) -> str | None:
        return next((tags[key][0] for key in META_KEYS[kind] if tags.get(key)), None)

    meta = HtmlMeta()
    title_el = tree.find(".//title")
    page_title = " ".join(title_el.text_content().split()) if title_el is not None else ""
    meta.page_title = page_title or None
    # a blog platform's or portal's logo in an <h1> is not the headline, even where the <title> prints it
    title_parts = split_title_parts(page_title)
    named = _clean(first("site")) or ld.publisher
    site_named = named or (title_parts[-1] if title_parts else None)
    h1_elements = [el for el in list(tree.iter("h1"))[:tuning.active.h1_looked_at]
                   if not _is_logo(el, " ".join(el.text_content().split()), site_named)]
    h1s = [" ".join(el.text_content().split()) for el in h1_elements[:2]]
    headline, suffix = split_site_suffix(page_title, h1s, named) if page_title else ("", None)
    candidates = [split_site_suffix(c, h1s, named)[0] for c in (ld.headline, _clean(first("title"))) if c]
    candidates += [headline] if headline else []  # split once: `标题_副标题` stays whole once the site is cut
    meta.site = named or suffix
    meta.title = _printed_headline(h1_elements, candidates, meta.site) or _headline(candidates, h1s + [page_title])
    printed = _printed(tree, _headline_element(h1_elements, meta.title))
    # a date the page prints as its publication's (`Published Apr 26, 2023`) over structured data that disagree:
    # site builders restamp JSON-LD datePublished on every rebuild
    stated = parse_date(ld.published) or parse_date(first("published"))
    if printed.published and not (stated and stated[:10] == printed.published[:10]):
        meta.published = printed.published  # the structured date is another day: the printed one holds
    else:  # the structured date, which says the time as well, when it is the printed day
        meta.published = stated or printed.published or printed.structured_date or _first_stamp(tree)
    meta.author, demoted = _stated_author(ld, tags, printed.itemprop_author, meta.site)
    meta.byline = printed.byline or demoted
    meta.handle = next((v for key in HANDLE_KEYS for v in tags.get(key, ()) if is_handle(v)), None) or printed.handle
    meta.printed_date = printed.date
    meta.modified = parse_date(ld.modified) or parse_date(first("modified"))
    canonical = next((el.get("href") for el in tree.iter("link")
                      if "canonical" in (el.get("rel") or "").lower() and el.get("href")), None)
    meta.url = canonical or first("url") or (ld.url if isinstance(ld.url, str) else None)
    keywords = first("tags") or ld.keywords
    if isinstance(keywords, list):
        keywords = ",".join(str(k) for k in keywords)
    meta.tags = [t.strip() for t in regex.split(r"[,，、;；|]", keywords if isinstance(keywords, str) else "")
                 if t.strip()][:30]
    meta.declared_kind = _declared_kind(ld.types, (first_tag(tags, "og:type") or "").lower())
    section = first("categories")
    meta.categories = [section] if section else []
    return meta


def _first_stamp(tree: lxml_html.HtmlElement) -> str | None:
    """The first <time datetime> anywhere: a page whose headline is not an <h1> has none walked near it."""
    return next((d for el in tree.iter("time") if (d := parse_date(el.get("datetime")))), None)


def first_tag(tags: dict[str, list[str]], key: str) -> str | None:
    values = tags.get(key)
    return values[0] if values else None


def _stated_author(ld: _LdMeta, tags: dict[str, list[str]], itemprop: str | None,
                   site: str | None) -> tuple[str | None, str | None]:
    """(author, demoted): the first plausible name that JSON-LD, the meta tags or microdata state. A name that is
    the site's own (`USA TODAY` on its own pages) is demoted: a printed byline names the person, when there is one.
    """
    sources: list[list[str]] = [ld.authors]
    for key in META_KEYS["author"]:
        values = tags.get(key, [])
        sources.append(values if key in MULTI_AUTHOR_KEYS else values[:1])
    for label_key, label in tags.items():  # twitter:label1 = Written by, twitter:data1 = the name
        if label_key.startswith("twitter:label") and label[0].strip().lower() in WRITTEN_BY_LABELS:
            sources.append(tags.get("twitter:data" + label_key[len("twitter:label"):], [])[:1])
    sources.append([itemprop] if itemprop else [])
    demoted = None
    site_key = _squash(site) if site else None
    for names in sources:
        name = _join_names(names)
        if name is None:
            continue
        if site_key and _squash(name) == site_key:
            demoted = demoted or name
            continue
        return name, demoted
    return None, demoted


def _join_names(values: list[str]) -> str | None:
    """Several people credited one by one (`citation_author` twice, a JSON-LD list) as `A, B`; a value stated
    with its label (`By Jane Smith`) without it. None when no value is a plausible name."""
    names: list[str] = []
    for value in values:
        value = " ".join(value.split())
        name = printed_byline(value) or plausible_author(value)
        if name and name not in names:
            names.append(name)
    return ", ".join(names) if names else None


# Printed metadata: bylines and dates as the page shows them by its headline, in the elements walked around it
# (tuning: walk_after, walk_before, before_block_max; unmarked text within text_distance).
# Class and id fragments looked at further (exactly, in _class_words): `date` is also in `update` and `candidate`.
# Plain substring tests on the lower-cased value: a regex alternation costs several times more per element.
_MARK_FRAGMENTS = ("author", "byline", "by-line", "writer", "contributor", "reporter", "date", "time", "publish",
                   "posted", "meta", "autor", "fecha")
# Text that opens with a byline label, or with the label of a date (`Posted on 15/12/2025`).
_LABEL_START = regex.compile(
    r"\s{0,20}(?i:by\b|(?:written|posted|words|story)\s+by\b|par\s|von\s|por\s|di\s|door\s|posted on\b|"
    r"published(?:\s+on)?\b|publié le\b|veröffentlicht\b|publicado el\b)"
)
_DIGIT = regex.compile(r"\d")
# The first two letters of every label _LABEL_START knows: most texts are refused on these without a regex call.
_LABEL_HEADS = frozenset({"by", "wr", "po", "wo", "st", "pa", "vo", "di", "do", "pu", "ve"})


def _marked(marks: str, seen: dict[str, bool]) -> bool:
    """Whether a class or id may name an author, byline or date; `seen` caches the answers for one page, which
    repeats its class names."""
    found = seen.get(marks)
    if found is None:
        low = marks.lower()
        found = seen[marks] = any(map(low.__contains__, _MARK_FRAGMENTS))
    return found


_CONTAINER_TAGS = frozenset({"html", "body", "head", "main", "article", "form", "script", "style", "noscript"})
# Class and id words, after splitting camelCase and separators (`authorName`, `post_author`, `c-byline__name`).
AUTHOR_WORDS = frozenset({"author", "authors", "byline", "bylines", "writer", "writers", "contributor",
                          "contributors", "reporter", "byl", "autor", "auteur", "autore", "auteurs"})
AUTHOR_JOINED = ("byline", "postedby", "writtenby")  # `by-line`, `posted_by`, `written-by` once separators go
# ... that mark something about the author that is not the name: bio, picture, links, a comment's author.
# ... and quoted customers (`testimonial-author`, `review-author`, `quote-author`).
NOT_NAME_WORDS = frozenset({"bio", "biography", "description", "desc", "avatar", "image", "img", "photo", "picture",
                            "pic", "thumb", "thumbnail", "social", "follow", "tooltip", "about", "more", "comment",
                            "comments", "reply", "label", "caption", "icon", "testimonial", "testimonials", "review",
                            "reviews", "quote", "quotes"})
DATE_WORDS = frozenset({"date", "dates", "time", "pubdate", "published", "publish", "publication", "posted",
                        "postdate", "timestamp", "dateline", "datetime", "meta", "update", "updated", "modified",
                        "fecha", "datum", "data"})
# Class words of a date that is an update's, not the publication's (`dateline updated`, `date-modified`).
UPDATE_WORDS = frozenset({"update", "updated", "modified", "lastmod", "revised"})
# Words before a printed date that say which date it is, in the languages of data/months.yaml.
_UPDATED_LABEL = regex.compile(
    r"(?i)(?:updated|modified|revised|edited|actualizado|actualización|mis à jour|modifié|aktualisiert|geändert|"
    r"atualizado|aggiornato|bijgewerkt)\W{0,4}(?:on|le|am|el|em|il|op)?\W{0,3}$"
)
_PUBLISHED_LABEL = regex.compile(
    r"(?i)(?:published|posted|publié|veröffentlicht|publicado|pubblicato|gepubliceerd)\W{0,4}(?:on|le|am|el|em|il|op)?"
    r"\W{0,3}$"
)
_CAMEL = regex.compile(r"(?<=[a-z])(?=[A-Z])")
_CLASS_SPLIT = regex.compile(r"[^a-z0-9]+")
_LABEL_ONLY = regex.compile(r"(?i)^(?:(?:written|posted|published|words|story)\s+by|by|author|authors|auteur|autor)"
                            r"\s*[:：]?$")
# Where a name printed without a label ends: a date, a separator, `in Category`, `on May 2`, `Updated`.
_NAME_END = regex.compile(r"\s(?:[|•·–—-]|in|on|at|for|from|updated|published|posted|last)\s|\s{2,}|[|•·(]")
_BY_IN_TEXT = regex.compile(r"(?i:written|posted)\s+by\s+")
_HAN_CHAR = regex.compile(r"\p{Han}")


@dataclass
class _Printed:
    structured_date: str | None = None  # microdata datePublished, <time datetime>
    itemprop_author: str | None = None
    byline: str | None = None
    handle: str | None = None
    date: str | None = None  # a date printed in a byline or date element, or in a <time> without datetime
    published: str | None = None  # a printed date that says it is the publication's (`Published May 2, 2024`)


def _headline_element(h1s: list[lxml_html.HtmlElement], title: str | None) -> lxml_html.HtmlElement | None:
    """The <h1> that prints the title (not the one holding the site's logo), else the first."""
    key = _squash(title) if title else ""
    for el in h1s:
        text = _squash(el.text_content())
        if key and text and (key in text or text in key):
            return el
    return h1s[0] if h1s else None


def _class_words(el: lxml_html.HtmlElement) -> tuple[set[str], str]:
    """The words of an element's class and id (`authorDateBlock_authorName` -> author, date, block, name), and
    them run together (for `by-line`)."""
    raw = _CAMEL.sub("-", f"{el.get('class') or ''} {el.get('id') or ''}").lower()
    return set(_CLASS_SPLIT.split(raw)) - {""}, raw.replace("-", "").replace("_", "")


def _in_comments(el: lxml_html.HtmlElement) -> bool:
    """Inside a comment thread: its authors and dates are the commenters'."""
    for up in el.iterancestors():
        marks = f"{up.get('class') or ''} {up.get('id') or ''}".lower()
        if "comment" in marks:
            return True
        if up.tag in ("article", "main", "body"):
            return False
    return False


def _text(el: lxml_html.HtmlElement) -> str:
    """The element's text with a space between its elements' texts: `<b>By</b><a>Jane</a>` is `By Jane`, not the
    `ByJane` of text_content()."""
    return " ".join(" ".join(el.itertext()).split())


def _name_in(text: str) -> str | None:
    """The author's name in the text of an element marked as a byline: Chinese `作者：张三` (labelled), a byline
    anywhere in it, a short text that is the name itself (cut before a date or separator), or `written by X` in a
    bio."""
    if not text or _LABEL_ONLY.match(text):
        return None
    if _HAN_CHAR.search(text):  # labelled only: a bare short text there is as often a user name or a slogan
        return bylines([text]).get("author")
    if name := printed_byline(text, anywhere=True):
        return name
    if len(text) <= tuning.active.name_text_max_chars:  # `Dec 17, 2025 Julian K. Arni`, `Jane Smith | Updated May 2`
        if YEAR.search(text):
            text = DATE.sub(" | ", TEXT_DATE.sub(" | ", text)).strip(" ,;:-–—|•·")
        cut = _NAME_END.search(text)
        return plausible_author((text[:cut.start()] if cut else text).strip(" ,;:-–—|"))
    if m := _BY_IN_TEXT.search(text):
        return printed_byline("by " + text[m.end():m.end() + 80])
    return None


_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "svg"})


def _walk(tree: lxml_html.HtmlElement, headline: lxml_html.HtmlElement | None) -> list[tuple[int, Any]]:
    """(distance from the headline, element) for the elements around it: after it in page order (distance 1, 2,
    …), then before it, nearest first (distance before_headline per element). Without a headline, the page's
    first elements. A list, built by C-level slicing: a generator per element costs more than the work on it."""
    t = tuning.active
    if headline is None:
        body = tree.find("body")
        return list(enumerate(islice((body if body is not None else tree).iterdescendants(), t.walk_after), 1))
    after = list(enumerate(islice(_following(headline), t.walk_after), 1))
    before = [(k * t.before_headline, el) for k, el in enumerate(islice(_preceding(headline, t.before_block_max),
                                                                        t.walk_before), 1)]
    return after + before


def _following(el: Any) -> Iterator[Any]:
    """The elements after `el` in page order: its descendants, then each following sibling's subtree, up the
    ancestors."""
    yield from el.iterdescendants()
    for cur in (el, *el.iterancestors()):
        for sib in cur.itersiblings():
            yield sib
            yield from sib.iterdescendants()


def _preceding(el: Any, block_max: int) -> Iterator[Any]:
    """The elements before `el`, nearest first, skipping blocks larger than `block_max` (menus, banners)."""
    for cur in (el, *el.iterancestors()):
        for sib in cur.itersiblings(preceding=True):
            block = list(islice(sib.iter(), block_max + 1))
            if len(block) <= block_max:
                yield from reversed(block)
        if cur is not el:
            yield cur


def _read_texts(far: int, node: Any, names: list[tuple[int, str]], loose: list[tuple[int, str]],
                add_date: Any) -> None:
    """An element's own text and tail: a byline label opening either (`<p>By <a>…`, `<span>…</span>By …`), and
    within loose_date_distance a short text that is a date."""
    text, tail = node.text, node.tail
    if text and text[:24].lstrip()[:2].lower() in _LABEL_HEADS and _LABEL_START.match(text):
        _read_label(far, text, node, None, node[0] if len(node) else None, names, add_date)
    if tail and tail[:24].lstrip()[:2].lower() in _LABEL_HEADS and _LABEL_START.match(tail) \
            and (owner := node.getparent()) is not None:
        _read_label(far, tail, owner, node, node.getnext(), names, add_date)
    t = tuning.active
    if far <= t.loose_date_distance:
        for piece in (text, tail):
            if piece and len(piece) <= t.loose_text_max_chars and not piece.isspace() and _DIGIT.search(piece) \
                    and (iso := find_text_date(piece)):
                loose.append((far, iso))


def _read_itemprop(far: int, node: Any, props: list[str], stamps: list[tuple[int, int, str]],
                   names: list[tuple[int, str]]) -> None:
    """Microdata: `itemprop=datePublished` (content, datetime or text) and `itemprop=author` (its nested
    `itemprop=name`, else its own content or text)."""
    if "datePublished" in props or "dateCreated" in props:
        if iso := parse_date(node.get("content") or node.get("datetime") or _text(node)):
            stamps.append((0, far, iso))
    if ("author" in props or "creator" in props) and not _in_comments(node):
        inner = node.find(".//*[@itemprop='name']")
        source = inner if inner is not None else node
        value = source.get("content") or (_text(source) if len(source) <= tuning.active.byline_max_children else "")
        if name := _name_in(value):
            names.append((far, name))


def _read_label(far: int, label: str, owner: Any, before: Any, nxt: Any, names: list[tuple[int, str]],
                add_date: Any) -> None:
    """A text that opens with a byline label (`By `, `Posted on `): the name and date of the line it opens."""
    if _in_comments(owner):
        return
    line = _text(owner) if before is None else _text(owner)[len(_text(before)):].strip()
    if _LABEL_ONLY.match(line) and owner.getparent() is not None:  # `<span>By </span>Jane Smith`
        line = _text(owner.getparent())
    if name := _labelled_element(label, before, nxt) or printed_byline(line):
        names.append((far, name))
    add_date(far, line)


def _dates_in(text: str) -> list[tuple[str, str | None]]:
    """The dates the text prints, each with its label: "published", "updated" or None."""
    found: list[tuple[str, str | None]] = []
    offset, t = 0, tuning.active
    while len(found) < t.dates_per_text and (at := text_date_at(text[offset:])):
        start, iso = at[0] + offset, at[1]
        before = text[max(0, start - t.date_label_chars):start]
        label = "updated" if _UPDATED_LABEL.search(before) else "published" if _PUBLISHED_LABEL.search(before) \
            else None
        found.append((iso, label))
        offset = start + max(1, len(iso) - 2)  # past this date's digits; a date is never shorter than its ISO - 2
    return found


def _labelled_element(label: str, before: Any, nxt: Any) -> str | None:
    """The name in the element right after a bare label that opens its line: `<p>By <a>A. J. Neal</a> <a>View in
    digital edition</a></p>`, where the line read whole runs the name into the next link. `before`: the element
    the label follows (None when the label opens its element)."""
    if not _LABEL_ONLY.match(" ".join(label.split())):
        return None
    if before is not None and _text(before):  # `… a parser by <a>someone</a>` inside prose cites, it does not sign
        return None
    if nxt is None or not isinstance(nxt.tag, str) or len(nxt) > tuning.active.byline_max_children:
        return None
    return printed_byline("By " + _text(nxt))


@dataclass
class _Candidates:
    """What the walk around the headline finds, each with its distance from the headline; stamps and dates ranked
    first (pubdate before <time>, a publication date before an update's)."""

    date_chars: int  # tuning.date_text_max_chars
    names: list[tuple[int, str]] = field(default_factory=list)
    handles: list[tuple[int, str]] = field(default_factory=list)
    dates: list[tuple[int, int, str]] = field(default_factory=list)
    loose: list[tuple[int, str]] = field(default_factory=list)  # dates in unmarked short texts
    said: list[tuple[int, str]] = field(default_factory=list)  # dates labelled as the publication's
    stamps: list[tuple[int, int, str]] = field(default_factory=list)
    props: list[tuple[int, str]] = field(default_factory=list)
    seen: dict[str, bool] = field(default_factory=dict)  # class and id values already judged by _marked

    def add_date(self, far: int, text: str, updated: bool = False) -> None:
        for iso, label in _dates_in(text[:self.date_chars]):
            if label == "published":
                self.said.append((far, iso))
            self.dates.append((int(updated or label == "updated"), far, iso))

    def printed(self) -> _Printed:
        """Each the one nearest the headline."""
        found = _Printed()
        found.structured_date = min(self.stamps)[-1] if self.stamps else None
        found.itemprop_author = min(self.props)[-1] if self.props else None
        found.byline = min(self.names)[-1] if self.names else None
        found.handle = min(self.handles)[-1] if self.handles else None
        found.published = min(self.said)[-1] if self.said else None
        found.date = min(self.dates)[-1] if self.dates else min(self.loose)[-1] if self.loose else None
        return found


def _printed(tree: lxml_html.HtmlElement, headline: lxml_html.HtmlElement | None) -> _Printed:
    """Bylines and dates the page prints, each the one nearest its headline (a sidebar's or a related card's
    byline lies farther away)."""
    t = tuning.active
    found = _Candidates(t.date_text_max_chars)
    seen, text_distance, loose_max = found.seen, t.text_distance, t.loose_text_max_chars
    for far, node in _walk(tree, headline):
        tag = node.tag
        if tag.__class__ is not str:  # comments and processing instructions
            continue
        if tag in _SKIPPED_TAGS:  # its own text is code, not page text; its tail is (`<svg …/> Dec 12, 2025`)
            if far <= text_distance and (tail := node.tail) and len(tail) <= loose_max \
                    and (iso := find_text_date(tail)):
                found.loose.append((far, iso))
            continue
        if far <= text_distance:  # unmarked text: labels (`By `, `Posted on `) and dates standing alone
            _read_texts(far, node, found.names, found.loose, found.add_date)
        if tag == "time":
            if (stamp := node.get("datetime")) and (iso := parse_date(stamp)):
                found.stamps.append((0 if node.get("pubdate") is not None else 1, far, iso))
            else:
                found.add_date(far, _text(node))
        elif (prop := node.get("itemprop")) is not None:
            _read_itemprop(far, node, prop.split(), found.stamps, found.props)
        else:
            cls, ident = node.get("class"), node.get("id")
            if (cls and _marked(cls, seen)) or (ident and _marked(ident, seen)) \
                    or (tag == "a" and "author" in (node.get("rel") or "").split()):
                _read_marked(far, node, found)
    return found.printed()


def _read_marked(far: int, node: Any, found: _Candidates) -> None:
    """An element whose class or id may name an author, byline or date (or a link with rel=author): its name or
    handle, and its date, unless it is a container, the headline, or inside a comment thread."""
    if node.tag in _CONTAINER_TAGS or node.tag == "h1" or len(node) > tuning.active.byline_max_children:
        return
    words, joined = _class_words(node)
    author = (node.tag == "a" and "author" in (node.get("rel") or "").split()) or bool(words & AUTHOR_WORDS) \
        or any(w in joined for w in AUTHOR_JOINED)
    if not (author or words & DATE_WORDS) or _in_comments(node):
        return
    text = _text(node)
    if author and not words & NOT_NAME_WORDS:
        if name := _name_in(text):
            found.names.append((far, name))
        elif is_handle(text):
            found.handles.append((far, text))
    found.add_date(far, text, updated=bool(words & UPDATE_WORDS))


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
