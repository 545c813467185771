"""Throughput of crawl-with-cleaning against `newsclean clean` over the same saved pages, same worker count.

    python -m scraper.bench [--articles 300] [--workers 1] [--repeat 1]

Renders a synthetic site (scraper.testsite) of N articles into a temporary directory, then times, as whole
commands (start-up included, as a user sees them):
  1. `newsclean clean PAGES/ -j W` over the article pages saved as files;
  2. `newsclean crawl -o OUT --workers W` of the same site served on 127.0.0.1, politeness delays off
     (robots.txt still obeyed), which fetches home, lists, sitemaps and feed pages too.
and prints articles per second for both and their ratio (the acceptance bar is 0.80).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .testsite import build_site, serve, write_site

BIN = Path(sys.executable).parent


def _newsclean() -> list[str]:
    exe = BIN / "newsclean"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "cleaners.cli"]


def _timed(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, the command and its worker processes)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr[-3000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _lines(path: Path) -> int:
    return sum(1 for _ in open(path, encoding="utf-8")) if path.exists() else 0


def bench(articles: int, workers: int, repeat: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="newsclean-bench-") as tmp:
        tmp_path = Path(tmp)
        site = build_site(n_articles=articles, seed=2024, per_page=20)
        write_site(site, tmp_path / "site")
        pages = tmp_path / "pages"
        on_topic = [a for a in site.articles if a.on_topic]
        for i, a in enumerate(on_topic):  # the pages the crawl cleans, saved as files
            (pages / f"{i:05d}.html").parent.mkdir(parents=True, exist_ok=True)
            (pages / f"{i:05d}.html").write_bytes(site.pages[a.path].body)
        clean_times, crawl_times, clean_cpu, crawl_cpu, crawl_steady = [], [], [], [], []
        one = tmp_path / "one"
        one.mkdir()
        (one / "p.html").write_bytes(site.pages[on_topic[0].path].body)
        startup = min(_timed([*_newsclean(), "clean", str(one), "-o", str(tmp_path / "one.jsonl"), "-q", "-j",
                              str(workers)])[0] for _ in range(2))
        load_before = os.getloadavg()[0]
        for r in range(repeat):
            out = tmp_path / f"clean-{r}.jsonl"
            wall, cpu = _timed([*_newsclean(), "clean", str(pages), "-o", str(out), "-q", "-j", str(workers)])
            clean_times.append(wall)
            clean_cpu.append(cpu)
            clean_docs = _lines(out)
            with serve(tmp_path / "site") as server:
                sources = tmp_path / "sources.yaml"
                sources.write_text(json.dumps({"sources": [{
                    "name": "bench", "start_urls": [server.base + "/"], "allowed_domains": ["127.0.0.1"],
                    "sitemaps": [server.base + "/sitemap.xml"], "feeds": [server.base + "/rss.xml"],
                    "keywords": ["职业", "产教融合", "校企合作", "技能"]}]}), "utf-8")
                outdir = tmp_path / f"crawl-{r}"
                wall, cpu = _timed([
                    *_newsclean(), "crawl", "--sources", str(sources), "-o", str(outdir), "--workers", str(workers),
                    "-q", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s",
                    "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-s", "DOWNLOAD_MAXSIZE=1000000", "-s", "RETRY_TIMES=0"])
                crawl_times.append(wall)
                crawl_cpu.append(cpu)
                crawl_docs = _lines(outdir / "articles.jsonl")
                crawl_steady.append(json.loads((outdir / "summary.json").read_text("utf-8"))["articles_per_s"])
        clean_s, crawl_s = min(clean_times), min(crawl_times)
        result = {
            "articles": len(on_topic), "workers": workers, "cores": os.cpu_count(),
            "clean_docs": clean_docs, "crawl_articles": crawl_docs,
            "clean_seconds": round(clean_s, 2), "crawl_seconds": round(crawl_s, 2),
            "clean_docs_per_s": round(clean_docs / clean_s, 2), "crawl_articles_per_s": round(crawl_docs / crawl_s, 2),
        }
        result["ratio"] = round(result["crawl_articles_per_s"] / result["clean_docs_per_s"], 3)
        # steady state: the crawl's own rate (spider open to close) against clean's time less its start-up
        result["steady_clean_docs_per_s"] = round(clean_docs / max(0.01, clean_s - startup), 2)
        result["steady_crawl_articles_per_s"] = max(crawl_steady)
        result["steady_ratio"] = round(result["steady_crawl_articles_per_s"] / result["steady_clean_docs_per_s"], 3)
        # CPU per article does not depend on what else the machine runs (the wall-clock figures do)
        result["clean_cpu_ms_per_doc"] = round(1000 * min(clean_cpu) / max(1, clean_docs), 2)
        result["crawl_cpu_ms_per_article"] = round(1000 * min(crawl_cpu) / max(1, crawl_docs), 2)
        result["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
        return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=300)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1, help="runs of each; the fastest counts")
    args = ap.parse_args()
    result = bench(args.articles, args.workers, args.repeat)
    print(json.dumps(result, indent=1))
    print(f"crawl with cleaning: {result['ratio']:.0%} of `newsclean clean` throughput "
          f"({result['crawl_articles_per_s']} vs {result['clean_docs_per_s']} articles/s, {args.workers} worker(s)); "
          f"steady state {result['steady_ratio']:.0%}", file=sys.stderr)


if __name__ == "__main__":
    main()
