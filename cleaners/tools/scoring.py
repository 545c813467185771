"""Character-bigram precision, recall and F1: the metric of the reference scorer, reimplemented.

Text is compared as a bag of character bigrams after NFKC, Traditional->Simplified (OpenCC) and removal of
whitespace, punctuation and symbols; the record's title counts as text unless the text already starts with it.
NFKC is right here (it is a comparison, not an output) and keeps scores comparable across width variants.
"""
from __future__ import annotations

import unicodedata
from collections import Counter

from cleaners.decode.normalize import convert_script


def _norm(s: str) -> str:
    s = convert_script(unicodedata.normalize("NFKC", s or ""), "t2s")
    return "".join(c for c in s if not (c.isspace() or unicodedata.category(c)[0] in "PSZ"))


def bigrams(s: str) -> Counter:
    s = _norm(s)
    return Counter(s[i:i + 2] for i in range(len(s) - 1))


def prf(out: str, gold: str, optional: str = "") -> tuple[float, float, float]:
    """(precision, recall, F1) of `out` against `gold`; bigrams of `optional` cost nothing when extra."""
    g, o = bigrams(gold), bigrams(out)
    tp = sum((g & o).values())
    allowed = set(bigrams(optional))
    fp = sum(c for b, c in (o - g).items() if b not in allowed)
    p = tp / max(1, tp + fp)
    r = tp / max(1, sum(g.values()))
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def full_text(title: str | None, text: str | None) -> str:
    """What is scored: the title before the text, unless the text already starts with it."""
    title, text = (title or "").strip(), text or ""
    return title + "\n" + text if title and not text.lstrip().startswith(title[:10]) else text
