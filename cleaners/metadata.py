"""Metadata from text: dates, bylines (author, editor, source) and dates in any format pages use.

Only what a page states is kept; nothing is guessed (no time zone is assumed for a bare local time).
"""
from __future__ import annotations

import datetime as dt
import email.utils

import regex

from .structure import DATE

# Byline patterns, matched in the lines around the headline (kept or removed).
# Words that end a byline value: `作者：芊草凡凡 时间：…`, `作者:zboygirl 阅读(1660)`.
_STOPS = r"时间|日期|发表|发布|来源|出自|访问|阅读|浏览|评论|点击|编辑|责编|更新|\d{4}[-/年]"
BYLINES: dict[str, regex.Pattern] = {
    # 作者：张三 / 文/张三 / 撰文：张三 (seed-like portal bylines)
    "author": regex.compile(
        r"(?:(?:作者|(?<![\p{Han}])文|撰文|原作者|楼主|发表者|发帖人|博主)\s*[:：/]|(?i:posted by|author)\s*[:：]?)\s*"
        r"(?P<v>[\p{Han}A-Za-z0-9_·]{2,16}(?:[ 、，,][\p{Han}A-Za-z·]{2,12}){0,4}?)"
        r"(?=$|\s*[\s|丨:：(（]|" + _STOPS + ")"
    ),
    # 芊草凡凡 发表于 2005-08-22 (forums and blogs)
    "poster": regex.compile(r"(?P<v>[\p{Han}A-Za-z0-9_·]{2,16})\s*(?:发表于|发布于|posted at|写于)"),
    # （记者 杜燕）/ 本报记者 张三 (wire stories)
    "reporter": regex.compile(
        r"(?:本报|本台|本网)?记者\s*[:：]?\s*(?P<v>[\p{Han}]{2,4}(?:[ 、，,][\p{Han}]{2,4}){0,3})(?=[\s)）]|$)"
    ),
    # 来源：网络转载 / 稿源：中新网 / 来自甘肃 is a location, not a source
    "source": regex.compile(
        r"(?:来源|稿源|文章来源|信息来源|新闻来源|出处)\s*[:：]\s*(?P<v>[^\s|丨:：,，。]{2,24}?)"
        r"(?=更新|发布|时间|日期|作者|编辑|阅读|浏览|责编|记者|\d{4}[-/年]|$|[\s|丨:：,，。])"
    ),
    # 责任编辑：李岩 / 编辑：李岩
    "editor": regex.compile(r"(?:责任编辑|责编|编辑)\s*[:：]\s*(?P<v>[\p{Han}A-Za-z·]{2,10})"),
}
_STOP_VALUES = {"更新时间", "发布时间", "时间", "日期", "阅读", "浏览", "编辑"}


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


def parse_date(value: object) -> str | None:
    """A date from front matter or meta tags (ISO, RFC 2822, Chinese), as ISO 8601, or None."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(text).isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    m = DATE.search(text)
    return iso_from_match(m) if m else None


def find_date(text: str) -> str | None:
    for m in DATE.finditer(text):
        if (iso := iso_from_match(m)) is not None:
            return iso
    return None


def bylines(lines: list[str]) -> dict[str, str]:
    """Author, editor and source stated in these lines (first occurrence of each wins)."""
    found: dict[str, str] = {}
    for line in lines:
        for key, pattern in BYLINES.items():
            if key in found:
                continue
            m = pattern.search(line)
            if m and m["v"] not in _STOP_VALUES:
                found[key] = m["v"].strip()
    for fallback in ("reporter", "poster"):
        if "author" not in found and fallback in found:
            found["author"] = found[fallback]
        found.pop(fallback, None)
    return found


# Values that meta tags put in `author` but that are not people: sites, publishers, software, ids.
_NOT_A_PERSON = regex.compile(
    r"(?i)网|報|报|集团|出版|公司|编辑部|频道|中心|team|www|http|\.com|\.cn|^[a-z]_?\d+$|^l_\d+|^size$|\d{4,}"
)


def plausible_author(value: str | None) -> str | None:
    """The value if it can be a person's name (or names), else None."""
    if not value:
        return None
    value = value.strip()
    if not 2 <= len(value) <= 24 or _NOT_A_PERSON.search(value) or value.count(",") + value.count("，") > 3:
        return None
    return value
