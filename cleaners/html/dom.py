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
from itertools import islice

import regex
from lxml import etree
from lxml import html as lxml_html

from cleaners import regexcache, tuning
from cleaners.html.parse import BLOCK_TAGS as HTML_BLOCK_TAGS
from cleaners.html.parse import SKIP_TAGS as HTML_SKIP_TAGS
from cleaners.io.packagedata import package_text
from cleaners.io.yamlfile import load_table_text
from cleaners.record import Span
from cleaners.text.catalogue import CatalogueError, checked_examples
from cleaners.text.structure import CLAUSE_PUNCT, PunctTally

BLOCK_TAGS = HTML_BLOCK_TAGS | {"center", "caption"}
# Not page text either when read line by line: form widgets, media and what only the <head> holds.
SKIP_TAGS = HTML_SKIP_TAGS | frozenset("button textarea input audio video map area link meta title math".split())
HEADING_TAGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_ARTICLE_BODY = etree.XPath('.//*[@itemprop="articleBody"]')
_TOKEN_SPLIT = regexcache.compile(r"[^a-z0-9]+")
_HIDDEN_STYLE = regexcache.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", regex.I)
_SENTENCE_END = regexcache.compile(r"[。！？!?]|(?<=\p{L})\.(?=\s|$)")


DOM_RULES_FILE = "data/dom_rules.yaml"
# The roles a group may declare (data/dom_rules.yaml): what the pruning does differently for its elements.
GROUP_ROLES = {
    "continuation": "a box of the group that is mostly unlinked paragraphs is the article's own `Read more` half, "
                    "and is kept",
}
_GROUP_FIELDS = {"concept", "case", "tokens", "whole_words", "roles", "examples"}


class DomRuleError(ValueError):
    """data/dom_rules.yaml is malformed (an unknown key, group or role)."""


@dataclass(frozen=True)
class DomGroup:
    """One group of furniture as the table declares it; pruned elements are recorded as `dom_<name>`."""

    name: str
    concept: str  # the text rules' concept it belongs to (comment_box, related, site_chrome, ...)
    case: str
    tokens: tuple[str, ...]
    whole_words: tuple[str, ...] = ()
    roles: frozenset[str] = frozenset()
    examples: tuple[dict, ...] = ()

    @property
    def rule(self) -> str:
        return f"dom_{self.name}"


@dataclass(frozen=True, eq=False)  # hashed by identity: one instance per process
class DomRules:
    tokens: dict[str, str]  # token -> group
    long_tokens: dict[str, str]  # tokens also matched inside longer class names -> group
    long_pattern: regex.Pattern  # one alternation of long_tokens
    heading: regex.Pattern
    ad_label: regex.Pattern
    version: str
    whole_words: dict[str, str] = field(default_factory=dict)  # tokens that count only as a whole class or id
    groups: dict[str, DomGroup] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)  # semantic furniture elements (nav, footer, ...) -> group
    # the group of a block a heading opens: the first whose pattern (None: any) the heading text matches
    heading_groups: tuple[tuple[regex.Pattern | None, str], ...] = ()
    ad_group: str = ""  # the group of a link whose first child is an ad label
    continued: frozenset[str] = frozenset()  # the groups with the `continuation` role


def _group(name: str, spec: dict) -> DomGroup:
    if unknown := sorted(set(spec) - _GROUP_FIELDS):
        raise DomRuleError(f"dom group {name!r}: unknown keys {unknown}")
    roles = frozenset(spec.get("roles") or ())
    if unknown := sorted(roles - set(GROUP_ROLES)):
        raise DomRuleError(f"dom group {name!r}: unknown roles {unknown} (known: {', '.join(GROUP_ROLES)})")
    try:
        examples = checked_examples(spec.get("examples"), f"dom group {name!r}")
    except CatalogueError as exc:
        raise DomRuleError(str(exc)) from None
    return DomGroup(name, str(spec["concept"]), str(spec["case"]), tuple(str(t).lower() for t in spec["tokens"]),
                    tuple(str(t).lower() for t in spec.get("whole_words") or ()), roles, examples)


def load_dom_rules(text: str) -> DomRules:
    data = load_table_text(text)
    groups = {name: _group(name, spec) for name, spec in data["groups"].items()}
    named = [*data["tags"].values(), data["ad_labels"]["group"], *(g["group"] for g in data["headings"]["groups"])]
    if unknown := sorted(set(named) - set(groups)):
        raise DomRuleError(f"dom rules name groups that are not defined: {unknown}")
    tokens = {t: g.name for g in groups.values() for t in g.tokens}
    whole = {t: g.name for g in groups.values() for t in g.whole_words}
    long_tokens = {t: g for t, g in tokens.items() if len(t) >= data["long_token_chars"] and "-" not in t}
    long_pattern = regexcache.compile("|".join(sorted(map(regex.escape, long_tokens), key=len, reverse=True)))
    heading_groups = tuple((regexcache.compile(g["pattern"]) if g.get("pattern") else None, g["group"])
                           for g in data["headings"]["groups"])
    return DomRules(tokens, long_tokens, long_pattern, regexcache.compile(data["headings"]["pattern"]),
                    regexcache.compile(data["ad_labels"]["pattern"]), str(data.get("version", 0)), whole, groups,
                    dict(data["tags"]), heading_groups, data["ad_labels"]["group"],
                    frozenset(g.name for g in groups.values() if "continuation" in g.roles))


@functools.lru_cache(maxsize=1)
def dom_rules() -> DomRules:
    """The bundled DOM rules (data/dom_rules.yaml), loaded once per process."""
    return load_dom_rules(package_text(DOM_RULES_FILE))


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
    pruned: list[Span] = field(default_factory=list)  # the text of pruned blocks, by rule
    # the lines each block element holds, as inclusive (first, last) line indices: the page's containers
    regions: list[tuple[int, int]] = field(default_factory=list)


def class_tokens(el: lxml_html.HtmlElement) -> list[str]:
    """Class and id words, and their parts split on punctuation (`news-comment_list` -> news, comment, list).

    camelCase is not split: utility and flag classes (`enableGAMAds`, `disableAsideSection`) would read as
    furniture. An id that spells the section's own heading (`sharing-with-a-single-developer`) is a slug of
    its content, not the name of a page component, and is not read.
    """
    ident = el.get("id") or ""
    if len(_TOKEN_SPLIT.split(ident)) >= tuning.active.slug_words and _names_its_heading(el, ident):
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


def _puncts(el: lxml_html.HtmlElement) -> int:
    """Clause punctuation in an element's text: how much prose it holds (one C call for the text)."""
    return len(CLAUSE_PUNCT.findall(el.text_content()))


def _unlinked_prose(el: lxml_html.HtmlElement) -> bool:
    """A block named `related` / `more` that is mostly paragraphs of unlinked prose: the article's own continuation
    behind a `Read more` button (mobile news templates), not a list of links to other pages."""
    t = tuning.active
    paragraphs = [n for p in islice(el.iter("p"), 200) if len(n := p.text_content()) >= t.related_paragraph_chars]
    if len(paragraphs) < t.related_prose_paragraphs:
        return False
    text = len(el.text_content())
    linked = sum(len(a.text_content()) for a in el.iter("a"))
    return sum(map(len, paragraphs)) >= t.related_prose_share * text and linked <= t.related_max_link_share * text


def is_prose_link(el: lxml_html.HtmlElement) -> bool:
    """A link that wraps paragraphs of punctuated text (some CMSs put a whole article body inside one `<a>`):
    its text is prose, not a headline or a menu item."""
    text, t = el.text or "", tuning.active
    if not len(el) and len(text) <= t.prose_link_chars:
        return False
    text = el.text_content()
    return len(text) > t.prose_link_chars and len(_SENTENCE_END.findall(text)) >= t.prose_link_sentences


def _heading_text(el: lxml_html.HtmlElement) -> str | None:
    """The text of the first child when it is a short heading-like element (h2, strong, span, a title div)."""
    t = tuning.active
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in SKIP_TAGS or not tag:
            continue
        if len(child) >= t.heading_max_children:
            return None
        parts, size = [], 0
        for piece in child.itertext():  # stop as soon as it is longer than a heading: the child may be the body
            parts.append(piece)
            size += len(piece)
            if size > 4 * t.heading_max_chars:
                return None
        text = " ".join("".join(parts).split())
        return text if 0 < len(text) <= t.heading_max_chars else None
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


def _heading_group(el: lxml_html.HtmlElement, rules: DomRules) -> str | None:
    """The group of the block a furniture heading opens (`相关新闻`, `Related Articles`, `3 Comments`), or None."""
    heading = _heading_text(el)
    if not heading or not rules.heading.match(heading):
        return None
    return next((group for pattern, group in rules.heading_groups if pattern is None or pattern.search(heading)),
                None)


class _Flattener:
    """One top-down pass over a page: the lines so far, the line being built, and what pruning needs."""

    def __init__(self, root: lxml_html.HtmlElement, prune: bool) -> None:
        self.root, self.prune = root, prune
        self.rules = dom_rules()
        self.page_puncts = PunctTally(root.text_content())  # counted only as far as the guard needs
        self.guard_share = tuning.active.guard_share
        self.protected = _protected(root)
        self.cache: dict = {}
        self.out = DomText([])
        self.text, self.link_chars, self.tag = "", 0, ""

    def flush(self) -> None:
        text = " ".join(self.text.split())
        if text:
            self.out.lines.append(Line(text, min(self.link_chars, len(text)), len(text), self.tag))
        self.text, self.link_chars = "", 0

    def add(self, text: str | None, in_link: bool, tag: str) -> None:
        if text:
            if not self.text.strip():
                self.tag = tag
            self.text += text
            if in_link:
                self.link_chars += len(text.strip())

    def leave(self, tag: str, first: int) -> None:
        """A block element ends its line; the lines it held are one of the page's regions."""
        if tag in BLOCK_TAGS:
            self.flush()
            if len(self.out.lines) > first:
                self.out.regions.append((first, len(self.out.lines) - 1))

    def skipped(self, el: lxml_html.HtmlElement, tag: str) -> bool:
        """Not text (scripts, forms, media), hidden but for a large share of the page's prose, or pruned as
        furniture (the pruned text recorded): the element's tail is all that is read."""
        if not tag or tag in SKIP_TAGS or (_hidden(el) and self._small(el)):
            return True
        if not self.prune or el is self.root or (group := self.furniture(el, tag)) is None:
            return False
        text = " ".join(el.text_content().split())
        if text:
            self.out.pruned.append(Span(self.rules.groups[group].rule, text))
        return True

    def furniture(self, el: lxml_html.HtmlElement, tag: str) -> str | None:
        """The furniture group that prunes this element, or None (the guard keeps the headline, the article body
        and any element with a large share of the page's prose)."""
        rules = self.rules
        group = rules.tags.get(tag) or furniture_group(el, rules, self.cache)
        if group is None and tag == "a" and _ad_labelled(el, rules.ad_label):
            group = rules.ad_group
        if group is None and tag not in ("p", "span", "a", "li"):
            group = _heading_group(el, rules)
        if group in rules.continued and _unlinked_prose(el):
            return None  # a `read more` expander holding the rest of the article, not a list of links
        if group is None or el in self.protected or not self._small(el):
            return None
        return group

    def _small(self, el: lxml_html.HtmlElement) -> bool:
        """The guard: the element holds at most guard_share of the page's punctuated text."""
        return self.page_puncts.within_share(_puncts(el), self.guard_share)


def dom_lines(tree: lxml_html.HtmlElement, prune: bool = True) -> DomText:
    """The page as lines with link densities, furniture pruned (when `prune`)."""
    body = tree.find(".//body")
    root = body if body is not None else tree
    flat = _Flattener(root, prune)
    add = flat.add
    # stack of (element, phase, in_link, block_tag, first line); phase 0 = enter, 1 = leave
    stack: list[tuple[lxml_html.HtmlElement, int, bool, str, int]] = [(root, 0, False, "body", 0)]
    while stack:
        el, phase, in_link, block, first = stack.pop()
        tag = el.tag if isinstance(el.tag, str) else ""
        if phase == 1:
            flat.leave(tag, first)
            add(el.tail, in_link, block)
            continue
        if flat.skipped(el, tag):
            add(el.tail, in_link, block)
            continue
        if tag in BLOCK_TAGS:
            flat.flush()
        stack.append((el, 1, in_link, block, len(flat.out.lines)))
        if tag in BLOCK_TAGS:
            block = tag
        # a heading wrapped in a link to its own anchor (`<h2><a href="#usage">Usage</a></h2>`) is a heading
        link = in_link or (tag == "a" and not (block in HEADING_TAGS and (el.get("href") or "").startswith("#"))
                           and not is_prose_link(el))
        add(el.text, link, block)
        for child in reversed(el):
            stack.append((child, 0, link, block, 0))
    flat.flush()
    return flat.out
