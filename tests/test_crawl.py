"""The crawler against the local fixture site: exactly the articles, skips with reasons, WARC, provenance."""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from support.testsite import build_site, serve, write_site
from test_crawl_helpers import (
    ROOT,
    SITE,
    article_paths,
    bigram_f1,
    expected_paths,
    gold,
    read_lines,
    run_crawl,
    write_sources,
)
from warcio.archiveiterator import ArchiveIterator

from cleaners.core import clean_bytes
from scraper.warc import iter_warc_pages


@pytest.fixture(scope="module")
def site():
    with serve(SITE) as server:
        yield server


@pytest.fixture(scope="module")
def crawled(site, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("crawl")
    out = tmp / "out"
    proc = run_crawl(write_sources(tmp / "sources.yaml", site.base), out)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out, proc


def test_every_article_exactly_once_and_nothing_else(crawled):
    out, _ = crawled
    records = read_lines(out / "articles.jsonl")
    counts = article_paths(records)
    assert set(counts) == expected_paths()
    assert max(counts.values()) == 1


def test_article_text_matches_the_pages(crawled):
    out, _ = crawled
    want = gold()
    scores = [bigram_f1(r["text"], want[urlsplit(r["url"]).path]["text"]) for r in read_lines(out / "articles.jsonl")]
    assert sum(scores) / len(scores) >= 0.90
    assert min(scores) >= 0.80


def test_skips_name_their_reason(crawled):
    out, _ = crawled
    skipped = {(urlsplit(r["url"]).path + (f"?{urlsplit(r['url']).query}" if urlsplit(r["url"]).query else ""),
                r["reason"]) for r in read_lines(out / "skipped.jsonl")}
    off_topic = next(p for p, r in gold().items() if not r["on_topic"])
    for item in [
        ("/internal/t20240101_9001.html", "robots"),
        ("/download/report?id=7", "not_html"),
        ("/zyjy/202405/t20240599_404.html", "http_404"),
        ("/cjrh/202406/t20240601_9404.html", "http_404"),
        ("/big/t20240101_8888.html", "too_large"),
        ("/loop/a.html", "redirect_loop"),
        ("/broken/t20240101_500.html", "http_503"),
        ("/zyjy/202405/t20240530_2000.html", "not_article"),  # a list page at an article-like URL
        ("/", "not_article"),
        ("/zyjy/index_2.html", "not_article"),
        (off_topic, "off_topic"),
    ]:
        assert item in skipped, item
    # nothing that is an article is also recorded as skipped, and no page is skipped twice for one reason
    assert not {p for p, _ in skipped} & expected_paths()
    assert len(skipped) == len(read_lines(out / "skipped.jsonl"))


def test_provenance_of_redirects_and_charsets(crawled):
    out, _ = crawled
    by_path = {urlsplit(r["url"]).path: r for r in read_lines(out / "articles.jsonl")}
    moved = next(p for p, r in gold().items() if not r["linked"] and p in by_path
                 and urlsplit(by_path[p]["provenance"]["url"]).path.startswith("/old/"))
    prov = by_path[moved]["provenance"]
    assert prov["final_url"].endswith(moved) and prov["http_status"] == 200 and prov["fetched_at"]
    header_gbk = json.loads((SITE / "_header_charset.json").read_text())
    for path in header_gbk:
        assert by_path[path]["provenance"]["http_charset"] == "gbk"
        assert bigram_f1(by_path[path]["text"], gold()[path]["text"]) > 0.95
    in_page_gbk = [p for p, r in gold().items() if r["encoding"] == "gbk" and p not in header_gbk]
    assert in_page_gbk and all(by_path[p]["provenance"]["http_charset"] is None for p in in_page_gbk)
    assert all(by_path[p]["provenance"]["encoding"] == "gb18030" for p in in_page_gbk)


def test_politeness(crawled, site):
    out, proc = crawled
    assert site.hits.get("/robots.txt", 0) >= 1
    assert "/internal/t20240101_9001.html" not in site.hits  # disallowed: never requested
    assert "/files/guide.pdf" not in site.hits  # binary by extension: never requested
    assert all(n == 1 for p, n in site.hits.items() if p in expected_paths())  # tracking variants merged
    assert site.hits["/broken/t20240101_500.html"] == 2  # one retry
    assert all(a.startswith("newsclean/") for a in site.agents)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["articles"] == len(expected_paths())
    assert "articles stored" in proc.stderr


def test_warc_holds_every_response_and_cleans_again(crawled):
    out, _ = crawled
    files = sorted((out / "warc").glob("*.warc.gz"))
    assert len(files) == 1
    seen: dict[str, int] = {}
    with open(files[0], "rb") as fh:
        for record in ArchiveIterator(fh):
            assert record.rec_type == "response"
            seen[urlsplit(record.rec_headers.get_header("WARC-Target-URI")).path] = \
                int(record.http_headers.get_statuscode())
    assert expected_paths() <= set(seen)
    assert seen["/robots.txt"] == 200 and seen["/zyjy/202405/t20240599_404.html"] == 404
    assert seen["/loop/a.html"] == 302 and seen["/download/report"] == 200
    stored = {r["url"]: r["text"] for r in read_lines(out / "articles.jsonl")}
    again = {}
    for raw, source in iter_warc_pages([out / "warc"]):
        if source.url in stored:
            again[source.url] = clean_bytes(raw, source, fmt="html").text
    assert again == stored


def test_sources_file_is_validated(tmp_path, capsys):
    from cleaners.cli import main

    bad = tmp_path / "bad.yaml"
    bad.write_text("sources:\n  - name: x\n    start_urls: ['http://127.0.0.1/']\n    max_page: 3\n", "utf-8")
    assert main(["crawl", "--sources", str(bad), "-o", str(tmp_path / "o")]) == 2
    assert "unknown keys: max_page" in capsys.readouterr().err


def test_max_pages_bounds_the_crawl(site, tmp_path):
    proc = run_crawl(write_sources(tmp_path / "s.yaml", site.base, sitemaps=[], feeds=[]), tmp_path / "out",
                     "--max-pages", "4")
    assert proc.returncode == 0, proc.stderr[-2000:]
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["articles"] <= 3 and summary["pages_fetched"] <= 4 + 2  # + robots.txt, a redirect


def test_article_pattern_decides_by_url(site, tmp_path):
    proc = run_crawl(write_sources(tmp_path / "s.yaml", site.base, article_pattern=r"/t\d{8}_1\d{3}\.html$"),
                     tmp_path / "out")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert set(article_paths(read_lines(tmp_path / "out" / "articles.jsonl"))) == expected_paths()


def test_scrapy_crawl_news_works_from_the_project(site, tmp_path):
    import subprocess
    import sys

    sources = write_sources(tmp_path / "s.yaml", site.base)
    cmd = [sys.executable, "-m", "scrapy.cmdline", "crawl", "news", "-s", f"NEWSCLEAN_SOURCES={sources}",
           "-s", f"NEWSCLEAN_OUTDIR={tmp_path / 'out'}", "-s", "AUTOTHROTTLE_ENABLED=False", "-s",
           "DOWNLOAD_DELAY=0", "-s", "NEWSCLEAN_WORKERS=1", "-s", "LOG_LEVEL=WARNING",
           "-s", "DOWNLOAD_MAXSIZE=1000000", "-s", "RETRY_BACKOFF_BASE=0.05"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert set(article_paths(read_lines(tmp_path / "out" / "articles.jsonl"))) == expected_paths()


def test_held_out_site_of_another_shape(tmp_path):
    """Another template (tables, <br> paragraphs, summaries on list items) and other articles."""
    root = tmp_path / "site"
    write_site(build_site(n_articles=20, seed=101, style="b"), root)
    with serve(root) as server:
        proc = run_crawl(write_sources(tmp_path / "s.yaml", server.base), tmp_path / "out")
    assert proc.returncode == 0, proc.stderr[-2000:]
    records = read_lines(tmp_path / "out" / "articles.jsonl")
    counts = article_paths(records)
    assert set(counts) == expected_paths(root) and max(counts.values()) == 1
    want = gold(root)
    scores = [bigram_f1(r["text"], want[urlsplit(r["url"]).path]["text"]) for r in records]
    assert sum(scores) / len(scores) >= 0.90


def test_fixture_site_is_current():
    """fixtures/site is what tests/support/testsite.py renders (`python tests/support/testsite.py write`)."""
    site = build_site()
    for path, page in site.pages.items():
        assert (SITE / path.lstrip("/")).read_bytes() == page.body, path
    assert Path(SITE / "gold.jsonl").exists()


def test_clean_cli_recleans_the_warc_directory(crawled, tmp_path):
    from cleaners.cli import main

    out, _ = crawled
    target = tmp_path / "again.jsonl"
    assert main(["clean", str(out / "warc"), "-o", str(target), "-q", "-j", "1"]) == 0
    stored = {r["url"]: r["text"] for r in read_lines(out / "articles.jsonl")}
    records = read_lines(target)
    errors = read_lines(tmp_path / "again.errors.jsonl")
    again = {r["url"]: r["text"] for r in records}
    assert {url: again.get(url) for url in stored} == stored
    # clean refuses list pages as the crawl does; only the crawl's topic filter is not applied again
    skipped = {r["url"]: r["reason"] for r in read_lines(out / "skipped.jsonl")}
    assert {skipped.get(url) for url in set(again) - set(stored)} <= {"off_topic"}
    assert {e["reason"] for e in errors} <= {"not_article", "no_text", "empty"}, errors
