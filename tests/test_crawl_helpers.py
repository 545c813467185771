"""Helpers for the crawler tests: sources files for a local site, crawls run as subprocesses, scoring."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "fixtures" / "site"
KEYWORDS = ["职业", "产教融合", "校企合作", "技能"]
# Fast and still polite enough for a local server: no AutoThrottle, short back-off, one cleaning worker.
FAST = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "RETRY_TIMES=1",
        "-s", "RETRY_BACKOFF_BASE=0.05", "-s", "DOWNLOAD_MAXSIZE=1000000", "-s", "LOG_LEVEL=WARNING",
        "-s", "DOWNLOAD_TIMEOUT=10", "--workers", "1"]


def write_sources(path: Path, base: str, **overrides: object) -> Path:
    source = {"name": "local", "start_urls": [base + "/"], "allowed_domains": ["127.0.0.1"],
              "sitemaps": [base + "/sitemap.xml"], "feeds": [base + "/rss.xml"], "keywords": KEYWORDS}
    source.update(overrides)
    path.write_text(json.dumps({"sources": [source]}, ensure_ascii=False), "utf-8")  # JSON is YAML
    return path


def crawl_cmd(sources: Path, outdir: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "cleaners.cli", "crawl", "--sources", str(sources), "-o", str(outdir), *FAST,
            *extra]


def run_crawl(sources: Path, outdir: Path, *extra: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(crawl_cmd(sources, outdir, *extra), capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT, env=dict(os.environ, PYTHONUNBUFFERED="1"))


def gold(site: Path = SITE) -> dict[str, dict]:
    with open(site / "gold.jsonl", encoding="utf-8") as fh:
        return {r["path"]: r for r in map(json.loads, fh)}


def expected_paths(site: Path = SITE) -> set[str]:
    return {p for p, r in gold(site).items() if r["on_topic"]}


def read_lines(path: Path) -> list[dict]:
    """Every line must be whole JSON: a half-written line fails the test here."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def article_paths(records: list[dict]) -> Counter:
    return Counter(urlsplit(r["url"]).path for r in records)


def bigram_f1(got: str, want: str) -> float:
    def grams(t: str) -> Counter:
        t = "".join(t.split())
        return Counter(t[i:i + 2] for i in range(len(t) - 1))

    a, b = grams(got), grams(want)
    overlap = sum((a & b).values())
    if not overlap:
        return 0.0
    p, r = overlap / sum(a.values()), overlap / sum(b.values())
    return 2 * p * r / (p + r)
