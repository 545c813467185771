"""Evaluate newsclean and baseline extractors on a gold set (SETDIR/gold.jsonl with html/ or txt/ pages)."""
from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .config import CleanerConfig
from .core import CleanError, Source, clean_bytes
from .scoring import full_text, prf

Extractor = Callable[[bytes, str], tuple[str | None, str]]  # (raw page, file name) -> (title, text)


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

    def row(self) -> dict:
        return {"system": self.name, "pages": self.pages, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4), "empty": self.empty,
                "seconds_per_page": round(self.seconds_per_page, 4)}


@dataclass
class GoldPage:
    id: str
    path: Path
    gold: str


def load_set(setdir: str | Path) -> list[GoldPage]:
    """The pages of a set: gold.jsonl beside html/<id>.html or txt/<id>.txt."""
    setdir = Path(setdir)
    pages = []
    for line in (setdir / "gold.jsonl").read_text("utf-8").splitlines():
        if not line.strip():
            continue
        g = json.loads(line)
        path = next((p for p in (setdir / "html" / f"{g['id']}.html", setdir / "txt" / f"{g['id']}.txt")
                     if p.exists()), None)
        if path is None:
            raise FileNotFoundError(f"{setdir}: no page file for {g['id']}")
        pages.append(GoldPage(str(g["id"]), path, g.get("gold") or ""))
    return pages


def newsclean_extractor(config: CleanerConfig | None = None) -> Extractor:
    def run(raw: bytes, name: str) -> tuple[str | None, str]:
        try:
            doc = clean_bytes(raw, Source(name), config=config)
        except CleanError:
            return None, ""
        return doc.title, doc.text
    return run


def _trafilatura(precision_metadata: bool) -> Extractor:
    import trafilatura

    def run(raw: bytes, name: str) -> tuple[str | None, str]:
        if precision_metadata:
            doc = trafilatura.bare_extraction(raw, include_comments=False, favor_precision=True, with_metadata=True)
            return (doc.title, doc.text or "") if doc else (None, "")
        return None, trafilatura.extract(raw, include_comments=False) or ""
    return run


def _readability(raw: bytes, name: str) -> tuple[str | None, str]:
    from lxml import html as lxml_html
    from readability import Document

    try:
        summary = Document(raw).summary(html_partial=True)
        return None, lxml_html.fromstring(summary).text_content()
    except Exception:  # readability raises on empty or odd pages; a baseline scores 0 there
        return None, ""


def _keep_all(raw: bytes, name: str) -> tuple[str | None, str]:
    return None, raw.decode("utf-8", "replace")


BASELINES: dict[str, Extractor] = {
    "trafilatura": _trafilatura(False),
    "trafilatura-precision-metadata": _trafilatura(True),
    "readability": _readability,
    "keep-all": _keep_all,
}


def score_system(name: str, extractor: Extractor, pages: list[GoldPage]) -> SystemScore:
    result = SystemScore(name, pages=len(pages))
    rows, seconds = [], 0.0
    for page in pages:
        raw = page.path.read_bytes()
        start = time.process_time()
        title, text = extractor(raw, page.path.name)
        seconds += time.process_time() - start
        result.empty += not (text or "").strip()
        p, r, f = prf(full_text(title, text), page.gold)
        rows.append((p, r, f))
        result.per_page[page.id] = f
    n = max(1, len(rows))
    result.precision, result.recall, result.f1 = (sum(x[i] for x in rows) / n for i in range(3))
    result.seconds_per_page = seconds / n
    return result


def evaluate(setdir: str | Path, baselines: list[str], config: CleanerConfig | None = None) -> list[SystemScore]:
    pages = load_set(setdir)
    unknown = [b for b in baselines if b not in BASELINES]
    if unknown:
        raise ValueError(f"unknown baselines: {', '.join(unknown)} (known: {', '.join(BASELINES)})")
    scores = [score_system("newsclean", newsclean_extractor(config), pages)]
    scores += [score_system(b, BASELINES[b], pages) for b in baselines]
    return scores


@dataclass
class BenchResult:
    pages: int
    newsclean_ms: float  # median CPU milliseconds per page
    baseline_ms: float
    median_ratio: float  # median over pages of newsclean / baseline CPU time
    total_ratio: float


def bench(setdir: str | Path, limit: int | None = None, repeat: int = 1) -> BenchResult:
    """CPU time per page of newsclean against trafilatura with metadata, alternating page by page."""
    import trafilatura

    pages = load_set(setdir)[:limit] if limit else load_set(setdir)
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
    ratios = [a / b for a, b in zip(t_ours, t_theirs, strict=True) if b > 0]
    return BenchResult(len(pages), statistics.median(t_ours) * 1000, statistics.median(t_theirs) * 1000,
                       statistics.median(ratios), sum(t_ours) / max(1e-9, sum(t_theirs)))
