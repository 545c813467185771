"""What a crawler process loads: the cleaner is the workers' business (scraper.cleanwork, imported by their fork
server), and Scrapy components that are off are not imported at all. A real `newsclean crawl` of a small local
site runs inside a wrapper that lists the crawler process's modules when it exits; the articles it writes show
that the workers still cleaned every page."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from support.testsite import build_site, serve, write_site

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
FAST = ["-s", "RETRY_TIMES=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "--workers", "1", "-q"]

# Modules the crawler process must not import, with why each would be there.
NOT_IN_THE_CRAWLER = {
    "cleaners.document.entry": "the cleaner (its rule tables, extractors and profiles): the workers' part",
    "cleaners.core": "the cleaner's public entry points, which import all of it",
    "scraper.cleanwork": "the worker's side of a page, named to the pool by its dotted path",
    "trafilatura": "the extractors",
    "aiohttp": "Scrapy's remote control extension (off)",
    "tldextract": "Scrapy's cookie middleware (cookies are off)",
}

WRAPPER = """
import atexit, json, os, sys
me = os.getpid()

def record():
    if os.getpid() == me:  # not in a worker or the fork server
        with open(sys.argv.pop(1), "w") as f:
            json.dump(sorted(sys.modules), f)

atexit.register(record)
from cleaners.cli import main
sys.exit(main(sys.argv[2:]))
"""


def test_the_crawler_process_leaves_the_cleaner_to_its_workers(tmp_path):
    site = build_site()
    write_site(site, tmp_path / "site")
    modules_file = tmp_path / "modules.json"
    with serve(tmp_path / "site") as server:
        sources = tmp_path / "sources.yaml"
        sources.write_text(json.dumps({"sources": [{"name": "t", "start_urls": [server.base + "/"],
                                                    "allowed_domains": ["127.0.0.1"]}]}), "utf-8")
        out = tmp_path / "out"
        cmd = [sys.executable, "-c", WRAPPER, str(modules_file), "crawl", "--sources", str(sources),
               "-o", str(out), *FAST]
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180, cwd=ROOT, env=env)
    assert proc.returncode == 0, proc.stderr
    articles = [json.loads(line) for line in (out / "articles.jsonl").read_text("utf-8").splitlines()]
    assert len(articles) >= len(site.articles) // 2 and all(a["text"] for a in articles)
    loaded = set(json.loads(modules_file.read_text("utf-8")))
    assert "scrapy.core.engine" in loaded  # the list is the crawler's
    assert {m: why for m, why in NOT_IN_THE_CRAWLER.items() if m in loaded} == {}
