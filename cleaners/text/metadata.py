"""Metadata from text: dates, bylines (author, editor, source) and dates in any format pages use.

Only what a page states is kept; nothing is guessed (no time zone is assumed for a bare local time).
"""
from __future__ import annotations

import datetime as dt
import functools

import regex

from cleaners import regexcache, tuning
from cleaners.text.dates import NUMERIC_DATE, TEXT_DATE, YEAR, YEAR_WINDOW, iso_from_numeric_match, iso_from_text_match
from cleaners.text.structure import DATE

__all__ = ["TEXT_DATE", "bylines", "find_date", "find_text_date", "iso_from_match", "parse_date",
           "plausible_author", "printed_byline", "text_date_at"]

# Byline patterns, matched in the lines around the headline (kept or removed).
# Words that end a byline value: `作者：芊草凡凡 时间：…`, `作者:zboygirl 阅读(1660)`.
_STOPS = r"时间|日期|发表|发布|来源|出自|访问|阅读|浏览|评论|点击|编辑|责编|更新|\d{4}[-/年]"
BYLINES: dict[str, regex.Pattern] = {
    # 作者：张三 / 文/张三 / 撰文：张三 (seed-like portal bylines)
    "author": regexcache.compile(
        r"(?:(?:作者|(?<![\p{Han}])文|撰文|原作者|楼主|发表者|发帖人|博主)\s*[:：/]"
        # English only as a label: `Posted by X`, `Author: X` (not the word inside `Authority` or `author of`)
        r"|(?<![A-Za-z])(?i:posted by(?=\s)|author\s*[:：]))\s*"
        r"(?P<v>[\p{Han}A-Za-z0-9_·]{2,16}(?:[ 、，,][\p{Han}A-Za-z·]{2,12}){0,4}?)"
        r"(?=$|\s*[\s|丨:：(（]|" + _STOPS + ")"
    ),
    # 芊草凡凡 发表于 2005-08-22 (forums and blogs)
    "poster": regexcache.compile(r"(?P<v>[\p{Han}A-Za-z0-9_·]{2,16})\s*(?:发表于|发布于|posted at|写于)"),
    # （记者 杜燕）/ 本报记者 张三 (wire stories)
    "reporter": regexcache.compile(
        r"(?:本报|本台|本网)?记者\s*[:：]?\s*(?P<v>[\p{Han}]{2,4}(?:[ 、，,][\p{Han}]{2,4}){0,3})(?=[\s)）]|$)"
    ),
    # 来源：网络转载 / 稿源：中新网 / 来自甘肃 is a location, not a source
    "source": regexcache.compile(
        r"(?:来源|稿源|文章来源|信息来源|新闻来源|出处)\s*[:：]\s*(?P<v>[^\s|丨:：,，。]{2,24}?)"
        r"(?=更新|发布|时间|日期|作者|编辑|阅读|浏览|责编|记者|\d{4}[-/年]|$|[\s|丨:：,，。])"
    ),
    # 责任编辑：李岩 / 编辑：李岩
    "editor": regexcache.compile(r"(?:责任编辑|责编|编辑)\s*[:：]\s*(?P<v>[\p{Han}A-Za-z·]{2,10})"),
}
_STOP_VALUES = {"更新时间", "发布时间", "时间", "日期", "阅读", "浏览", "编辑"}
# What a line must hold for each byline pattern to match there: its labels, checked with `in` before the regex
# runs (a line of English holds none of the Chinese labels; `poster` is slow to fail on every long line). The
# English labels of `author` are compared case-folded: whatever `(?i:...)` matches folds to the ASCII word.
_BYLINE_NEEDS: dict[str, tuple[str, ...]] = {
    "author": ("作者", "文", "楼主", "发表者", "发帖人", "博主"),
    "poster": ("发表于", "发布于", "posted at", "写于"),
    "reporter": ("记者",),
    "source": ("来源", "稿源", "出处"),
    "editor": ("编辑", "责编"),
}
_BYLINE_NEEDS_FOLDED: dict[str, tuple[str, ...]] = {"author": ("posted by", "author")}


def iso_from_match(m: regex.Match) -> str | None:
    """ISO 8601 from a DATE match: `2023-05-27` or `2023-05-27T21:07:00` (no zone: pages rarely give one)."""
    try:
        y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
        if m["H"] is not None:
            value = dt.datetime(y, mo, d, int(m["H"]), int(m["M"]), int(m["S"] or 0))
            return value.isoformat()
        return dt.date(y, mo, d).isoformat()
    except (ValueError, TypeError):
        return None


_ISO_DAY = regexcache.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(value: object) -> str | None:
    """A date from front matter or meta tags (ISO, RFC 2822, Chinese), as ISO 8601, or None."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    if _ISO_DAY.fullmatch(text):  # a day alone is not midnight: nothing is guessed
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            return None
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()
    except ValueError:
        pass
    import email.utils  # RFC 2822 dates (`Tue, 08 Feb 2022 …`) are rare: the import is paid when one comes

    try:
        return email.utils.parsedate_to_datetime(text).isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    return find_text_date(text)  # `Feb 08, 2022`, `March 27, 2025`: what some pages put in JSON-LD and meta tags


def find_date(text: str) -> str | None:
    """The first numeric date (year first) in the text, as ISO 8601, or None."""
    for m in DATE.finditer(text):
        if (iso := iso_from_match(m)) is not None:
            return iso
    return None


def find_text_date(line: str) -> str | None:
    """The first date the line prints, numerically year first (`2024-05-02 10:30`, `2024年5月2日`), with a month
    name in any language of data/months.yaml (`May 2, 2024`, `2 de mayo de 2024`, `2. Mai 2024`) or day and month
    in digits where their order is certain (`15/12/2025`, `3.5.2020`; not `02/05/2024`), as ISO 8601, or None."""
    found = text_date_at(line)
    return found[1] if found else None


def text_date_at(line: str) -> tuple[int, str] | None:
    """(where it starts, ISO 8601) of the first date find_text_date reads in the line, or None."""
    years = [m.start() for m in YEAR.finditer(line)]
    if not years:
        return None
    found: list[tuple[int, str]] = []
    for pattern, read in ((DATE, iso_from_match), (NUMERIC_DATE, iso_from_numeric_match)):
        m = next((m for m in pattern.finditer(line) if read(m)), None)
        if m is not None:
            found.append((m.start(), read(m) or ""))
    for year in years:  # month names are looked for only just before a year
        m = TEXT_DATE.search(line, max(0, year - YEAR_WINDOW), year + 4)
        if m is not None and (iso := iso_from_text_match(m)):
            found.append((m.start(), iso))
            break
    return min(found, default=None)


def bylines(lines: list[str]) -> dict[str, str]:
    """Author, editor and source stated in these lines (first occurrence of each wins)."""
    found: dict[str, str] = {}
    for line in lines:
        folded: str | None = None
        for key, pattern in BYLINES.items():
            if key in found:
                continue
            if not any(word in line for word in _BYLINE_NEEDS[key]):
                if key not in _BYLINE_NEEDS_FOLDED:
                    continue
                folded = line.casefold() if folded is None else folded
                if not any(word in folded for word in _BYLINE_NEEDS_FOLDED[key]):
                    continue
            m = pattern.search(line)
            if m and m["v"] not in _STOP_VALUES:
                found[key] = m["v"].strip()
    for fallback in ("reporter", "poster"):
        if "author" not in found and fallback in found:
            found["author"] = found[fallback]
        found.pop(fallback, None)
    return found


# Values that meta tags put in `author` but that are not people: sites, publishers, software, ids (Chinese pages).
_NOT_A_PERSON = regexcache.compile(
    r"(?i)网|報|报|集团|出版|公司|编辑部|频道|中心|team|www|http|\.com|\.cn|^[a-z]_?\d+$|^l_\d+|^size$|\d{4,}"
)
_HAN = regexcache.compile(r"\p{Han}")
# Pages in scripts that separate words: what is not a name (a digit: reading times `10 mins read`, ids, dates).
# Team and desk names (`Camphouse Team`, `News Desk`, `EcoCult Staff`, `Our Editors`) are kept: pages credit
# them as authors and the gold of wcxb-dev agrees.
_NOT_A_NAME = regexcache.compile(
    r"(?i)https?:|www\.|\.(?:com|org|net|co|io|html?|php)\b|/|\d|^@|@[^\s@]+\.\p{L}{2,}|[<>{}\[\]=#]"
)
# A value made of these words only is a label or placeholder, not a name (`Written By`, `The Author`, `in`).
_LABEL_WORDS = frozenset(
    "by written posted published updated the a an author authors in of on at and for to from with".split()
)
# An account, not a person: `NOC Admin`, `webmaster`.
_PLACEHOLDER_WORDS = frozenset("admin administrator webmaster root guest anonymous unknown null none".split())


def plausible_author(value: str | None) -> str | None:
    """The value if it can be a person's name (or names), else None.

    Chinese values: 2-24 characters, no site, publisher or id. Other scripts: no URL, email, handle (`@ACLU`),
    markup, year or date, no label (`Written by`) or account name (`admin`), not a sentence."""
    if not value:
        return None
    value = " ".join(value.split()).strip()
    if _HAN.search(value):
        t = tuning.active
        if not t.han_name_min_chars <= len(value) <= t.han_name_max_chars or _NOT_A_PERSON.search(value) \
                or value.count(",") + value.count("，") > t.han_name_max_commas:
            return None
        return value
    return value if _plausible_spaced(value) else None


def _plausible_spaced(value: str) -> bool:
    letters, t = sum(c.isalpha() for c in value), tuning.active
    if letters < t.spaced_name_min_letters or len(value) > t.spaced_name_max_chars or _NOT_A_NAME.search(value) \
            or is_handle(value):
        return False
    words = [w for w in _NAME_WORD_SPLIT.split(value.lower()) if w]
    months = _month_words()
    if all(w.strip(".") in _LABEL_WORDS or w.strip(".") in months for w in words):
        return False
    if any(w in _PLACEHOLDER_WORDS for w in words):
        return False
    parts = _NAME_PARTS.split(value)
    return len(parts) <= t.spaced_name_max_parts and all(len(p.split()) <= t.spaced_part_max_words for p in parts)


_NAME_WORD_SPLIT = regexcache.compile(r"[^\p{L}\p{N}'’.-]+")
_NAME_PARTS = regexcache.compile(r"(?<!\s)\s*(?:[,;|&]|\band\b)\s*")  # tried from a run's first space only


@functools.cache
def _month_words() -> frozenset[str]:
    from cleaners.text.dates import month_numbers
    return frozenset(month_numbers())


def is_handle(value: str | None) -> bool:
    """`@ACLU`, `jane@example.com`: what a page names an account by. A name only when nothing else is stated."""
    return bool(value) and bool(_HANDLE.fullmatch(value.strip()))


# `@ACLU`, an email address, a login name with a dot or underscore (`andrew.keaveney`).
_HANDLE = regexcache.compile(
    r"@[\w.]{2,40}|[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,4}|[a-z0-9]{1,30}[._][a-z0-9._]{1,30}"
)


# Printed bylines in languages that separate words: a label, then names. `By Jane Smith`, `Written by J. Smith and
# K. Lee`, `Par Jean Dupont`, `Von Hans Müller`, `Por Juan Pérez`, `Di Mario Rossi`, `Door Jan de Vries`.
# Credits that are not authorship (`Reviewed by`, `Photo by`, `Edited by`) have their own words and never match.
BYLINE_LABELS = (
    r"(?:written|posted|words|story|text|reporting|article|published)[ \u00a0]by|by|author[:：]?|"
    r"par|von|por|di|door|texto[ \u00a0]de|texte[ \u00a0]de"
)
# One name: capitalised words (initials `A. J.`, `O'Sullivan`, `Sills-Trausch`), particles between them.
_NAME_WORD = r"\p{Lu}[\p{L}'’-]{0,24}\.?"
_PARTICLE = r"(?:van|von|de|der|den|da|di|del|della|du|la|le|bin|al|dos|das|ten|ter|y)"
_NAME = rf"{_NAME_WORD}(?:[ \u00a0](?:{_PARTICLE}[ \u00a0]){{0,2}}{_NAME_WORD}){{0,4}}"
_NAME_JOIN = r"(?:,[ \u00a0]|[ \u00a0](?:and|&|y|et|und|e|en)[ \u00a0]|,[ \u00a0](?:and|&)[ \u00a0])"
PRINTED_BYLINE = regexcache.compile(
    rf"(?<![\p{{L}}\d])(?i:{BYLINE_LABELS})[:：]?[ \u00a0]{{1,3}}(?P<v>{_NAME}(?:{_NAME_JOIN}{_NAME}){{0,7}})"
    # what may follow the names: the end, a separator, a date, a role after a comma, `on`/`updated`/`published`
    rf"(?=$|[ \u00a0]*[|•·,–—\-:(]|[ \u00a0]+(?i:on|updated|published|posted|le|am|el|il|op)\b|[ \u00a0]+\d)"
)
# Capitalised words that make the `names` a sentence: `By Using This Site You Agree`, `By Clicking Below`.
_SENTENCE_WORDS = frozenset("this that these those you your our we us my it its using clicking continuing "
                            "signing subscribing submitting".split())


def printed_byline(line: str, anywhere: bool = False) -> str | None:
    """The names in a printed byline (`By Jane Smith | May 2, 2024` -> `Jane Smith`), or None.

    Only a line that starts with a byline label counts, unless `anywhere` (the text of an element the page marks
    as a byline or date: `Published August 7, 2023 by Jane Smith`): inside prose `by` introduces anything."""
    line = " ".join(line.split())
    if len(line) > tuning.active.printed_byline_max_chars:
        return None
    m = PRINTED_BYLINE.search(line) if anywhere else PRINTED_BYLINE.match(line)
    if not m or any(w.lower() in _SENTENCE_WORDS for w in m["v"].split()):
        return None
    return plausible_author(m["v"])
