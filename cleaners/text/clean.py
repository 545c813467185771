"""Clean flattened page text: rules from the table, structural detectors, then the main text block.

Steps, in order:
1. inline rules cut spans out of lines (end markers, trailing `Tags:`), line rules drop whole lines;
2. detectors drop keyword farms and datelines;
3. the title is found (given, or a headline line that repeats or stands above a dateline) and its repeats go;
4. the main block is the run of lines with the highest prose score (punctuation density);
5. tail markers after the start of the block (comment sections, disclaimers, end markers) cut what follows;
6. what lies outside the block goes, a run of headline-like lines after it named as a related-news list.
Every removed span is recorded with the rule that removed it.

This module runs the steps and builds the result; the steps live beside it: `lines` (the line record and the rule
pass), `headline`, `block` (scores and the main block) and `ends` (where the article stops).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cleaners import tuning
from cleaners.record import Span
from cleaners.text import metadata, structure
from cleaners.text.block import anchored_block, container_regions, grow, line_scores, plain_run
from cleaners.text.catalogue import detector
from cleaners.text.ends import (
    apply_tails,
    closing_credit,
    cut_at_next_item,
    mark_after,
    mark_repeats,
    plain_continuation,
)
from cleaners.text.headline import REPEATED_TITLE, find_title, mark_title
from cleaners.text.lines import (
    METADATA,
    TABLE_FIGURE,
    Line,
    LineHint,
    apply_rules,
    build_lines,
    mark,
    restore,
    title_key,
    unstamp_data_runs,
)
from cleaners.text.rules import RuleTable, default_table

_BEFORE_ARTICLE, _NO_ARTICLE_TEXT = detector("before_article").name, detector("no_article_text").name


@dataclass
class TextResult:
    text: str
    removed: list[Span]
    title: str | None
    meta: dict[str, Any] = field(default_factory=dict)
    # the input line by line, each a list of spans with rule None for kept text: what `explain` shows
    annotated: list[list[Span]] = field(default_factory=list)
    under_headline: bool = False  # the kept block starts right under the page's <h1> headline
    headline_links: int = 0  # linked headline lines inside the kept block: items of a list page


def clean_page_text(text: str, table: RuleTable | None = None, title: str | None = None) -> TextResult:
    """Clean normalised page text (one line per block) and say what was removed and why."""
    return clean_lines(text.split("\n"), None, table, title)


def clean_lines(texts: list[str], hints: list[LineHint] | None = None, table: RuleTable | None = None,
                title: str | None = None, regions: list[tuple[int, int]] | None = None,
                whole: bool = False) -> TextResult:
    """Clean normalised lines, with optional DOM hints aligned to them; blank lines are skipped.

    `whole`: the lines are known to be the article (its own element), so where no line scores as prose, what the
    rules leave is kept rather than nothing.

    `regions`: the lines each block element of the page holds, as inclusive index ranges into `texts`."""
    table = table or default_table()
    lines = build_lines(texts, hints)
    containers = container_regions(texts, regions) if regions else []
    meta: dict[str, Any] = {}
    apply_rules(lines, table, meta)
    for ln in lines:
        ln.shape = structure.shape(ln.text)
    unstamp_data_runs(lines)

    block = structure.best_block(line_scores(lines))
    title = title or meta.get("title") or (find_title(lines, block[0]) if block else None)
    if title and (printed := mark_title(lines, title)):
        block = structure.best_block(line_scores(lines))
        # `标题 (2024年5月20日掲載)` in <title>, `标题` in the <h1>: the headline is the <h1>'s
        if len(title_key(printed)) < len(title_key(title)):
            title = printed
    anchored = anchored_block(lines, block)
    block = plain_run(lines, anchored)
    plain = block != anchored  # a document that is not prose: its last line need not be a sentence
    if block is None and whole:
        left = [i for i, ln in enumerate(lines) if not ln.removed_by and ln.text]
        block = (left[0], left[-1]) if left else None
    if block is None:
        mark(lines, range(len(lines)), _NO_ARTICLE_TEXT)
        return _finish(lines, title, meta)

    core = block  # the block as the line scores found it, before it grows to its container
    if not plain and containers:
        block = grow(lines, block, containers)
    start, end = block
    end = cut_at_next_item(lines, start, end)
    end = apply_tails(lines, start, end)
    # a cut can leave headline-like lines at the new end: the block ends on prose, as it would without the cut
    while end > start and lines[end].score <= 0 and not plain:
        end -= 1
    end = plain_continuation(lines, closing_credit(lines, end))
    for ln in lines[start:end + 1]:
        if TABLE_FIGURE in ln.roles and ln.tag in ("td", "th"):  # a figure in the article's table is data
            restore(ln)
    mark(lines, range(0, start), _BEFORE_ARTICLE)
    mark_after(lines, end + 1)
    mark_repeats(lines)

    result = _finish(lines, title, meta)
    t = tuning.active
    result.under_headline = any(ln.removed_by == REPEATED_TITLE.name and ln.tag == "h1"
                                for ln in lines[max(0, start - t.under_headline_reach):start])
    result.headline_links = sum(1 for ln in lines[max(start, core[0]):min(end, core[1]) + 1]
                                if ln.link_ratio >= t.headline_link and ln.shape.chars >= t.headline_link_min_chars)
    return result


def _finish(lines: list[Line], title: str | None, meta: dict[str, Any]) -> TextResult:
    removed: list[Span] = []
    kept: list[str] = []
    annotated: list[list[Span]] = []
    for ln in lines:
        row = [Span(owner or ln.removed_by, span) for span, owner in ln.pieces]
        annotated.append(row)
        removed.extend(Span(s.rule, s.text.strip()) for s in row if s.rule and s.text.strip())
        if not ln.removed_by and ln.text:
            kept.append(ln.text)
    if "date" not in meta:  # a date stated in a removed meta line (来源:… 更新时间:2020-12-26 …)
        for ln in lines:
            if METADATA in ln.roles and (iso := metadata.find_date(ln.pieces[0][0] if ln.pieces else "")):
                meta["date"] = iso
                break
    # bylines: the top of the page, the lines around the article's start, and every removed meta line
    t = tuning.active
    starts = [i for i, ln in enumerate(lines) if not ln.removed_by][:1]
    near = range(max(0, starts[0] - t.byline_above), min(len(lines), starts[0] + t.byline_below)) if starts \
        else range(0)
    picked = [i for i in range(len(lines)) if i < t.byline_head_lines or i in near or METADATA in lines[i].roles]
    context = [lines[i].pieces[0][0] for i in picked if lines[i].pieces]
    meta.update({k: v for k, v in metadata.bylines(context).items() if k not in meta})
    if "date" not in meta:  # a date printed near the start of the article (发表于 2005-5-7 21:23:57)
        for i in near:
            if lines[i].pieces and structure.is_stamped(lines[i].pieces[0][0]):
                if iso := metadata.find_date(lines[i].pieces[0][0]):
                    meta["date"] = iso
                    break
    return TextResult("\n".join(kept), removed, title, meta, annotated)
