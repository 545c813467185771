"""Throughput of crawl-with-cleaning against `newsclean clean` over the same saved pages, same worker count.

    python bench/crawl_bench.py [--articles 300] [--workers 1] [--repeat 1]
    python bench/crawl_bench.py --pages DIR [DIR ...] [--copies 8] [--workers 1] [--repeat 1]

The first form renders a synthetic site (tests/support/testsite.py) of N small articles into a temporary directory; the
second builds a site at run time, in a temporary directory, from folders of saved HTML pages (real news pages):
a home page, paginated list pages linking every page (times --copies, each copy under its own URLs) at
article-like URLs `/news/c<K>/t20240101_<N>.html`, each served with its original bytes (with a charset in the
Content-Type only when the page declares one, so that decoding stays the cleaner's job). Then it times, as
whole commands (start-up included, as a user sees them):
  1. `newsclean clean PAGES/ -j W` over the article pages saved as files;
  2. `newsclean crawl -o OUT --workers W` of the same site served on 127.0.0.1, politeness delays off
     (robots.txt still obeyed), which fetches home, lists, sitemaps and feed pages too.
and prints articles per second for both and their ratio. Each run also times a named baseline, the floor:
  3. Scrapy alone (BARE_SCRAPY) fetching every page of the same site with a callback that does nothing.
On a machine whose cores the crawl keeps busy, its ratio to `clean` is at most clean's CPU per page against that
plus Scrapy's own CPU for the fetches of one article (`ceiling_ratio`), whatever the crawler does beyond Scrapy.

Counting: `clean_docs` is the lines `clean` writes, `crawl_articles` the lines of the crawl's articles.jsonl
(the crawl drops no page the cleaner keeps: no keyword filter in the real-pages mode). Some pages are refused by
the cleaner in both paths (no_text, not_article, ...), so the real-pages mode also reports pages processed per
second: every page file for `clean`; for the crawl, the article-URL pages that were stored or skipped with a
cleaner reason. Real pages link to their own sites with relative URLs, which resolve to the bench site: its
robots.txt disallows everything but the home, list and article paths, so those links end as `robots` skips
(counted as `crawl_robots_skips`) instead of hundreds of 404 fetches.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the local test site lives in tests/support

from support.testsite import HEADER_CHARSET_FILE, build_site, serve, write_site  # noqa: E402

from cleaners.decode.charset import declared_charset  # noqa: E402

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


# The floor a Scrapy crawl cannot go under on this machine: Scrapy alone (its default components, robots.txt obeyed,
# cookies and the telnet console off as in `newsclean crawl`, the bench's politeness settings) fetching the same
# pages with a callback that does nothing, from the spider's opening (its start-up not counted: the floor is a
# generous one). Its CPU per fetch, added to what `clean` spends per page, bounds the
# crawl's ratio to `clean` when both are CPU-bound on the same cores (`ceiling_ratio`).
BARE_SCRAPY = """
import json, sys, time
import scrapy
from scrapy.crawler import CrawlerProcess
urls = json.load(open(sys.argv[1]))
opened = []
class Bare(scrapy.Spider):
    name = "bare"
    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.opened, signal=scrapy.signals.spider_opened)
        return spider
    def opened(self):
        opened.append(time.process_time())
    async def start(self):
        for url in urls:
            yield scrapy.Request(url, callback=self.parse, errback=self.parse)
    def parse(self, response):
        return None
process = CrawlerProcess({"LOG_LEVEL": "ERROR", "ROBOTSTXT_OBEY": True, "COOKIES_ENABLED": False,
                          "TELNETCONSOLE_ENABLED": False, "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0,
                          "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "RETRY_TIMES": 0, "DOWNLOAD_MAXSIZE": 1000000})
process.crawl(Bare)
process.start()
print(json.dumps({"cpu": time.process_time() - opened[0], "fetches": len(urls)}))
"""


def site_urls(site_dir: Path, base: str) -> list[str]:
    """Every page of a bench site as a URL (what a crawl of it fetches, less its redirects and missing pages)."""
    return sorted(f"{base}/{f.relative_to(site_dir).as_posix()}" for f in site_dir.rglob("*")
                  if f.suffix in (".html", ".xml", ".txt") and f.name != "gold.jsonl")


def scrapy_floor(site_dir: Path, tmp_path: Path) -> dict:
    """Scrapy's own CPU per fetch over the site (BARE_SCRAPY), and the bench server's while it serves them."""
    with serve(site_dir) as server:
        urls = tmp_path / "urls.json"
        urls.write_text(json.dumps(site_urls(site_dir, server.base)), "utf-8")
        served = resource.getrusage(resource.RUSAGE_SELF)
        proc = subprocess.run([sys.executable, "-c", BARE_SCRAPY, str(urls)], capture_output=True, text=True)
        after = resource.getrusage(resource.RUSAGE_SELF)
    if proc.returncode != 0:
        raise SystemExit(f"bare Scrapy failed:\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    server_cpu = after.ru_utime - served.ru_utime + after.ru_stime - served.ru_stime
    return {"scrapy_cpu_ms_per_fetch": round(1000 * out["cpu"] / out["fetches"], 2),
            "server_cpu_ms_per_fetch": round(1000 * server_cpu / out["fetches"], 2), "bare_fetches": out["fetches"]}


def with_ceiling(result: dict, floors: list[dict], fetched: int) -> dict:
    """The floor's figures (the lowest of the runs) and the best crawl / clean ratio they leave: clean's CPU per
    page against that plus Scrapy's per fetch (fetches per article as the crawl made them)."""
    floor = min(floors, key=lambda f: f["scrapy_cpu_ms_per_fetch"])
    result.update(floor)
    per_article = floor["scrapy_cpu_ms_per_fetch"] * fetched / max(1, result["crawl_articles"])
    clean = result["clean_cpu_ms_per_doc"]
    result["ceiling_ratio"] = round(clean / (clean + per_article), 3)
    return result


def _lines(path: Path) -> int:
    return sum(1 for _ in open(path, encoding="utf-8")) if path.exists() else 0


_LIST_SIZE = 50
ARTICLE_PATTERN = r"/news/c\d+/t20240101_\d+\.html$"
_ROBOTS = "User-agent: *\nAllow: /$\nAllow: /index.html\nAllow: /list/\nAllow: /news/*/t20240101_*.html$\nDisallow: /\n"
# politeness delays off (robots.txt is still obeyed); the synthetic site's oversized page is cut at 1 MB
_SETTINGS = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
             "-s", "RETRY_TIMES=0"]


def saved_pages(dirs: list[str]) -> list[Path]:
    files = [f for d in dirs for f in sorted(Path(d).rglob("*")) if f.suffix.lower() in (".html", ".htm")]
    if not files:
        raise SystemExit(f"no .html pages in {' '.join(dirs)}")
    return files


def write_real_site(files: list[Path], copies: int, root: Path) -> int:
    """The bench site for saved pages under root (read at run time; nothing is kept). Returns the page count."""
    header_charset: dict[str, str] = {}
    paths: list[str] = []
    for k in range(copies):
        (root / "news" / f"c{k}").mkdir(parents=True, exist_ok=True)
        for i, f in enumerate(files):
            body = f.read_bytes()
            path = f"/news/c{k}/t20240101_{k * len(files) + i + 1}.html"
            (root / path.lstrip("/")).write_bytes(body)
            paths.append(path)
            label = declared_charset(body)
            if label and re.fullmatch(r"[\w.:-]+", label):
                header_charset[path] = label  # as a server would send it; undeclared pages get none
    lists = [paths[i:i + _LIST_SIZE] for i in range(0, len(paths), _LIST_SIZE)]
    (root / "list").mkdir()
    for n, chunk in enumerate(lists, 1):
        items = "".join(f'<li><a href="{p}">第{n}页 报道 {p.rsplit("_", 1)[-1][:-5]}</a></li>' for p in chunk)
        more = f'<a href="/list/index_{n + 1}.html">下一页</a>' if n < len(lists) else ""
        (root / "list" / f"index_{n}.html").write_text(
            f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>新闻列表 第{n}页</title></head>'
            f"<body><ul>{items}</ul>{more}</body></html>", "utf-8")
    pages = "".join(f'<a href="/list/index_{n}.html">{n}</a> ' for n in range(1, len(lists) + 1))
    (root / "index.html").write_text('<!DOCTYPE html><html><head><meta charset="utf-8"><title>新闻</title></head>'
                                     f"<body><p>新闻列表：{pages}</p></body></html>", "utf-8")
    (root / "robots.txt").write_text(_ROBOTS, "utf-8")
    (root / HEADER_CHARSET_FILE).write_text(json.dumps(header_charset), "utf-8")
    return len(paths)


def bench_pages(dirs: list[str], copies: int, workers: int, repeat: int) -> dict:
    files = saved_pages(dirs)
    with tempfile.TemporaryDirectory(prefix="newsclean-bench-") as tmp:
        tmp_path = Path(tmp)
        site_dir = tmp_path / "site"
        n_pages = write_real_site(files, copies, site_dir)
        pages = site_dir / "news"  # `clean` reads the very files the server sends
        one = tmp_path / "one"
        one.mkdir()
        (one / "p.html").write_bytes(files[0].read_bytes())
        startup = min(_timed([*_newsclean(), "clean", str(one), "-o", str(tmp_path / "one.jsonl"), "-q", "-j",
                              str(workers)])[0] for _ in range(2))
        load_before = os.getloadavg()[0]
        runs, floors = [], []
        pattern = re.compile(ARTICLE_PATTERN)
        for r in range(repeat):
            floors.append(scrapy_floor(site_dir, tmp_path))
            out = tmp_path / f"clean-{r}.jsonl"
            clean_wall, clean_cpu = _timed([*_newsclean(), "clean", str(pages), "-o", str(out), "-q", "-j",
                                            str(workers)])
            clean_docs = _lines(out)
            with serve(site_dir) as server:
                sources = tmp_path / "sources.yaml"
                sources.write_text(json.dumps({"sources": [{
                    "name": "bench", "start_urls": [server.base + "/"], "allowed_domains": ["127.0.0.1"],
                    "article_pattern": ARTICLE_PATTERN}]}), "utf-8")
                outdir = tmp_path / f"crawl-{r}"
                crawl_wall, crawl_cpu = _timed([*_newsclean(), "crawl", "--sources", str(sources), "-o", str(outdir),
                                                "--workers", str(workers), "-q", *_SETTINGS])
            crawl_docs = _lines(outdir / "articles.jsonl")
            skips = [json.loads(line) for line in open(outdir / "skipped.jsonl", encoding="utf-8")]
            refused = sum(1 for s in skips if pattern.search(s["url"]) and s["reason"] != "robots")
            summary = json.loads((outdir / "summary.json").read_text("utf-8"))
            runs.append({"clean_s": clean_wall, "clean_cpu": clean_cpu, "clean_docs": clean_docs,
                         "crawl_s": crawl_wall, "crawl_cpu": crawl_cpu, "crawl_docs": crawl_docs,
                         "crawl_pages": crawl_docs + refused, "fetched": summary["pages_fetched"],
                         "robots": sum(1 for s in skips if s["reason"] == "robots"),
                         "steady": summary["articles_per_s"], "skipped": summary["skipped"]})
        clean = min(runs, key=lambda x: x["clean_s"])
        crawl = min(runs, key=lambda x: x["crawl_s"])
        result = {
            "pages": n_pages, "distinct_pages": len(files), "copies": copies, "workers": workers,
            "cores": os.cpu_count(),
            "clean_docs": clean["clean_docs"], "crawl_articles": crawl["crawl_docs"],
            "crawl_pages_processed": crawl["crawl_pages"], "crawl_fetched": crawl["fetched"],
            "crawl_robots_skips": crawl["robots"], "crawl_skipped": crawl["skipped"],
            "clean_seconds": round(clean["clean_s"], 2), "crawl_seconds": round(crawl["crawl_s"], 2),
            "clean_docs_per_s": round(clean["clean_docs"] / clean["clean_s"], 2),
            "crawl_articles_per_s": round(crawl["crawl_docs"] / crawl["crawl_s"], 2),
            "clean_pages_per_s": round(n_pages / clean["clean_s"], 2),
            "crawl_pages_per_s": round(crawl["crawl_pages"] / crawl["crawl_s"], 2),
        }
        result["ratio"] = round(result["crawl_articles_per_s"] / result["clean_docs_per_s"], 3)
        result["pages_ratio"] = round(result["crawl_pages_per_s"] / result["clean_pages_per_s"], 3)
        result["steady_clean_docs_per_s"] = round(clean["clean_docs"] / max(0.01, clean["clean_s"] - startup), 2)
        result["steady_crawl_articles_per_s"] = max(x["steady"] for x in runs)
        result["steady_ratio"] = round(result["steady_crawl_articles_per_s"] / result["steady_clean_docs_per_s"], 3)
        result["clean_cpu_ms_per_doc"] = round(
            1000 * min(x["clean_cpu"] for x in runs) / max(1, clean["clean_docs"]), 2)
        result["crawl_cpu_ms_per_article"] = round(
            1000 * min(x["crawl_cpu"] for x in runs) / max(1, crawl["crawl_docs"]), 2)
        # every run, for the spread: on a shared machine single runs of one configuration vary by tens of percent
        result["runs"] = [{"clean_s": round(x["clean_s"], 2), "crawl_s": round(x["crawl_s"], 2),
                           "clean_cpu_ms": round(1000 * x["clean_cpu"] / max(1, x["clean_docs"]), 2),
                           "crawl_cpu_ms": round(1000 * x["crawl_cpu"] / max(1, x["crawl_docs"]), 2)} for x in runs]
        result["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
        return with_ceiling(result, floors, crawl["fetched"])


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
        clean_times, crawl_times, clean_cpu, crawl_cpu, crawl_steady, fetched, floors = [], [], [], [], [], [], []
        one = tmp_path / "one"
        one.mkdir()
        (one / "p.html").write_bytes(site.pages[on_topic[0].path].body)
        startup = min(_timed([*_newsclean(), "clean", str(one), "-o", str(tmp_path / "one.jsonl"), "-q", "-j",
                              str(workers)])[0] for _ in range(2))
        load_before = os.getloadavg()[0]
        for r in range(repeat):
            floors.append(scrapy_floor(tmp_path / "site", tmp_path))
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
                    "-q", *_SETTINGS, "-s", "DOWNLOAD_MAXSIZE=1000000"])
                crawl_times.append(wall)
                crawl_cpu.append(cpu)
                crawl_docs = _lines(outdir / "articles.jsonl")
                summary = json.loads((outdir / "summary.json").read_text("utf-8"))
                crawl_steady.append(summary["articles_per_s"])
                fetched.append(summary["pages_fetched"])
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
        result["runs"] = [{"clean_s": round(a, 2), "crawl_s": round(b, 2),
                           "clean_cpu_ms": round(1000 * c / max(1, clean_docs), 2),
                           "crawl_cpu_ms": round(1000 * d / max(1, crawl_docs), 2)}
                          for a, b, c, d in zip(clean_times, crawl_times, clean_cpu, crawl_cpu, strict=True)]
        result["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
        return with_ceiling(result, floors, fetched[crawl_times.index(crawl_s)])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=300)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1, help="runs of each; the fastest counts")
    ap.add_argument("--pages", nargs="+", metavar="DIR", help="folders of saved HTML pages: bench on these instead")
    ap.add_argument("--copies", type=int, default=1, help="with --pages: serve each page this many times")
    args = ap.parse_args()
    if args.pages:
        result = bench_pages(args.pages, max(1, args.copies), args.workers, args.repeat)
    else:
        result = bench(args.articles, args.workers, args.repeat)
    print(json.dumps(result, indent=1, ensure_ascii=False))
    print(f"crawl with cleaning: {result['ratio']:.0%} of `newsclean clean` throughput "
          f"({result['crawl_articles_per_s']} vs {result['clean_docs_per_s']} articles/s, {args.workers} worker(s)); "
          f"steady state {result['steady_ratio']:.0%}", file=sys.stderr)
    print(f"floor: Scrapy alone spends {result['scrapy_cpu_ms_per_fetch']} ms of CPU a fetch (the bench server "
          f"{result['server_cpu_ms_per_fetch']} ms), against clean's {result['clean_cpu_ms_per_doc']} ms a page: "
          f"a crawl on these cores can reach at most {result['ceiling_ratio']:.0%} of clean", file=sys.stderr)
    if args.pages:
        print(f"pages processed: {result['pages_ratio']:.0%} ({result['crawl_pages_per_s']} vs "
              f"{result['clean_pages_per_s']} pages/s)", file=sys.stderr)


if __name__ == "__main__":
    main()
