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
from importlib import metadata as importlib_metadata
from importlib import resources

import numpy as np
import regex
from langdetect import DetectorFactory, LangDetectException, detector_factory
from langdetect.detector import Detector
from langdetect.lang_detect_exception import ErrorCode
from langdetect.utils.ngram import NGram

from cleaners import tuning

DetectorFactory.seed = 0


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
_HAN = regex.compile(r"\p{Han}")
_KANA = regex.compile(r"[\p{Hiragana}\p{Katakana}ー]")
_HANGUL = regex.compile(r"\p{Hangul}")
_NOT_LETTER = regex.compile(r"\P{L}+")  # deleted, what is left are the letters (counted without a list of them)
SCRIPT_TABLE = "data/han_script.txt"


@functools.lru_cache(maxsize=1)
def _script_chars() -> tuple[dict[int, None], dict[int, None]]:
    """Translation tables that delete the Traditional-only and the Simplified-only characters of
    data/han_script.txt: str.translate counts them at C speed (a character class of 3,500 members is slow)."""
    lines = resources.files("cleaners").joinpath(SCRIPT_TABLE).read_text("utf-8").splitlines()
    rows = dict(line.split("\t", 1) for line in lines if "\t" in line and not line.startswith("#"))
    return dict.fromkeys(map(ord, rows["hant"])), dict.fromkeys(map(ord, rows["hans"]))


def build_script_table() -> str:
    """The contents of data/han_script.txt, from OpenCC: the ideographs its t2s conversion changes (used only
    in Traditional text) and those its s2t conversion changes (used only in Simplified text).

    Regenerate with `python -c "from cleaners.decode.langid import build_script_table as b; print(b(), end='')" >
    cleaners/data/han_script.txt`; a test checks the shipped file against OpenCC."""
    from cleaners.decode.normalize import convert_script

    chars = [chr(c) for c in range(0x3400, 0xA000)]
    joined = "\n".join(chars)
    to_simp = convert_script(joined, "t2s").split("\n")
    to_trad = convert_script(joined, "s2t").split("\n")
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


_BIGRAM, _TRIGRAM = 2, 3  # n-gram lengths langdetect extracts besides single characters
# The langdetect release whose inner loops _Detector rewrites; another release gets its own Detector.
LANGDETECT_VERSION = "1.0.9"


@functools.cache
def _normalized(ch: str) -> str:
    """langdetect's per-character normalisation (a binary search of Unicode blocks), once per character."""
    return NGram.normalize(ch)


class _Detector(Detector):
    """langdetect's Detector with its inner loops rewritten: n-grams read with each character's normalisation
    memoised, and each trial's random walk over the languages' probabilities done on numpy vectors. The same
    n-grams, the same floating-point operations in the same order (sums left to right, as Python's sum), hence
    the same walk and the same probabilities, in less than half the time."""

    def _extract_ngrams(self) -> list[str]:
        known = self.word_lang_prob_map
        result: list[str] = []
        grams, capital = " ", False  # NGram's buffer of the last N_GRAM (3) characters, and its capitalword
        for raw in self.text:
            ch = _normalized(raw)
            last = grams[-1]
            if last == " ":  # NGram.add_char: a word starts
                grams, capital = " ", False
                if ch == " ":
                    continue
            elif len(grams) >= NGram.N_GRAM:
                grams = grams[1:]
            grams += ch
            if ch.isupper():
                if last.isupper():
                    capital = True
            else:
                capital = False
            if capital:  # inside an all-capitals word: no n-grams
                continue
            if ch != " " and ch in known:
                result.append(ch)
            if len(grams) >= _BIGRAM and (w := grams[-2:]) in known:
                result.append(w)
            if len(grams) >= _TRIGRAM and (w := grams[-3:]) in known:
                result.append(w)
        return result

    def _detect_block(self) -> None:
        self.cleaning_text()
        ngrams = self._extract_ngrams()
        if not ngrams:
            raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
        vectors: dict[str, np.ndarray] = {}  # the n-grams the walk picks, as vectors over the languages
        self.langprob = [0.0] * len(self.langlist)
        self.random.seed(self.seed)
        for _ in range(self.n_trial):
            prob = np.array(self._init_probability())
            alpha = self.alpha + self.random.gauss(0.0, 1.0) * self.ALPHA_WIDTH
            weight = alpha / self.BASE_FREQ
            i = 0
            while True:
                word = self.random.choice(ngrams)
                if (vector := vectors.get(word)) is None:
                    vector = vectors[word] = np.array(self.word_lang_prob_map[word])
                prob *= weight + vector
                if i % 5 == 0:
                    prob /= sum(prob.tolist())  # Python's sum: left to right, as langdetect's _normalize_prob
                    if max(0.0, prob.max()) > self.CONV_THRESHOLD or i >= self.ITERATION_LIMIT:
                        break
                i += 1
            for j, p in enumerate(prob.tolist()):
                self.langprob[j] += p / self.n_trial


@functools.cache
def _rewrite_fits() -> bool:
    return importlib_metadata.version("langdetect") == LANGDETECT_VERSION


def _new_detector() -> Detector:
    detector_factory.init_factory()
    factory = detector_factory._factory  # the seeded factory behind langdetect.detect_langs
    return _Detector(factory) if _rewrite_fits() else factory.create()  # _Detector(factory): what create() builds


def _langdetect(text: str, settings: LangIdSettings) -> tuple[str | None, float | None]:
    sample = _prose_sample(text, settings.sample_chars, settings.sample_lines)
    detector = _new_detector()
    detector.n_trial = settings.trials
    try:
        detector.append(sample)
        best = detector.get_probabilities()[0]
    except LangDetectException:
        return None, None
    return _CODES.get(best.lang, best.lang), round(best.prob, 4)
