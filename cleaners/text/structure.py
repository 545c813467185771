"""Structural detectors for flattened pages: line shape, keyword farms, datelines, the main text block.

These complement the rule table: a rule recognises a known phrase, a detector recognises a shape (a run of
headline-like lines, a `|`-separated keyword list, a line that is only a date and a byline). The central signal
is punctuation density: article sentences are dense in `，。`, navigation and related lists are not.
"""
from __future__ import annotations

from dataclasses import dataclass

import regex

from cleaners import regexcache, tuning
from cleaners.text.dates import MONTH_DAY_END, TEXT_DATE, YEAR, YEAR_WINDOW

# Text characters are letters and digits, [\p{L}\p{N}]: counted as what is left once the rest is deleted
_NOT_TEXT = regexcache.compile(r"[^\p{L}\p{N}]+")
# ... and in ASCII they are [A-Za-z0-9]: the other bytes, deleted by bytes.translate (most lines of English pages)
_ASCII_NOT_TEXT = bytes(c for c in range(128) if not chr(c).isalnum())
_HAN = regexcache.compile(r"\p{Han}")
_NOT_HAN = regexcache.compile(r"\P{Han}+")  # deleted, what is left are the ideographs (counted without a list)
_DIGIT = regexcache.compile(r"\d")
# Clause and sentence punctuation; ASCII marks only when they end a clause (not `1.05` or `a,b`).
CLAUSE_PUNCT = regexcache.compile(r"[，。！？；：、…]|[,.!?;:](?=\s|$|[\p{Han}“”\"'])")
_PERIOD_END = regexcache.compile(r"([。…；;]|(?<![\d\s])\.)[”’」』\"')）]*\s*$")
# `… stands out is 12.`: a word, then a figure
_SPACED_PERIOD_END = regexcache.compile(r"\s\S*\p{L}\S*\s+\S*\d\.[”’\"')]*$")
_EXCLAIM_END = regexcache.compile(r"[！？!?][”’」』\"')）]*\s*$")
_CLAUSE_END = regexcache.compile(r"[，、：,:][”’」』\"')）]*\s*$")
_BULLET = regexcache.compile(r"^\s*([•·●◆◇■□▪▫►▶→\-*+]|\d{1,2}[.)）](?!\d))\s*")
# Enumerations as articles write them (1、 （2） 第三，) and key-value lines (成人票原价：279元): list content,
# not navigation.
_ENUMERATED = regexcache.compile(
    r"^\s*(\d{1,2}、|[（(]\d{1,2}[)）]|[一二三四五六七八九十]{1,3}[、是]|第[一二三四五六七八九十\d]{1,3}[，、章节条])"
)
_KEY_VALUE = regexcache.compile(r"^[^：:]{1,12}[：:]\s*\S.{1,60}$")
# A teaser cut short by the page (…, ...): a summary in a feed of other articles, not article prose.
# `王...`, `改革。……`, and a feed's `… Read more` link after the cut (`As it… Read more`, `…阅读全文`)
_TEASER_END = regexcache.compile(
    r"((?<![…\.])(\.\.\.|…)|[。！？]\s*(……|\.\.\.))"
    r"(\s*(?i:(read|see|view) more|continue reading|more|lire la suite|weiterlesen|leer más|阅读全文|查看全文|更多)"
    r"[»>›]*)*\s*$"
)
# Starts only where a run of spaces starts (or at a bar right after the last split): otherwise every space of a long
# run would be tried as the start of the same failing match.
_PIPES = regexcache.compile(r"(?<!\s)\s*[|｜]\s*|(?<=\s)[|｜]\s*")
# Dates as Chinese pages print them: 2023-05-27 21:07:23, 2023/5/27, 2023年5月27日 21:07, 2023.05.27
DATE = regexcache.compile(
    r"(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{2})(?:\s*[:：分]\s*(?P<S>\d{2}))?)?"
)
# Month-day stamps with a time, as feeds and reply lists print them (08-11 16:58), and relative times
# (法新社·2 天前, 3小时前, 刚刚).
_SHORT_STAMP = regexcache.compile(
    r"(?<![\d-])\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2}(?!\d)|(?<!\d)\d+\s*(秒|分钟|分鐘|小时|小時|天|日|周|週|个月|個月)前|^刚刚|·\s*刚刚"
    # and in European languages: `3 hours ago`, `il y a 3 minutes`, `vor 3 Minuten`, `hace 3 horas`, `před 3 minutami`
    r"|(?i:\b\d+\s*(sec(ond)?s?|min(ute)?s?|h(ou)?rs?|days?|weeks?|months?)\s+ago\b"
    r"|\b(il y a|vor|hace|há|před|temu)\s+\d+\s*\p{L}{1,10}\b|\b\d+\s*(minuti|ore|giorni)\s+fa\b)"
)
_TIME_OF_DAY = regexcache.compile(r"(?<!\d)\d{1,2}\s*[:h]\s*\d{2}(?!\d)|(?i:\b\d{1,2}\s*[ap]\.?m\b)")
_DATELINE_WORDS = regexcache.compile(
    r"来源|作者|编辑|记者|发布|更新|时间|日期|阅读|浏览|点击|评论|字号|分享|收藏|来自|稿源|责编|人参与|选稿|[丨|｜]"
)


# A page's text is counted for punctuation this many characters at a time, and only as far as a comparison needs.
PUNCT_CHUNK_CHARS = 4_000
_ASCII_MARKS = ",.!?;:"  # CLAUSE_PUNCT's marks that look at the character after them


class PunctTally:
    """The clause punctuation (CLAUSE_PUNCT) of a long text, counted chunk by chunk as comparisons need it.

    A chunk never ends on an ASCII mark, so every mark's lookahead sees its real next character, and the
    chunks' counts add up to the whole text's."""

    def __init__(self, text: str) -> None:
        self._text, self._pos, self.counted = text, 0, 0

    def _count_chunk(self) -> None:
        text, end = self._text, self._pos + PUNCT_CHUNK_CHARS
        while end < len(text) and text[end - 1] in _ASCII_MARKS:
            end += 1
        self.counted += len(CLAUSE_PUNCT.findall(text, self._pos, end))
        self._pos = end

    def within_share(self, puncts: int, share: float) -> bool:
        """Whether `puncts <= share * max(1, the text's count)`, counting no further than that takes."""
        while puncts > share * max(1, self.counted):
            if self._pos >= len(self._text):
                return False
            self._count_chunk()
        return True


@dataclass(frozen=True, slots=True)
class LineShape:
    chars: int  # letters and digits (ideographs count one each)
    han: int
    puncts: int
    ends_period: bool  # 。 … ; or a full stop: how sentences end (headlines rarely do)
    ends_exclaim: bool  # ！？: sentences, but also many headlines
    ends_clause: bool  # ，、： a sentence wrapped over lines, or a line of verse
    bullet: bool
    listed: bool = False  # an enumerated item or a key-value line, as lists inside articles have
    teaser: bool = False  # ends cut short with … or ...
    stamped: bool = False  # a short line with a date and a time of day: a post, comment or feed item header
    words: int = 1  # space-separated tokens: what prose is counted in where the script separates words
    han_gaps: int = 0  # spaces between two ideographs: where Chinese written without commas parts its clauses

    @property
    def size(self) -> float:
        """Length in Han characters or their equivalent: letters / spaced_letters_per_han where words are spaced."""
        return self.chars / tuning.active.spaced_letters_per_han if self.spaced else float(self.chars)

    @property
    def spaced(self) -> bool:
        """Written in a script that separates words (Latin, Cyrillic, Greek, ...), not in Han."""
        return self.words >= tuning.active.spaced_min_words and self.han * 2 < self.chars

    @property
    def is_paragraph(self) -> bool:
        """Prose: long enough and ending like a sentence, or punctuated like one even where it was cut."""
        t = tuning.active
        return self.chars >= t.paragraph_min_chars and (
            self.ends_period or (self.ends_exclaim and self.chars >= t.exclaim_min_chars)
            or self.puncts >= t.paragraph_puncts
        )

    @property
    def is_headline_like(self) -> bool:
        """Short and not a sentence: a heading, a menu item, a related-news link."""
        t = tuning.active
        short = self.words <= t.spaced_headline_words if self.spaced else self.chars <= t.headline_max_chars
        return 0 < self.chars and short and not self.ends_period and not self.ends_clause \
            and self.puncts <= t.headline_max_puncts

    @property
    def gap_prose(self) -> bool:
        """Chinese clauses parted by spaces instead of commas, as many blogs write (a headline `甲 乙` is short
        enough to be both: the line's place in the page decides)."""
        t = tuning.active
        return 0 < self.han_gaps <= t.gap_prose_max_gaps and self.han >= t.gap_prose_min_han and not self.bullet \
            and self.chars >= t.gap_prose_clause * (self.han_gaps + 1)


_HAN_GAP = regexcache.compile(r"\p{Han}\s+(?=\p{Han})")
# A credit or aside printed after the last sentence: `…发表在《自然》上。（编译/林靖东）`, `… (Reuters)`.
_TRAILING_ASIDE = regexcache.compile(r"(?<=[。！？.!?][”’」』\"')）]*)\s*[（(][^（）()]{1,24}[）)]\s*$")
# Reference marks: `…揭牌启动。 [3]`. Searched from the end of the line (`(?r)`): searched forward, a repeated group
# anchored at `$` is tried from every position of a long run of marks that does not end the line (31 s on 19 KB).
_CITATIONS = regexcache.compile(r"(?r)(\s*\[\d{1,3}(-\d{1,3})?\])+\s*$")


# A closing credit printed as the article's last line: `（总台央视记者 奚丹霓 张赛）`, `新华社发（刘满仓摄）`,
# `（本报记者 张三 通讯员 李四）`. It belongs to the article as printed, though it scores as no prose.
CLOSING_CREDIT = regexcache.compile(
    r"^[（(][^（）()。！？]{0,36}(记者|通讯员|实习生|摄|供图|报道|撰稿|编译)[^（）()。！？]{0,24}[）)]$"
    r"|^[^（）()。！？\s]{0,12}\s*[（(][^（）()。！？]{1,20}(摄|供图)[）)]$"
)


# A line that announces what follows as part of the document: `附：招生专业及考试科目`, `附件1：名单`, `名单如下：`.
ANNOUNCES_APPENDIX = regexcache.compile(r"^附(件|表|录)?\s*\d*\s*[:：]|如下\s*[:：]$")


_FIGURE_END = 2  # a digit and the full stop after it


def _ends_in_figure(line: str) -> bool:
    """What _SPACED_PERIOD_END needs at the end (a digit, a full stop, closing quotes), checked before that
    pattern's slow search."""
    end = line.rstrip("”’\"')")
    return len(end) >= _FIGURE_END and end[-1] == "." and end[-2].isdigit()


def _dated_item(line: str) -> bool:
    """A bulleted headline that ends with its date (`• Why Verizon Can't Quit Yahoo DEC 20`): an item of a feed."""
    return line[-1:].isdigit() and len(line) <= tuning.active.teaser_max and bool(_BULLET.match(line)) \
        and bool(MONTH_DAY_END.search(line))


def text_chars(line: str) -> int:
    """How many letters and digits the line holds (the characters _NOT_TEXT leaves)."""
    if line.isascii():
        return len(line.encode("ascii").translate(None, _ASCII_NOT_TEXT))
    return len(_NOT_TEXT.sub("", line))


def shape(line: str) -> LineShape:
    if "[" in line:  # reference marks are bracketed, asides parenthesised: most lines hold neither
        line = _CITATIONS.sub("", line)
    if "(" in line or "（" in line:
        line = _TRAILING_ASIDE.sub("", line)
    return LineShape(
        chars=text_chars(line),
        han=0 if line.isascii() else len(_NOT_HAN.sub("", line)),
        puncts=len(CLAUSE_PUNCT.findall(line)),
        ends_period=bool(_PERIOD_END.search(line) or (" " in line and _ends_in_figure(line)
                                                       and _SPACED_PERIOD_END.search(line))),
        ends_exclaim=bool(_EXCLAIM_END.search(line)),
        ends_clause=bool(_CLAUSE_END.search(line)),
        bullet=bool(_BULLET.match(line)),
        listed=bool(_ENUMERATED.match(line) or _KEY_VALUE.match(line)),
        teaser=(bool(_TEASER_END.search(line)) and len(line) <= tuning.active.teaser_max) or _dated_item(line),
        stamped=is_stamped(line),
        words=line.count(" ") + 1,
        han_gaps=len(_HAN_GAP.findall(line)) if " " in line else 0,
    )


def text_size(text: str) -> float:
    """A text's length in Han characters or their equivalent: letters / spaced_letters_per_han for the rest."""
    han = len(_HAN.findall(text))
    return han + (text_chars(text) - han) / tuning.active.spaced_letters_per_han


def text_date(line: str) -> regex.Match | None:
    """A date with a month name (`May 2, 2024`, `30 avril 2015`), looked for only just before a year."""
    for year in YEAR.finditer(line):
        if m := TEXT_DATE.search(line, max(0, year.start() - YEAR_WINDOW), year.end()):
            return m
    return None


# A live ticker's item: a time of day, then its headline (`• 14:44 Accusations de viols : …`, `14:32 标题`).
# (the headline runs to some words: a film called `12:01` in a table cell, `12:01 PM`, is not an item)
_CLOCK_ITEM = regexcache.compile(r"^[•·\-–*]?\s*(?:[01]?\d|2[0-3]):[0-5]\d\s+(?!(?i:[ap]\.?m)\b)\S.{14}")


def is_stamped(line: str) -> bool:
    """A date with a time of day in a short non-sentence line (`标题 2005-06-11 14:05:50`, `【网友】08-11 16:58`),
    or an item of a live ticker."""
    t = tuning.active
    if len(line) <= t.clock_item_max_chars and _CLOCK_ITEM.match(line) and "。" not in line:
        return True
    if len(line) > t.stamp_max_chars or "。" in line:
        return False
    if "刚刚" not in line and not _DIGIT.search(line):  # every stamp but `刚刚` (just now) holds a digit
        return False
    m = DATE.search(line)
    if (m and m["H"] is not None) or _SHORT_STAMP.search(line):
        return True
    return bool(_TIME_OF_DAY.search(line) and text_date(line))  # `March 9, 2017 at 10:42 am`


# The score of a line that separates one post or item from the next: a timestamped header.
BOUNDARY = -40.0


def content_score(s: LineShape) -> float:
    """How much a line looks like article prose (positive) or page chrome (negative).

    Paragraphs score their length; short unpunctuated lines cost a little each, so a menu of twenty items
    outweighs a stray caption but a single subheading between two paragraphs does not split the article.
    Length is counted in Han characters, or their equivalent in letters for scripts that separate words, so
    that a page mixing scripts weighs its blocks by what they say, not by how many letters they spell it in.
    """
    if s.chars == 0:
        return 0.0
    size = s.size
    if s.stamped:
        return BOUNDARY
    if s.teaser:
        return -(6.0 + min(size, 40) * 0.25)
    t = tuning.active
    if s.is_paragraph:
        # long lines with almost no punctuation are link rows or keyword lists, not prose
        if s.spaced:
            dense = s.puncts >= t.spaced_punct_per_word * s.words
        else:
            dense = s.puncts / s.chars >= t.punct_per_char or s.chars < t.sparse_min_chars
        return size * (1.0 if dense else 0.3) - (15 if s.bullet else 0)
    if (s.ends_clause or s.ends_period or s.ends_exclaim) and s.chars >= t.clause_min_chars and not s.bullet:
        return size * 0.5  # a wrapped sentence or a line of verse
    if s.spaced and s.words >= t.spaced_sentence_words:
        return size * 0.5  # a sentence without its full stop: a list item, a caption
    if s.gap_prose:
        return size * 0.5  # clauses parted by spaces instead of commas, as many blogs write
    if s.listed:
        return -2.0  # an item of a list inside the article costs little to cross
    return -(6.0 + min(size, 40) * 0.25 + (6 if s.bullet else 0))


def best_block(scores: list[float]) -> tuple[int, int] | None:
    """The contiguous run of lines with the largest total score (inclusive bounds), or None."""
    best, best_span = 0.0, None
    total, start = 0.0, 0
    for i, v in enumerate(scores):
        if total <= 0:
            total, start = 0.0, i
        total += v
        if total > best:
            best, best_span = total, (start, i)
    if best_span is None:
        return None
    s, e = best_span
    while s < e and scores[s] <= 0:
        s += 1
    while e > s and scores[e] <= 0:
        e -= 1
    return s, e


def is_keyword_farm(line: str) -> bool:
    """A `|`-separated list of short keywords (SEO spam farms, tag clouds), not a sentence."""
    if "|" not in line and "｜" not in line:  # one part
        return False
    parts = [p for p in _PIPES.split(line) if p]
    t = tuning.active
    if len(parts) < t.farm_min_parts:
        return False
    avg = sum(len(p) for p in parts) / len(parts)
    return avg <= t.farm_max_part and "。" not in line


def dateline_date(line: str) -> regex.Match | None:
    """The date in a byline such as `网络编辑 政务 2023-05-27 21:07:23 0 职业教育`, or None for prose."""
    t = tuning.active
    if len(line) > t.dateline_max_chars or "。" in line:
        return None
    m = DATE.search(line) or text_date(line)
    if not m:
        return None
    rest = (line[: m.start()] + line[m.end():]).strip()
    s = shape(rest)
    if s.chars <= t.dateline_rest_chars or _DATELINE_WORDS.search(rest) \
            or (s.puncts == 0 and s.chars <= t.dateline_unpunctuated_chars):
        return m
    return None
