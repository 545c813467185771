"""The HTML cascade: parse once, prune furniture in the DOM, run the shared text rules on the lines, fall back.

1. DOM lines with link densities, furniture pruned (cleaners.dom), through the text rules (cleaners.textclean);
2. if pruning left almost nothing, the same without pruning (a page whose article sits in a box the class
   vocabulary mistakes for furniture);
3. if that is still thin, trafilatura on the same tree, its text through the same text rules.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import trafilatura

from .dom import dom_lines
from .htmlextract import parse_html
from .htmlmeta import HtmlMeta, extract_meta
from .normalize import normalize_line, normalize_lines, normalize_text
from .pagetype import page_kind
from .rules import RuleTable
from .textclean import LineHint, TextResult, clean_lines, clean_page_text

# Below this many characters of kept text, the next step of the cascade is tried.
THIN_TEXT = 80
# A list page: the best block is shorter than this, and the page holds LIST_SPREAD times more prose elsewhere.
LIST_TEASER_MAX = 200
LIST_SPREAD = 5
# Pages larger than this skip trafilatura (its libxml2 calls cannot be interrupted by the time limit).
MAX_TRAFILATURA_CHARS = 2_000_000


@dataclass
class Extraction:
    result: TextResult
    meta: HtmlMeta
    extractor: str  # "dom", "dom-unpruned" or "trafilatura"
    pruned: list[tuple[str, str]] = field(default_factory=list)  # (rule, text) removed in the DOM
    not_article: str | None = None  # why the page is a list or index page rather than an article


def list_page_reason(tree, url: str | None, result: TextResult) -> str | None:
    """Why this is a list page, or None: the page-type signals say so and the article block is only a teaser.

    Both must agree: page_kind alone is tuned for a crawler deciding what to follow and calls many
    short articles under long feeds lists; a short block beside a heap of other prose is a teaser.
    """
    if result.under_headline:  # the block sits under the page's <h1>: an article, however short
        return None
    kind = page_kind(tree, url)
    if kind.kind != "list":
        return None
    kept = len(result.text)
    if kept >= LIST_TEASER_MAX or kind.prose_chars < LIST_SPREAD * max(1, kept):
        return None
    return f"{kind.reason}; the best block holds {kept} of {kind.prose_chars} prose characters"


def _from_dom(tree, table: RuleTable, title: str | None, prune: bool, mojibake: bool) -> tuple[TextResult, list]:
    dom = dom_lines(tree, prune=prune)
    texts = normalize_lines([ln.text for ln in dom.lines], mojibake=mojibake)
    hints = [LineHint(ln.link_ratio, ln.tag) for ln in dom.lines]
    return clean_lines(texts, hints, table, title), dom.pruned


def extract_article(html: str, *, table: RuleTable, title: str | None = None, url: str | None = None,
                    mojibake: bool = True) -> Extraction:
    """Article text and metadata of an HTML page; raises HtmlError when it cannot be parsed."""
    tree = parse_html(html)
    meta = extract_meta(tree)
    title = title or (normalize_line(meta.title) if meta.title else None)
    result, pruned = _from_dom(tree, table, title, True, mojibake)
    if reason := list_page_reason(tree, url or meta.url, result):
        return Extraction(result, meta, "dom", pruned, not_article=reason)
    if len(result.text) >= THIN_TEXT:
        return Extraction(result, meta, "dom", pruned)
    unpruned, _ = _from_dom(tree, table, title, False, mojibake)
    best = Extraction(unpruned, meta, "dom-unpruned") if len(unpruned.text) > len(result.text) else \
        Extraction(result, meta, "dom", pruned)
    if len(best.result.text) >= THIN_TEXT or len(html) > MAX_TRAFILATURA_CHARS:
        return best
    body = trafilatura.extract(tree, url=url or meta.url, include_comments=False, include_tables=True,
                               output_format="txt", with_metadata=False, deduplicate=False)
    if body and body.strip():
        fallback = clean_page_text(normalize_text(body, mojibake=mojibake), table, title)
        if len(fallback.text) > len(best.result.text):
            return Extraction(fallback, meta, "trafilatura")
    return best
