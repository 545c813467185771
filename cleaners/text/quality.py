"""Quality signals of a cleaned record, for the filters corpus builders run next (datatrove's and data-juicer's
count words separated by spaces, so they misjudge Chinese pages).

They are computed from what cleaning already has in hand, the kept text and the removed spans with their rules,
so they cost a few regex passes over the text. Meanings and ranges: cleaners.schema.QUALITY and the README.
"""
from __future__ import annotations

from cleaners import regexcache
from cleaners.record import Quality, Span
from cleaners.text.catalogue import catalogue
from cleaners.text.rules import RuleTable

# Han and the other letters are counted apart in three cheap passes (the text's ASCII as bytes, one regex that
# drops ASCII and Han runs, a letter count of what is left), not one pass per character: a tenth of the time.
_NOT_ASCII_OR_HAN = regexcache.compile(r"[\x00-\x7f\p{Han}]+")
_LETTER = regexcache.compile(r"\p{L}")
_ASCII_NOT_LETTER = bytes(c for c in range(128) if not chr(c).isalpha())
# A sentence end in any script (Unicode's Sentence_Terminal: 。！？｡ . ! ? ؟ । …), a run such as `?!` or `。。`
# counted once. A run of full stops followed by a letter or digit (`3.5`, `example.com`, `e.g`) ends nothing.
_TERMINATORS = regexcache.compile(r"\p{Sentence_Terminal}+")
SPAM_CONCEPT = "spam_farm"
_DIGITS = 4  # the signals are rounded: enough for a threshold, and short in JSON


def quality_signals(text: str, removed: list[Span], table: RuleTable) -> Quality:
    """The signals of one record: `text` is the kept text (lines joined by `\\n`, whitespace collapsed to single
    spaces), `removed` every removed span."""
    han, letters = han_and_letters(text)
    visible = len(text) - text.count(" ") - text.count("\n")
    kept = len(text) - text.count("\n")
    spam_rules = spam_rule_names(table)
    removed_chars = spam_chars = 0
    for r in removed:
        removed_chars += len(r.text)
        if r.rule in spam_rules:
            spam_chars += len(r.text)
    page = kept + removed_chars
    return Quality(
        han_share=_share(han, letters),
        sentence_punct_density=round(100 * sentence_ends(text) / visible, _DIGITS) if visible else 0.0,
        repeated_line_share=repeated_line_share(text),
        boilerplate_share=_share(removed_chars, page),
        spam_farm_score=_share(spam_chars, page),
    )


def han_and_letters(text: str) -> tuple[int, int]:
    """(Han characters, letters of any script including Han) in the text."""
    ascii_part = text.encode("ascii", "ignore")
    rest = _NOT_ASCII_OR_HAN.sub("", text)  # neither ASCII nor Han: kana, hangul, accented letters, punctuation
    han = len(text) - len(ascii_part) - len(rest)
    return han, han + len(ascii_part.translate(None, _ASCII_NOT_LETTER)) + len(_LETTER.findall(rest))


def sentence_ends(text: str) -> int:
    n = 0
    for m in _TERMINATORS.finditer(text):
        end = m.end()
        if end == len(text) or not text[end].isalnum() or m.group().strip("."):
            n += 1
    return n


def _share(part: int, whole: int) -> float:
    return round(part / whole, _DIGITS) if whole else 0.0


def repeated_line_share(text: str) -> float:
    """Characters in lines equal to an earlier line, of all the characters in lines (the first copy of a line is
    not counted, as in Gopher's and datatrove's duplicate-line fraction)."""
    seen: set[str] = set()
    total = repeated = 0
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        total += len(line)
        if line in seen:
            repeated += len(line)
        else:
            seen.add(line)
    return _share(repeated, total)


def spam_rule_names(table: RuleTable) -> frozenset[str]:
    """The rules of the spam_farm concept (link farms, 友情链接, keyword farms): the table's and the detectors'."""
    names = _SPAM_RULES.get(table.version)  # the version names the table's content (extended tables their own)
    if names is None:
        names = frozenset(r.name for r in table.rules if r.concept == SPAM_CONCEPT) | frozenset(
            name for name, entry in catalogue().detectors.items() if entry.concept == SPAM_CONCEPT)
        if len(_SPAM_RULES) >= _SPAM_CACHE:
            _SPAM_RULES.clear()
        _SPAM_RULES[table.version] = names
    return names


_SPAM_RULES: dict[str, frozenset[str]] = {}
_SPAM_CACHE = 32  # tables remembered (the default one and a few with site rules)
