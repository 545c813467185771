"""Evaluate newsclean and baseline extractors on a gold set (SETDIR/gold.jsonl with html/ or txt/ pages).

Text is scored by character-bigram F1 (scoring.py, as the reference scorer does). Where the gold states them,
metadata and language are scored too, each as matched pages / gold pages that state the field:
- author: the gold name contained in ours or ours in the gold, compared as words (casefold, every run of
  punctuation and spaces one space, whole words only), so `Ph.D.` and `Ph D` agree and `in` is not a match for
  `Linda Rosencrance`;
- date: the same calendar day, as each states it (the first year-month-day in the value; no zone conversion);
- title: the same words contained either way (a title with its site suffix still matches), and `title_exact`
  for equality after casefolding, collapsing whitespace and stripping punctuation at the ends;
- language: the primary subtag, case-insensitive (`en-US` is `en`); for Chinese the script where both state one
  (`zh-TW` is `zh-Hant`, `zh-CN` is `zh-Hans`, bare `zh` matches either).
A gold value is stated unless empty or the placeholder `UNKNOWN` (the autumn set's), which reproduces the reference
denominators (wcxb-dev author 151, date 166; autumn author 50, date 58).
"""
from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import regex

from cleaners import regexcache
from cleaners.config import CleanerConfig
from cleaners.core import CleanError, Source, clean_bytes
from cleaners.tools.scoring import full_text, prf


@dataclass
class Output:
    """What an extractor returns for one page; metadata it does not report stays None."""

    title: str | None
    text: str
    author: str | None = None
    date: str | None = None
    language: str | None = None


Extractor = Callable[[bytes, str], Output]  # (raw page, file name) -> Output
# The value the autumn set's gold gives for a field it does not know.
GOLD_UNKNOWN = "UNKNOWN"


@dataclass
class SystemScore:
    name: str
    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0
    empty: int = 0
    seconds_per_page: float = 0.0
    pages: int = 0
    per_page: dict[str, float] = field(default_factory=dict)
    metadata: dict[str, list[int]] = field(default_factory=dict)  # field -> [matched, gold pages with it]
    language: list[int] | None = None  # [matched, gold pages with a language]

    def row(self) -> dict:
        row = {"system": self.name, "pages": self.pages, "precision": round(self.precision, 4),
               "recall": round(self.recall, 4), "f1": round(self.f1, 4), "empty": self.empty,
               "seconds_per_page": round(self.seconds_per_page, 4)}
        if self.metadata:
            row["metadata"] = self.metadata
        if self.language is not None:
            row["language"] = self.language
        return row


@dataclass
class GoldPage:
    id: str
    path: Path
    gold: str
    fields: dict[str, str] = field(default_factory=dict)  # title, author, date, lang where the gold states them


class SetError(ValueError):
    """A folder that is not a gold set (no gold.jsonl, a bad line, a page missing): one line says which."""


def load_set(setdir: str | Path) -> list[GoldPage]:
    """The pages of a set: gold.jsonl beside html/<id>.html or txt/<id>.txt."""
    setdir = Path(setdir)
    gold = setdir / "gold.jsonl"
    if not setdir.is_dir():
        raise SetError(f"{setdir}: no such folder (a set is a folder with gold.jsonl and html/ or txt/ pages)")
    if not gold.is_file():
        raise SetError(f"{setdir}: no gold.jsonl (a set is a folder with gold.jsonl and html/ or txt/ pages)")
    pages = []
    try:
        lines = gold.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise SetError(f"{gold}: not readable as UTF-8 text ({exc})") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            g = json.loads(line)
        except ValueError as exc:
            raise SetError(f"{gold}:{number}: not JSON ({exc})") from exc
        if not isinstance(g, dict) or g.get("id") is None:
            raise SetError(f"{gold}:{number}: not a JSON object with an id")
        path = next((p for p in (setdir / "html" / f"{g['id']}.html", setdir / "txt" / f"{g['id']}.txt")
                     if p.exists()), None)
        if path is None:
            raise SetError(f"{setdir}: no page file for {g['id']} (html/{g['id']}.html or txt/{g['id']}.txt)")
        stated = {k: str(g[k]) for k in ("title", "author", "date", "lang") if _stated(g.get(k))}
        pages.append(GoldPage(str(g["id"]), path, g.get("gold") or "", stated))
    return pages


def _stated(value: object) -> bool:
    """A gold value that says something: not empty and not the set's placeholder for an unknown value."""
    return isinstance(value, str) and bool(value.strip()) and value.strip() != GOLD_UNKNOWN


_NON_WORD = regexcache.compile(r"[^\p{L}\p{N}]+")
_ENDS = regexcache.compile(r"^[\p{P}\p{S}\s]+|[\p{P}\p{S}\s]+$")
_YMD = regexcache.compile(r"(?<!\d)(\d{4})\D{1,3}(\d{1,2})\D{1,3}(\d{1,2})(?!\d)")


def _words(value: str | None) -> str:
    return " ".join(_NON_WORD.sub(" ", (value or "").casefold()).split())


def _contained_either_way(a: str, b: str) -> bool:
    """Whole words of one inside the other, both word strings from _words."""
    return bool(a and b) and (f" {a} " in f" {b} " or f" {b} " in f" {a} ")


def author_matches(gold: str, ours: str | None) -> bool:
    return _contained_either_way(_words(gold), _words(ours))


def title_matches(gold: str, ours: str | None) -> bool:
    return _contained_either_way(_words(gold), _words(ours))


def title_equal(gold: str, ours: str | None) -> bool:
    def norm(s: str) -> str:
        return _ENDS.sub("", " ".join(s.split()).casefold())
    return bool(ours) and norm(gold) == norm(ours)


def _day(value: str | None) -> tuple[int, int, int] | None:
    m = _YMD.search(value or "")
    return (int(m[1]), int(m[2]), int(m[3])) if m else None


def date_matches(gold: str, ours: str | None) -> bool:
    """The same day as each states it: `2005-3-11 12:12` and `2005-03-11T12:12:00+08:00` agree."""
    day = _day(gold)
    return day is not None and day == _day(ours)


# Chinese subtags that name a script: regions write one by custom (zh-TW, zh-HK: Traditional; zh-CN: Simplified).
_ZH_SCRIPT = {"hant": "hant", "tw": "hant", "hk": "hant", "mo": "hant", "hans": "hans", "cn": "hans", "sg": "hans"}


def language_matches(gold: str, ours: str | None) -> bool:
    """The primary subtag agrees; for Chinese the script too, where both state one."""
    g, o = (regex.split(r"[-_]", (v or "").strip().lower()) for v in (gold, ours))
    if not o[0] or g[0] != o[0]:
        return False
    if g[0] != "zh":
        return True
    gs, os_ = (next((_ZH_SCRIPT[t] for t in tags[1:] if t in _ZH_SCRIPT), None) for tags in (g, o))
    return gs is None or os_ is None or gs == os_


# What is scored beside the text: name -> (gold field, Output attribute, matcher). "lang" is reported apart.
SCORED: dict[str, tuple[str, str, Callable[[str, str | None], bool]]] = {
    "title": ("title", "title", title_matches),
    "title_exact": ("title", "title", title_equal),
    "author": ("author", "author", author_matches),
    "date": ("date", "date", date_matches),
    "lang": ("lang", "language", language_matches),
}


def newsclean_extractor(config: CleanerConfig | None = None) -> Extractor:
    def run(raw: bytes, name: str) -> Output:
        try:
            doc = clean_bytes(raw, Source(name), config=config)
        except CleanError:
            return Output(None, "")
        return Output(doc.title, doc.text, doc.author, doc.published, doc.language)
    return run


def _trafilatura(precision_metadata: bool) -> Extractor:
    import trafilatura

    def run(raw: bytes, name: str) -> Output:
        if precision_metadata:
            doc = trafilatura.bare_extraction(raw, include_comments=False, favor_precision=True, with_metadata=True)
            return Output(doc.title, doc.text or "", doc.author, doc.date) if doc else Output(None, "")
        return Output(None, trafilatura.extract(raw, include_comments=False) or "")
    return run


def _readability(raw: bytes, name: str) -> Output:
    from lxml import html as lxml_html
    from readability import Document

    try:
        summary = Document(raw).summary(html_partial=True)
        return Output(None, lxml_html.fromstring(summary).text_content())
    except Exception:  # readability raises on empty or odd pages; a baseline scores 0 there
        return Output(None, "")


def _keep_all(raw: bytes, name: str) -> Output:
    return Output(None, raw.decode("utf-8", "replace"))


BASELINES: dict[str, Extractor] = {
    "trafilatura": _trafilatura(False),
    "trafilatura-precision-metadata": _trafilatura(True),
    "readability": _readability,
    "keep-all": _keep_all,
}
# What each system reports beside its text: only these are scored for it (a baseline that returns no author is
# not a baseline that finds none). trafilatura names no language unless asked to filter by one.
REPORTS: dict[str, frozenset[str]] = {
    "newsclean": frozenset({"title", "title_exact", "author", "date", "lang"}),
    "trafilatura-precision-metadata": frozenset({"title", "title_exact", "author", "date"}),
}


class Progress(Protocol):
    """What eval and bench report their progress to (a tqdm bar): a total once the pages are known, then pages."""

    total: float | None

    def refresh(self) -> object: ...

    def update(self, n: float = 1) -> object: ...


def _start(progress: Progress | None, total: int) -> None:
    if progress is not None:
        progress.total = total
        progress.refresh()


def score_system(name: str, extractor: Extractor, pages: list[GoldPage],
                 reports: frozenset[str] = frozenset(), progress: Progress | None = None) -> SystemScore:
    """F1 over the pages; and for each field in `reports` the gold states, matched / stated."""
    result = SystemScore(name, pages=len(pages))
    rows, seconds = [], 0.0
    tally = {key: [0, 0] for key, (gold_field, _attr, _ok) in SCORED.items()
             if key in reports and any(gold_field in p.fields for p in pages)}
    for page in pages:
        raw = page.path.read_bytes()
        start = time.process_time()
        out = extractor(raw, page.path.name)
        seconds += time.process_time() - start
        result.empty += not (out.text or "").strip()
        p, r, f = prf(full_text(out.title, out.text), page.gold)
        rows.append((p, r, f))
        result.per_page[page.id] = f
        _tally(tally, page, out)
        if progress is not None:
            progress.update(1)
    n = max(1, len(rows))
    result.precision, result.recall, result.f1 = (sum(x[i] for x in rows) / n for i in range(3))
    result.seconds_per_page = seconds / n
    result.language = tally.pop("lang", None)
    result.metadata = tally
    return result


def _tally(tally: dict[str, list[int]], page: GoldPage, out: Output) -> None:
    """Count one page into [matched, stated] for each field the gold states and the system reports."""
    for key, counts in tally.items():
        gold_field, attr, ok = SCORED[key]
        if gold_field in page.fields:
            counts[1] += 1
            counts[0] += ok(page.fields[gold_field], getattr(out, attr))


def evaluate(setdir: str | Path, baselines: list[str], config: CleanerConfig | None = None,
             progress: Progress | None = None) -> list[SystemScore]:
    """Scores of newsclean and each baseline; `progress` counts pages cleaned, out of pages x systems."""
    unknown = [b for b in baselines if b not in BASELINES]
    if unknown:
        raise ValueError(f"unknown baselines: {', '.join(unknown)} (known: {', '.join(BASELINES)})")
    pages = load_set(setdir)
    _start(progress, len(pages) * (1 + len(baselines)))
    scores = [score_system("newsclean", newsclean_extractor(config), pages, REPORTS["newsclean"], progress)]
    scores += [score_system(b, BASELINES[b], pages, REPORTS.get(b, frozenset()), progress) for b in baselines]
    return scores


@dataclass
class BenchResult:
    pages: int
    newsclean_ms: float  # median CPU milliseconds per page
    baseline_ms: float
    median_ratio: float  # median over pages of newsclean / baseline CPU time
    total_ratio: float


def bench(setdir: str | Path, limit: int | None = None, repeat: int = 1,
          progress: Progress | None = None) -> BenchResult:
    """CPU time per page of newsclean against trafilatura with metadata, alternating page by page; `progress`
    counts pages (both systems, every repeat)."""
    import trafilatura

    pages = load_set(setdir)[:limit] if limit else load_set(setdir)
    if not pages:
        raise SetError(f"{setdir}: gold.jsonl lists no pages")
    _start(progress, len(pages))
    ours = newsclean_extractor()

    def theirs(raw: bytes, name: str) -> None:
        trafilatura.extract(raw, include_comments=False, with_metadata=True)

    t_ours, t_theirs = [], []
    for i, page in enumerate(pages):
        raw = page.path.read_bytes()
        runs = [("ours", ours), ("theirs", theirs)]
        if i % 2:
            runs.reverse()  # alternate who goes first, so caches and warm-up favour neither
        for who, fn in runs:
            best = float("inf")
            for _ in range(repeat):
                start = time.process_time()
                fn(raw, page.path.name)
                best = min(best, time.process_time() - start)
            (t_ours if who == "ours" else t_theirs).append(best)
        if progress is not None:
            progress.update(1)
    ratios = [a / b for a, b in zip(t_ours, t_theirs, strict=True) if b > 0]
    return BenchResult(len(pages), statistics.median(t_ours) * 1000, statistics.median(t_theirs) * 1000,
                       statistics.median(ratios), sum(t_ours) / max(1e-9, sum(t_theirs)))
