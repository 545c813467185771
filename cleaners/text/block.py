"""Where the article is: line prose scores, and the block of lines chosen, anchored and grown from them.

The best-scoring run of lines is only a first guess: a feed's teaser can outscore a short article, a document
that is not prose scores nothing, and a heading or a box inside the article can split it. These steps move the
block under its headline, to a run of plain lines, or out to the page element that holds it.
"""
from __future__ import annotations

from cleaners import regexcache, tuning
from cleaners.text import structure
from cleaners.text.catalogue import detector
from cleaners.text.headline import REPEATED_TITLE
from cleaners.text.lines import DATELINE, FURNITURE, HEADLINE, Line

_LINK_LINE = detector("link_line")
# a sentence that ends with a colon announces what follows: the short items after it are the article's own list
_ANNOUNCES_LIST = regexcache.compile(r"[:：]\s*$")
# growing the block to its container, an unlinked line of these elements costs only tuning.structure_cost
_STRUCTURE_TAGS = frozenset("h1 h2 h3 h4 h5 h6 li dt dd th td pre blockquote figcaption".split())


def line_scores(lines: list[Line]) -> list[float]:
    """Prose score per line; prose after a closing block (comments, disclaimer, about-us) counts for less.

    A page's footer often holds punctuated text (a disclaimer, a contact paragraph) that would otherwise
    compete with a short article; once a to-the-end marker follows some prose, what comes after is footer.
    """
    t = tuning.active
    seen, discount, announced = 0.0, 1.0, False
    for ln in lines:
        if ln.removed_by:
            ln.score = t.chrome_penalty if FURNITURE in ln.roles else 0.0
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


_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())


def _is_strong_boundary(lines: list[Line], i: int) -> bool:
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


def anchored_block(lines: list[Line], block: tuple[int, int] | None) -> tuple[int, int] | None:
    """Prefer the block that follows the headline, up to the first feed boundary after it.

    A page's best-scoring block can be a long teaser in a feed below a short article; the article is the one
    under its headline. Under an <h1> headline the anchored block wins; under a headline found elsewhere it
    wins unless the global block is four times larger.
    """
    anchors = [i for i, ln in enumerate(lines) if HEADLINE in ln.roles]
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


def plain_run(lines: list[Line], block: tuple[int, int] | None) -> tuple[int, int] | None:
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
    anchor = next((i for i, ln in enumerate(lines) if ln.removed_by == REPEATED_TITLE.name), None)
    if flat and found >= t.thin_prose:
        return block
    if anchor is not None and not flat:
        runs = [link_free_run(lines, anchor + 1)[0]]
    elif found < t.thin_prose:
        runs, i = [], 0
        while i < len(lines):
            run, i = link_free_run(lines, i)
            runs.append(run)
            i += 1
    else:
        return block
    chars, run = max(((sum(lines[i].shape.chars for i in r), r) for r in runs), default=(0, []))
    if len(run) < t.plain_run_lines or chars < t.plain_run_chars or found >= t.plain_run_share * chars:
        return block
    return run[0], run[-1]


def link_free_run(lines: list[Line], i: int) -> tuple[list[int], int]:
    """The kept lines from `i` up to the first link, tail marker or furniture line; and where it stopped."""
    run: list[int] = []
    unlinked = tuning.active.unlinked
    while i < len(lines):
        ln = lines[i]
        if ln.link_ratio >= unlinked or ln.tail is not None or ln.ends_article or FURNITURE in ln.roles \
                or (not ln.tag and ln.shape.bullet):
            break
        if not ln.removed_by:
            run.append(i)
        i += 1
    if i < len(lines) and lines[i].link_ratio >= unlinked:
        while run and lines[run[-1]].tag in _HEADINGS:  # the heading of the link list that follows
            run.pop()
    return run, i


def container_regions(texts: list[str], regions: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Regions re-indexed to the non-blank lines that build_lines keeps, smallest first; empty ones dropped."""
    kept = [0]
    for t in texts:
        kept.append(kept[-1] + (1 if t.strip() else 0))
    out = {(kept[a], kept[b + 1] - 1) for a, b in regions if kept[b + 1] > kept[a]}
    return sorted(out, key=lambda r: r[1] - r[0])


def _prose(lines: list[Line]) -> float:
    return sum(ln.score for ln in lines if ln.score > 0)


def _is_barrier(ln: Line) -> bool:
    """A line the article does not grow across: a closing marker, or a timestamp that heads another item."""
    return ln.tail is not None or ln.ends_article or ln.shape.stamped or ln.score == structure.BOUNDARY


def grow(lines: list[Line], block: tuple[int, int], containers: list[tuple[int, int]]) -> tuple[int, int]:
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
            dated += ln.removed_by == DATELINE.name and ln.link_ratio < t.unlinked
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
