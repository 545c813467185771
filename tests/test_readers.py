"""Readers: JSON Lines (plain, gz, zst), Parquet and WARC become items; field mapping; errors for missing fields."""
from __future__ import annotations

import json

import pytest
from test_readers_pages import article_html, write_jsonl, write_parquet, write_warc

from cleaners.io.items import FieldMap, ReaderError
from cleaners.io.readers import check_inputs, input_kind, read_inputs
from cleaners.run.batch import clean_inputs
from cleaners.run.parallel import clean_item


def _rows(n: int = 3) -> list[dict]:
    return [{"id": f"doc-{i}", "url": f"https://news.example.com/{i}.html", "html": article_html(i),
             "lang": "zh", "crawl": {"batch": 7}} for i in range(n)]


def _read(path) -> list[dict]:
    return [json.loads(line) for line in open(path, encoding="utf-8")]


def test_input_kind_from_suffix():
    assert input_kind("a.jsonl.zst") == "jsonl" and input_kind("a.parquet") == "parquet"
    assert input_kind("a.warc.gz") == "warc" and input_kind("a.html") == "pages"


@pytest.mark.parametrize("compression,suffix", [(None, ".jsonl"), ("gz", ".jsonl.gz"), ("zst", ".jsonl.zst")])
def test_jsonl_keeps_id_url_and_carried_fields(tmp_path, compression, suffix):
    src = write_jsonl(tmp_path / f"in{suffix}", _rows(), compression)
    out = tmp_path / "out.jsonl"
    fields = FieldMap(html_field="html", keep_fields=("lang", "crawl"))
    summary = clean_inputs([str(src)], str(out), field_map=fields)
    assert summary.documents == 3 and summary.errors == 0
    recs = _read(out)
    assert [r["id"] for r in recs] == ["doc-0", "doc-1", "doc-2"]
    assert recs[1]["url"] == "https://news.example.com/1.html"
    assert recs[1]["provenance"]["source"] == f"{src}:2"
    assert recs[0]["lang"] == "zh" and recs[0]["crawl"] == {"batch": 7}
    assert recs[0]["title"] == "本市公交建设取得新进展"


def test_text_field_is_cleaned_as_flat_text(tmp_path):
    flat = "本市公交建设取得新进展\n首页 | 新闻\n" + "\n".join(
        line for line in article_html(0).split("<p>")[1:] for line in [line.split("</p>")[0]])
    src = write_jsonl(tmp_path / "in.jsonl", [{"doc_id": 9, "link": "https://x.cn/9", "content": flat}])
    out = tmp_path / "out.jsonl"
    clean_inputs([str(src)], str(out), field_map=FieldMap(text_field="content", id_field="doc_id", url_field="link"))
    (rec,) = _read(out)
    assert rec["id"] == "9" and rec["url"] == "https://x.cn/9"
    assert rec["provenance"]["input_format"] == "text"
    assert "地铁三号线" in rec["text"]


def test_default_field_is_text_with_html_sniffed(tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", [{"text": article_html(1)}])
    (item,) = read_inputs([str(src)])
    kind, rec = clean_item(item)
    assert kind == "record" and rec["provenance"]["input_format"] == "html"


def test_missing_field_is_a_usage_error_up_front(tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", _rows(1))
    with pytest.raises(ReaderError, match="no field body"):
        check_inputs([str(src)], FieldMap(html_field="body"))
    pq = write_parquet(tmp_path / "in.parquet", _rows(1))
    with pytest.raises(ReaderError, match="no field nope"):
        check_inputs([str(pq)], FieldMap(html_field="html", keep_fields=("nope",)))
    with pytest.raises(ReaderError, match="no such file"):
        check_inputs([str(tmp_path / "missing.jsonl")])


def test_bad_lines_and_missing_fields_become_error_entries(tmp_path):
    src = tmp_path / "in.jsonl"
    good = json.dumps({"id": "a", "html": article_html(0)}, ensure_ascii=False)
    src.write_text(good + "\n{not json\n" + json.dumps({"id": "b"}) + "\n[1, 2]\n\n"
                   + json.dumps({"id": "c", "html": 42}) + "\n", "utf-8")
    out = tmp_path / "out.jsonl"
    summary = clean_inputs([str(src)], str(out), field_map=FieldMap(html_field="html"))
    assert summary.documents == 1
    errors = _read(tmp_path / "out.errors.jsonl")
    assert [(e["source"], e["reason"]) for e in errors] == [
        (f"{src}:2", "bad_json"), (f"{src}:3", "missing_field"), (f"{src}:4", "bad_json"), (f"{src}:6", "bad_field")]
    assert errors[1]["id"] == "b"


def test_parquet_string_and_binary_columns(tmp_path):
    rows = _rows(2)
    rows[1]["html"] = article_html(1, "gbk").encode("gbk")  # binary pages are decoded by the cleaner
    rows[0]["html"] = rows[0]["html"].encode("utf-8")
    src = write_parquet(tmp_path / "in.parquet", rows)
    out = tmp_path / "out.jsonl"
    summary = clean_inputs([str(src)], str(out), field_map=FieldMap(html_field="html", keep_fields=("lang",)))
    assert summary.documents == 2
    recs = _read(out)
    assert [r["id"] for r in recs] == ["doc-0", "doc-1"] and recs[1]["lang"] == "zh"
    assert recs[1]["provenance"]["encoding"] == "gb18030" and "地铁三号线" in recs[1]["text"]
    assert recs[1]["provenance"]["source"] == f"{src}:2"


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_warc_reads_html_responses_and_honours_the_http_charset(tmp_path, name):
    # the GBK page declares utf-8: only the HTTP header tells the truth
    gbk = article_html(2, charset="utf-8").encode("gbk")
    warc = write_warc(tmp_path / name, [
        ("https://news.example.com/a.html", article_html(0).encode("utf-8"), "text/html; charset=utf-8"),
        ("https://news.example.com/b.html", gbk, 'text/html; charset="GBK"'),
    ])
    items = list(read_inputs([str(warc)]))
    assert len(items) == 2  # the request records and the image response are skipped
    assert items[1].source.http_charset == "GBK" and items[1].source.url == "https://news.example.com/b.html"
    assert items[1].id.startswith("<urn:uuid:") and items[1].source.name == f"{warc}#{items[1].id}"
    out = tmp_path / "out.jsonl"
    summary = clean_inputs([str(warc)], str(out))
    assert summary.documents == 2 and summary.errors == 0
    recs = _read(out)
    assert recs[1]["id"] == items[1].id and recs[1]["url"] == "https://news.example.com/b.html"
    assert recs[1]["provenance"]["http_charset"] == "GBK" and recs[1]["provenance"]["encoding"] == "gb18030"
    assert recs[1]["provenance"]["http_status"] == 200 and recs[1]["provenance"]["fetched_at"]
    assert "地铁三号线" in recs[1]["text"]


def test_files_directories_and_containers_mix_in_order(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.html").write_text(article_html(0), "utf-8")
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": "j", "text": article_html(1)}])
    keys = [i.key for i in read_inputs([str(pages), str(src)])]
    assert keys == [str(pages / "a.html"), f"{src}:1"]
