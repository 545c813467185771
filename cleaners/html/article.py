"""The HTML cascade: parse once, prune furniture in the DOM, run the shared text rules on the lines, fall back.

1. DOM lines with link densities, furniture pruned (cleaners.html.dom), through the text rules (cleaners.text.clean).
   Prose is scored in the script of each line (punctuation density for Chinese, words and sentence ends where
   the script separates words), and the best run of lines grows to the page element that holds it;
2. if that result is short, the same without pruning (a page whose article sits in a box the class vocabulary
   mistakes for furniture);
3. if it is still short, trafilatura on the same tree as a second opinion, its text through the same text rules,
   taken when it holds what the DOM pass kept and more of it (see _second_opinion_wins).
The path that won is recorded in provenance.extractor (dom, dom-article, dom-unpruned, trafilatura, site-body).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice

from lxml import html as lxml_html

from cleaners import regexcache, tuning
from cleaners.decode.normalize import normalize_line, normalize_lines, normalize_text
from cleaners.html.dom import dom_lines
from cleaners.html.meta import HtmlMeta, extract_meta
from cleaners.html.pagetype import page_kind
from cleaners.html.parse import parse_html
from cleaners.record import Span
from cleaners.text.clean import TextResult, clean_lines, clean_page_text
from cleaners.text.lines import LineHint
from cleaners.text.rules import RuleTable
from cleaners.text.siterules import SiteRule, rule_for
from cleaners.text.structure import text_size
from cleaners.tools.scoring import bigrams

# trafilatura writes table rows as "| a | b |": the bars open, separate and close cells
_CELL_SEPARATOR = regexcache.compile(r"(?m)^\|[ \t]*|(?<![ \t])[ \t]+\|(?=[ \t]|$)")  # from a run's first space only
# The thresholds of the cascade (thin_text, list_*, second_opinion_*, lone_article_probe) are in the tuning table.
# Pages larger than this skip trafilatura (its libxml2 calls cannot be interrupted by the time limit).
MAX_TRAFILATURA_CHARS = 2_000_000


@dataclass
class Extraction:
    result: TextResult
    meta: HtmlMeta
    extractor: str  # "dom", "dom-article" (the page's one <article>), "dom-unpruned", "trafilatura" or "site-body"
    pruned: list[Span] = field(default_factory=list)  # removed in the DOM
    not_article: str | None = None  # why the page is a list or index page rather than an article


def list_page_reason(tree, url: str | None, result: TextResult) -> str | None:
    """Why this is a list page, or None: the page-type signals say so and the article block is only a teaser.

    Both must agree: page_kind alone is tuned for a crawler deciding what to follow and calls many
    short articles under long feeds lists; a short block beside a heap of other prose is a teaser.
    """
    if result.under_headline:  # the block sits under the page's <h1>: an article, however short
        return None
    t = tuning.active
    if result.headline_links < t.list_items and len(result.text) >= t.list_teaser_max:
        return None  # neither condition below can hold: skip the page walk
    kind = page_kind(tree, url)
    if kind.kind != "list":
        return None
    kept = len(result.text)
    if result.headline_links >= t.list_items:
        return f"{kind.reason}; the best block interleaves {result.headline_links} linked headlines"
    spread = kind.prose_chars >= t.list_spread * max(1, kept)  # the page's prose lies elsewhere
    index = kept < t.thin_text and kind.title_links >= t.list_items  # nothing but headline links and a footer
    if kept >= t.list_teaser_max or not (spread or index):
        return None
    return f"{kind.reason}; the best block holds {kept} of {kind.prose_chars} prose characters"


def _from_dom(tree, table: RuleTable, title: str | None, prune: bool, mojibake: bool,
              whole: bool = False) -> tuple[TextResult, list[Span]]:
    dom = dom_lines(tree, prune=prune)  # `tree` may be a whole page or the body element a site rule names
    texts = normalize_lines([ln.text for ln in dom.lines], mojibake=mojibake)
    hints = [LineHint(ln.link_ratio, ln.tag) for ln in dom.lines]
    return clean_lines(texts, hints, table, title, dom.regions, whole=whole), dom.pruned


def _lone_article(tree) -> lxml_html.HtmlElement | None:
    """The page's <article> when it has exactly one: HTML5 pages mark their main text so (a feed has many)."""
    found = list(islice(tree.iter("article"), 2))
    return found[0] if len(found) == 1 else None


def _holds(el, text: str) -> bool:
    """Whether the element holds the longest line of `text` (the block the DOM pass chose lies inside it)."""
    longest = max(text.split("\n"), key=len)
    return _squash(longest[:tuning.active.lone_article_probe]) in _squash(el.text_content())


def _squash(s: str) -> str:
    return "".join(s.split())


def _apply_site_rule(tree, site: SiteRule) -> tuple[object, list[Span]]:
    """Drop the site's prune selectors (keeping tails) and pick its body element; (root, removed)."""
    removed: list[Span] = []
    for selector in site.prune:
        for el in selector(tree):
            text = " ".join(el.text_content().split())
            if text:
                removed.append(Span("site_prune", text))
            el.drop_tree()
    bodies = site.body(tree) if site.body is not None else []
    return (bodies[0] if bodies else tree), removed


def extract_article(html: str, *, table: RuleTable, title: str | None = None, url: str | None = None,
                    mojibake: bool = True, site_rules: tuple[SiteRule, ...] = (),
                    tree: lxml_html.HtmlElement | None = None) -> Extraction:
    """Article text and metadata of an HTML page; raises HtmlError when it cannot be parsed.

    `tree` is the page already parsed with parse_html(html), by a caller that looked at it first (the crawler
    reads links from it); site rules may drop elements from it, so the caller should not use it afterwards."""
    tree = tree if tree is not None else parse_html(html)
    meta = extract_meta(tree)
    title = title or (normalize_line(meta.title) if meta.title else None)
    site = rule_for(site_rules, url or meta.url) if site_rules else None
    site_removed: list[Span] = []
    if site is not None:
        table = table.extended(list(site.text_rules)) if site.text_rules else table
        root, site_removed = _apply_site_rule(tree, site)
        if root is not tree:
            result, pruned = _from_dom(root, table, title, True, mojibake)
            return Extraction(result, meta, "site-body", site_removed + pruned)
    result, pruned = _from_dom(tree, table, title, True, mojibake)
    lone = _lone_article(tree)
    if lone is not None and result.text and not _holds(lone, result.text):
        inner, inner_pruned = _from_dom(lone, table, title, True, mojibake, whole=True)
        if inner.text:  # the page says where its article is, however short: not a list, no second opinion
            return Extraction(inner, meta, "dom-article", site_removed + inner_pruned)
    pruned = site_removed + pruned
    if meta.declared_kind != "article" and (reason := list_page_reason(tree, url or meta.url, result)):
        return Extraction(result, meta, "dom", pruned, not_article=reason)
    best, t = Extraction(result, meta, "dom", pruned), tuning.active
    if len(result.text) < t.thin_text:  # within the page's one <article> when it has one: the rest is not the article
        unpruned, _ = _from_dom(tree if lone is None else lone, table, title, False, mojibake)
        if len(unpruned.text) > len(result.text):
            best = Extraction(unpruned, meta, "dom-unpruned")
    kept = best.result.text
    # a block right under the page's <h1> is the article however short; a long one needs no second opinion
    sure = best.result.under_headline or text_size(kept) >= t.second_opinion_size
    if (len(kept) >= t.thin_text and sure) or len(html) > MAX_TRAFILATURA_CHARS or (lone is not None and kept):
        return best
    import trafilatura  # a second opinion some pages never need: its import costs a tenth of a second

    body = trafilatura.extract(tree, url=url or meta.url, include_comments=False, include_tables=True,
                               output_format="txt", with_metadata=False, deduplicate=False)
    if body and body.strip():
        body = _CELL_SEPARATOR.sub(" ", body)  # trafilatura joins table cells with " | ": not page text
        fallback = clean_page_text(normalize_text(body, mojibake=mojibake), table, title)
        if _second_opinion_wins(kept, fallback.text):
            return Extraction(fallback, meta, "trafilatura")
    return best


def _second_opinion_wins(ours: str, theirs: str) -> bool:
    """Trafilatura's text replaces a short DOM result when it is much longer and holds what the DOM pass kept
    (it found more of the same article), or when the DOM pass kept almost nothing."""
    t = tuning.active
    if len(ours) < t.thin_text:
        return len(theirs) > len(ours)
    if not t.second_opinion_gain * text_size(ours) <= text_size(theirs) <= t.second_opinion_max_gain * text_size(ours):
        return False  # not much more, or so much more that it is the whole page (every teaser of a portal)
    ours_bigrams, theirs_bigrams = bigrams(ours), bigrams(theirs)
    shared = sum((ours_bigrams & theirs_bigrams).values())
    return shared >= t.second_opinion_overlap * max(1, sum(ours_bigrams.values()))
