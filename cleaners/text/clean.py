"""Clean flattened page text: rules from the table, structural detectors, then the main text block.

Steps, in order:
1. inline rules cut spans out of lines (end markers, trailing `Tags:`), line rules drop whole lines;
2. detectors drop keyword farms and datelines;
3. the title is found (given, or a headline line that repeats or stands above a dateline) and its repeats go;
4. the main block is the run of lines with the highest prose score (punctuation density);
5. tail markers after the start of the block (comment sections, disclaimers, end markers) cut what follows;
6. what lies outside the block goes, a run of headline-like lines after it named as a related-news list.
Every removed span is recorded with the rule that removed it.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from typing import Any

import regex

from cleaners import tuning
from cleaners.html.headline import split_site_suffix, split_title_parts
from cleaners.text import metadata, structure
from cleaners.text.catalogue import detector
from cleaners.text.rules import Rule, RuleTable, default_table

_BRACKETED = regex.compile(r"^\s*[\[【<《(（].{0,20}[\]】>》)）]")  # [查看目录] [加入书签]: link buttons
_LEADING_MARKS = regex.compile(r"^[|｜•·●◆■□▪►>*\-\s]+")
_ONLY_PUNCT = regex.compile(r"^[\p{P}\p{S}\p{Z}\s]*$")
_TITLE_KEY = regex.compile(r"[\p{P}\p{S}\p{Z}\s]+")
# The detectors implemented here and in structure.py: their names, concepts and roles are the catalogue's.
_KEYWORD_FARM, _DATELINE, _REPEATED_TITLE = detector("keyword_farm"), detector("dateline"), detector("repeated_title")
_LINK_LINE, _REPEATED_PARAGRAPH = detector("link_line"), detector("repeated_paragraph")
_RELATED_HEADLINES, _AFTER_ARTICLE_END = detector("related_headlines").name, detector("after_article_end").name
_BEFORE_ARTICLE, _AFTER_ARTICLE = detector("before_article").name, detector("after_article").name
_NO_ARTICLE_TEXT = detector("no_article_text").name
# Roles (cleaners.text.catalogue.ROLES) the lines of this module act on.
_FURNITURE, _METADATA, _HEADLINE = "furniture", "metadata", "headline"
_BELOW_HEADLINE, _TABLE_FIGURE = "below_headline", "table_figure"
# a sentence that ends with a colon announces what follows: the short items after it are the article's own list
_ANNOUNCES_LIST = regex.compile(r"[:：]\s*$")
# growing the block to its container, an unlinked line of these elements costs only tuning.structure_cost
_STRUCTURE_TAGS = frozenset("h1 h2 h3 h4 h5 h6 li dt dd th td pre blockquote figcaption".split())
_TITLE_PARTED = regex.compile(r"[_|｜]|\s[-–—]\s")
_MAX_RULE_LINE = 20_000  # characters: longer lines (a whole page on one line) skip the rule table


@dataclass
class Removal:
    rule: str
    text: str

    def to_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "text": self.text}


@dataclass(slots=True)
class _Line:
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


@dataclass
class TextResult:
    text: str
    removed: list[Removal]
    title: str | None
    meta: dict[str, Any] = field(default_factory=dict)
    # the input line by line, each a list of (span, rule) with rule None for kept text: what `explain` shows
    annotated: list[list[tuple[str, str | None]]] = field(default_factory=list)
    under_headline: bool = False  # the kept block starts right under the page's <h1> headline
    headline_links: int = 0  # linked headline lines inside the kept block: items of a list page


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


def _cut_inline(ln: _Line, rule: Rule, meta: dict[str, Any]) -> bool:
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


def _apply_rules(lines: list[_Line], table: RuleTable, meta: dict[str, Any]) -> None:
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
        for rule in rules.tail:
            if m := rule.matches_line(probe):
                ln.removed_by, ln.tail, ln.roles = rule.name, rule, rule.line_roles
                _capture(meta, rule, m)
                break
        if ln.removed_by:
            continue
        for rule in rules.whole:
            if m := rule.matches_line(probe):
                ln.removed_by, ln.roles = rule.name, rule.line_roles
                _capture(meta, rule, m)
                break
        if not ln.removed_by:
            _detect_shapes(ln, meta)


def _detect_shapes(ln: _Line, meta: dict[str, Any]) -> None:
    """The structural line detectors: keyword farms and datelines."""
    if structure.is_keyword_farm(ln.text):
        ln.removed_by, ln.roles = _KEYWORD_FARM.name, _KEYWORD_FARM.line_roles
    elif structure.dateline_date(ln.text):
        ln.removed_by, ln.roles = _DATELINE.name, _DATELINE.line_roles
        if iso := metadata.find_text_date(ln.text):
            meta.setdefault("date", iso)


def _scores(lines: list[_Line]) -> list[float]:
    """Prose score per line; prose after a closing block (comments, disclaimer, about-us) counts for less.

    A page's footer often holds punctuated text (a disclaimer, a contact paragraph) that would otherwise
    compete with a short article; once a to-the-end marker follows some prose, what comes after is footer.
    """
    t = tuning.active
    seen, discount, announced = 0.0, 1.0, False
    for ln in lines:
        if ln.removed_by:
            ln.score = t.chrome_penalty if _FURNITURE in ln.roles else 0.0
            if ln.shape.stamped or structure.is_stamped(ln.pieces[0][0] if ln.pieces else ""):
                ln.score = structure.BOUNDARY
            if ln.tail is not None and ln.tail.block == "to_end" and seen >= t.prose_before_footer:
                discount = t.footer_discount
        else:
            ln.score = structure.content_score(ln.shape)
            if ln.link_ratio >= t.link_line:  # a link, or a row of links: navigation, not prose
                ln.score = -(8.0 + min(ln.shape.size, 40) * 0.3) - (abs(ln.score) * 0.3 if ln.score > 0 else 0)
            elif ln.link_ratio > t.linked_prose and ln.score > 0:
                ln.score *= 1.0 - ln.link_ratio
            elif ln.tag in ("td", "th") and ln.score < 0 and ln.link_ratio < t.item_max_link:
                ln.score = -1.0  # a cell of a data table: short, unpunctuated, and content
            elif announced and ln.score < 0 and ln.link_ratio < t.item_max_link:
                ln.score = -1.0  # an item of the list a sentence announced (`… as follows:`, `…如下：`)
            announced = (announced and ln.score < 0) or (
                ln.score > 0 and ln.shape.size >= t.announce_min_size and bool(_ANNOUNCES_LIST.search(ln.text)))
            if ln.score > 0:
                seen += ln.score
                ln.score *= discount
    return [ln.score for ln in lines]


def _find_title(lines: list[_Line], start: int) -> str | None:
    """A headline above the article: one that repeats in the page, or one standing right above a dateline."""
    t = tuning.active
    keys: dict[str, int] = {}
    for ln in lines:
        if ln.text and not ln.removed_by:
            k = title_key(ln.text)
            keys[k] = keys.get(k, 0) + 1
            if len(ln.text) <= t.title_line_max and _TITLE_PARTED.search(ln.text):
                # `栏目|标题`, `Section | Headline`: the headline repeats inside a line that names its section too
                for part in split_title_parts(ln.text):
                    if (pk := title_key(part)) != k:
                        keys[pk] = keys.get(pk, 0) + 1
    # flattened pages often begin with the <title>: `headline_频道_网站名`; a line equal to its headline wins
    first = next((ln.pieces[0][0] for ln in lines if ln.pieces), "")
    head_key = title_key(split_site_suffix(first)[0]) if first else ""
    window = range(max(0, start - t.title_window), start)
    candidates = [
        i for i in window
        if not lines[i].removed_by and t.title_min_size <= lines[i].shape.size
        and lines[i].shape.chars <= t.title_max_chars * (t.spaced_letters_per_han if lines[i].shape.spaced else 1)
        and not lines[i].shape.is_paragraph and not lines[i].shape.bullet and not lines[i].shape.listed
        and not _BRACKETED.match(lines[i].text)
    ]
    for i in candidates:
        k = title_key(lines[i].text)
        if keys.get(k, 0) >= t.title_repeats or (len(k) >= t.title_min_key and k == head_key):
            return lines[i].text
    for i in reversed(candidates):
        following = [j for j in range(i + 1, min(len(lines), i + 1 + t.title_dateline_reach))]
        if any(_BELOW_HEADLINE in lines[j].roles for j in following):
            return lines[i].text
    return None


def _same_title(line_key: str, key: str, is_h1: bool) -> bool:
    """The headline again: equal, or (for an <h1>, or a long line) the title with a site or date suffix added
    or dropped (`标题 (2024年5月20日掲載)`)."""
    if line_key == key:
        return True
    short, long = sorted((line_key, key), key=len)
    t = tuning.active
    if len(short) < t.same_title_min or not long.startswith(short):
        return False
    return is_h1 or len(short) >= t.same_title_share * len(long)


def _is_headline(ln: _Line) -> bool:
    return bool(ln.removed_by) or (ln.shape is not None and ln.shape.is_headline_like)


_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())


def _is_strong_boundary(lines: list[_Line], i: int) -> bool:
    """Where one item of a feed ends and the next begins: a linked headline, a timestamp over a link, a list
    header."""
    ln, t = lines[i], tuning.active
    if ln.tail is not None:
        return True
    if ln.link_ratio >= t.linked_heading and ln.tag in _HEADINGS:
        return True
    if ln.shape.stamped:
        if not any(x.tag for x in lines):  # flattened text: no link information, a timestamp line suffices
            return True
        nxt = next((x for x in lines[i + 1:i + 1 + t.stamp_link_reach] if not x.removed_by), None)
        return nxt is not None and nxt.link_ratio >= t.linked_heading
    return False


def _anchored(lines: list[_Line], block: tuple[int, int] | None) -> tuple[int, int] | None:
    """Prefer the block that follows the headline, up to the first feed boundary after it.

    A page's best-scoring block can be a long teaser in a feed below a short article; the article is the one
    under its headline. Under an <h1> headline the anchored block wins; under a headline found elsewhere it
    wins unless the global block is four times larger.
    """
    anchors = [i for i, ln in enumerate(lines) if _HEADLINE in ln.roles]
    if not anchors:
        return block
    # the <h1>; in flattened text the headline nearest above the best block (the page's <title> repeats the
    # headline at the top of the page too)
    t = tuning.active
    near = [i for i in anchors if block is not None and block[0] - t.anchor_reach <= i < block[0]
            and not lines[i].shape.bullet]
    anchor = next((i for i in anchors if lines[i].tag == "h1"), near[-1] if near else anchors[0])
    first = next((i for i in range(anchor + 1, min(len(lines), anchor + t.anchor_prose_reach))
                  if lines[i].score > 0), None)
    if first is None:
        return block
    stop, prose = len(lines), 0.0
    for i in range(first, len(lines)):
        if i > first and _is_strong_boundary(lines, i) and (lines[i].tail is not None or prose >= t.own_dateline_prose
                                                            or not lines[i].shape.stamped):
            stop = i
            break
        prose += max(0.0, lines[i].score)
    scores = [ln.score for ln in lines[first:stop]]
    local = structure.best_block(scores)
    if local is None:
        return block
    local = (local[0] + first, local[1] + first)
    closing = stop < len(lines) and lines[stop].tail is not None
    if block is None or lines[anchor].tag == "h1" or (closing and block[0] > stop):
        return local  # under an <h1>, or the other block lies in the comments/related part after the article
    total = sum(ln.score for ln in lines[block[0]:block[1] + 1])
    local_total = sum(ln.score for ln in lines[local[0]:local[1] + 1])
    return local if local_total * t.anchor_yield >= total else block


def _plain_run(lines: list[_Line], block: tuple[int, int] | None) -> tuple[int, int] | None:
    """The run of link-free lines that is the document, when the page's text is not prose.

    A conference agenda, a schedule or a journal issue's table of contents is all short unpunctuated lines
    (times, places, titles, names): no line scores as prose, and the best block is a stray sentence or
    nothing. On an HTML page a long run of lines that are neither links nor rule-removed furniture is the
    document itself: the run right under the headline, or, on a page with no headline found and no prose,
    the longest such run. Flattened text has no links to tell a roster from a menu, only the bullets that
    flattening puts before list items: there, only a page with no prose at all is searched, bullets as links.
    """
    t = tuning.active
    flat = not any(ln.tag for ln in lines)
    found = sum(ln.shape.chars for ln in lines[block[0]:block[1] + 1] if not ln.removed_by) if block else 0
    anchor = next((i for i, ln in enumerate(lines) if ln.removed_by == _REPEATED_TITLE.name), None)
    if flat and found >= t.thin_prose:
        return block
    if anchor is not None and not flat:
        runs = [_link_free_run(lines, anchor + 1)[0]]
    elif found < t.thin_prose:
        runs, i = [], 0
        while i < len(lines):
            run, i = _link_free_run(lines, i)
            runs.append(run)
            i += 1
    else:
        return block
    chars, run = max(((sum(lines[i].shape.chars for i in r), r) for r in runs), default=(0, []))
    if len(run) < t.plain_run_lines or chars < t.plain_run_chars or found >= t.plain_run_share * chars:
        return block
    return run[0], run[-1]


def _link_free_run(lines: list[_Line], i: int) -> tuple[list[int], int]:
    """The kept lines from `i` up to the first link, tail marker or furniture line; and where it stopped."""
    run: list[int] = []
    unlinked = tuning.active.unlinked
    while i < len(lines):
        ln = lines[i]
        if ln.link_ratio >= unlinked or ln.tail is not None or ln.ends_article or _FURNITURE in ln.roles \
                or (not ln.tag and ln.shape.bullet):
            break
        if not ln.removed_by:
            run.append(i)
        i += 1
    if i < len(lines) and lines[i].link_ratio >= unlinked:
        while run and lines[run[-1]].tag in _HEADINGS:  # the heading of the link list that follows
            run.pop()
    return run, i


def _closing_credit(lines: list[_Line], end: int) -> int:
    """Take in a reporter or photo credit printed after the block's last paragraph (a removed placeholder or
    meta line may stand between)."""
    t = tuning.active
    for i in range(end + 1, min(len(lines), end + 1 + t.credit_reach)):
        ln = lines[i]
        if ln.tail is not None or ln.ends_article or _FURNITURE in ln.roles or ln.link_ratio >= t.unlinked:
            break
        if not ln.removed_by:
            return i if len(ln.text) <= t.credit_max_chars and structure.CLOSING_CREDIT.match(ln.text.strip()) else end
    return end


def _plain_continuation(lines: list[_Line], end: int) -> int:
    """Extend the block over the link-free lines that follow it directly when the text announces them as part
    of the document (`附：招生专业及考试科目`, `名单如下：`): a table appended to a notice scores as no prose."""
    if not any(ln.tag for ln in lines):
        return end
    run, _ = _link_free_run(lines, end + 1)
    if not run:
        return end
    if len(run) < tuning.active.appendix_min_lines \
            or not any(structure.ANNOUNCES_APPENDIX.search(lines[i].text) for i in (end, run[0])):
        return end
    return run[-1]  # its table's figures are restored with the rest of the block's


def _restore(ln: _Line) -> None:
    """Undo a whole-line removal: the line is content after all."""
    ln.removed_by, ln.roles = None, frozenset()
    ln.pieces = [[span, None] for span, _owner in ln.pieces]
    ln.text = "".join(span for span, _owner in ln.pieces).strip()


def _unstamp_data_runs(lines: list[_Line]) -> None:
    """A run of timestamped lines of figures one after another is data (a log, a query's output, a timetable),
    not the headers of feed items, which a headline or a teaser always parts: its rows are content, cheap to
    cross."""
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and (lines[j].shape.stamped or lines[j].removed_by == _DATELINE.name) \
                and _mostly_figures(lines[j].text):
            j += 1
        if j - i >= tuning.active.data_run:
            for ln in lines[i:j]:
                if ln.removed_by == _DATELINE.name:
                    _restore(ln)  # its text is whole again: shaped anew
                    ln.shape = structure.shape(ln.text)
                ln.shape = replace(ln.shape, stamped=False, listed=True)
        i = max(j, i + 1)


def _mostly_figures(text: str) -> bool:
    """A row of data is mostly digits (`2020-08-01 17:59 │ 400 │ 12`); a ticker item is mostly its headline."""
    digits = sum(c.isdigit() for c in text)
    return digits >= tuning.active.data_digit_share * sum(c.isalnum() for c in text)


def _cut_at_next_item(lines: list[_Line], start: int, end: int) -> int:
    """End the block before a timestamp line that comes once the article's prose has begun.

    The article's own dateline stands above its text; a date-and-time line after a paragraph of prose heads
    the next post of a blog page, the next reply of a thread, the next entry of a feed.
    """
    prose, before_item = 0.0, tuning.active.prose_before_item
    for i in range(start, end + 1):
        ln = lines[i]
        if prose >= before_item and (ln.shape.stamped or ln.score == structure.BOUNDARY):
            j = i - 1
            while j > start and lines[j].score <= 0:
                j -= 1
            return j
        if ln.score > 0:
            prose += ln.score
    return end


def _list_follows(lines: list[_Line], i: int, start: int) -> bool:
    """A list header after a real article, followed by list items: the rest of the page is furniture."""
    t = tuning.active
    prose = sum(ln.score for ln in lines[start:i] if ln.score > 0)
    following = [ln for ln in lines[i + 1:i + 1 + t.list_follow_reach] if not ln.removed_by][:t.list_follow_items]
    return prose >= t.prose_before_footer and len(following) == t.list_follow_items and all(
        ln.shape.is_headline_like or ln.shape.bullet for ln in following
    )


def _mark(lines: list[_Line], idx: range, rule: str) -> None:
    for i in idx:
        ln = lines[i]
        if not ln.removed_by:
            ln.removed_by = rule


@dataclass(frozen=True)
class LineHint:
    """What the DOM says about a line that flattened text cannot: how much of it is links, which element."""

    link_ratio: float = 0.0
    tag: str = ""


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
    lines = _build_lines(texts, hints)
    containers = _containers(texts, regions) if regions else []
    meta: dict[str, Any] = {}
    _apply_rules(lines, table, meta)
    for ln in lines:
        ln.shape = structure.shape(ln.text)
    _unstamp_data_runs(lines)

    block = structure.best_block(_scores(lines))
    title = title or meta.get("title") or (_find_title(lines, block[0]) if block else None)
    if title and (printed := _mark_title(lines, title)):
        block = structure.best_block(_scores(lines))
        # `标题 (2024年5月20日掲載)` in <title>, `标题` in the <h1>: the headline is the <h1>'s
        if len(title_key(printed)) < len(title_key(title)):
            title = printed
    anchored = _anchored(lines, block)
    block = _plain_run(lines, anchored)
    plain = block != anchored  # a document that is not prose: its last line need not be a sentence
    if block is None and whole:
        left = [i for i, ln in enumerate(lines) if not ln.removed_by and ln.text]
        block = (left[0], left[-1]) if left else None
    if block is None:
        _mark(lines, range(len(lines)), _NO_ARTICLE_TEXT)
        return _finish(lines, title, meta)

    core = block  # the block as the line scores found it, before it grows to its container
    if not plain and containers:
        block = _grow(lines, block, containers)
    start, end = block
    end = _cut_at_next_item(lines, start, end)
    end = _apply_tails(lines, start, end)
    # a cut can leave headline-like lines at the new end: the block ends on prose, as it would without the cut
    while end > start and lines[end].score <= 0 and not plain:
        end -= 1
    end = _plain_continuation(lines, _closing_credit(lines, end))
    for ln in lines[start:end + 1]:
        if _TABLE_FIGURE in ln.roles and ln.tag in ("td", "th"):  # a figure in the article's table is data
            _restore(ln)
    _mark(lines, range(0, start), _BEFORE_ARTICLE)
    _mark_after(lines, end + 1)
    _mark_repeats(lines)

    result = _finish(lines, title, meta)
    t = tuning.active
    result.under_headline = any(ln.removed_by == _REPEATED_TITLE.name and ln.tag == "h1"
                                for ln in lines[max(0, start - t.under_headline_reach):start])
    result.headline_links = sum(1 for ln in lines[max(start, core[0]):min(end, core[1]) + 1]
                                if ln.link_ratio >= t.headline_link and ln.shape.chars >= t.headline_link_min_chars)
    return result


def _containers(texts: list[str], regions: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Regions re-indexed to the non-blank lines that _build_lines keeps, smallest first; empty ones dropped."""
    kept = [0]
    for t in texts:
        kept.append(kept[-1] + (1 if t.strip() else 0))
    out = {(kept[a], kept[b + 1] - 1) for a, b in regions if kept[b + 1] > kept[a]}
    return sorted(out, key=lambda r: r[1] - r[0])


def _prose(lines: list[_Line]) -> float:
    return sum(ln.score for ln in lines if ln.score > 0)


def _is_barrier(ln: _Line) -> bool:
    """A line the article does not grow across: a closing marker, or a timestamp that heads another item."""
    return ln.tail is not None or ln.ends_article or ln.shape.stamped or ln.score == structure.BOUNDARY


def _grow(lines: list[_Line], block: tuple[int, int], containers: list[tuple[int, int]]) -> tuple[int, int]:
    """Widen the block to the page element that holds it, when the rest of that element is mostly prose.

    An article's paragraphs share one container, but a heading that is a link, an inline advert, a caption or a
    "related" box between them scores low enough to split the run of lines in two, and the best run is then only
    part of the article. Going up from the smallest element that holds the block, each larger one is taken when
    the prose it adds outweighs tuning.grow_ratio times the furniture it adds; growth never crosses a barrier line.
    """
    start, end = block
    t = tuning.active
    low = next((i + 1 for i in range(start - 1, -1, -1) if _is_barrier(lines[i])), 0)
    prose, high = _prose(lines[start:end + 1]), len(lines) - 1
    for i in range(end + 1, len(lines)):
        # a timestamp heads the next item once the article has said something; the article's own byline and
        # date (`by … January 18, 2017 11:00 PM`) stand under its standfirst
        ln = lines[i]
        if _is_barrier(ln) and (ln.tail is not None or ln.ends_article or prose >= t.own_dateline_prose):
            high = i - 1
            break
        prose += max(0.0, ln.score)
    for a, b in containers:
        if a > start or b < end:
            continue
        a, b = max(a, low), min(b, high)
        gain = cost = 0.0
        dated = 0
        first, last = start, end
        for i in (*range(a, start), *range(end + 1, b + 1)):
            ln = lines[i]
            dated += ln.removed_by == _DATELINE.name and ln.link_ratio < t.unlinked
            if ln.removed_by:
                continue
            if ln.score > 0:
                gain += ln.score
                first, last = min(first, i), max(last, i)
            elif ln.link_ratio < t.unlinked or (ln.link_ratio < t.link_line and ln.tag in _STRUCTURE_TAGS):
                cost += t.structure_cost  # a subheading, a list item, a short line of text: the article's own
            else:
                cost -= ln.score
        if dated >= t.feed_dates:
            break  # the element holds a feed, each of its items dated: larger ones hold more of it
        if gain >= t.grow_min_gain and gain >= t.grow_ratio * cost:
            start, end = first, last
    for i in (*range(start, block[0]), *range(block[1] + 1, end + 1)):
        ln = lines[i]
        if not ln.removed_by and ln.score <= 0 and ln.link_ratio >= t.link_line:  # a row of links the box holds
            ln.removed_by, ln.roles = _LINK_LINE.name, _LINK_LINE.line_roles
    return start, end


def _build_lines(texts: list[str], hints: list[LineHint] | None) -> list[_Line]:
    lines = []
    for i, t in enumerate(texts):
        if t.strip():
            ln = _Line(t, [[t, None]])
            if hints is not None:
                ln.link_ratio, ln.tag = hints[i].link_ratio, hints[i].tag
            lines.append(ln)
    return lines


def _mark_title(lines: list[_Line], title: str) -> str | None:
    """Remove the headline wherever it repeats; the headline as the page's <h1> prints it, when it does."""
    key, found = title_key(title), None
    for ln in lines:
        if not ln.removed_by and ln.text and _same_title(title_key(ln.text), key, ln.tag == "h1"):
            ln.removed_by, ln.roles = _REPEATED_TITLE.name, _REPEATED_TITLE.line_roles
            if found is None or ln.tag == "h1":
                found = ln.text if ln.tag == "h1" else (found or title)
    return found


def _apply_tails(lines: list[_Line], start: int, end: int) -> int:
    """Tail markers after the start of the article cut what follows them; the new end of the block."""
    i = start
    while i < len(lines):
        ln = lines[i]
        if ln.ends_article:
            _mark(lines, range(i + 1, len(lines)), _AFTER_ARTICLE_END)
            return min(end, i)
        if ln.tail is not None and i > start:
            if ln.tail.block == "to_end" or _list_follows(lines, i, start):
                _mark(lines, range(i + 1, len(lines)), ln.tail.name)
                return min(end, i - 1)
            j = i + 1
            while j < len(lines) and _is_headline(lines[j]):
                j += 1
            _mark(lines, range(i + 1, j), ln.tail.name)
            i = j
            continue
        i += 1
    return end


def _mark_repeats(lines: list[_Line]) -> None:
    """A run of paragraphs kept twice goes the second time: pages print the article again for another layout (a
    mobile copy, a tab, a print view). A single repeated line stays: a caption is often printed under its photo and
    again in the text, and both count."""
    seen: set[str] = set()
    run: list[_Line] = []
    t = tuning.active
    for ln in [ln for ln in lines if not ln.removed_by and ln.shape.size >= t.repeat_min_size] + [None]:
        key = title_key(ln.text) if ln is not None else None
        if key is not None and key in seen:
            run.append(ln)
            continue
        if len(run) >= t.repeat_run:
            for dup in run:
                dup.removed_by, dup.roles = _REPEATED_PARAGRAPH.name, _REPEATED_PARAGRAPH.line_roles
        run = []
        if key is not None:
            seen.add(key)


def _mark_after(lines: list[_Line], j: int) -> None:
    """Everything after the block goes; a run of three or more headline-like lines is named a related list."""
    while j < len(lines):
        k = j
        while k < len(lines) and lines[k].text and not lines[k].removed_by and lines[k].shape.is_headline_like:
            k += 1
        if k - j >= tuning.active.related_run:
            _mark(lines, range(j, k), _RELATED_HEADLINES)
            j = k
        else:
            _mark(lines, range(j, j + 1), _AFTER_ARTICLE)
            j += 1


def _finish(lines: list[_Line], title: str | None, meta: dict[str, Any]) -> TextResult:
    removed: list[Removal] = []
    kept: list[str] = []
    annotated: list[list[tuple[str, str | None]]] = []
    for ln in lines:
        row = [(span, owner or ln.removed_by) for span, owner in ln.pieces]
        annotated.append(row)
        removed.extend(Removal(owner, span.strip()) for span, owner in row if owner and span.strip())
        if not ln.removed_by and ln.text:
            kept.append(ln.text)
    if "date" not in meta:  # a date stated in a removed meta line (来源:… 更新时间:2020-12-26 …)
        for ln in lines:
            if _METADATA in ln.roles and (iso := metadata.find_date(ln.pieces[0][0] if ln.pieces else "")):
                meta["date"] = iso
                break
    # bylines: the top of the page, the lines around the article's start, and every removed meta line
    t = tuning.active
    starts = [i for i, ln in enumerate(lines) if not ln.removed_by][:1]
    near = range(max(0, starts[0] - t.byline_above), min(len(lines), starts[0] + t.byline_below)) if starts \
        else range(0)
    picked = [i for i in range(len(lines)) if i < t.byline_head_lines or i in near or _METADATA in lines[i].roles]
    context = [lines[i].pieces[0][0] for i in picked if lines[i].pieces]
    meta.update({k: v for k, v in metadata.bylines(context).items() if k not in meta})
    if "date" not in meta:  # a date printed near the start of the article (发表于 2005-5-7 21:23:57)
        for i in near:
            if lines[i].pieces and structure.is_stamped(lines[i].pieces[0][0]):
                if iso := metadata.find_date(lines[i].pieces[0][0]):
                    meta["date"] = iso
                    break
    return TextResult("\n".join(kept), removed, title, meta, annotated)
