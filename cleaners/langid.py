"""Language identification with langdetect, seeded so results are reproducible."""
from __future__ import annotations

from langdetect import DetectorFactory, LangDetectException, detect_langs

DetectorFactory.seed = 0
_SAMPLE = 800  # characters from the middle of the body: a stable answer at a bounded cost
# BCP 47 script subtags for the two Chinese profiles langdetect ships.
_CODES = {"zh-cn": "zh-Hans", "zh-tw": "zh-Hant"}


def detect_language(text: str) -> tuple[str | None, float | None]:
    """(language code, probability) for the body text, or (None, None) when there is nothing to judge."""
    start = max(0, len(text) // 2 - _SAMPLE // 2)
    sample = text[start:start + _SAMPLE]
    if sum(c.isalpha() for c in sample) < 5:
        return None, None
    try:
        best = detect_langs(sample)[0]
    except LangDetectException:
        return None, None
    return _CODES.get(best.lang, best.lang), round(best.prob, 4)
