"""Resume: a run killed half-way and started again with --resume ends with each input exactly once."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from test_readers_pages import article_html, write_jsonl

from cleaners.io.items import FieldMap
from cleaners.io.outputs import existing_shards, iter_records
from cleaners.run.batch import clean_inputs

N = 240


def _corpus(tmp_path: Path, n: int = N) -> Path:
    rows = [{"id": f"d{i:04d}", "html": article_html(i) if i % 25 else "<html><body></body></html>"}
            for i in range(n)]  # every 25th page is empty: it must end in the errors file, once
    return write_jsonl(tmp_path / "in.jsonl", rows)


def _outputs(out: str) -> tuple[Counter, Counter]:
    paths = existing_shards(out) or [out]
    ids = Counter(r["id"] for p in paths for r in iter_records(p, strict=True))
    errs = Counter(e["id"] for e in iter_records(str(Path(out).parent / "out.errors.jsonl"), strict=True))
    return ids, errs


def _progress(out: str, part: Path) -> bool:
    if existing_shards(out):
        return True
    return part.exists() and part.stat().st_size > 4000


@pytest.mark.parametrize("name,extra", [("out.jsonl", []), ("out.jsonl.gz", []),
                                        ("out.parquet", ["--shard-size", "40"])])
def test_kill_then_resume_gives_each_document_once(tmp_path, name, extra):
    src = _corpus(tmp_path)
    out = str(tmp_path / name)
    cmd = [sys.executable, "-m", "cleaners.cli", "clean", str(src), "-o", out, "--html-field", "html",
           "-j", "2", "-q", *extra]
    proc = subprocess.Popen(cmd, start_new_session=True)
    part = Path(out + ".part") if not extra else Path(out)
    deadline = time.time() + 60
    while not _progress(out, part) and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the run and its workers, mid-write
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    assert not Path(out).exists() or extra  # an unsharded output only appears when complete

    subprocess.run([*cmd, "--resume"], check=True, timeout=120)
    ids, errs = _outputs(out)
    assert max(ids.values()) == 1 and max(errs.values()) == 1
    assert set(ids) | set(errs) == {f"d{i:04d}" for i in range(N)}
    assert set(errs) == {f"d{i:04d}" for i in range(0, N, 25)}
    assert not list(tmp_path.glob("*.part"))


def test_resume_cuts_a_torn_line_and_skips_what_is_written(tmp_path):
    src = _corpus(tmp_path, 12)
    out = tmp_path / "out.jsonl"
    fields = FieldMap(html_field="html")
    clean_inputs([str(src)], str(out), field_map=fields)
    lines = out.read_text("utf-8").splitlines(keepends=True)
    # what a kill leaves: the .part with 5 records and half of the 6th, and no final file
    (tmp_path / "out.jsonl.part").write_text("".join(lines[:5]) + lines[5][:40], "utf-8")
    out.unlink()
    (tmp_path / "out.errors.jsonl").rename(tmp_path / "out.errors.jsonl.part")
    summary = clean_inputs([str(src)], str(out), field_map=fields, resume=True)
    assert summary.skipped == 6 and summary.documents == 6  # 5 records + 1 error skipped; 6 records redone
    ids = [json.loads(line)["id"] for line in out.read_text("utf-8").splitlines()]
    assert ids == [json.loads(line)["id"] for line in lines]  # each once, in input order
    assert len((tmp_path / "out.errors.jsonl").read_text("utf-8").splitlines()) == 1


def test_resume_of_a_finished_run_writes_nothing_new(tmp_path):
    src = _corpus(tmp_path, 6)
    out = tmp_path / "out.jsonl.zst"
    fields = FieldMap(html_field="html")
    clean_inputs([str(src)], str(out), field_map=fields)
    before = [r["id"] for r in iter_records(str(out))]
    summary = clean_inputs([str(src)], str(out), field_map=fields, resume=True)
    assert summary.skipped == 6 and summary.documents == 0
    assert [r["id"] for r in iter_records(str(out))] == before
    assert json.loads((tmp_path / "out.errors.jsonl").read_text("utf-8"))["reason"] in ("empty", "no_text")


@pytest.mark.parametrize("spelling", ["./in.jsonl", "{tmp}/in.jsonl", "sub/../in.jsonl", "link.jsonl"])
def test_resume_does_not_depend_on_how_the_input_is_spelled(tmp_path, monkeypatch, spelling):
    _corpus(tmp_path, 12)
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.jsonl").symlink_to("in.jsonl")
    monkeypatch.chdir(tmp_path)
    fields = FieldMap(html_field="html")
    clean_inputs(["in.jsonl"], "out.jsonl", field_map=fields)
    lines = (tmp_path / "out.jsonl").read_text("utf-8").splitlines(keepends=True)
    # a run killed after 5 records, resumed with the input named another way
    (tmp_path / "out.jsonl.part").write_text("".join(lines[:5]), "utf-8")
    (tmp_path / "out.jsonl").unlink()
    (tmp_path / "out.errors.jsonl").rename(tmp_path / "out.errors.jsonl.part")
    summary = clean_inputs([spelling.format(tmp=tmp_path)], "out.jsonl", field_map=fields, resume=True)
    assert summary.skipped == 6 and summary.documents == 6
    ids = [json.loads(line)["id"] for line in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    assert ids == [json.loads(line)["id"] for line in lines]  # each once


def test_resume_of_page_files_named_another_way(tmp_path, monkeypatch):
    pages = tmp_path / "pages"
    pages.mkdir()
    for i in range(4):
        (pages / f"p{i}.html").write_text(article_html(i), "utf-8")
    monkeypatch.chdir(tmp_path)
    clean_inputs(["pages"], "out.jsonl")
    summary = clean_inputs([str(tmp_path / "pages")], "out.jsonl", resume=True)  # absolute this time
    assert summary.skipped == 4 and summary.documents == 0
    assert len((tmp_path / "out.jsonl").read_text("utf-8").splitlines()) == 4
