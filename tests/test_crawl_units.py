"""The crawler's small parts: sources validation, canonical URLs, crash-safe JSON Lines, page-type routing."""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from scraper.sources import SourcesError, load_sources
from scraper.store import AppendLog, done_urls, repair_jsonl
from scraper.urls import canonical_url, has_binary_extension

ROOT = Path(__file__).resolve().parent.parent


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(text, "utf-8")
    return path


def test_seed_sources_are_valid_and_cover_the_seed_sites():
    specs = load_sources(ROOT / "seeds" / "sources.yaml")
    seed_hosts = {urlsplit(u).hostname for f in (ROOT / "seeds").glob("*.txt")
                  for u in re.findall(r"https?://[\w.-]+/[\w./-]*\.html", f.read_text("utf-8"))}
    assert seed_hosts, "the seeds name their URLs"
    for host in seed_hosts:
        assert any(s.allows(f"http://{host}/") for s in specs), host
    assert all(s.keywords for s in specs) and len(specs) >= 6


@pytest.mark.parametrize("text, message", [
    ("sources:\n  - name: a\n    start_urls: [http://a.cn/]\n    maxpages: 3\n", "unknown keys: maxpages"),
    ("source:\n  - name: a\n", "unknown keys: source"),
    ("sources:\n  - start_urls: [http://a.cn/]\n", "`name` is required"),
    ("sources:\n  - name: a\n", "at least one of start_urls"),
    ("sources:\n  - name: a\n    start_urls: [ftp://a.cn/]\n", "not http(s)"),
    ("sources:\n  - name: a\n    start_urls: [http://a.cn/]\n    allowed_domains: [b.cn]\n", "outside allowed_domains"),
    ("sources:\n  - name: a\n    start_urls: [http://a.cn/]\n    article_pattern: '('\n", "not a valid regular"),
    ("sources:\n  - name: a\n    start_urls: [http://a.cn/]\n    max_pages: -1\n", "non-negative integer"),
    ("sources:\n  - name: a\n    start_urls: [http://a.cn/]\n  - name: a\n    feeds: [http://a.cn/rss]\n",
     "duplicate source names"),
    ("sources: [", "not valid YAML"),
])
def test_bad_sources_are_rejected_clearly(tmp_path, text, message):
    with pytest.raises(SourcesError, match=re.escape(message)):
        load_sources(_write(tmp_path, text))


def test_source_defaults_and_domains(tmp_path):
    (spec,) = load_sources(_write(tmp_path, "sources:\n  - name: a\n    start_urls: [http://www.a.cn/edu/]\n"))
    assert spec.allowed_domains == ("www.a.cn",)
    assert spec.allows("http://www.a.cn/x.html") and not spec.allows("http://evil-www.a.cn.example/")
    assert spec.is_article_url("http://www.a.cn/x.html") is None


def test_canonical_url_drops_tracking_and_fragments():
    assert canonical_url("HTTP://WWW.A.cn:80/n/1.html?utm_source=wx&id=3&spm=a.b#top") == "http://www.a.cn/n/1.html?id=3"
    assert canonical_url("http://a.cn") == "http://a.cn/"
    assert canonical_url("http://a.cn/新闻/1.html") == "http://a.cn/%E6%96%B0%E9%97%BB/1.html"
    assert canonical_url("http://a.cn/list?page=2&from=timeline") == "http://a.cn/list?page=2"
    assert has_binary_extension("http://a.cn/f/guide.PDF") and not has_binary_extension("http://a.cn/a.shtml")


def test_repair_cuts_a_torn_last_line(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"url": "u1"}\n{"url": "u2"}\n{"url": "u3", "te')
    assert repair_jsonl(path) == len(b'{"url": "u3", "te')
    assert path.read_bytes() == b'{"url": "u1"}\n{"url": "u2"}\n'
    path.write_bytes(b'{"url": "u1"')
    repair_jsonl(path)
    assert path.read_bytes() == b""


def test_append_log_writes_each_key_once_across_reopens(tmp_path):
    path = tmp_path / "a.jsonl"
    log = AppendLog(path, "url")
    assert log.append({"url": "u1", "text": "职业教育"}) and not log.append({"url": "u1"})
    log.close()
    with open(path, "ab") as fh:
        fh.write(b'{"url": "u2", "tex')  # torn by a kill
    log = AppendLog(path, "url")
    assert not log.append({"url": "u1"}) and log.append({"url": "u2"})
    log.close()
    assert [json.loads(line)["url"] for line in path.read_text("utf-8").splitlines()] == ["u1", "u2"]


def test_done_urls_keep_list_pages_out(tmp_path):
    (tmp_path / "articles.jsonl").write_text(json.dumps(
        {"url": "http://a.cn/1.html", "provenance": {"url": "http://a.cn/old/1", "final_url": "http://a.cn/1.html"}})
        + "\n", "utf-8")
    (tmp_path / "skipped.jsonl").write_text(
        '{"url": "http://a.cn/", "reason": "not_article"}\n{"url": "http://a.cn/x", "reason": "http_404"}\n'
        '{"url": "http://a.cn/y", "reason": "http_503"}\n', "utf-8")
    assert done_urls(tmp_path) == {"http://a.cn/1.html", "http://a.cn/old/1", "http://a.cn/x"}


def test_robots_txt_is_read_up_to_the_last_whole_line_of_its_limit():
    from scraper.robots import robots_body

    body = b"User-agent: *\nDisallow: /a/\n" + b"Disallow: /bbbbbbbbbb/\n" * 100
    assert robots_body(body, len(body)) == body and robots_body(body, 0) == body
    cut = robots_body(body, 40)
    assert cut == b"User-agent: *\nDisallow: /a/\n"  # not the half rule "Disallow: /bbb"
    assert robots_body(b"x" * 100, 10) == b"x" * 10  # one endless line: its first bytes


def test_cuts_are_all_counted_and_the_first_of_each_source_and_reason_recorded():
    from scrapy.utils.test import get_crawler

    from scraper.limits import Cuts

    crawler = get_crawler()
    cuts = Cuts(2, crawler)
    given = [cuts.cut(f"http://a.cn/{i % 3}", "too_deep", "a", "26 links") for i in range(6)]
    given += [cuts.cut("http://a.cn/9", "too_deep", "b", "26 links"),
              cuts.cut("http://a.cn/9", "url_too_long", "a", "2100 characters")]
    recorded = [(g.url, g.reason, g.source) for g in given if g is not None]
    assert recorded == [("http://a.cn/0", "too_deep", "a"), ("http://a.cn/1", "too_deep", "a"),
                        ("http://a.cn/9", "too_deep", "b"), ("http://a.cn/9", "url_too_long", "a")]
    assert crawler.stats.get_value("newsclean/cut/too_deep") == 7
