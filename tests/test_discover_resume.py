"""A discovery stopped (SIGKILL, or Ctrl-C) and started again with the same --jobdir judges every host as one
uninterrupted run does; and two discoveries sharing a Redis frontier and host book split the work."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from urllib.parse import urlsplit

import pytest
from support.discover_web import serve_web
from test_crawl_distributed import redis_url  # noqa: F401 - the fixture
from test_crawl_helpers import read_lines
from test_discover import EXPECTED, ROOT, discover_cmd, hosts, run_discover

SLOW = ["-s", "DOWNLOAD_DELAY=0.05", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "RANDOMIZE_DOWNLOAD_DELAY=False"]


def _lines(path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def _verdicts(web, out) -> dict[str, str]:
    got = hosts(out)
    return {name: got[site.netloc]["verdict"] for name, site in web.sites.items() if site.netloc in got}


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_stop_then_resume_judges_every_host(tmp_path, sig):
    out, job, log = tmp_path / "out", tmp_path / "job", tmp_path / "requests.log"
    with serve_web() as web:
        sources = web.write_sources(tmp_path / "seeds.yaml")
        proc = subprocess.Popen(discover_cmd(sources, out, "--jobdir", str(job), *SLOW,
                                             "-s", f"NEWSCLEAN_REQUEST_LOG={log}"),
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 60
        while _lines(log) < 45 and proc.poll() is None:
            assert time.monotonic() < deadline, "the discovery made no progress"
            time.sleep(0.02)
        assert proc.poll() is None, "the discovery ended before it could be stopped"
        os.killpg(proc.pid, sig) if sig == signal.SIGKILL else proc.send_signal(sig)
        proc.wait(timeout=60)
        first = _lines(log)
        assert (job / "discover.state.json").exists()
        again = run_discover(sources, out, "--jobdir", str(job), "-s", f"NEWSCLEAN_REQUEST_LOG={log}")
        assert again.returncode == 0, again.stderr[-3000:]
    assert _verdicts(web, out) == EXPECTED
    urls = [r["url"] for r in read_lines(out / "articles.jsonl")]
    assert urls and len(urls) == len(set(urls))  # no article stored twice
    total = _lines(log)
    assert first < total <= 14 * 14 + 30  # the second run went on; both within the budgets (+ robots.txt again)
    assert ("did not stop cleanly" in again.stderr) == (sig == signal.SIGKILL)


def test_two_discoveries_share_the_frontier_and_the_hosts(tmp_path, redis_url):  # noqa: F811
    with serve_web() as web:
        sources = web.write_sources(tmp_path / "seeds.yaml")
        # slow enough that the second process, which may start seconds later on a loaded machine, finds work left
        extra = ["--redis-url", redis_url, "--idle-close", "1.5", "-s", "DOWNLOAD_DELAY=0.2"]
        procs = [subprocess.Popen(discover_cmd(sources, tmp_path / f"out{i}", *extra,
                                               "-s", f"NEWSCLEAN_REQUEST_LOG={tmp_path / f'log{i}'}"),
                                  cwd=ROOT, text=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                 for i in (1, 2)]
        errors = [p.communicate(timeout=150)[1] for p in procs]
        hits = web.requests()
    for p, err in zip(procs, errors, strict=True):
        assert p.returncode == 0, err[-3000:]
    logs = [read_lines(tmp_path / f"log{i}") for i in (1, 2)]
    assert all(logs), f"both took part: {[len(x) for x in logs]}"
    # each page fetched by one of them only (robots.txt is per crawler)
    pages = Counter((h.address, h.path) for h in hits if h.path != "/robots.txt")
    assert pages.most_common(1)[0][1] == 1
    # the host book is shared: the one that finished last judged every host as a single run does
    last = max((tmp_path / f"out{i}" for i in (1, 2)), key=lambda p: (p / "summary.json").stat().st_mtime)
    assert _verdicts(web, last) == EXPECTED
    stored = [urlsplit(r["url"]).netloc for i in (1, 2) for r in read_lines(tmp_path / f"out{i}" / "articles.jsonl")]
    assert set(stored) == {web.sites[n].netloc for n, v in EXPECTED.items() if v == "on_topic"}
