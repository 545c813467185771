"""The headline and the site's name, from the <title>, og:title, the JSON-LD headline and the <h1>s.

Apart because titles are their own problem: separators that divide a headline from a site or section name
(`新闻标题_新浪网`), SEO rewrites of the printed headline, and an <h1> that holds the site's logo. The text rules
split titles with the same functions (text.clean).
"""
from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from lxml import html as lxml_html

from cleaners import regexcache, tuning

# Title suffixes: `新闻标题_新浪网`, `标题-中国新闻网`, `标题 | 澎湃新闻`.
_NOT_TEXT = regexcache.compile(r"[\p{P}\p{S}\p{Z}\s]+")
_TITLE_SPLIT = regexcache.compile(
    r"(?<!\s)\s*(?:[_|｜]|\s[-–—@]\s|::|--|——|-(?=[\p{Han}A-Za-z]{2,12}(?:网|新闻|频道|在线|门户)?$))\s*"
)
_TRAILING_SEPARATORS = regexcache.compile(r"(?<![\s_|｜@·:：\-–—])[\s_|｜@·:：\-–—]+$")  # from a run's start only
_HAN_CHAR = regexcache.compile(r"\p{Han}")


def squash(s: str) -> str:
    return _NOT_TEXT.sub("", s).lower()


def split_title_parts(page_title: str) -> list[str]:
    """The parts a title's separators divide (`栏目|标题_网站` -> [栏目, 标题, 网站])."""
    return [p for p in _TITLE_SPLIT.split(page_title.strip()) if p]


_PARTED = 2  # a title with a separator: a headline and what names its site or section


def split_site_suffix(page_title: str, headings: Sequence[str] = (),
                      site: str | None = None) -> tuple[str, str | None]:
    """`新闻标题_新浪网` -> (`新闻标题`, `新浪网`): what comes before the site's own name when `site` is given
    and the <title> prints it after something; else the <h1> when the <title> prints it whole, else the longest
    part the <h1> prints, else the longest part but the last, which names the site however long it is
    (`雄安新区 - 维基百科，自由的百科全书`).
    """
    parts = split_title_parts(page_title)
    if len(parts) < _PARTED:
        return page_title.strip(), None
    t = tuning.active
    whole = squash(page_title)
    keyed = [(" ".join(h.split()), squash(h)) for h in headings]
    # the site's own name inside the <title> (`标题 @ 博客名 :: 平台名`): what comes after it is more site, and
    # what comes before is the headline, unless an <h1> printed there says which part
    at = page_title.find(site) if site and len(squash(site)) >= t.site_name_min_chars else -1
    if at > 0 and (before := _TITLE_SPLIT.sub(" ", page_title[:at]).strip()) and squash(before) != squash(site):
        head = page_title[:at].strip()
        head = _TRAILING_SEPARATORS.sub("", head).strip()
        for h, key in keyed:
            if len(key) >= t.h1_min_key and key in squash(head) and key != squash(head):
                return h, site
        return head, site
    keys = [key for _h, key in keyed if key]
    for h, key in keyed:  # an <h1> printed inside the <title>, separators and all, is the headline
        if len(key) >= t.h1_min_key and key in whole and key != whole:
            return h, (parts[-1] if squash(parts[-1]) not in key else None)
    printed = [p for p in parts if squash(p) and any(squash(p) in k for k in keys)]
    headline = max(printed or parts[:-1], key=len)  # the last part names the site, however long
    site = parts[-1] if parts[-1] != headline else None
    return headline, site


def choose_headline(candidates: list[str], printed: list[str]) -> str | None:
    """The first candidate (JSON-LD headline, og:title, <title>) that the page prints in an <h1>, else in its
    <title>; else the first. JSON-LD `headline` is sometimes a description (`中华人民共和国河北省的国家级新区` for the
    page `雄安新区`)."""
    for where in printed:  # the <h1>s first, then the <title>
        key = squash(where)
        found = next((c for c in candidates if squash(c) and squash(c) in key), None)
        if found:
            return found
    return candidates[0] if candidates else None


# Words too common to tie an <h1> to the <title> (`The Guide` and `A Guide to …` share nothing that counts).
_COMMON_WORDS = frozenset(
    "a an the and or of to in on for with by at from is are be how what why your you our my this that it its "
    "de la le les des du et en un une el los las y del der die das und von den zu im da di il e o".split()
)
_WORD = regexcache.compile(r"[\p{L}\p{N}]+")


def _content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.casefold()) if w not in _COMMON_WORDS}


def is_logo(h1: lxml_html.HtmlElement, text: str, site: str | None) -> bool:
    """An <h1> that holds the site's name or its link home (`<h1 class=site-title><a href="/" rel=home>`)."""
    if site and squash(text) == squash(site):
        return True
    links = list(h1.iter("a"))
    return len(links) == 1 and ("home" in (links[0].get("rel") or "").split()
                                or _link_depth(links[0].get("href") or "") <= tuning.active.logo_link_depth
                                and squash(links[0].text_content()) == squash(text))


def _link_depth(href: str) -> int:
    path = urlsplit(href).path if "//" in href else href.split("?")[0].split("#")[0]
    return len([seg for seg in path.split("/") if seg])


def printed_headline(h1s: list[lxml_html.HtmlElement], candidates: list[str], site: str | None) -> str | None:
    """The headline as the page prints it in an <h1>, on pages in scripts that separate words: the first <h1>
    that is not the site's logo and shares a word that counts with the <title>, og:title or JSON-LD headline.

    og:title and <title> are often an SEO rewrite (`How To Use Gym Equipment: A Beginner's Guide` for the printed
    `How To Use Gym Equipment (With Confidence!)`); on wcxb-dev the gold title is the <h1>'s in 162 of 199 pages.
    Chinese pages keep choose_headline's choice: their words are not separated, and a portal's <title> is the headline.
    """
    stated = set().union(*(_content_words(c) for c in candidates)) if candidates else set()
    t = tuning.active
    for el in h1s:
        text = " ".join(el.text_content().split())
        if not text or _HAN_CHAR.search(text) or not 0 < len(text.split()) <= t.headline_max_words:
            continue
        if is_logo(el, text, site):
            continue
        words = _content_words(text)
        if len(words) < t.headline_min_words:  # `Planning`, `Menu`: a section's name; choose_headline weighs it exactly
            continue
        if not stated or words & stated:
            return text
    return None


def headline_element(h1s: list[lxml_html.HtmlElement], title: str | None) -> lxml_html.HtmlElement | None:
    """The <h1> that prints the title (not the one holding the site's logo), else the first."""
    key = squash(title) if title else ""
    for el in h1s:
        text = squash(el.text_content())
        if key and text and (key in text or text in key):
            return el
    return h1s[0] if h1s else None

