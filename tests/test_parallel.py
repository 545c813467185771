"""Workers: the same bytes in the same order whatever the number of jobs; bounded read-ahead; failures stay per
item (workers that die: test_parallel_crash.py)."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from test_readers_pages import article_html, write_jsonl

from cleaners.cli import main
from cleaners.core import Source
from cleaners.io.items import FieldMap, InputItem
from cleaners.io.jsonl_out import encode_line
from cleaners.io.outputs import iter_records
from cleaners.io.readers import read_inputs
from cleaners.run.batch import clean_inputs
from cleaners.run.parallel import clean_chunk, clean_items

CLOCK = re.compile(rb'"cleaned_at": "[^"]*"')  # the only field that may differ between two runs


def _bytes(path: Path) -> bytes:
    return CLOCK.sub(b'"cleaned_at": ""', path.read_bytes())


def _corpus(tmp_path: Path, n: int = 30) -> Path:
    rows = [{"id": str(i), "html": article_html(i) if i % 7 else "   "} for i in range(n)]  # every 7th: an error
    return write_jsonl(tmp_path / "in.jsonl", rows)


def test_two_jobs_write_the_same_bytes_in_the_same_order(tmp_path):
    src = _corpus(tmp_path)
    summaries = []
    for jobs in (1, 2):
        summaries.append(clean_inputs([str(src)], str(tmp_path / f"out{jobs}.jsonl"),
                                      field_map=FieldMap(html_field="html"), jobs=jobs, chunk_size=3))
    assert _bytes(tmp_path / "out1.jsonl") == _bytes(tmp_path / "out2.jsonl")
    assert (tmp_path / "out1.errors.jsonl").read_bytes() == (tmp_path / "out2.errors.jsonl").read_bytes()
    ids = [json.loads(line)["id"] for line in (tmp_path / "out2.jsonl").read_text("utf-8").splitlines()]
    assert ids == [str(i) for i in range(30) if i % 7]
    one, two = summaries
    assert (one.documents, one.errors, one.chars_in, one.chars_out) == (two.documents, two.errors, two.chars_in,
                                                                         two.chars_out) == (25, 5, one.chars_in,
                                                                                            one.chars_out)
    assert one.removed_by_rule == two.removed_by_rule and one.errors_by_reason == two.errors_by_reason
    assert one.chars_out > 0 and sum(one.removed_by_rule.values()) > 0


def test_workers_return_the_lines_the_in_process_path_writes(tmp_path):
    items = list(read_inputs([str(_corpus(tmp_path, 12))], FieldMap(html_field="html")))
    # one chunk per worker before it is replaced by a fresh one: replacement must not change anything
    chunks = list(clean_items(items, jobs=2, chunk_size=2, encode=True, max_chunks_per_worker=1))
    local = clean_chunk(items, encode=False)
    lines = [line for c in chunks for line in c.records]
    assert [CLOCK.sub(b"", x) for x in lines] == [CLOCK.sub(b"", encode_line(r)) for r in local.records]
    assert [json.loads(e)["source"] for c in chunks for e in c.errors] == [e["source"] for e in local.errors]


def test_read_ahead_is_bounded():
    pulled = []

    def items():
        for i in range(200):
            pulled.append(i)
            yield InputItem(Source(f"x{i}.txt"), text="正文" * 30, fmt="text", id=str(i))

    stream = clean_items(items(), jobs=2, chunk_size=4, in_flight=3)
    first = next(stream)
    assert sorted(r["id"] for r in first.records + first.errors) == ["0", "1", "2", "3"]
    assert len(pulled) <= 3 * 4  # the chunks read ahead (sent, or pickled for the next idle worker), no more
    stream.close()


def test_parquet_output_with_two_jobs_gets_the_same_rows(tmp_path):
    src = _corpus(tmp_path, 20)
    rows = []
    for jobs in (1, 2):
        out = tmp_path / f"out{jobs}.parquet"
        clean_inputs([str(src)], str(out), field_map=FieldMap(html_field="html"), jobs=jobs, chunk_size=2)
        rows.append([{**r, "provenance": {**r["provenance"], "cleaned_at": None}} for r in iter_records(str(out))])
    assert rows[0] == rows[1] and len(rows[0]) == 17


def test_stdout_output_with_two_jobs(tmp_path):
    src = _corpus(tmp_path, 20)
    cmd = [sys.executable, "-m", "cleaners.cli", "clean", str(src), "--html-field", "html", "-q"]
    piped = subprocess.run([*cmd, "-o", "-", "-j", "2"], capture_output=True, check=True).stdout
    subprocess.run([*cmd, "-o", str(tmp_path / "out.jsonl"), "-j", "1"], check=True)
    assert CLOCK.sub(b"", piped) == CLOCK.sub(b"", (tmp_path / "out.jsonl").read_bytes())


def test_cli_jobs_and_seed_pages(tmp_path, seeds_dir):
    out = tmp_path / "seeds.jsonl"
    assert main(["clean", str(seeds_dir), "-o", str(out), "-j", "2", "-q"]) == 0
    assert len(out.read_text("utf-8").splitlines()) == len(list(seeds_dir.glob("*.txt")))
    assert main(["clean", str(seeds_dir), "-o", str(out), "-j", "0"]) == 2
    assert main(["clean", str(seeds_dir), "-o", "-", "--resume"]) == 2
    assert main(["clean", str(seeds_dir), "-o", str(out), "--keep-fields", "text"]) == 2


def test_page_files_with_two_jobs_including_a_name_that_is_not_utf8(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    for i in range(20):
        (pages / f"p{i:02d}.html").write_text(article_html(i), "utf-8")
    odd = os.fsdecode(bytes(pages) + b"/p\xb5.html")  # a Latin-1 name: a lone surrogate once decoded
    with open(odd, "w", encoding="utf-8") as fh:
        fh.write(article_html(99))
    for jobs in (1, 2):
        summary = clean_inputs([str(pages)], str(tmp_path / f"out{jobs}.jsonl"), jobs=jobs, chunk_size=2)
        assert summary.documents == 21 and summary.errors == 0  # the odd name is hashed as its bytes
    assert _bytes(tmp_path / "out1.jsonl") == _bytes(tmp_path / "out2.jsonl")
    assert (tmp_path / "out1.errors.jsonl").read_bytes() == (tmp_path / "out2.errors.jsonl").read_bytes()
    # the odd name ends somewhere, written (escaped where UTF-8 cannot hold it) instead of failing the run
    seen = [r["provenance"]["source"] for r in iter_records(str(tmp_path / "out2.jsonl"))]
    seen += [e["source"] for e in iter_records(str(tmp_path / "out2.errors.jsonl"))]
    assert odd in seen
