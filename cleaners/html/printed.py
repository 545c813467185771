"""Printed metadata: the bylines and dates a page shows by its headline, found by walking the elements around it.

Apart because it reads the layout, not the structured data: class and id words (`c-byline__name`), labels
(`By `, `Posted on `), <time> and microdata, each candidate ranked by its distance from the headline so that a
sidebar's or a related card's byline loses to the article's own.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from lxml import html as lxml_html

from cleaners import regexcache, tuning
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

# Printed metadata: bylines and dates as the page shows them by its headline, in the elements walked around it
# (tuning: walk_after, walk_before, before_block_max; unmarked text within text_distance).
# Class and id fragments looked at further (exactly, in _class_words): `date` is also in `update` and `candidate`.
# Plain substring tests on the lower-cased value: a regex alternation costs several times more per element.
_MARK_FRAGMENTS = ("author", "byline", "by-line", "writer", "contributor", "reporter", "date", "time", "publish",
                   "posted", "meta", "autor", "fecha")
# Text that opens with a byline label, or with the label of a date (`Posted on 15/12/2025`).
_LABEL_START = regexcache.compile(
    r"\s{0,20}(?i:by\b|(?:written|posted|words|story)\s+by\b|par\s|von\s|por\s|di\s|door\s|posted on\b|"
    r"published(?:\s+on)?\b|publié le\b|veröffentlicht\b|publicado el\b)"
)
_DIGIT = regexcache.compile(r"\d")
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
_UPDATED_LABEL = regexcache.compile(
    r"(?i)(?:updated|modified|revised|edited|actualizado|actualización|mis à jour|modifié|aktualisiert|geändert|"
    r"atualizado|aggiornato|bijgewerkt)\W{0,4}(?:on|le|am|el|em|il|op)?\W{0,3}$"
)
_PUBLISHED_LABEL = regexcache.compile(
    r"(?i)(?:published|posted|publié|veröffentlicht|publicado|pubblicato|gepubliceerd)\W{0,4}(?:on|le|am|el|em|il|op)?"
    r"\W{0,3}$"
)
_CAMEL = regexcache.compile(r"(?<=[a-z])(?=[A-Z])")
_CLASS_SPLIT = regexcache.compile(r"[^a-z0-9]+")
_LABEL_ONLY = regexcache.compile(
    r"(?i)^(?:(?:written|posted|published|words|story)\s+by|by|author|authors|auteur|autor)\s*[:：]?$")
# Where a name printed without a label ends: a date, a separator, `in Category`, `on May 2`, `Updated`.
_NAME_END = regexcache.compile(r"\s(?:[|•·–—-]|in|on|at|for|from|updated|published|posted|last)\s|\s{2,}|[|•·(]")
_BY_IN_TEXT = regexcache.compile(r"(?i:written|posted)\s+by\s+")
_HAN_CHAR = regexcache.compile(r"\p{Han}")


@dataclass
class Printed:
    structured_date: str | None = None  # microdata datePublished, <time datetime>
    itemprop_author: str | None = None
    byline: str | None = None
    handle: str | None = None
    date: str | None = None  # a date printed in a byline or date element, or in a <time> without datetime
    published: str | None = None  # a printed date that says it is the publication's (`Published May 2, 2024`)


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

    def printed(self) -> Printed:
        """Each the one nearest the headline."""
        found = Printed()
        found.structured_date = min(self.stamps)[-1] if self.stamps else None
        found.itemprop_author = min(self.props)[-1] if self.props else None
        found.byline = min(self.names)[-1] if self.names else None
        found.handle = min(self.handles)[-1] if self.handles else None
        found.published = min(self.said)[-1] if self.said else None
        found.date = min(self.dates)[-1] if self.dates else min(self.loose)[-1] if self.loose else None
        return found


def read_printed(tree: lxml_html.HtmlElement, headline: lxml_html.HtmlElement | None) -> Printed:
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

