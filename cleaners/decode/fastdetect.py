"""langdetect, seeded, with its profiles read lazily and its inner loops rewritten: the part of language id that
only pages outside the CJK scripts need (cleaners.decode.langid imports it on the first such page)."""
from __future__ import annotations

import functools
import json
import os
import sys
from typing import TYPE_CHECKING

from langdetect import DetectorFactory, LangDetectException, detector_factory
from langdetect.detector import Detector
from langdetect.lang_detect_exception import ErrorCode
from langdetect.utils.ngram import NGram

from cleaners import distversion

if TYPE_CHECKING:
    import numpy as np

DetectorFactory.seed = 0  # reproducible results

# Texts walked on lists of floats before numpy is imported for the walk. Importing numpy costs 0.05-0.15 s; a walk
# on its vectors saves about 0.7 ms a text (0.8 ms against 1.5 ms on the development sets' pages outside the CJK
# scripts), so a process that meets a few such pages (one page cleaned from the command line) never pays for it,
# and a batch pays for it once it has met enough to win it back. Where numpy is loaded already, it is used.
NUMPY_AFTER = 100
_walked = 0

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
        self._rows: dict[str, list[float]] = {}  # both bounded by `known`
        self._vectors: dict[str, np.ndarray] = {}

    def row(self, word: str) -> list[float]:
        """The word's row of the factory's word_lang_prob_map (memoised)."""
        if (row := self._rows.get(word)) is None:
            row = self._rows[word] = self._computed(word)
        return row

    def vector(self, word: str) -> np.ndarray:
        """The row as a numpy vector (memoised; the row is not kept beside it)."""
        if (vector := self._vectors.get(word)) is None:
            import numpy as np

            row = self._rows.get(word)
            vector = self._vectors[word] = np.array(row if row is not None else self._computed(word))
        return vector

    def _computed(self, word: str) -> list[float]:
        """The word's frequency in each language's profile over that profile's count of n-grams of its length: the
        division DetectorFactory.add_profile makes, hence the same floats."""
        row = [0.0] * self.langsize
        length = len(word)
        if 1 <= length <= _TRIGRAM:
            for j, freq in enumerate(self._freqs):
                if (count := freq.get(word)) is not None:
                    row[j] = 1.0 * count / self._n_words[j][length - 1]
        return row


@functools.cache
def _profiles() -> _Profiles:
    return _Profiles(detector_factory.PROFILES_DIRECTORY)


@functools.cache
def _normalized(ch: str) -> str:
    """langdetect's per-character normalisation (a binary search of Unicode blocks), once per character."""
    return NGram.normalize(ch)


class _Detector(Detector):
    """langdetect's Detector with its inner loops rewritten: n-grams read with each character's normalisation
    memoised, and each trial's random walk over the languages' probabilities done on whole rows at once (numpy
    vectors, or list comprehensions until numpy pays for its import: NUMPY_AFTER). The same n-grams, the same
    floating-point operations in the same order (sums left to right, as Python's sum), hence the same walk and the
    same probabilities, in a fraction of the time.

    Built on a DetectorFactory (its word_lang_prob_map's rows) or on _Profiles."""

    def __init__(self, factory: DetectorFactory | _Profiles) -> None:
        if isinstance(factory, _Profiles):
            super().__init__(_FactoryView(factory.known, factory.langlist, DetectorFactory.seed))
            self._row, self._vector = factory.row, factory.vector
        else:
            super().__init__(factory)
            rows = factory.word_lang_prob_map
            self._row = rows.__getitem__

            def vector(word: str) -> np.ndarray:
                import numpy as np

                return np.array(rows[word])

            self._vector = vector

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
        walk = self._walk_vectors if _on_vectors() else self._walk_lists
        self.langprob = [0.0] * len(self.langlist)
        self.random.seed(self.seed)
        for _ in range(self.n_trial):
            alpha = self.alpha + self.random.gauss(0.0, 1.0) * self.ALPHA_WIDTH
            for j, p in enumerate(walk(ngrams, alpha / self.BASE_FREQ)):
                self.langprob[j] += p / self.n_trial

    def _walk_vectors(self, ngrams: list[str], weight: float) -> list[float]:
        """One trial: n-grams picked at random until one language's probability converges."""
        import numpy as np

        vector_of = self._vector
        prob = np.array(self._init_probability())
        i = 0
        while True:
            prob *= weight + vector_of(self.random.choice(ngrams))
            if i % 5 == 0:
                prob /= sum(prob.tolist())  # Python's sum: left to right, as langdetect's _normalize_prob
                if max(0.0, prob.max()) > self.CONV_THRESHOLD or i >= self.ITERATION_LIMIT:
                    return prob.tolist()
            i += 1

    def _walk_lists(self, ngrams: list[str], weight: float) -> list[float]:
        """_walk_vectors on lists: element by element, the same operations."""
        row_of = self._row
        prob = list(self._init_probability())
        i = 0
        while True:
            prob = [p * (weight + x) for p, x in zip(prob, row_of(self.random.choice(ngrams)), strict=True)]
            if i % 5 == 0:
                total = sum(prob)
                prob = [p / total for p in prob]
                if max(0.0, max(prob)) > self.CONV_THRESHOLD or i >= self.ITERATION_LIMIT:
                    return prob
            i += 1


def _on_vectors() -> bool:
    """Whether this text's walk runs on numpy vectors (see NUMPY_AFTER)."""
    global _walked
    _walked += 1
    return _walked > NUMPY_AFTER or "numpy" in sys.modules


@functools.cache
def _rewrite_fits() -> bool:
    return distversion.installed_version("langdetect", "missing") == LANGDETECT_VERSION


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
