"""Where the article ends, and how what follows it is named.

Once the block is found, its end is cut back to the next feed item or a closing marker (comments, a related
list, a disclaimer), moved on over a closing credit or an announced appendix, and every line after it marked:
a run of headlines as a related list, a paragraph printed twice as a repeat, the rest as after the article.
"""
from __future__ import annotations

from cleaners import tuning
from cleaners.text import structure
from cleaners.text.block import link_free_run
from cleaners.text.catalogue import detector
from cleaners.text.lines import FURNITURE, Line, mark, title_key

_REPEATED_PARAGRAPH = detector("repeated_paragraph")
_RELATED_HEADLINES, _AFTER_ARTICLE_END = detector("related_headlines").name, detector("after_article_end").name
_AFTER_ARTICLE = detector("after_article").name


def cut_at_next_item(lines: list[Line], start: int, end: int) -> int:
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


def _list_follows(lines: list[Line], i: int, start: int) -> bool:
    """A list header after a real article, followed by list items: the rest of the page is furniture."""
    t = tuning.active
    prose = sum(ln.score for ln in lines[start:i] if ln.score > 0)
    following = [ln for ln in lines[i + 1:i + 1 + t.list_follow_reach] if not ln.removed_by][:t.list_follow_items]
    return prose >= t.prose_before_footer and len(following) == t.list_follow_items and all(
        ln.shape.is_headline_like or ln.shape.bullet for ln in following
    )


def apply_tails(lines: list[Line], start: int, end: int) -> int:
    """Tail markers after the start of the article cut what follows them; the new end of the block."""
    i = start
    while i < len(lines):
        ln = lines[i]
        if ln.ends_article:
            mark(lines, range(i + 1, len(lines)), _AFTER_ARTICLE_END)
            return min(end, i)
        if ln.tail is not None and i > start:
            if ln.tail.block == "to_end" or _list_follows(lines, i, start):
                mark(lines, range(i + 1, len(lines)), ln.tail.name)
                return min(end, i - 1)
            j = i + 1
            while j < len(lines) and _is_headline(lines[j]):
                j += 1
            mark(lines, range(i + 1, j), ln.tail.name)
            i = j
            continue
        i += 1
    return end


def _is_headline(ln: Line) -> bool:
    return bool(ln.removed_by) or (ln.shape is not None and ln.shape.is_headline_like)


def closing_credit(lines: list[Line], end: int) -> int:
    """Take in a reporter or photo credit printed after the block's last paragraph (a removed placeholder or
    meta line may stand between)."""
    t = tuning.active
    for i in range(end + 1, min(len(lines), end + 1 + t.credit_reach)):
        ln = lines[i]
        if ln.tail is not None or ln.ends_article or FURNITURE in ln.roles or ln.link_ratio >= t.unlinked:
            break
        if not ln.removed_by:
            return i if len(ln.text) <= t.credit_max_chars and structure.CLOSING_CREDIT.match(ln.text.strip()) else end
    return end


def plain_continuation(lines: list[Line], end: int) -> int:
    """Extend the block over the link-free lines that follow it directly when the text announces them as part
    of the document (`附：招生专业及考试科目`, `名单如下：`): a table appended to a notice scores as no prose."""
    if not any(ln.tag for ln in lines):
        return end
    run, _ = link_free_run(lines, end + 1)
    if not run:
        return end
    if len(run) < tuning.active.appendix_min_lines \
            or not any(structure.ANNOUNCES_APPENDIX.search(lines[i].text) for i in (end, run[0])):
        return end
    return run[-1]  # its table's figures are restored with the rest of the block's


def mark_repeats(lines: list[Line]) -> None:
    """A run of paragraphs kept twice goes the second time: pages print the article again for another layout (a
    mobile copy, a tab, a print view). A single repeated line stays: a caption is often printed under its photo and
    again in the text, and both count."""
    seen: set[str] = set()
    run: list[Line] = []
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


def mark_after(lines: list[Line], j: int) -> None:
    """Everything after the block goes; a run of three or more headline-like lines is named a related list."""
    while j < len(lines):
        k = j
        while k < len(lines) and lines[k].text and not lines[k].removed_by and lines[k].shape.is_headline_like:
            k += 1
        if k - j >= tuning.active.related_run:
            mark(lines, range(j, k), _RELATED_HEADLINES)
            j = k
        else:
            mark(lines, range(j, j + 1), _AFTER_ARTICLE)
            j += 1
