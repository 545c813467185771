"""Resume: a crawl killed with SIGKILL and started again stores every article exactly once."""
from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest
from support.testsite import serve
from test_crawl_helpers import (
    ROOT,
    SITE,
    article_paths,
    crawl_cmd,
    expected_paths,
    read_lines,
    run_crawl,
    write_sources,
)
from warcio.archiveiterator import ArchiveIterator

SLOW = ["-s", "DOWNLOAD_DELAY=0.08", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "RANDOMIZE_DOWNLOAD_DELAY=False"]


def _count_lines(path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


@pytest.mark.parametrize("kill_after", [6, 20])
def test_sigkill_then_resume_gives_every_article_once(tmp_path, kill_after):
    out, job = tmp_path / "out", tmp_path / "job"
    with serve(SITE) as site:
        sources = write_sources(tmp_path / "s.yaml", site.base)
        proc = subprocess.Popen(crawl_cmd(sources, out, "--jobdir", str(job), *SLOW), cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 60
        while _count_lines(out / "articles.jsonl") < kill_after and proc.poll() is None:
            assert time.monotonic() < deadline, "the crawl made no progress"
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGKILL)  # the crawler and its cleaning workers, mid-crawl
        proc.wait()
        before = read_lines(out / "articles.jsonl")
        assert 0 < len(before) < len(expected_paths())
        with open(out / "articles.jsonl", "ab") as fh:  # and a write torn by the kill
            fh.write(b'{"id": "torn", "text": "\xe8\x81\x8c\xe4\xb8\x9a')

        again = run_crawl(sources, out, "--jobdir", str(job))
        assert again.returncode == 0, again.stderr[-2000:]
    records = read_lines(out / "articles.jsonl")
    counts = article_paths(records)
    assert set(counts) == expected_paths()
    assert max(counts.values()) == 1
    assert records[: len(before)] == before  # what was stored stays as it was
    assert "not stop cleanly" in again.stderr or "did not stop" in again.stderr
    warcs = sorted((out / "warc").glob("*.warc.gz"), key=lambda p: p.stat().st_mtime)
    assert len(warcs) == 2  # one WARC per run; the killed run's is still a valid WARC
    with open(warcs[0], "rb") as fh:
        assert sum(1 for _ in ArchiveIterator(fh)) > 0


def test_ctrl_c_then_resume_from_scrapys_queue(tmp_path):
    """A graceful stop keeps Scrapy's own queue and seen-set: the next run takes up from there."""
    out, job = tmp_path / "out", tmp_path / "job"
    with serve(SITE) as site:
        sources = write_sources(tmp_path / "s.yaml", site.base)
        proc = subprocess.Popen(crawl_cmd(sources, out, "--jobdir", str(job), *SLOW), cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while _count_lines(out / "articles.jsonl") < 8 and proc.poll() is None:
            assert time.monotonic() < deadline, "the crawl made no progress"
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0
        assert not (job / "newsclean.running").exists()
        first = len(read_lines(out / "articles.jsonl"))
        hits_before = dict(site.hits)
        again = run_crawl(sources, out, "--jobdir", str(job))
        assert again.returncode == 0, again.stderr[-2000:]
    counts = article_paths(read_lines(out / "articles.jsonl"))
    assert set(counts) == expected_paths() and max(counts.values()) == 1
    assert first < len(expected_paths())
    assert "did not stop cleanly" not in again.stderr
    assert site.hits["/"] == hits_before["/"]  # resumed from the queue, not walked again
