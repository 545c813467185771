"""Distributed: two crawler processes share one frontier through a real redis-server (scrapy-redis)."""
from __future__ import annotations

import socket
import subprocess
import time
from collections import Counter

import pytest
from support.programs import require_program
from support.testsite import serve
from test_crawl_helpers import ROOT, SITE, article_paths, crawl_cmd, expected_paths, read_lines, write_sources


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path):
    server = require_program("redis-server", make_target="redis")
    port = _free_port()
    proc = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_two_crawlers_share_the_frontier(tmp_path, redis_url):
    with serve(SITE) as site:
        sources = write_sources(tmp_path / "s.yaml", site.base)
        extra = ["--redis-url", redis_url, "--idle-close", "3", "-s", "DOWNLOAD_DELAY=0.1",
                 "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2"]
        procs = [subprocess.Popen(crawl_cmd(sources, tmp_path / f"out{i}", *extra), cwd=ROOT, text=True,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for i in (1, 2)]
        errors = [p.communicate(timeout=150)[1] for p in procs]
        hits = dict(site.hits)
    for p, err in zip(procs, errors, strict=True):
        assert p.returncode == 0, err[-2000:]
    parts = [article_paths(read_lines(tmp_path / f"out{i}" / "articles.jsonl")) for i in (1, 2)]
    union = parts[0] + parts[1]
    assert set(union) == expected_paths()
    assert max(union.values()) == 1  # no article stored by both crawlers
    assert all(parts), f"both crawlers took part: {[sum(p.values()) for p in parts]}"
    print("articles per crawler:", [sum(p.values()) for p in parts])
    # each page was fetched by one crawler only (robots.txt is per crawler)
    assert Counter({p: n for p, n in hits.items() if p in expected_paths()}).most_common(1)[0][1] == 1
