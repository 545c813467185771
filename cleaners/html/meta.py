"""Metadata from an HTML tree: meta tags, JSON-LD, canonical links and the <title>, as pages state them.

extract_meta is where the page's own sources meet: the structured data (stated), the headline and site name
(headline) and what the page prints by its headline (printed), with the precedence between them decided here.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import regex
from lxml import html as lxml_html

from cleaners import tuning
from cleaners.html.headline import (
    choose_headline,
    headline_element,
    is_logo,
    printed_headline,
    split_site_suffix,
    split_title_parts,
    squash,
)
from cleaners.html.printed import read_printed
from cleaners.html.stated import (
    HANDLE_KEYS,
    META_KEYS,
    MULTI_AUTHOR_KEYS,
    WRITTEN_BY_LABELS,
    LdMeta,
    clean_value,
    declared_kind,
    first_tag,
    json_ld,
    meta_tags,
)
from cleaners.text.metadata import is_handle, parse_date, plausible_author, printed_byline


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


def extract_meta(tree: lxml_html.HtmlElement) -> HtmlMeta:
    """What the page states about itself: structured metadata first (JSON-LD, meta tags, microdata), then what it
    prints by the headline (bylines, dates), kept apart so that the text rules' own findings can come between."""
    tags = meta_tags(tree)
    ld = json_ld(tree, tags)

    def first(kind: str) -> str | None:
        return next((tags[key][0] for key in META_KEYS[kind] if tags.get(key)), None)

    meta = HtmlMeta()
    title_el = tree.find(".//title")
    page_title = " ".join(title_el.text_content().split()) if title_el is not None else ""
    meta.page_title = page_title or None
    # a blog platform's or portal's logo in an <h1> is not the headline, even where the <title> prints it
    title_parts = split_title_parts(page_title)
    named = clean_value(first("site")) or ld.publisher
    site_named = named or (title_parts[-1] if title_parts else None)
    h1_elements = [el for el in list(tree.iter("h1"))[:tuning.active.h1_looked_at]
                   if not is_logo(el, " ".join(el.text_content().split()), site_named)]
    h1s = [" ".join(el.text_content().split()) for el in h1_elements[:2]]
    headline, suffix = split_site_suffix(page_title, h1s, named) if page_title else ("", None)
    candidates = [split_site_suffix(c, h1s, named)[0] for c in (ld.headline, clean_value(first("title"))) if c]
    candidates += [headline] if headline else []  # split once: `标题_副标题` stays whole once the site is cut
    meta.site = named or suffix
    meta.title = printed_headline(h1_elements, candidates, meta.site) or choose_headline(candidates, h1s + [page_title])
    printed = read_printed(tree, headline_element(h1_elements, meta.title))
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
    meta.declared_kind = declared_kind(ld.types, (first_tag(tags, "og:type") or "").lower())
    section = first("categories")
    meta.categories = [section] if section else []
    return meta


def _first_stamp(tree: lxml_html.HtmlElement) -> str | None:
    """The first <time datetime> anywhere: a page whose headline is not an <h1> has none walked near it."""
    return next((d for el in tree.iter("time") if (d := parse_date(el.get("datetime")))), None)


def _stated_author(ld: LdMeta, tags: dict[str, list[str]], itemprop: str | None,
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
    site_key = squash(site) if site else None
    for names in sources:
        name = _join_names(names)
        if name is None:
            continue
        if site_key and squash(name) == site_key:
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
