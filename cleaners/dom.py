"""From an HTML tree to lines with DOM hints: prune page furniture, then flatten block by block.

Two passes over the tree, both iterative (deep pages cannot overflow the stack):
1. bottom-up statistics per element (characters, punctuation, characters inside links);
2. top-down: prune elements whose class/id tokens or opening heading name furniture (data/dom_rules.yaml),
   unless they hold a large share of the page's prose, then emit one line per block with its link density.
The lines go through the same text rules as flattened pages; the link density tells navigation from prose,
which flattened text cannot.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib import resources
from itertools import islice

import regex
import yaml
from lxml import etree
from lxml import html as lxml_html

from .htmlextract import BLOCK_TAGS as HTML_BLOCK_TAGS
from .structure import CLAUSE_PUNCT, PunctTally

BLOCK_TAGS = HTML_BLOCK_TAGS | {"center", "caption"}
SKIP_TAGS = frozenset(
    "script style noscript template svg iframe head object embed canvas select option button textarea input "
    "audio video map area link meta title math".split()
)
# Semantic furniture elements, pruned like a class token (unless they hold the article, see the guard).
FURNITURE_TAGS = {"nav": "navigation", "footer": "footer", "aside": "navigation", "header": "navigation"}
HEADING_TAGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_ARTICLE_BODY = etree.XPath('.//*[@itemprop="articleBody"]')
_TOKEN_SPLIT = regex.compile(r"[^a-z0-9]+")
_COMMENT_HEADING = regex.compile(r"(?i)评论|評論|comment|reply|discussion|conversation")
_HIDDEN_STYLE = regex.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", regex.I)
# An element holding more than this share of the page's punctuated text is never pruned, nor skipped as hidden
# (pages rendered by streaming servers deliver the article in `<div hidden>` chunks that a script moves into place).
_GUARD_SHARE = 0.35
# A block heading is at most this long: 相关新闻 is four characters, "You might also like..." twenty-two.
_HEADING_MAX_CHARS = 40
# A link holding more than this many characters in this many sentences is prose wrapped in <a>: headlines stay
# under 80 characters, and a teaser card (a linked headline with a summary) holds a sentence or two.
PROSE_LINK_CHARS = 200
PROSE_LINK_SENTENCES = 4
_SENTENCE_END = regex.compile(r"[。！？!?]|(?<=\p{L})\.(?=\s|$)")
_SLUG_WORDS = 3  # an id of this many words that spells its heading is a slug of content, not furniture


@dataclass(frozen=True, eq=False)  # hashed by identity: one instance per process
class DomRules:
    tokens: dict[str, str]  # token -> group
    long_tokens: dict[str, str]  # tokens also matched inside longer class names -> group
    long_pattern: regex.Pattern  # one alternation of long_tokens
    heading: regex.Pattern
    ad_label: regex.Pattern
    version: str
    whole_words: dict[str, str] = field(default_factory=dict)  # tokens that count only as a whole class or id


@functools.lru_cache(maxsize=1)
def dom_rules() -> DomRules:
    data = yaml.safe_load(resources.files("cleaners").joinpath("data/dom_rules.yaml").read_text("utf-8"))
    tokens: dict[str, str] = {}
    whole: dict[str, str] = {}
    for group, spec in data["groups"].items():
        for token in spec["tokens"]:
            tokens[str(token).lower()] = group
        for token in spec.get("whole_words", ()):
            whole[str(token).lower()] = group
    long_tokens = {t: g for t, g in tokens.items() if len(t) >= 6 and "-" not in t}
    long_pattern = regex.compile("|".join(sorted(map(regex.escape, long_tokens), key=len, reverse=True)))
    return DomRules(tokens, long_tokens, long_pattern, regex.compile(data["headings"]["pattern"]),
                    regex.compile(data["ad_labels"]["pattern"]), str(data.get("version", 0)), whole)


@dataclass
class Line:
    text: str
    link_chars: int = 0
    chars: int = 0
    tag: str = ""  # the block element that holds the line (p, li, h2, td, div, ...)

    @property
    def link_ratio(self) -> float:
        return self.link_chars / self.chars if self.chars else 0.0


@dataclass
class DomText:
    lines: list[Line]
    pruned: list[tuple[str, str]] = field(default_factory=list)  # (rule, text) of pruned blocks
    # the lines each block element holds, as inclusive (first, last) line indices: the page's containers
    regions: list[tuple[int, int]] = field(default_factory=list)


def class_tokens(el: lxml_html.HtmlElement) -> list[str]:
    """Class and id words, and their parts split on punctuation (`news-comment_list` -> news, comment, list).

    camelCase is not split: utility and flag classes (`enableGAMAds`, `disableAsideSection`) would read as
    furniture. An id that spells the section's own heading (`sharing-with-a-single-developer`) is a slug of
    its content, not the name of a page component, and is not read.
    """
    ident = el.get("id") or ""
    if len(_TOKEN_SPLIT.split(ident)) >= _SLUG_WORDS and _names_its_heading(el, ident):
        ident = ""
    raw = f"{el.get('class') or ''} {ident}".lower()
    words = raw.split()
    return words + [t for w in words for t in _TOKEN_SPLIT.split(w) if t and t != w]


def _names_its_heading(el: lxml_html.HtmlElement, ident: str) -> bool:
    """The id spells the words of the element's first heading (documentation and wiki sections)."""
    heading = next(el.iter("h1", "h2", "h3", "h4", "h5", "h6"), None)
    if heading is None:
        return False
    words = set(_TOKEN_SPLIT.split(heading.text_content().lower()))
    return all(w in words for w in _TOKEN_SPLIT.split(ident.lower()) if w)


@functools.lru_cache(maxsize=65536)
def _token_group(token: str, rules: DomRules) -> str | None:
    """The group one class token names (memoised: the same tokens recur on every page of a template)."""
    if token in rules.tokens:
        return rules.tokens[token]
    m = rules.long_pattern.search(token)
    return rules.long_tokens[m.group()] if m else None


def furniture_group(el: lxml_html.HtmlElement, rules: DomRules, cache: dict | None = None) -> str | None:
    """The boilerplate group an element's class/id names, or None (memoised per class/id string)."""
    key = (el.get("class"), el.get("id"))
    if key == (None, None):
        return None
    if cache is not None and key in cache:
        return cache[key]
    found = None
    for word in f"{el.get('class') or ''} {el.get('id') or ''}".lower().split():
        if word in rules.whole_words:
            found = rules.whole_words[word]
            break
    for token in class_tokens(el) if found is None else ():
        if (found := _token_group(token, rules)) is not None:
            break
    if cache is not None:
        cache[key] = found
    return found


def _own_text(el: lxml_html.HtmlElement) -> str:
    return el.text or ""


def _puncts(el: lxml_html.HtmlElement) -> int:
    """Clause punctuation in an element's text: how much prose it holds (one C call for the text)."""
    return len(CLAUSE_PUNCT.findall(el.text_content()))


# A block named `related` / `more` is a list of links to other pages. One that is mostly paragraphs of unlinked
# prose (this many <p> of this many characters, holding this share of its text, under this share in links) is the
# article's own continuation behind a `Read more` button (mobile news templates), not a list.
RELATED_PROSE_PARAGRAPHS = 3
RELATED_PARAGRAPH_CHARS = 100
RELATED_PROSE_SHARE = 0.6
RELATED_MAX_LINK_SHARE = 0.05


def _unlinked_prose(el: lxml_html.HtmlElement) -> bool:
    paragraphs = [n for p in islice(el.iter("p"), 200) if len(n := p.text_content()) >= RELATED_PARAGRAPH_CHARS]
    if len(paragraphs) < RELATED_PROSE_PARAGRAPHS:
        return False
    text = len(el.text_content())
    linked = sum(len(a.text_content()) for a in el.iter("a"))
    return sum(map(len, paragraphs)) >= RELATED_PROSE_SHARE * text and linked <= RELATED_MAX_LINK_SHARE * text


def is_prose_link(el: lxml_html.HtmlElement) -> bool:
    """A link that wraps paragraphs of punctuated text (some CMSs put a whole article body inside one `<a>`):
    its text is prose, not a headline or a menu item."""
    text = el.text or ""
    if not len(el) and len(text) <= PROSE_LINK_CHARS:
        return False
    text = el.text_content()
    return len(text) > PROSE_LINK_CHARS and len(_SENTENCE_END.findall(text)) >= PROSE_LINK_SENTENCES


def _heading_text(el: lxml_html.HtmlElement) -> str | None:
    """The text of the first child when it is a short heading-like element (h2, strong, span, a title div)."""
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in SKIP_TAGS or not tag:
            continue
        if len(child) >= 8:
            return None
        parts, size = [], 0
        for piece in child.itertext():  # stop as soon as it is longer than a heading: the child may be the body
            parts.append(piece)
            size += len(piece)
            if size > 4 * _HEADING_MAX_CHARS:
                return None
        text = " ".join("".join(parts).split())
        return text if 0 < len(text) <= _HEADING_MAX_CHARS else None
    return None


def _ad_labelled(el: lxml_html.HtmlElement, label: regex.Pattern) -> bool:
    """A link whose first child element is an ad label (`<a><i>广告</i><span>…</span></a>`) and that has no
    text of its own before it: an advert dropped between paragraphs, not a sentence that mentions 广告."""
    if (el.text or "").strip() or not len(el):
        return False
    first = el[0]
    return isinstance(first.tag, str) and not len(first) and bool(label.match(first.text or ""))


def _protected(root: lxml_html.HtmlElement) -> set:
    """Elements never pruned: the headline and the article body markers, with all their ancestors.

    A page whose feed outweighs its article would otherwise lose the article to a container class that
    happens to name furniture (`caas … enableInArticleAd`).
    """
    keep = set()
    marks = list(root.iter("h1"))[:2] + list(root.iter("article"))[:1] + _ARTICLE_BODY(root)[:1]
    for el in marks:
        keep.add(el)
        keep.update(el.iterancestors())
    return keep


def _hidden(el: lxml_html.HtmlElement) -> bool:
    style = el.get("style")
    return el.get("hidden") is not None or bool(style and _HIDDEN_STYLE.search(style))


def dom_lines(tree: lxml_html.HtmlElement, prune: bool = True) -> DomText:
    """The page as lines with link densities, furniture pruned (when `prune`)."""
    body = tree.find(".//body")
    root = body if body is not None else tree
    rules = dom_rules()
    page_puncts = PunctTally(root.text_content())  # counted only as far as the guard needs
    protected = _protected(root)
    cache: dict = {}
    out = DomText([])
    current: list = ["", 0, ""]  # text, link chars, tag

    def flush() -> None:
        text = " ".join(current[0].split())
        if text:
            out.lines.append(Line(text, min(current[1], len(text)), len(text), current[2]))
        current[0], current[1] = "", 0

    def add(text: str | None, in_link: bool, tag: str) -> None:
        if text:
            if not current[0].strip():
                current[2] = tag
            current[0] += text
            if in_link:
                current[1] += len(text.strip())

    # stack of (element, phase, in_link, block_tag, first line); phase 0 = enter, 1 = leave
    stack: list[tuple[lxml_html.HtmlElement, int, bool, str, int]] = [(root, 0, False, "body", 0)]
    while stack:
        el, phase, in_link, block, first = stack.pop()
        tag = el.tag if isinstance(el.tag, str) else ""
        if phase == 1:
            if tag in BLOCK_TAGS:
                flush()
                if len(out.lines) > first:
                    out.regions.append((first, len(out.lines) - 1))
            add(el.tail, in_link, block)
            continue
        if not tag or tag in SKIP_TAGS or (_hidden(el) and page_puncts.within_share(_puncts(el), _GUARD_SHARE)):
            add(el.tail, in_link, block)
            continue
        if prune and el is not root:
            group = FURNITURE_TAGS.get(tag) or furniture_group(el, rules, cache)
            if group is None and tag == "a" and _ad_labelled(el, rules.ad_label):
                group = "ads"
            if group is None and tag not in ("p", "span", "a", "li"):
                heading = _heading_text(el)
                if heading and rules.heading.match(heading):
                    group = "comments" if _COMMENT_HEADING.search(heading) else "related"
            if group == "related" and _unlinked_prose(el):
                group = None  # a `read more` expander holding the rest of the article, not a list of links
            if group is not None and el not in protected and page_puncts.within_share(_puncts(el), _GUARD_SHARE):
                text = " ".join(el.text_content().split())
                if text:
                    out.pruned.append((f"dom_{group}", text))
                add(el.tail, in_link, block)
                continue
        if tag in BLOCK_TAGS:
            flush()
        stack.append((el, 1, in_link, block, len(out.lines)))
        if tag in BLOCK_TAGS:
            block = tag
        # a heading wrapped in a link to its own anchor (`<h2><a href="#usage">Usage</a></h2>`) is a heading
        link = in_link or (tag == "a" and not (block in HEADING_TAGS and (el.get("href") or "").startswith("#"))
                           and not is_prose_link(el))
        add(el.text, link, block)
        for child in reversed(el):
            stack.append((child, 0, link, block, 0))
    flush()
    return out
