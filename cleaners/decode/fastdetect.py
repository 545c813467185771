"""langdetect, seeded, with its profiles read lazily and its inner loops rewritten: the part of language id that
only pages outside the CJK scripts need (cleaners.decode.langid imports it on the first such page)."""
from __future__ import annotations

import functools
import json
import os
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


class _Profiles:
    """langdetect's profiles as DetectorFactory.load_profile reads them (the files in os.listdir order, each
    language's vector as long as the file count), but each n-gram's vector over the languages is built the first
    time a walk picks it: building all 87,000 of them up front cost 0.3 s in every process that met a page
    outside the CJK scripts, and a page picks a few hundred."""

    def __init__(self, directory: str) -> None:
        names = os.listdir(directory)
        self.langsize = len(names)
        self.langlist: list[str] = []
        self._freqs: list[dict[str, int]] = []
        self._n_words: list[list[int]] = []
        for name in names:
            path = os.path.join(directory, name)
            if name.startswith(".") or not os.path.isfile(path):
                continue
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
            if data["name"] in self.langlist:
                raise LangDetectException(ErrorCode.DuplicateLangError, "Duplicate the same language profile.")
            self.langlist.append(data["name"])
            self._freqs.append(data["freq"])
            self._n_words.append(data["n_words"])
        self.known = frozenset().union(*self._freqs)  # the keys of the factory's word_lang_prob_map
        self._vectors: dict[str, np.ndarray] = {}  # bounded by `known`

    def vector(self, word: str) -> np.ndarray:
        """The word's row of the factory's word_lang_prob_map: its frequency in each language's profile over
        that profile's count of n-grams of its length (the same division, hence the same floats)."""
        if (vector := self._vectors.get(word)) is None:
            row = [0.0] * self.langsize
            length = len(word)
            if 1 <= length <= _TRIGRAM:
                for j, freq in enumerate(self._freqs):
                    if (count := freq.get(word)) is not None:
                        row[j] = 1.0 * count / self._n_words[j][length - 1]
            vector = self._vectors[word] = np.array(row)
        return vector


@functools.cache
def _profiles() -> _Profiles:
    return _Profiles(detector_factory.PROFILES_DIRECTORY)


@functools.cache
def _normalized(ch: str) -> str:
    """langdetect's per-character normalisation (a binary search of Unicode blocks), once per character."""
    return NGram.normalize(ch)


class _Detector(Detector):
    """langdetect's Detector with its inner loops rewritten: n-grams read with each character's normalisation
    memoised, and each trial's random walk over the languages' probabilities done on numpy vectors. The same
    n-grams, the same floating-point operations in the same order (sums left to right, as Python's sum), hence
    the same walk and the same probabilities, in less than half the time.

    Built on a DetectorFactory (its word_lang_prob_map's rows as vectors) or on _Profiles."""

    def __init__(self, factory: DetectorFactory | _Profiles) -> None:
        if isinstance(factory, _Profiles):
            super().__init__(_FactoryView(factory.known, factory.langlist, DetectorFactory.seed))
            self._vector = factory.vector
        else:
            super().__init__(factory)
            rows = factory.word_lang_prob_map
            self._vector = lambda word: np.array(rows[word])

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
        vector_of = self._vector
        self.langprob = [0.0] * len(self.langlist)
        self.random.seed(self.seed)
        for _ in range(self.n_trial):
            prob = np.array(self._init_probability())
            alpha = self.alpha + self.random.gauss(0.0, 1.0) * self.ALPHA_WIDTH
            weight = alpha / self.BASE_FREQ
            i = 0
            while True:
                word = self.random.choice(ngrams)
                prob *= weight + vector_of(word)
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


class _FactoryView:
    """What Detector.__init__ reads of a factory."""

    def __init__(self, word_lang_prob_map: frozenset[str], langlist: list[str], seed: int | None) -> None:
        self.word_lang_prob_map, self.langlist, self.seed = word_lang_prob_map, langlist, seed


def new_detector() -> Detector:
    """A seeded detector on langdetect's profiles (read once): what the factory behind langdetect.detect_langs
    creates, or that very factory's detector under another langdetect release."""
    if _rewrite_fits():
        return _Detector(_profiles())
    detector_factory.init_factory()
    return detector_factory._factory.create()
