"""The lines of a page as the text cleaner sees them, and the rule pass that cuts spans and drops lines.

Every later step (scoring, the headline, the main block, its ends) reads and marks these `Line`s; this module
holds the record itself and the steps that touch one line at a time: the rule table's inline, tail and whole-line
rules, the keyword-farm and dateline detectors, and the repair of runs of dated data rows.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from typing import Any

import regex

from cleaners import regexcache, tuning
from cleaners.text import metadata, structure
from cleaners.text.catalogue import detector
from cleaners.text.rules import Rule, RuleTable

_LEADING_MARKS = regexcache.compile(r"^[|｜•·●◆■□▪►>*\-\s]+")
_ONLY_PUNCT = regexcache.compile(r"^[\p{P}\p{S}\p{Z}\s]*$")
_TITLE_KEY = regexcache.compile(r"[\p{P}\p{S}\p{Z}\s]+")
# The detectors implemented here and in structure.py: their names, concepts and roles are the catalogue's.
_KEYWORD_FARM, DATELINE = detector("keyword_farm"), detector("dateline")
# Roles (cleaners.text.catalogue.ROLES) the steps of the text cleaner act on.
FURNITURE, METADATA, HEADLINE = "furniture", "metadata", "headline"
BELOW_HEADLINE, TABLE_FIGURE = "below_headline", "table_figure"
_MAX_RULE_LINE = 20_000  # characters: longer lines (a whole page on one line) skip the rule table


@dataclass(slots=True)
class Line:
    """One line of the page and what the steps have found about it so far."""

    text: str  # what is still kept of the line
    pieces: list[list] = field(default_factory=list)  # [span, rule or None] in order, the line as it stood
    removed_by: str | None = None
    tail: Rule | None = None
    ends_article: bool = False
    roles: frozenset[str] = frozenset()  # of the rule or detector that removed the whole line
    shape: structure.LineShape | None = None
    score: float = 0.0
    link_ratio: float = 0.0  # share of the line inside links (HTML input only)
    tag: str = ""  # the block element that held the line (HTML input only)


@dataclass(frozen=True)
class LineHint:
    """What the DOM says about a line that flattened text cannot: how much of it is links, which element."""

    link_ratio: float = 0.0
    tag: str = ""


# the ASCII characters _TITLE_KEY deletes (punctuation, symbols, spaces): ASCII lines are keyed by bytes.translate
_ASCII_NOT_KEY = bytes(c for c in range(128) if _TITLE_KEY.fullmatch(chr(c)))


@functools.lru_cache(maxsize=8192)
def title_key(s: str) -> str:
    """A title compared without spaces and punctuation (`要闻:辽宁…` equals `要闻：辽宁…`)."""
    if s.isascii():
        return s.encode("ascii").translate(None, _ASCII_NOT_KEY).decode("ascii").lower()
    return _TITLE_KEY.sub("", s).lower()


def _capture(meta: dict[str, Any], rule: Rule, m: regex.Match) -> None:
    for group in rule.meta:
        value = m.group(group)
        if value and value.strip():
            meta.setdefault(group, value.strip())


def _cut_inline(ln: Line, rule: Rule, meta: dict[str, Any]) -> bool:
    """Cut this rule's spans out of the kept pieces of a line; True when something was cut."""
    cut = False
    pieces: list[list] = []
    for span, owner in ln.pieces:
        if owner is not None:
            pieces.append([span, owner])
            continue
        pos = 0
        for m in rule.regex.finditer(span):
            if not m.group().strip():
                continue
            pieces.append([span[pos:m.start()], None])
            pieces.append([m.group(), rule.name])
            _capture(meta, rule, m)
            pos, cut = m.end(), True
        pieces.append([span[pos:], None])
    if cut:
        ln.pieces = [p for p in pieces if p[0]]
        ln.text = "".join(p[0] for p in ln.pieces if p[1] is None).strip()
    return cut


def apply_rules(lines: list[Line], table: RuleTable, meta: dict[str, Any]) -> None:
    for ln in lines:
        if len(ln.text) > _MAX_RULE_LINE:  # no boilerplate line is this long; keep pathological lines cheap
            continue
        rules = table.for_line(ln.text)
        for rule in rules.inline:
            if not _cut_inline(ln, rule, meta):
                continue
            ln.ends_article |= rule.ends_article
            if _ONLY_PUNCT.match(ln.text):
                ln.removed_by, ln.roles = rule.name, rule.line_roles
                break
        if ln.removed_by:
            continue
        probe = _LEADING_MARKS.sub("", ln.text)  # `• 相关新闻`, `| 回复线索：` match like the bare words
        tail, whole = rules.for_head(probe)
        for rule in tail:
            if m := rule.matches_line(probe):
                ln.removed_by, ln.tail, ln.roles = rule.name, rule, rule.line_roles
                _capture(meta, rule, m)
                break
        if ln.removed_by:
            continue
        for rule in whole:
            if m := rule.matches_line(probe):
                ln.removed_by, ln.roles = rule.name, rule.line_roles
                _capture(meta, rule, m)
                break
        if not ln.removed_by:
            _detect_shapes(ln, meta)


def _detect_shapes(ln: Line, meta: dict[str, Any]) -> None:
    """The structural line detectors: keyword farms and datelines."""
    if structure.is_keyword_farm(ln.text):
        ln.removed_by, ln.roles = _KEYWORD_FARM.name, _KEYWORD_FARM.line_roles
    elif structure.dateline_date(ln.text):
        ln.removed_by, ln.roles = DATELINE.name, DATELINE.line_roles
        if iso := metadata.find_text_date(ln.text):
            meta.setdefault("date", iso)


def build_lines(texts: list[str], hints: list[LineHint] | None) -> list[Line]:
    lines = []
    for i, t in enumerate(texts):
        if t.strip():
            ln = Line(t, [[t, None]])
            if hints is not None:
                ln.link_ratio, ln.tag = hints[i].link_ratio, hints[i].tag
            lines.append(ln)
    return lines


def restore(ln: Line) -> None:
    """Undo a whole-line removal: the line is content after all."""
    ln.removed_by, ln.roles = None, frozenset()
    ln.pieces = [[span, None] for span, _owner in ln.pieces]
    ln.text = "".join(span for span, _owner in ln.pieces).strip()


def unstamp_data_runs(lines: list[Line]) -> None:
    """A run of timestamped lines of figures one after another is data (a log, a query's output, a timetable),
    not the headers of feed items, which a headline or a teaser always parts: its rows are content, cheap to
    cross."""
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and (lines[j].shape.stamped or lines[j].removed_by == DATELINE.name) \
                and _mostly_figures(lines[j].text):
            j += 1
        if j - i >= tuning.active.data_run:
            for ln in lines[i:j]:
                if ln.removed_by == DATELINE.name:
                    restore(ln)  # its text is whole again: shaped anew
                    ln.shape = structure.shape(ln.text)
                ln.shape = replace(ln.shape, stamped=False, listed=True)
        i = max(j, i + 1)


def _mostly_figures(text: str) -> bool:
    """A row of data is mostly digits (`2020-08-01 17:59 │ 400 │ 12`); a ticker item is mostly its headline."""
    digits = sum(c.isdigit() for c in text)
    return digits >= tuning.active.data_digit_share * sum(c.isalnum() for c in text)


def mark(lines: list[Line], idx: range, rule: str) -> None:
    for i in idx:
        ln = lines[i]
        if not ln.removed_by:
            ln.removed_by = rule
