"""langdetect, seeded, with its inner loops rewritten: the part of language id that only pages outside the CJK
scripts need (cleaners.decode.langid imports it on the first such page: numpy and langdetect's profiles cost a
tenth of a second to load)."""
from __future__ import annotations

import functools
from importlib import metadata as importlib_metadata

import numpy as np
from langdetect import DetectorFactory, LangDetectException, detector_factory
from langdetect.detector import Detector
from langdetect.lang_detect_exception import ErrorCode
from langdetect.utils.ngram import NGram

DetectorFactory.seed = 0  # reproducible results

__all__ = ["LangDetectException", "new_detector"]

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


def new_detector() -> Detector:
    """A detector of the seeded factory behind langdetect.detect_langs (profiles loaded once)."""
    detector_factory.init_factory()
    factory = detector_factory._factory  # the seeded factory behind langdetect.detect_langs
    return _Detector(factory) if _rewrite_fits() else factory.create()  # _Detector(factory): what create() builds
