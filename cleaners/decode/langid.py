"""Language identification: the script decides first, langdetect (seeded) only for what the script leaves open.

Chinese is recognised by its characters, never by langdetect's guess: langdetect's profiles call Traditional
Chinese Korean or Japanese on short or mixed samples (42 of 57 Traditional pages came out `ko`). The steps:
1. count Han, kana and hangul in a bounded sample of the text;
2. kana among the ideographs: Japanese; hangul dominant: Korean;
3. Han dominant: Chinese, `zh-Hans` or `zh-Hant` by which script's own characters it uses (a table of the
   characters OpenCC converts, in data/han_script.txt);
4. anything else: langdetect, seeded so that results are reproducible, on a bounded sample.
`language_score` is langdetect's probability, or for the script decisions the share of the deciding characters
that agree with the label.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

from cleaners import regexcache, tuning
from cleaners.io.packagedata import package_text


@dataclass(frozen=True)
class LangIdSettings:
    """The thresholds of language identification, from the tuning table (data/tuning.yaml, where each is
    explained)."""

    sample_chars: int  # tuning.lang_sample_chars
    trials: int  # tuning.lang_trials
    script_sample_chars: int
    min_letters: int  # tuning.lang_min_letters
    han_share: float
    kana_share: float
    min_kana: int
    hangul_share: float
    sample_lines: int  # tuning.lang_sample_lines

    @classmethod
    def from_tuning(cls, t: tuning.Tuning) -> LangIdSettings:
        return cls(t.lang_sample_chars, t.lang_trials, t.script_sample_chars, t.lang_min_letters, t.han_share,
                   t.kana_share, t.min_kana, t.hangul_share, t.lang_sample_lines)


SETTINGS = LangIdSettings.from_tuning(tuning.DEFAULT)
# BCP 47 script subtags for the two Chinese profiles langdetect ships.
_CODES = {"zh-cn": "zh-Hans", "zh-tw": "zh-Hant"}
_HAN = regexcache.compile(r"\p{Han}")
_KANA = regexcache.compile(r"[\p{Hiragana}\p{Katakana}ー]")
_HANGUL = regexcache.compile(r"\p{Hangul}")
_NOT_LETTER = regexcache.compile(r"\P{L}+")  # deleted, what is left are the letters (counted without a list of them)
SCRIPT_TABLE = "data/han_script.txt"


@functools.lru_cache(maxsize=1)
def _script_chars() -> tuple[dict[int, None], dict[int, None]]:
    """Translation tables that delete the Traditional-only and the Simplified-only characters of
    data/han_script.txt: str.translate counts them at C speed (a character class of 3,500 members is slow)."""
    lines = package_text(SCRIPT_TABLE).splitlines()
    rows = dict(line.split("\t", 1) for line in lines if "\t" in line and not line.startswith("#"))
    return dict.fromkeys(map(ord, rows["hant"])), dict.fromkeys(map(ord, rows["hans"]))


def build_script_table() -> str:
    """The contents of data/han_script.txt, from OpenCC: the ideographs its t2s conversion changes (used only
    in Traditional text) and those its s2t conversion changes (used only in Simplified text).

    Regenerate with `python -c "from cleaners.decode.langid import build_script_table as b; print(b(), end='')" >
    cleaners/data/han_script.txt`; a test checks the shipped file against OpenCC."""
    from cleaners.decode.normalize import convert_each

    chars = [chr(c) for c in range(0x3400, 0xA000)]
    to_simp, to_trad = convert_each(chars, "t2s"), convert_each(chars, "s2t")
    hant = {c for c, s in zip(chars, to_simp, strict=True) if s != c}
    hans = {c for c, t in zip(chars, to_trad, strict=True) if t != c}
    both = hant & hans  # characters OpenCC maps both ways (麽, 藴) decide nothing
    return ("# Han characters that only one script uses (generated from OpenCC by langid.build_script_table)\n"
            f"hant\t{''.join(sorted(hant - both))}\nhans\t{''.join(sorted(hans - both))}\n")


def chinese_script(text: str) -> tuple[str, float]:
    """`zh-Hant` or `zh-Hans` and the share of script-specific characters that agree (0.5: none either way)."""
    hant_table, hans_table = _script_chars()
    hant, hans = len(text) - len(text.translate(hant_table)), len(text) - len(text.translate(hans_table))
    if hant > hans:
        return "zh-Hant", round(hant / (hant + hans), 4)
    return "zh-Hans", round(hans / (hant + hans), 4) if hans else 0.5


def detect_language(text: str, settings: LangIdSettings | None = None) -> tuple[str | None, float | None]:
    """(language code, score) for the body text, or (None, None) when there is nothing to judge; `settings`
    default to the active tuning's."""
    if settings is None:
        settings = SETTINGS if tuning.active is tuning.DEFAULT else LangIdSettings.from_tuning(tuning.active)
    start = max(0, len(text) // 2 - settings.script_sample_chars // 2)
    sample = text[start:start + settings.script_sample_chars]
    letters = len(_NOT_LETTER.sub("", sample))
    if letters < settings.min_letters:
        return None, None
    han = len(_HAN.findall(sample))
    if han:
        kana = len(_KANA.findall(sample))
        if kana >= settings.min_kana and kana >= settings.kana_share * (han + kana):
            return "ja", round((han + kana) / letters, 4)
    hangul = len(_HANGUL.findall(sample))
    if hangul >= settings.hangul_share * letters:
        return "ko", round(hangul / letters, 4)
    if han >= settings.han_share * letters:
        return chinese_script(sample)
    return _langdetect(text, settings)


def _prose_sample(text: str, size: int, max_lines: int) -> str:
    """Up to `size` characters from the text's longest lines: its prose, not a table, a code block or a list."""
    lines = sorted(text.split("\n"), key=len, reverse=True)
    out, total = [], 0
    for line in lines[:max_lines]:
        out.append(line[:size - total])
        total += len(out[-1])
        if total >= size:
            break
    return " ".join(out)


def _langdetect(text: str, settings: LangIdSettings) -> tuple[str | None, float | None]:
    from cleaners.decode.fastdetect import LangDetectException, new_detector  # not needed for CJK pages

    sample = _prose_sample(text, settings.sample_chars, settings.sample_lines)
    detector = new_detector()
    detector.n_trial = settings.trials
    try:
        detector.append(sample)
        best = detector.get_probabilities()[0]
    except LangDetectException:
        return None, None
    return _CODES.get(best.lang, best.lang), round(best.prob, 4)
