"""`newsclean discover` on the local web of tests/support/discover_web.py (fourteen sites on their own loopback
addresses): the sources it writes, every host's verdict, what it asked of the network, its budgets, and the crawl
that takes its sources file."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from support.discover_web import OFF_TOPIC, ON_TOPIC, serve_web
from test_crawl_helpers import FAST, read_lines
from warcio.archiveiterator import ArchiveIterator

from scraper.sources import load_sources

ROOT = Path(__file__).resolve().parent.parent
# the test web is loopback: allowed by this setting only (never by default)
TEST_WEB = ["-s", "NEWSCLEAN_LOCAL_WEB=127.0.0.0/8", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0",
            "-s", "RETRY_TIMES=1", "-s", "RETRY_BACKOFF_BASE=0.05", "-s", "LOG_LEVEL=WARNING",
            "-s", "DOWNLOAD_TIMEOUT=10", "--workers", "1"]
EXPECTED = {**dict.fromkeys(ON_TOPIC, "on_topic"), **dict.fromkeys(OFF_TOPIC, "off_topic"), "farm": "spam",
            "shop": "not_news", "closed": "robots", "nobody": "unreachable"}
K = 5  # --pages-per-site (the default)


def discover_cmd(sources: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "cleaners.cli", "discover", "--sources", str(sources), "--like",
            str(ROOT / "seeds"), "-o", str(out), *TEST_WEB, *extra]


def run_discover(sources: Path, out: Path, *extra: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(discover_cmd(sources, out, *extra), capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT, env=dict(os.environ, PYTHONUNBUFFERED="1"))


@pytest.fixture(scope="module")
def web():
    with serve_web() as w:
        yield w


@pytest.fixture(scope="module")
def discovered(web, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("discover")
    out = tmp / "out"
    log = tmp / "requests.log"
    started = time.monotonic()
    proc = run_discover(web.write_sources(tmp / "seeds.yaml"), out, "-s", f"NEWSCLEAN_REQUEST_LOG={log}")
    elapsed = time.monotonic() - started
    assert proc.returncode == 0, proc.stderr[-3000:]
    hits = web.requests()
    print(f"discover: {len(read_lines(log))} requests, {elapsed:.1f} s")
    return out, proc, read_lines(log), hits, tmp


def hosts(out: Path) -> dict[str, dict]:
    return {r["host"]: r for r in read_lines(out / "hosts.jsonl")}


def test_sources_yaml_lists_every_on_topic_site_and_none_of_the_others(discovered, web):
    out = discovered[0]
    specs = load_sources(out / "sources.yaml")  # the schema crawl reads
    found = {urlsplit(s.start_urls[0]).netloc for s in specs}
    assert found == {web.sites[n].netloc for n in ON_TOPIC}
    for spec in specs:
        assert spec.allowed_domains == (urlsplit(spec.start_urls[0]).hostname,)
    by_name = {web.sites[n].netloc: n for n in web.sites}
    named = {by_name[urlsplit(s.start_urls[0]).netloc]: s for s in specs}
    assert named["zhijiao"].sitemaps == (web.sites["zhijiao"].base + "/sitemap.xml",)  # named in its robots.txt
    assert named["chanjiao"].feeds == (web.sites["chanjiao"].base + "/rss.xml",)  # named in its <head>
    for name, spec in named.items():  # a shape every article URL has, and no list page
        assert spec.article_pattern, name
        assert all(spec.is_article_url(web.sites[name].base + p) for p in web.sites[name].articles)
        assert not spec.is_article_url(web.sites[name].base + "/") and not spec.is_article_url(
            web.sites[name].base + "/list/")
    # ranked by score, each entry under a comment with its score and evidence
    text = (out / "sources.yaml").read_text("utf-8")
    comments = [ln for ln in text.splitlines() if ln.startswith("  # score ")]
    assert len(comments) == len(specs)
    scores = [float(c.split()[2].rstrip(":")) for c in comments]
    assert scores == sorted(scores, reverse=True)
    assert all("articles at or above the threshold" in c and "top terms" in c for c in comments)
    assert yaml.safe_load(text)["sources"][0]["name"] == specs[0].name


def test_every_host_has_its_verdict_and_reason(discovered, web):
    out = discovered[0]
    got = hosts(out)
    assert set(got) == {s.netloc for s in web.sites.values()}  # every site of the web probed, nothing else
    verdicts = {name: got[web.sites[name].netloc]["verdict"] for name in web.sites}
    assert verdicts == EXPECTED
    reasons = {name: got[web.sites[name].netloc]["reason"] for name in web.sites}
    for name in ON_TOPIC:
        assert reasons[name].startswith(f"{K} of {K} articles at or above the threshold"), reasons[name]
    for name in OFF_TOPIC:
        assert reasons[name].startswith(f"0 of {K} articles"), reasons[name]
        assert got[web.sites[name].netloc]["articles"] == K
    assert "spider_pool_farm" in reasons["farm"] or "link farm" in reasons["farm"]
    assert "none an article" in reasons["shop"]
    assert reasons["closed"].startswith("robots.txt forbids")
    assert "Connection" in reasons["nobody"] and "not fetched" in reasons["nobody"]
    assert got[web.sites["zhijiao"].netloc]["seed"] and not got[web.sites["xiaoqi"].netloc]["seed"]
    # the two-hop sites were reached through the off-topic site that links them
    assert got[web.sites["xiaoqi"].netloc]["via"].startswith(web.sites["sports"].base)
    assert got[web.sites["fanti"].netloc]["via"].startswith(web.sites["ent"].base)
    assert got[web.sites["gbk"].netloc]["via"].startswith(web.sites["xiaoqi"].base)
    # each sampled article explains its score
    sample = got[web.sites["chanjiao"].netloc]["samples"][0]
    assert sample["on_topic"] and sample["score"] > 0 and len(sample["terms"]) >= 3


def test_nothing_outside_the_local_web_is_requested(discovered, web):
    out, _, log, hits, _ = discovered
    netlocs = {s.netloc for s in web.sites.values()}
    assert log and {urlsplit(r["url"]).netloc for r in log} <= netlocs  # the spider's own log
    for hit in hits:  # and every server saw only requests for itself
        assert hit.host == next(s.netloc for s in web.sites.values() if s.address == hit.address)
        assert hit.agent.startswith("newsclean/")
    summary = json.loads((out / "summary.json").read_text())
    assert summary["dns_lookups"] == 0  # example.com, localhost ... refused before any lookup
    assert summary["refused"]["address"] >= 1  # the links to example.com, 10.1.2.3, localhost ... (zhijiao's)
    closed = [h.path for h in hits if h.address == web.sites["closed"].address]
    assert closed == ["/robots.txt"]  # robots.txt forbids everything: nothing else asked
    farm = [h.path for h in hits if h.address == web.sites["farm"].address]
    assert "/" in farm and len(farm) <= 2  # its links are not followed once it is seen to be spam


def test_the_discovery_ends_by_itself_within_its_budgets(discovered, web):
    out, proc, log, hits, _ = discovered
    summary = json.loads((out / "summary.json").read_text())
    assert summary["finish_reason"] == "finished"
    assert summary["requests"] == len(log)
    # every request reached a server, but those to the address where none listens (robots.txt and its retry)
    nobody = [r for r in log if urlsplit(r["url"]).netloc == web.sites["nobody"].netloc]
    assert len(hits) == len(log) - len(nobody) and 1 <= len(nobody) <= 2
    per_host = hosts(out)
    assert all(h["requests"] <= 2 * K + 4 for h in per_host.values())
    assert len(log) <= len(web.sites) * (2 * K + 4)
    assert "hosts probed" in proc.stderr and "on-topic sources" in proc.stderr


def test_articles_and_warc_hold_the_on_topic_articles(discovered, web):
    out = discovered[0]
    records = read_lines(out / "articles.jsonl")
    on_topic = {web.sites[n].netloc: set(web.sites[n].articles) for n in ON_TOPIC}
    assert records
    for r in records:
        parts = urlsplit(r["url"])
        assert parts.path in on_topic[parts.netloc]
    assert {urlsplit(r["url"]).netloc for r in records} == set(on_topic)
    assert all(r["text"] and r["provenance"]["sha256"] for r in records)
    archived = set()
    for warc in (out / "warc").glob("*.warc.gz"):
        with open(warc, "rb") as fh:
            archived |= {rec.rec_headers.get_header("WARC-Target-URI") for rec in ArchiveIterator(fh)}
    assert archived == {r["url"] for r in records}
    profile = json.loads((out / "profile.json").read_text())
    assert profile["examples"] == 5 and 0 < profile["threshold"] < 1


def test_crawl_on_the_discovered_sources_gathers_their_articles(discovered, web):
    out, tmp = discovered[0], discovered[4]
    cmd = [sys.executable, "-m", "cleaners.cli", "crawl", "--sources", str(out / "sources.yaml"), "-o",
           str(tmp / "crawl"), *FAST]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    gathered: dict[str, set[str]] = {}
    for r in read_lines(tmp / "crawl" / "articles.jsonl"):
        parts = urlsplit(r["url"])
        gathered.setdefault(parts.netloc, set()).add(parts.path)
    assert gathered == {web.sites[n].netloc: set(web.sites[n].articles) for n in ON_TOPIC}


def test_budgets_bound_a_smaller_discovery(web, tmp_path):
    log = tmp_path / "requests.log"
    proc = run_discover(web.write_sources(tmp_path / "seeds.yaml"), tmp_path / "out", "--max-sites", "3",
                        "--max-pages", "30", "--pages-per-site", "2", "-s", f"NEWSCLEAN_REQUEST_LOG={log}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["finish_reason"] == "finished"
    assert len(read_lines(log)) <= 30 and summary["hosts"] <= 3
    assert summary["refused"].get("max_sites", 0) > 0
    assert all(h["articles"] <= 2 for h in hosts(tmp_path / "out").values())
