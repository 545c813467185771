"""Text normalisation for Chinese pages.

NFC, full-width ASCII letters/digits to half-width, CJK punctuation kept full-width (never NFKC), ASCII
punctuation between two CJK characters turned full-width, invisible characters removed, whitespace collapsed.
"""
from __future__ import annotations

import functools
import unicodedata
from typing import Any

from cleaners import regexcache, tuning

# Zero-width, bidi and other format controls that carry no text (U+200B..U+200F, U+202A..U+202E,
# U+2060..U+206F, U+FEFF, U+061C, U+180E) plus C0/C1 controls other than tab and newline.
_INVISIBLE = regexcache.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\u061c\u180e\u00ad"
                                r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Full-width ASCII letters and digits (U+FF10..U+FF19, U+FF21..U+FF3A, U+FF41..U+FF5A).
_FULLWIDTH_ALNUM = {c: c - 0xFEE0 for r in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
                    for c in range(r[0], r[1] + 1)}
_ANY_FULLWIDTH_ALNUM = regexcache.compile(r"[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
# What counts as CJK on each side of an ASCII punctuation mark: ideographs and kana/hangul, plus the CJK
# closing marks on the left and opening marks on the right (`集團)有限` and `”,三位` are both inside CJK text).
_CJK_LEFT = r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}”’」』》）】〕]"
_CJK_RIGHT = r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}“‘「『《（【〔]"
_ASCII_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
_ASCII_BETWEEN_CJK = regexcache.compile(rf"(?<={_CJK_LEFT})[,;:?!()](?={_CJK_RIGHT})")
# A parenthesised aside in CJK text: `(记者 杜燕)今天` -> `（记者 杜燕）今天`, both marks together.
_ASIDE = r"\(([^()\n]{0,60}\p{Han}[^()\n]{0,60})\)"
_PAREN_PAIR = regexcache.compile(rf"(?<={_CJK_LEFT}){_ASIDE}|{_ASIDE}(?={_CJK_RIGHT})")
_SPACES = regexcache.compile(r"[^\S\n]+")

@functools.cache
def _ftfy() -> tuple[Any, Any, Any]:
    """ftfy, its badness test and our settings, imported on the first text that may need them (most pages do
    not: its import costs a tenth of a second)."""
    import ftfy
    from ftfy.badness import is_bad

    config = ftfy.TextFixerConfig(
        unescape_html=False,
        fix_character_width=False,  # width is ours to decide: CJK punctuation stays full-width
        uncurl_quotes=False,  # “” are real Chinese quotation marks
        fix_latin_ligatures=False,
        fix_line_breaks=True,
        normalization="NFC",
        explain=False,
    )
    return ftfy.fix_text, is_bad, config


_LATIN1_HIGH = regexcache.compile(r"[\u0080-\u00ff]")
_WHITESPACE = regexcache.compile(r"\s")
_MOJIBAKE_LEAD = regexcache.compile(r"[\u00c2-\u00f4]")
_HAN = regexcache.compile(r"\p{Han}")


def fix_legacy_chinese(text: str) -> str:
    """Undo GBK or Big5 bytes that were decoded as Latin-1 (`ÒÕÊõÊ·` for `艺术史`), which ftfy does not cover.

    Only when the text has no ideographs at all and is dominated by Latin-1 high characters; the repair is
    kept only if it decodes cleanly into mostly Chinese text. The whole-page repair, with its own bars, is
    decode.charset.repair_misread_chinese.
    """
    t = tuning.active
    if len(text) < t.legacy_min_chars or _HAN.search(text):
        return text
    high = len(_LATIN1_HIGH.findall(text))
    if high < t.legacy_high_share * (len(text) - len(_WHITESPACE.findall(text))):
        return text
    for source in ("latin-1", "cp1252"):
        try:
            raw = text.encode(source)
        except UnicodeEncodeError:
            continue
        for codec in ("gb18030", "big5hkscs"):
            fixed = raw.decode(codec, "replace")
            if fixed.count("\ufffd") <= len(fixed) // 200 and len(_HAN.findall(fixed)) >= high // 4:
                return fixed
    return text


def fix_mojibake(text: str) -> str:
    """Repair mis-decoded text: UTF-8/Latin-1 mix-ups (ftfy, without touching widths or quotes) and GBK/Big5
    read as Latin-1."""
    text = fix_legacy_chinese(text)
    # ftfy's own badness test is one regex over the text: clean pages (nearly all) skip the line-by-line fixer
    # UTF-8 read as Latin-1 or cp1252 always shows a lead byte as one of Â..ô: text without one has nothing to fix
    if "\x1b" in text or _MOJIBAKE_LEAD.search(text):
        fix_text, is_bad, config = _ftfy()
        if "\x1b" in text or is_bad(text):
            return fix_text(text, config)
    return text


def normalize_line(line: str) -> str:
    """Normalise one line: invisible characters out, widths fixed, whitespace collapsed and stripped."""
    ascii_line = line.isascii()
    if not (ascii_line and line.isprintable()):  # printable ASCII (most lines of English) has nothing invisible
        line = _INVISIBLE.sub("", line)
    if not ascii_line:  # ... nor a full-width letter or a CJK character that widths are fixed beside
        if _ANY_FULLWIDTH_ALNUM.search(line):  # a scan is cheaper than translating every character
            line = line.translate(_FULLWIDTH_ALNUM)
        if "(" in line:
            line = _PAREN_PAIR.sub(lambda m: f"（{m.group(1) or m.group(2)}）", line)
        if any(mark in line for mark in _ASCII_TO_FULL):
            line = _ASCII_BETWEEN_CJK.sub(lambda m: _ASCII_TO_FULL[m.group()], line)
    if "\n" in line:
        return _SPACES.sub(" ", line).strip()
    # without a newline, what str.split() splits on is _SPACES, once the controls \x1c-\x1f (which Python calls
    # whitespace and the regex does not) are gone: _INVISIBLE removes them, and printable ASCII has none
    return " ".join(line.split())


def normalize_text(text: str, mojibake: bool = True) -> str:
    """Normalise a whole text: NFC, mojibake repair, then every line; blank lines are dropped."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if mojibake:
        text = fix_mojibake(text)
    lines = (normalize_line(x) for x in text.split("\n"))
    return "\n".join(x for x in lines if x)


def normalize_lines(lines: list[str], mojibake: bool = True) -> list[str]:
    """Normalise lines one for one (empty results stay, as empty strings), so hints kept beside them align."""
    joined = unicodedata.normalize("NFC", "\n".join(x.replace("\n", " ") for x in lines))
    if mojibake:
        fixed = fix_mojibake(joined)
        if fixed.count("\n") == joined.count("\n"):
            joined = fixed
    return [normalize_line(x) for x in joined.split("\n")]


@functools.lru_cache(maxsize=4)
def _converter(config: str):
    import opencc

    return opencc.OpenCC(config)


def convert_script(text: str, config: str = "t2s") -> str:
    """Convert between Chinese scripts with OpenCC (`t2s`: Traditional to Simplified)."""
    return _converter(config).convert(text)


def convert_each(chars: list[str], config: str) -> list[str]:
    """What OpenCC makes of each character on its own, in one call (the generated script tables of data/)."""
    return convert_script("\n".join(chars), config).split("\n")
