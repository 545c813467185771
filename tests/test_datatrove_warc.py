"""NewsWarcReader -> NewsCleaner -> a writer, on a WARC built here: every record is passed on or counted by reason,
pages are decoded by newsclean (HTTP charset, declaration, gb18030 for gbk, big5hkscs for big5), and the texts are
those `newsclean clean X.warc.gz` gives."""
from __future__ import annotations

import gzip
import io
import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("datatrove")

from datatrove.data import Document  # noqa: E402
from datatrove.executor import LocalPipelineExecutor  # noqa: E402
from datatrove.pipeline.writers import JsonlWriter  # noqa: E402

from cleaners.integrations.datatrove import NewsCleaner, NewsWarcReader  # noqa: E402


def page(title: str, paras: list[str], head: str = "", before: str = "", hant: bool = False) -> str:
    """A news page: `head` goes into <head> (a charset declaration), `before` ahead of <html>; `hant`: its
    navigation and footer in Traditional characters (so that the page encodes as Big5)."""
    body = "".join(f"<p>{p}</p>" for p in paras)
    chrome = "新聞中心 首頁 新聞 來源：本地日報 版權所有 示例新聞網" if hant else (
        "新闻中心 首页 新闻 来源：本地日报 版权所有 示例新闻网")
    centre, home, news, credit, rights, site = chrome.split()
    return (f"{before}<!DOCTYPE html><html><head>{head}<title>{title}_{centre}</title></head><body>"
            f'<div class="nav"><a href="/">{home}</a> | <a href="/news">{news}</a></div>'
            f'<article><h1>{title}</h1><div class="info">2024-05-12 09:30 {credit}</div>{body}</article>'
            f'<div class="footer">{rights} 2024 {site}</div></body></html>')


HANS = [
    "本报讯 昨天上午，市档案馆举行开馆仪式，展出一批反映城市建设历程的珍贵档案和老照片。",
    "展品中有一封国务院原总理朱镕基当年视察时的题词复印件，吸引了不少市民驻足观看。",
    "据介绍，档案馆共收藏各类档案四十余万卷，今年将完成其中十万卷的数字化整理工作。",
    "市民李先生说，在这里看到了自己小时候住过的老街区，感觉非常亲切，打算带孩子再来一次。",
    "档案馆提醒，参观实行免费预约制度，市民可以通过官方网站或者公众号提前预约参观时段。",
]
HANT = [
    "本報訊 昨日上午，香港文化博物館舉行新展覽開幕禮，展出一批反映本地街市生活的珍貴藏品。",
    "策展人表示，展覽特別介紹咗舊式茶餐廳同埋街坊小店，好多市民都話睇完覺得好親切㗎。",
    "展品包括數十件上世紀六十年代的招牌、帳簿和器皿，部分藏品屬首次公開展出，十分難得。",
    "館方指出，展覽期間逢星期三免費入場，並會安排導賞團，讓市民深入了解香港的社區歷史。",
    "一位帶同孫兒參觀的陳伯說，啲舊招牌令佢諗起年輕時喺街市開檔嘅日子，感觸良多。",
]
UTF8 = [p.replace("档案馆", "图书馆") for p in HANS]
MISLABELLED = [p.replace("档案馆", "博物馆") for p in HANS]
# libmagic reads a page that opens with a statistics script as application/javascript (datatrove's WarcReader
# asks it when a record has no WARC-Identified-Payload-Type, and drops the page)
STATS_SCRIPT = ('<script type="text/javascript">\nvar _hmt = _hmt || [];\n(function() {\n'
                '  var hm = document.createElement("script");\n  hm.src = "https://hm.example.com/hm.js?abc";\n'
                '  var s = document.getElementsByTagName("script")[0];\n  s.parentNode.insertBefore(hm, s);\n})();\n'
                "function setTab(name, cursel, n) { for (var i = 1; i <= n; i++) { var m = name + i; } }\n"
                "</script>\n")
SCRIPTED = [p.replace("档案馆", "体育馆") for p in HANS]

# (url, status line, content type, body, what the reader does with it, expected text snippet)
RESPONSES = [
    # GB2312 in the HTTP header only; 镕 is not in GB2312 (it is in GBK): read as gb18030 it decodes
    ("http://n.example.com/gbk.html", "200 OK", "text/html; charset=GB2312",
     page("市档案馆正式开馆", HANS).encode("gb18030"), "page", "朱镕基"),
    # Big5 declared only in the page, with HKSCS characters (㗎, 啲) that plain big5 lacks
    ("http://n.example.com/big5.html", "200 OK", "text/html",
     page("文化博物館新展覽開幕", HANT, head='<meta http-equiv="Content-Type" content="text/html; charset=big5">',
          hant=True).encode("big5hkscs"), "page", "好親切㗎"),
    # the HTTP header says utf-8, the bytes are gb18030 and the page declares nothing
    ("http://n.example.com/mislabelled.html", "200 OK", "text/html; charset=utf-8",
     page("市博物馆正式开馆", MISLABELLED).encode("gb18030"), "page", "市博物馆举行开馆仪式"),
    # UTF-8, said in the header and in the page: the case every reader gets right
    ("http://n.example.com/utf8.html", "200 OK", "text/html; charset=utf-8",
     page("市图书馆正式开馆", UTF8, head='<meta charset="utf-8">').encode("utf-8"), "page", "市图书馆举行开馆仪式"),
    # opens with STATS_SCRIPT (libmagic: application/javascript); served as text/html, no charset anywhere
    ("http://n.example.com/scripted.html", "200 OK", "text/html",
     page("市体育馆正式开馆", SCRIPTED, before=STATS_SCRIPT).encode("utf-8"), "page", "市体育馆举行开馆仪式"),
    # HTML, passed on by the reader, but not an article: NewsCleaner drops it and counts why
    ("http://n.example.com/menu.html", "200 OK", "text/html; charset=utf-8",
     "<html><body><a href='/'>首页</a> | <a href='/n'>新闻</a></body></html>".encode(), "dropped", None),
    # not HTML, and a redirect (HTML, but not the page asked for): counted by the reader, never passed on
    ("http://n.example.com/logo.png", "200 OK", "image/png", b"\x89PNG\r\n\x1a\n" + bytes(64), "skipped_not_html",
     None),
    ("http://n.example.com/old.html", "301 Moved Permanently", "text/html; charset=utf-8",
     b"<html><body>Moved to <a href='/gbk.html'>here</a></body></html>", "skipped_status_3xx", None),
]
PAGES = [r for r in RESPONSES if r[4] == "page"]


def warc_member(url: str, kind: str, status: str = "200 OK", ctype: str = "text/html", body: bytes = b"") -> bytes:
    """One record as its own gzip member, as warcio and the crawler write them."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    if kind == "warcinfo":
        writer.write_record(writer.create_warcinfo_record("test.warc.gz", {"software": "tests"}))
    elif kind == "request":
        req = StatusAndHeaders("GET / HTTP/1.1", [("Host", "n.example.com")], is_http_request=True)
        writer.write_record(writer.create_warc_record(url, "request", http_headers=req))
    else:
        headers = [("Content-Type", ctype)] + ([("Location", "/gbk.html")] if status.startswith("3") else [])
        http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http))
    return buf.getvalue()


def build_warc(path: Path) -> dict[str, int]:
    """The test WARC; returns what each record should end as, counted (`page`, `dropped`, `skipped_*`, `error_*`)."""
    expected: dict[str, int] = {"skipped_warcinfo": 1, "skipped_request": 1, "error_truncated": 1}
    members = [warc_member("", "warcinfo"), warc_member(PAGES[0][0], "request")]
    for url, status, ctype, body, fate, _ in RESPONSES:
        members.append(warc_member(url, "response", status, ctype, body))
        expected[fate] = expected.get(fate, 0) + 1
    last = warc_member("http://n.example.com/cut.html", "response", body=page("被截断的稿件", HANS).encode())
    members.append(last[: len(last) * 2 // 3])  # the download stopped inside the last record: a truncated file
    path.write_bytes(b"".join(members))
    return expected


def run_pipeline(tmp_path: Path, warc_dir: Path, tasks: int = 1) -> tuple[list[dict], dict[str, dict[str, int]]]:
    out, logs = tmp_path / "out", tmp_path / "logs"
    LocalPipelineExecutor(pipeline=[NewsWarcReader(str(warc_dir)), NewsCleaner(), JsonlWriter(str(out))],
                          tasks=tasks, workers=tasks, logging_dir=str(logs)).run()
    records = [json.loads(line) for p in sorted(out.glob("*.jsonl.gz"))
               for line in gzip.open(p, "rt", encoding="utf-8")]
    stats = {}
    for step in json.loads((logs / "stats.json").read_text("utf-8")):
        stats[step["name"]] = {k: v["total"] if isinstance(v, dict) else v for k, v in step["stats"].items()}
    return records, stats


def step_stats(stats: dict[str, dict[str, int]], name: str) -> dict[str, int]:
    return next(v for k, v in stats.items() if name in k)


def test_every_record_is_passed_on_or_counted(tmp_path):
    warcs = tmp_path / "warc"
    warcs.mkdir()
    expected = build_warc(warcs / "crawl.warc.gz")
    (warcs / "notes.txt").write_text("not a WARC file", encoding="utf-8")  # counted as a file, not read
    records, stats = run_pipeline(tmp_path, warcs)
    reader, cleaner = step_stats(stats, "NewsWarc"), step_stats(stats, "NewsCleaner")

    n_records = sum(expected.values())
    assert reader["records"] == n_records == reader["documents"] + reader["skipped"] + reader["errors"]
    assert {k: v for k, v in reader.items() if k.startswith(("skipped_", "error_"))} == {
        k: v for k, v in expected.items() if k.startswith(("skipped_", "error_"))}
    assert reader["documents"] == expected["page"] + expected["dropped"] and reader["files_not_warc"] == 1
    assert cleaner["total"] == reader["documents"] == cleaner["forwarded"] + cleaner["dropped"]
    assert cleaner["forwarded"] == len(records) == expected["page"]
    assert sum(v for k, v in cleaner.items() if k.startswith("dropped_")) == expected["dropped"]


def test_pages_are_decoded_by_newsclean(tmp_path):
    warcs = tmp_path / "warc"
    warcs.mkdir()
    build_warc(warcs / "crawl.warc.gz")
    records, _ = run_pipeline(tmp_path, warcs)
    by_url = {r["metadata"]["url"]: r for r in records}
    assert sorted(by_url) == sorted(url for url, *_ in PAGES)
    for url, *_, snippet in PAGES:
        assert snippet in by_url[url]["text"], url
        assert "\ufffd" not in by_url[url]["text"]
    prov = {url: by_url[url]["metadata"]["provenance"] for url, *_ in PAGES}
    assert prov["http://n.example.com/gbk.html"]["encoding"] == "gb18030"
    assert prov["http://n.example.com/gbk.html"]["http_charset"] == "GB2312"
    assert prov["http://n.example.com/big5.html"]["encoding"] == "big5hkscs"
    assert prov["http://n.example.com/big5.html"]["http_charset"] is None
    assert prov["http://n.example.com/mislabelled.html"]["encoding"] == "gb18030"
    assert prov["http://n.example.com/utf8.html"]["encoding"] == "utf-8"
    assert {p["input_format"] for p in prov.values()} == {"warc"}
    assert {p["http_status"] for p in prov.values()} == {200}
    assert by_url["http://n.example.com/big5.html"]["metadata"]["title"] == "文化博物館新展覽開幕"
    for record in records:  # the body never reaches the output
        assert "media" not in record and set(record) == {"text", "id", "metadata"}
        assert record["id"].startswith("<urn:uuid:") and record["metadata"]["date"]


def test_same_texts_as_newsclean_clean_of_the_warc(tmp_path):
    """Acceptance: `newsclean clean X.warc.gz` and NewsWarcReader -> NewsCleaner give the same records."""
    warcs = tmp_path / "warc"
    warcs.mkdir()
    warc = warcs / "crawl.warc.gz"
    build_warc(warc)
    out = tmp_path / "cli.jsonl"
    subprocess.run([sys.executable, "-m", "cleaners.cli", "clean", str(warc), "-o", str(out), "-q"], check=True)
    cli = {r["id"]: r for r in map(json.loads, out.read_text("utf-8").splitlines())}
    cli_errors = [json.loads(line) for line in (tmp_path / "cli.errors.jsonl").read_text("utf-8").splitlines()]
    records, stats = run_pipeline(tmp_path, warcs, tasks=1)
    pipe = {r["id"]: r for r in records}

    assert sorted(pipe) == sorted(cli) and len(cli) == len(PAGES)
    for rid, record in cli.items():
        meta = pipe[rid]["metadata"]
        assert pipe[rid]["text"] == record["text"], record["url"]
        assert (meta["title"], meta["published"]) == (record["title"], record["published"])
        for key in ("source", "sha256", "encoding", "http_charset", "http_status", "fetched_at", "removed"):
            assert meta["provenance"][key] == record["provenance"][key], (record["url"], key)
    # what the CLI writes as errors, the pipeline drops or counts: the same number of pages
    reader, cleaner = step_stats(stats, "NewsWarc"), step_stats(stats, "NewsCleaner")
    assert len(cli_errors) == reader["errors"] + reader["skipped_status_3xx"] + cleaner["dropped"]


def test_cleaner_still_takes_text_from_other_readers():
    """Documents whose text is the page (datatrove's WarcReader, JsonlReader) are cleaned from their text."""
    html = page("市图书馆正式开馆", UTF8, head='<meta charset="utf-8">')
    doc = Document(text=html, id="r1", metadata={"url": "http://n.example.com/utf8.html"})
    (out,) = list(NewsCleaner().run(iter([doc])))
    assert "市图书馆举行开馆仪式" in out.text
    assert out.metadata["provenance"]["encoding"] is None and out.metadata["provenance"]["input_format"] == "html"


def test_documents_pickle_with_their_body(tmp_path):
    """A reader's Document pickles with its bytes (as executors and Ray move them), and is cleaned the same after."""
    warcs = tmp_path / "warc"
    warcs.mkdir()
    build_warc(warcs / "crawl.warc.gz")
    docs = list(NewsWarcReader(str(warcs)).run())
    assert len(docs) == len(PAGES) + 1 and all(d.text == "" and len(d.media) == 1 for d in docs)
    copies = pickle.loads(pickle.dumps(docs))
    assert [d.media[0].media_bytes for d in copies] == [d.media[0].media_bytes for d in docs]
    first = list(NewsCleaner().run(iter(docs)))
    again = list(NewsCleaner().run(iter(copies)))
    assert [d.text for d in first] == [d.text for d in again] and len(first) == len(PAGES)
    assert all(not d.media for d in first)


def test_dropped_pages_go_to_the_exclusion_writer_decoded(tmp_path):
    warcs = tmp_path / "warc"
    warcs.mkdir()
    build_warc(warcs / "crawl.warc.gz")
    excluded_dir = tmp_path / "excluded"
    step = NewsCleaner(exclusion_writer=JsonlWriter(str(excluded_dir)))
    kept = list(step.run(NewsWarcReader(str(warcs)).run()))
    assert len(kept) == len(PAGES)
    (dropped,) = [json.loads(line) for p in excluded_dir.glob("*.jsonl.gz") for line in gzip.open(p, "rt")]
    assert dropped["metadata"]["filter_reason"] in ("no_text", "not_article")
    assert "首页" in dropped["text"] and "media" not in dropped


def test_statuses_none_passes_the_redirect_on(tmp_path):
    warcs = tmp_path / "warc"
    warcs.mkdir()
    build_warc(warcs / "crawl.warc.gz")
    reader = NewsWarcReader(str(warcs), statuses=None)
    docs = list(reader.run())
    assert "http://n.example.com/old.html" in {d.metadata["url"] for d in docs}
    assert "skipped_status_3xx" not in reader.stats.stats


def test_cleaner_after_datatrove_warc_reader(tmp_path):
    """datatrove's own WarcReader still feeds NewsCleaner (text already decoded, so no encoding is recorded); on a
    UTF-8 page its text is the one NewsWarcReader's bytes give."""
    from datatrove.pipeline.readers import WarcReader

    warcs = tmp_path / "warc"
    warcs.mkdir()
    url, status, ctype, body, _, snippet = PAGES[3]
    records = warc_member(url, "request") + warc_member(url, "response", status, ctype, body)
    (warcs / "utf8.warc.gz").write_bytes(records)
    (theirs,) = list(NewsCleaner().run(WarcReader(str(warcs)).run()))
    (ours,) = list(NewsCleaner().run(NewsWarcReader(str(warcs)).run()))
    assert snippet in theirs.text and theirs.text == ours.text and theirs.id == ours.id
    assert theirs.metadata["provenance"]["encoding"] is None and ours.metadata["provenance"]["encoding"] == "utf-8"


def test_remote_data_folder_is_read_through_a_temporary_copy(tmp_path, monkeypatch):
    """A WARC on a non-local filesystem (fsspec's memory filesystem here, s3 in production) gives the same documents,
    named after the remote path, and its temporary copy is deleted."""
    import tempfile

    import fsspec

    build_warc(tmp_path / "crawl.warc.gz")
    fs = fsspec.filesystem("memory")
    fs.pipe("/bucket/crawl/crawl.warc.gz", (tmp_path / "crawl.warc.gz").read_bytes())
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    try:
        reader = NewsWarcReader(("/bucket/crawl", fs))
        docs = list(reader.run())
    finally:
        fs.rm("/bucket", recursive=True)
    assert len(docs) == len(PAGES) + 1 and not list(spool.iterdir())
    assert {d.metadata["file_path"] for d in docs} == {"memory:///bucket/crawl/crawl.warc.gz"}
    assert reader.stats.stats["error_truncated"].total == 1
    kept = list(NewsCleaner().run(iter(docs)))
    assert len(kept) == len(PAGES) and kept[0].metadata["provenance"]["source"].startswith("memory:///bucket/")


def test_parquet_writer_gets_every_page_typed_by_the_schema(tmp_path):
    """NewsWarcReader -> NewsCleaner -> ParquetWriter with datatrove_schema(), in batches of two (GBK, Big5 and
    mislabelled pages among them, with different metadata): the same documents and texts as through JsonlWriter."""
    import pyarrow.parquet as pq
    from datatrove.pipeline.writers import ParquetWriter

    from cleaners.integrations.datatrove import datatrove_schema

    warcs = tmp_path / "warc"
    warcs.mkdir()
    build_warc(warcs / "crawl.warc.gz")
    expected, _ = run_pipeline(tmp_path / "jsonl", warcs)
    out = tmp_path / "parquet"
    LocalPipelineExecutor(pipeline=[NewsWarcReader(str(warcs)), NewsCleaner(),
                                    ParquetWriter(str(out), schema=datatrove_schema(), batch_size=2)],
                          tasks=1, logging_dir=str(tmp_path / "logs-parquet")).run()
    (path,) = out.glob("*.parquet")
    assert pq.read_schema(path) == datatrove_schema()
    rows = pq.read_table(path).to_pylist()
    assert [(r["id"], r["text"]) for r in rows] == [(r["id"], r["text"]) for r in expected]
    assert len(rows) == len(PAGES)
    encodings = {r["metadata"]["url"].rsplit("/", 1)[-1]: r["metadata"]["provenance"]["encoding"] for r in rows}
    assert encodings["gbk.html"] == "gb18030" and encodings["big5.html"] == "big5hkscs"
    assert all(r["metadata"]["provenance"]["input_format"] == "warc" for r in rows)
