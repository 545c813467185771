"""The page's headline: found among the lines above the article, then removed wherever it repeats.

A headline is told by repetition (the <title> and the <h1> print it again) or by standing right above a
dateline; its repeats are furniture, and the <h1>'s wording of it is the title kept in the record.
"""
from __future__ import annotations

from cleaners import regexcache, tuning
from cleaners.html.headline import split_site_suffix, split_title_parts
from cleaners.text.catalogue import detector
from cleaners.text.lines import BELOW_HEADLINE, Line, title_key

_BRACKETED = regexcache.compile(r"^\s*[\[【<《(（].{0,20}[\]】>》)）]")  # [查看目录] [加入书签]: link buttons
_TITLE_PARTED = regexcache.compile(r"[_|｜]|\s[-–—]\s")
REPEATED_TITLE = detector("repeated_title")


def find_title(lines: list[Line], start: int) -> str | None:
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
        if any(BELOW_HEADLINE in lines[j].roles for j in following):
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


def mark_title(lines: list[Line], title: str) -> str | None:
    """Remove the headline wherever it repeats; the headline as the page's <h1> prints it, when it does."""
    key, found = title_key(title), None
    for ln in lines:
        if not ln.removed_by and ln.text and _same_title(title_key(ln.text), key, ln.tag == "h1"):
            ln.removed_by, ln.roles = REPEATED_TITLE.name, REPEATED_TITLE.line_roles
            if found is None or ln.tag == "h1":
                found = ln.text if ln.tag == "h1" else (found or title)
    return found
