"""The topic of a discovery: a character n-gram profile built from example articles, and the score of a text.

The examples (`--like`, cleaned by the cleaner) are what the user calls "news like these". Each text is turned
into Simplified Chinese (OpenCC t2s, so Traditional examples and pages count alike), cut into runs of Han
characters, and each run into its character bigrams and trigrams: words without a segmenter. An n-gram that holds
one of the function characters of STOP_CHARS (的, 了, 是, 在, 和 ...) is dropped: such n-grams are frequent in any
Chinese text and say nothing of a topic.

- A text's vector: sublinear term frequency (1 + ln tf) of its n-grams, normalised to length 1.
- The profile: the centroid of the examples' vectors (Rocchio), each n-gram's weight multiplied by the share of
  examples that hold it, so that what the examples share (职业教育, 产教融合, 校企合作) weighs more than the names
  and places of one of them. The PROFILE_TERMS heaviest n-grams are kept. Keywords (`--keywords FILE`) widen it:
  each keyword's n-grams get at least the median weight of the kept terms.
- The score of a text: the cosine of its vector with the profile, in [0, 1].
- The threshold, derived from the examples, never from the pages met: each example is scored against the profile
  of the others (leave-one-out), which is what an unseen article on the topic scores; the threshold is
  THRESHOLD_SHARE (one half) of the median of those scores. An article is on topic when it is at least half as
  close to the profile as the examples are to each other. Off-topic news shares only the news style (记者, 近日,
  表示 ...) and a stray word with the examples, which keeps it far below; see README, Discovering sources.
- An explanation: the n-grams that contribute most to a score.

Pure functions and plain data (the profile is a dict of weights, sent to the workers as such).
"""
from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cleaners import regexcache
from cleaners.decode.normalize import convert_script

NGRAM_SIZES = (2, 3)
# Function characters: particles, pronouns, prepositions, conjunctions, and the date units every news text has.
# An n-gram holding one is dropped (see the module doc). Content characters that also serve as function words
# (中, 上, 大, 新) are kept: they start words of every topic (中职, 上岗).
STOP_CHARS = frozenset("的了是在和与及等也就都而对为以将把被从这那其之着过并或但于由所给让使很更最该此已又还"
                       "我你他她它们您年月日号")
PROFILE_TERMS = 3000  # n-grams kept in a profile: its heaviest; more adds only names and places of one example
THRESHOLD_SHARE = 0.5  # the threshold: this share of the examples' median leave-one-out score
MAX_TEXT_CHARS = 20_000  # of a text read for its n-grams (a long page is judged by its first 20,000 characters)
EXPLAIN_TERMS = 8  # n-grams given in an explanation
MIN_EXAMPLES = 2  # example texts with Chinese n-grams a profile needs: the threshold scores a held-out one
_HAN_RUN = regexcache.compile(r"\p{Han}+")


def ngrams(text: str) -> Counter[str]:
    """The character bigrams and trigrams of the text's Han runs (in Simplified), without stop characters."""
    simplified = convert_script(text[:MAX_TEXT_CHARS], "t2s")
    grams: Counter[str] = Counter()
    for run in _HAN_RUN.findall(simplified):
        for n in NGRAM_SIZES:
            for i in range(len(run) - n + 1):
                gram = run[i:i + n]
                if STOP_CHARS.isdisjoint(gram):
                    grams[gram] += 1
    return grams


def vector(grams: Counter[str]) -> dict[str, float]:
    """Sublinear term frequencies normalised to length 1 (empty for a text with no n-gram)."""
    weights = {g: 1.0 + math.log(n) for g, n in grams.items()}
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {g: w / norm for g, w in weights.items()} if norm else {}


@dataclass(frozen=True)
class Match:
    """A score and the n-grams that made it, heaviest first."""

    score: float
    terms: tuple[str, ...] = ()

    @property
    def explanation(self) -> str:
        return f"{self.score:.3f} ({' '.join(self.terms)})" if self.terms else f"{self.score:.3f}"


@dataclass(frozen=True)
class TopicProfile:
    weights: dict[str, float]  # n-gram -> weight, normalised to length 1
    threshold: float
    examples: int  # example texts it was built from
    example_scores: tuple[float, ...] = ()  # their leave-one-out scores
    keywords: tuple[str, ...] = ()
    top_terms: tuple[str, ...] = field(default=())

    def score(self, text: str) -> float:
        return self.match(text, explain=False).score

    def match(self, text: str, explain: bool = True) -> Match:
        """The cosine of the text with the profile, and (with `explain`) the n-grams that contribute most."""
        return match_vector(self.weights, vector(ngrams(text)), explain)

    def on_topic(self, score: float) -> bool:
        return score >= self.threshold

    def to_dict(self) -> dict[str, Any]:
        return {"weights": self.weights, "threshold": self.threshold, "examples": self.examples,
                "example_scores": list(self.example_scores), "keywords": list(self.keywords),
                "top_terms": list(self.top_terms)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TopicProfile:
        return cls(dict(data["weights"]), float(data["threshold"]), int(data["examples"]),
                   tuple(data.get("example_scores", ())), tuple(data.get("keywords", ())),
                   tuple(data.get("top_terms", ())))


def match_vector(profile: dict[str, float], vec: dict[str, float], explain: bool = True) -> Match:
    parts = {g: w * profile[g] for g, w in vec.items() if g in profile}
    score = min(1.0, sum(parts.values()))
    if not explain:
        return Match(score)
    top = sorted(parts, key=lambda g: (-parts[g], g))[:EXPLAIN_TERMS]
    return Match(score, tuple(top))


def centroid(vectors: Sequence[dict[str, float]], terms: int = PROFILE_TERMS) -> dict[str, float]:
    """The examples' mean vector, each n-gram weighted by the share of examples that hold it, its `terms`
    heaviest n-grams kept, normalised to length 1."""
    if not vectors:
        return {}
    total: Counter[str] = Counter()
    df: Counter[str] = Counter()
    for vec in vectors:
        total.update(vec)
        df.update(vec.keys())
    n = len(vectors)
    weights = {g: (w / n) * (df[g] / n) for g, w in total.items()}
    kept = sorted(weights, key=lambda g: (-weights[g], g))[:terms]
    norm = math.sqrt(sum(weights[g] ** 2 for g in kept))
    return {g: weights[g] / norm for g in kept} if norm else {}


def widen(weights: dict[str, float], keywords: Iterable[str]) -> dict[str, float]:
    """The profile with each keyword's n-grams at least at the median weight of its terms, renormalised."""
    grams = {g for k in keywords for g in ngrams(k)}
    if not grams:
        return weights
    floor = statistics.median(weights.values()) if weights else 1.0
    out = dict(weights)
    for g in grams:
        out[g] = max(out.get(g, 0.0), floor)
    norm = math.sqrt(sum(w * w for w in out.values()))
    return {g: w / norm for g, w in out.items()}


class ProfileError(ValueError):
    """The examples cannot make a profile (too few texts with Chinese n-grams)."""


def build_profile(texts: Sequence[str], keywords: Sequence[str] = (), share: float = THRESHOLD_SHARE,
                  ) -> TopicProfile:
    """The profile of the example texts (at least two with Chinese text: the threshold needs a held-out one)."""
    vectors = [v for v in (vector(ngrams(t)) for t in texts) if v]
    if len(vectors) < MIN_EXAMPLES:
        raise ProfileError(f"{len(vectors)} example text(s) with Chinese n-grams: at least {MIN_EXAMPLES} are needed")
    keywords = tuple(k.strip() for k in keywords if k.strip())
    held_out = []
    for i, vec in enumerate(vectors):
        others = widen(centroid(vectors[:i] + vectors[i + 1:]), keywords)
        held_out.append(match_vector(others, vec, explain=False).score)
    weights = widen(centroid(vectors), keywords)
    threshold = share * statistics.median(held_out)
    top = tuple(sorted(weights, key=lambda g: (-weights[g], g))[:20])
    return TopicProfile(weights, round(threshold, 4), len(vectors), tuple(round(s, 4) for s in held_out),
                        keywords, top)
