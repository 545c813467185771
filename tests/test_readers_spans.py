"""Plain JSON Lines are read by position: the reader finds where lines end, the worker reads its own line.
Line numbers (the resume keys), blank lines and torn tails must come out as a line-by-line reader sees them."""
from __future__ import annotations

import io
import json
import os
import threading

import pytest
from test_readers_pages import article_html, write_jsonl

from cleaners.io import jsonl
from cleaners.io.items import FieldMap, FileSpan
from cleaners.io.readers import read_inputs
from cleaners.run.batch import clean_inputs

LINES = [b'{"id": "a", "text": "\xe4\xb8\x80"}\n', b"\n", b"  \t\r\n", b'{"id": "b"}\r\n',
         "\u3000\n".encode(), b'[1, 2]\n', b'{"id": "c", "text": "x"}']  # the last line has no newline


@pytest.mark.parametrize("block", [1, 2, 3, 7, 64, 1 << 20])
def test_line_spans_across_block_boundaries(monkeypatch, block):
    monkeypatch.setattr(jsonl, "_BLOCK", block)
    data = b"".join(LINES)
    spans = list(jsonl._line_spans(io.BytesIO(data)))
    assert [data[o:o + n] for o, n, _ in spans] == LINES
    assert [first for _, _, first in spans] == [line[:1] for line in LINES]


def test_empty_file_has_no_lines():
    assert list(jsonl._line_spans(io.BytesIO(b""))) == []


def test_items_carry_their_place_not_their_line(tmp_path, monkeypatch):
    monkeypatch.setattr(jsonl, "_BLOCK", 5)
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"".join(LINES))
    items = list(read_inputs([str(src)]))
    # blank lines (Unicode whitespace too) are skipped but counted, as a text-mode reader counts them
    assert [i.key for i in items] == [f"{src}:{n}" for n in (1, 4, 6, 7)]
    assert all(i.line is None and isinstance(i.span, FileSpan) for i in items)
    resolved = [i.resolve() for i in items]
    assert [r.id for r in resolved] == ["a", "b", None, "c"]
    assert resolved[0].text == "一" and resolved[2].error[0] == "bad_json"


def test_a_line_that_is_not_utf8_is_one_bad_line(tmp_path):
    src = tmp_path / "in.jsonl"
    good = json.dumps({"id": "ok", "html": article_html(0)}, ensure_ascii=False).encode()
    src.write_bytes(b'{"id": "x", "html": "\xff\xfe"}\n' + good + b"\n")
    out = tmp_path / "out.jsonl"
    summary = clean_inputs([str(src)], str(out), field_map=FieldMap(html_field="html"))
    assert summary.documents == 1 and summary.errors_by_reason == {"bad_json": 1}
    assert json.loads(out.read_text("utf-8"))["id"] == "ok"


def test_compressed_and_piped_inputs_are_read_line_by_line(tmp_path):
    rows = [{"id": str(i), "text": article_html(i)} for i in range(3)]
    gz = write_jsonl(tmp_path / "in.jsonl.gz", rows, "gz")
    items = list(read_inputs([str(gz)]))
    assert [i.resolve().id for i in items] == ["0", "1", "2"] and all(i.span is None for i in items)
    fifo = tmp_path / "pipe.jsonl"  # a pipe cannot be read by position: its lines travel with the items
    os.mkfifo(fifo)
    data = tmp_path / "plain.jsonl"
    write_jsonl(data, rows)
    feeder = threading.Thread(target=lambda: fifo.write_bytes(data.read_bytes()))
    feeder.start()
    items = list(read_inputs([str(fifo)]))
    feeder.join()
    assert [i.resolve().id for i in items] == ["0", "1", "2"] and all(i.span is None for i in items)


def test_a_file_cut_short_during_the_run_is_an_error_entry(tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": article_html(0)}])
    (item,) = read_inputs([str(src)])
    src.write_bytes(b"{}\n")
    resolved = item.resolve()
    assert resolved.error[0] == "unreadable" and "shorter" in resolved.error[1]
