"""Acceptance: the same pages cleaned from HTML files, JSON Lines, Parquet, WARC and through datatrove give
the same records (same text, title and date)."""
from __future__ import annotations

import json

import pytest
from test_readers_pages import article_html, write_jsonl, write_parquet, write_warc

from cleaners.io.items import FieldMap
from cleaners.io.outputs import iter_records
from cleaners.run.batch import clean_inputs, clean_paths

CHARSETS = ["utf-8", "gbk", "utf-8", "gb2312"]


def _fields(rec: dict) -> tuple:
    return rec["text"], rec["title"], rec["published"], rec["source_name"]


def test_same_pages_same_records_from_every_input(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    raw = [article_html(i, CHARSETS[i]).encode(CHARSETS[i]) for i in range(4)]
    paths = []
    for i, b in enumerate(raw):
        (pages / f"p{i}.html").write_bytes(b)
        paths.append(str(pages / f"p{i}.html"))
    texts = [article_html(i, CHARSETS[i]) for i in range(4)]
    rows = [{"id": f"p{i}", "html": t} for i, t in enumerate(texts)]
    got = {}
    clean_paths(paths, str(tmp_path / "files.jsonl"))
    got["files"] = list(iter_records(str(tmp_path / "files.jsonl")))
    clean_inputs([str(write_jsonl(tmp_path / "in.jsonl.gz", rows, "gz"))], str(tmp_path / "jsonl.jsonl"),
                 field_map=FieldMap(html_field="html"))
    got["jsonl"] = list(iter_records(str(tmp_path / "jsonl.jsonl")))
    binary = [{**r, "html": b} for r, b in zip(rows, raw, strict=True)]  # Parquet holds the raw bytes
    clean_inputs([str(write_parquet(tmp_path / "in.parquet", binary))], str(tmp_path / "pq.parquet"),
                 field_map=FieldMap(html_field="html"), jobs=2)
    got["parquet"] = list(iter_records(str(tmp_path / "pq.parquet")))
    warc = write_warc(tmp_path / "in.warc.gz", [
        (f"https://n.example.com/p{i}.html", b, f"text/html; charset={CHARSETS[i]}") for i, b in enumerate(raw)])
    clean_inputs([str(warc)], str(tmp_path / "warc.jsonl.zst"))
    got["warc"] = list(iter_records(str(tmp_path / "warc.jsonl.zst")))
    pytest.importorskip("datatrove")
    from datatrove.data import Document

    from cleaners.integrations.datatrove import NewsCleaner

    docs = [Document(text=t, id=f"p{i}") for i, t in enumerate(texts)]
    got["datatrove"] = [{"text": d.text, **d.metadata} for d in NewsCleaner().run(iter(docs))]
    reference = [_fields(r) for r in got["files"]]
    assert len(reference) == 4 and all(r[0] for r in reference)
    for name, recs in got.items():
        assert [_fields({"source_name": None, "published": None, **r}) for r in recs] == reference, name
    assert [r["id"] for r in got["jsonl"]] == ["p0", "p1", "p2", "p3"]
    assert json.dumps(got["warc"][1]["provenance"]["http_charset"]) == '"gbk"'
