"""The crawler's cheaper I/O keeps its promises: meta refreshes still redirect, batched and pre-encoded lines are
stored once each, the coalescing writer still flushes, and WARC records stay valid (digests, odd headers)."""
from __future__ import annotations

import gzip
import io
import json
import os

from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

from scraper import warc as warc_module
from scraper.middlewares import QuickMetaRefreshMiddleware, cannot_refresh
from scraper.store import AppendLog, encode_line
from scraper.warc import WarcFile, iter_warc_pages
from scraper.writer import BackgroundWriter

PARA = "<p>" + "职业教育新闻。" * 400 + "</p>"


def _middleware() -> QuickMetaRefreshMiddleware:
    return QuickMetaRefreshMiddleware.from_crawler(get_crawler(settings_dict={"METAREFRESH_MAXDELAY": 100}))


def _response(body: str, encoding: str = "utf-8") -> tuple[Request, HtmlResponse]:
    request = Request("http://a.cn/n/1.html")
    return request, HtmlResponse(request.url, body=body.encode(encoding), request=request,
                                 headers={"Content-Type": f"text/html; charset={encoding}"})


def test_meta_refresh_still_redirects():
    for head in ('<meta http-equiv="refresh" content="0; url=/n/2.html">',
                 "<META HTTP-EQUIV=Refresh CONTENT='1;URL=http://a.cn/n/2.html'>"):
        request, response = _response(f"<html><head>{head}</head><body>{PARA}</body></html>", "gbk")
        result = _middleware().process_response(request, response)
        assert isinstance(result, Request) and result.url == "http://a.cn/n/2.html", head


def test_pages_without_a_refresh_tag_are_not_decoded():
    for body in (f"<html><body>{PARA}</body></html>",
                 f"<html><head><script>slots.refresh();</script></head><body>{PARA}</body></html>"):
        request, response = _response(body, "gbk")
        assert cannot_refresh(response.body)
        assert _middleware().process_response(request, response) is response
        assert getattr(response, "_cached_ubody", None) is None  # Scrapy never decoded it
    assert not cannot_refresh("<html>".encode("utf-16-le"))  # NUL bytes: the bytes say nothing, Scrapy looks


def test_append_line_and_batches_store_each_key_once(tmp_path):
    path = tmp_path / "a.jsonl"
    log = AppendLog(path, "url+reason", fsync=False)
    written = log.append_many([{"url": "u1", "reason": "robots"}, {"url": "u1", "reason": "robots"},
                               {"url": "u2", "reason": "robots"}, {"url": "u1", "reason": "not_article"}])
    assert [(r["url"], r["reason"]) for r in written] == [("u1", "robots"), ("u2", "robots"), ("u1", "not_article")]
    assert log.append_many([{"url": "u2", "reason": "robots"}]) == []
    log.close()
    articles = AppendLog(tmp_path / "b.jsonl", "url", fsync=False)
    line = encode_line({"url": "http://a.cn/1.html", "text": "职业"})
    assert articles.append_line("http://a.cn/1.html", line) and not articles.append_line("http://a.cn/1.html", line)
    assert not articles.append({"url": "http://a.cn/1.html"})
    articles.close()
    assert [json.loads(x)["url"] for x in (tmp_path / "b.jsonl").read_text("utf-8").splitlines()] == \
        ["http://a.cn/1.html"]
    assert len(path.read_text("utf-8").splitlines()) == 3


def test_the_coalescing_writer_flushes_in_order(tmp_path):
    writer = BackgroundWriter()
    fd = os.open(tmp_path / "w.bin", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        for i in range(200):
            writer.write(fd, f"{i}\n".encode(), fsync=i % 50 == 0)
        writer.write(fd, lambda: b"made\n")
        writer.flush()  # waits for all of it, coalescing or not
        assert (tmp_path / "w.bin").read_text().split() == [str(i) for i in range(200)] + ["made"]
        writer.write(fd, b"last\n")
    finally:
        writer.close()
        os.close(fd)
    assert (tmp_path / "w.bin").read_text().split()[-1] == "last"


def test_warc_records_are_valid_gzip_members_with_right_digests(tmp_path):
    warc = WarcFile(tmp_path / "warc")
    body = f"<html><body>{PARA}</body></html>".encode()
    headers = [(b"Content-Type", b"text/html; charset=utf-8"), (b"X-\xe9t\xe9", b"caf\xe9"),
               (b"Transfer-Encoding", b"chunked")]
    warc.write_response("http://a.cn/n/1.html", 200, "OK", headers, body, "2024-01-01T00:00:00Z")
    warc.write_response("http://a.cn/n/2.html", 404, "Not Found", headers[:1], b"gone", None)
    warc.close()
    raw = warc.path.read_bytes()
    assert gzip.decompress(raw).startswith(b"WARC/1.0")  # standard gzip, whichever deflate wrote it
    with open(warc.path, "rb") as fh:
        records = list(ArchiveIterator(fh, check_digests="raise"))  # raises on a wrong digest
    assert [r.rec_headers.get_header("WARC-Target-URI") for r in records] == ["http://a.cn/n/1.html",
                                                                                 "http://a.cn/n/2.html"]
    pages = list(iter_warc_pages([tmp_path / "warc"]))
    assert len(pages) == 1 and pages[0][0] == body and pages[0][1].http_charset == "utf-8"
    with open(warc.path, "rb") as fh:
        first = next(iter(ArchiveIterator(fh)))
        assert first.http_headers.get_header("Transfer-Encoding") is None  # framing that no longer applies
        assert first.http_headers.get_header("X-%C3%A9t%C3%A9") is not None  # a non-ASCII name, kept encoded


def test_warc_records_without_isal(tmp_path, monkeypatch):
    """The crawler still writes valid WARCs where the isal package is missing (zlib at level 3)."""
    import zlib

    monkeypatch.setattr(warc_module, "_deflate", zlib)
    monkeypatch.setattr(warc_module, "GZIP_LEVEL", 3)
    warc = WarcFile(tmp_path / "warc")
    warc.write_response("http://a.cn/n/1.html", 200, "OK", [(b"Content-Type", b"text/html")], b"<p>x</p>")
    warc.close()
    with open(warc.path, "rb") as fh:
        assert [r.content_stream().read() for r in ArchiveIterator(io.BytesIO(fh.read()))] == [b"<p>x</p>"]
