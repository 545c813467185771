"""Dedup at corpus scale: streaming passes, worker processes, field flags, errors, and memory bounded by signatures.

The corpus is synthetic and small (a few hundred records of about 900 characters, enough for several pieces of
PIECE_LINES records, so that two jobs really hash in two worker processes): stories of random common Chinese
characters and punctuation (so that different stories share almost no 5-character shingles), and reposts of
some of them as portals run them (a header line, a footer line, a sentence edited).
"""
from __future__ import annotations

import errno
import gc
import gzip
import json
import os
import pickle
import random
import weakref
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from test_readers_pages import write_jsonl

from cleaners.cli import main
from cleaners.io.outputs import iter_records
from cleaners.tools.dedup import hashing as dedup_hashing
from cleaners.tools.dedup import output as dedup_output
from cleaners.tools.dedup import read as dedup_read
from cleaners.tools.dedup import run as dedup_run
from cleaners.tools.dedup.cluster import cluster, find_clusters, index_records
from cleaners.tools.dedup.config import DedupConfig
from cleaners.tools.dedup.index import SignatureIndex
from cleaners.tools.dedup.minhash import MinHasher, lsh_params
from cleaners.tools.dedup.read import ByteRange, pieces

HAN = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严"  # noqa: E501


def _story(rng: random.Random, chars: int = 900) -> list[str]:
    """Paragraphs of random common characters with commas and full stops (`chars` characters in all)."""
    paras, total = [], 0
    while total < chars:
        sentences = ["".join(rng.choices(HAN, k=rng.randint(8, 16))) + rng.choice("，；") +
                     "".join(rng.choices(HAN, k=rng.randint(8, 16))) + "。" for _ in range(rng.randint(3, 5))]
        paras.append("".join(sentences))
        total += len(paras[-1])
    return paras


def _repost(rng: random.Random, paras: list[str], n: int) -> list[str]:
    """The story as a portal runs it: its header line, a footer line, one sentence of one paragraph edited."""
    out = list(paras)
    i = rng.randrange(len(out))
    sentences = out[i].split("。")
    sentences[0] = "".join(rng.choices(HAN, k=len(sentences[0])))
    out[i] = "。".join(sentences)
    return [f"来源：第{n}门户网", *out, f"（责任编辑：编辑{n}号）"]


def corpus(n: int = 360, seed: int = 7) -> list[dict]:
    """`n` records, a third of them reposts of an earlier story (published later); `story` is the truth."""
    rng = random.Random(seed)
    stories: list[tuple[int, list[str]]] = []
    out = []
    for i in range(n):
        if stories and rng.random() < 0.33:
            sid, paras = rng.choice(stories)
            text = _repost(rng, paras, i)
        else:
            sid, text = len(stories), _story(rng)
            stories.append((sid, text))
        out.append({"id": f"d{i:04d}", "published": f"2024-05-{1 + i % 28:02d}T{i % 24:02d}:00:00",
                    "story": sid, "text": "\n".join(text)})
    return out


def _read(path: Path) -> list[dict]:
    return list(iter_records(str(path)))


def _clusters_by_story(records: list[dict]) -> tuple[int, int]:
    """(repost pairs left apart, pairs of different stories joined)."""
    apart = joined = 0
    by_cluster: dict[str, set[int]] = defaultdict(set)
    by_story: dict[int, set[str]] = defaultdict(set)
    for r in records:
        by_cluster[r["dup_cluster"]].add(r["story"])
        by_story[r["story"]].add(r["dup_cluster"])
    joined = sum(len(s) - 1 for s in by_cluster.values())
    apart = sum(len(c) - 1 for c in by_story.values())
    return apart, joined


# ---- the same results whatever the number of jobs ---------------------------------------------------------------


def test_one_and_two_jobs_write_the_same_bytes(tmp_path, monkeypatch):
    """Several pieces, hashed in-process with 1 job and in two worker processes with 2: the outputs are equal
    byte for byte, for marking and for --drop (and the 2-job run did go through the workers)."""
    monkeypatch.setattr(dedup_read, "SPAN_BYTES", 256 << 10)  # pieces of a corpus of tests' size
    src = write_jsonl(tmp_path / "in.jsonl", corpus())
    assert sum(1 for _ in pieces([str(src)])) >= 3
    used = []
    real = dedup_hashing._in_order
    monkeypatch.setattr(dedup_hashing, "_in_order", lambda *a: used.append(1) or real(*a))
    outs = {}
    for jobs in (1, 2):
        for drop in ([], ["--drop"]):
            out = tmp_path / f"out-{jobs}{'-drop' if drop else ''}.jsonl"
            assert main(["dedup", str(src), "-o", str(out), "-j", str(jobs), "-q", *drop]) == 0
            outs[jobs, bool(drop)] = out.read_bytes()
    assert used == [1, 1]  # the two 2-job runs, and only they, used the worker pool
    assert outs[1, False] == outs[2, False] and outs[1, True] == outs[2, True]
    assert len(outs[1, True]) < len(outs[1, False])


# ---- what is found --------------------------------------------------------------------------------------------


def test_reposts_join_their_story_and_different_stories_stay_apart(tmp_path):
    records = corpus()
    src = write_jsonl(tmp_path / "in.jsonl", records)
    out = tmp_path / "out.jsonl"
    assert main(["dedup", str(src), "-o", str(out), "-j", "2", "-q"]) == 0
    written = _read(out)
    assert [r["id"] for r in written] == [r["id"] for r in records]
    apart, joined = _clusters_by_story(written)
    reposts = len(records) - len({r["story"] for r in records})
    assert reposts > 80
    assert joined == 0  # no two stories in one cluster
    assert apart <= reposts // 50  # nearly every repost with its story
    first = {}
    for r in written:  # a cluster is named after its first record in input order
        first.setdefault(r["story"], r["id"])
        assert r["dup_cluster"] == first[r["story"]] or r["dup_cluster"] == r["id"]


@pytest.mark.parametrize("block", [65536, 50])
def test_clusters_are_the_components_of_all_close_pairs(monkeypatch, block):
    """Against brute force: every pair of records sharing a band and agreeing on at least the threshold of their
    signature positions is joined, and no other: the sorted buckets and the window lose nothing here. With
    blocks of 50 rows the signatures are stored (and gathered) across four blocks."""
    from cleaners.tools.dedup import index as dedup_index

    monkeypatch.setattr(dedup_index, "BLOCK_ROWS", block)
    records = corpus(160, seed=3)
    config = DedupConfig(threshold=0.7)
    hasher = config.hasher()
    index = index_records(records, config, hasher)
    got = cluster(index, config, hasher).roots
    sigs = index.rows(np.arange(index.count))
    bands = np.concatenate(index._bands)
    parent = list(range(index.count))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i in range(index.count):
        for j in range(i):
            if (bands[i] == bands[j]).any() and (sigs[i] == sigs[j]).mean() >= config.threshold:
                a, b = find(i), find(j)
                parent[max(a, b)] = min(a, b)
    assert got.tolist() == [find(i) for i in range(index.count)]


def test_a_bucket_wider_than_the_window_stays_one_cluster(monkeypatch):
    """Thirty versions of a text, each eight characters apart from the last (the first and the last far under the
    threshold), and a text repeated 500 times: with a window of 4 the versions still chain into one cluster,
    and the repeats are one signature, not 500."""
    from cleaners.tools.dedup import cluster as dedup_cluster
    from cleaners.tools.dedup.minhash import shingles

    monkeypatch.setattr(dedup_cluster, "WINDOW", 4)
    rng = random.Random(5)
    text = "".join(_story(rng, 1200))
    versions = []
    for i in range(30):
        at = 40 * i
        text = text[:at] + "".join(rng.choices(HAN, k=8)) + text[at + 8:]
        versions.append({"id": f"v{i}", "text": text})
    a, b = shingles(versions[0]["text"]), shingles(versions[-1]["text"])
    assert len(a & b) / len(a | b) < 0.6
    repeats = [{"id": f"r{i}", "text": "重复的一段话，" * 30} for i in range(500)]
    clusters = find_clusters(versions + repeats)
    assert set(clusters.cluster[:30]) == {"v0"}
    assert set(clusters.cluster[30:]) == {"r0"}


# ---- --drop and --keep ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("keep", ["earliest", "longest"])
def test_drop_keeps_one_record_per_cluster(tmp_path, keep):
    """--drop writes exactly the records the marking run says are best in their cluster: the earliest published
    (then first in input) or the longest text (then first in input)."""
    src = write_jsonl(tmp_path / "in.jsonl", corpus())
    marked, dropped = tmp_path / "marked.jsonl", tmp_path / "dropped.jsonl"
    assert main(["dedup", str(src), "-o", str(marked), "--keep", keep, "-q"]) == 0
    assert main(["dedup", str(src), "-o", str(dropped), "--keep", keep, "--drop", "-j", "2", "-q"]) == 0
    members = defaultdict(list)
    for place, r in enumerate(_read(marked)):
        members[r["dup_cluster"]].append((place, r))

    def best(group: list) -> str:
        if keep == "longest":
            return min(group, key=lambda pr: (-len(pr[1]["text"]), pr[0]))[1]["id"]
        return min(group, key=lambda pr: (pr[1]["published"], pr[0]))[1]["id"]

    expected = sorted(best(g) for g in members.values())
    kept = _read(dropped)
    assert sorted(r["id"] for r in kept) == expected
    assert len(kept) == len(members) < len(_read(marked))


# ---- field flags, JSON Lines and Parquet ------------------------------------------------------------------------


def _renamed(records: list[dict]) -> list[dict]:
    return [{"doc_id": r["id"], "date": r["published"], "content": r["text"], "story": r["story"]}
            for r in records]


def test_field_flags_for_jsonl_and_parquet(tmp_path):
    """Records with other field names: --text-field, --id-field and --published-field read them, from JSON Lines
    and from Parquet, with the same clusters as the default names give."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    records = corpus(200)
    plain = write_jsonl(tmp_path / "plain.jsonl", records)
    renamed = _renamed(records)
    jsonl = write_jsonl(tmp_path / "renamed.jsonl", renamed)
    parquet = tmp_path / "renamed.parquet"
    pq.write_table(pa.Table.from_pylist(renamed), parquet, row_group_size=64)
    flags = ["--text-field", "content", "--id-field", "doc_id", "--published-field", "date", "--drop", "-q"]
    assert main(["dedup", str(plain), "-o", str(tmp_path / "ref.jsonl"), "--drop", "-q"]) == 0
    ref = [(r["id"], r["dup_cluster"]) for r in _read(tmp_path / "ref.jsonl")]
    for src in (jsonl, parquet):
        out = tmp_path / f"{src.name}.out.jsonl"
        assert main(["dedup", str(src), "-o", str(out), *flags]) == 0
        got = _read(out)
        assert [(r["doc_id"], r["dup_cluster"]) for r in got] == ref
        assert set(got[0]) == {"doc_id", "date", "content", "story", "dup_cluster"}


def test_field_flags_no_input_can_use_are_one_line_and_exit_2(tmp_path, capsys):
    src = write_jsonl(tmp_path / "in.jsonl", _renamed(corpus(20)))
    out = tmp_path / "out.jsonl"
    assert main(["dedup", str(src), "-o", str(out)]) == 2  # no `text` field: say which field to name
    assert "no field 'text'" in capsys.readouterr().err and not out.exists()
    assert main(["dedup", str(src), "-o", str(out), "--text-field", "content", "--id-field", "uid"]) == 2
    err = capsys.readouterr().err
    assert "--id-field uid: no input has a field 'uid'" in err and len(err.strip().splitlines()) == 1
    assert main(["dedup", str(src), "-o", str(out), "--text-field", "content", "-j", "0"]) == 2
    assert not out.exists()


def test_parquet_and_compressed_inputs_and_outputs_agree(tmp_path):
    """The same records as JSON Lines, .jsonl.gz and Parquet give the same clusters, into JSON Lines and into
    Parquet; a Parquet timestamp column is written to JSON Lines as ISO 8601."""
    import datetime as dt

    import pyarrow as pa
    import pyarrow.parquet as pq

    records = corpus(200)
    plain = write_jsonl(tmp_path / "in.jsonl", records)
    gz = write_jsonl(tmp_path / "in.jsonl.gz", records, compression="gz")
    table = pa.Table.from_pylist(records).append_column(
        "fetched", pa.array([dt.datetime(2024, 5, 1, 8, i % 60) for i in range(len(records))]))
    parquet = tmp_path / "in.parquet"
    pq.write_table(table, parquet, row_group_size=50)
    results = {}
    for src in (plain, gz, parquet):
        for suffix in (".jsonl", ".parquet"):
            out = tmp_path / f"{src.name}.out{suffix}"
            assert main(["dedup", str(src), "-o", str(out), "-j", "2", "-q"]) == 0
            results[src.name, suffix] = [(r["id"], r["dup_cluster"]) for r in _read(out)]
    assert len({tuple(v) for v in results.values()}) == 1
    first = _read(tmp_path / "in.parquet.out.jsonl")[0]
    assert first["fetched"] == "2024-05-01T08:00:00"


def test_output_lines_are_the_input_lines_with_the_field_added(tmp_path):
    """A JSON line is written as it was read, `dup_cluster` before its closing brace: escapes, key order and
    spacing kept. A line that has the field already, or is `{}`, is parsed and written with the new value."""
    text = "\n".join(_story(random.Random(1)))
    lines = [
        json.dumps({"id": "a", "text": text}, ensure_ascii=False),
        json.dumps({"text": text, "id": "b"}),  # \\u escapes, another key order: the same text
        '  {"id":"c","text":"另一篇不同的报道。"}  \r',
        json.dumps({"id": "d", "text": text, "dup_cluster": "old"}, ensure_ascii=False),
        "{}",
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", "utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["dedup", str(src), "-o", str(out), "-q"]) == 0
    got = out.read_text("utf-8").splitlines()
    assert got[0] == lines[0][:-1] + ', "dup_cluster": "a"}'
    assert got[1] == lines[1][:-1] + ', "dup_cluster": "a"}'
    assert got[2] == '  {"id":"c","text":"另一篇不同的报道。", "dup_cluster": "c"}'
    assert json.loads(got[3]) == {"id": "d", "text": text, "dup_cluster": "a"}
    assert json.loads(got[4]) == {"dup_cluster": "#4"}  # no id: named by its place


def test_the_copy_falls_back_to_reading_when_the_kernel_cannot(tmp_path, monkeypatch):
    """copy_file_range refused (another file system on an older kernel): the lines are read and written
    instead, the same bytes. Pieces are made to span more than READ_AT_ONCE, so that their lines go by the kernel's
    copy at all (a piece under it is read at once and never copied by the kernel)."""
    monkeypatch.setattr(dedup_output, "READ_AT_ONCE", 1 << 10)
    src = write_jsonl(tmp_path / "in.jsonl", corpus(150))
    copies = []
    real = os.copy_file_range
    monkeypatch.setattr(os, "copy_file_range", lambda *a: copies.append(1) or real(*a))
    assert main(["dedup", str(src), "-o", str(tmp_path / "copied.jsonl"), "-q"]) == 0
    assert len(copies) >= 150  # a copy a line at least

    def refuse(*args):
        copies.append(1)
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    copies.clear()
    monkeypatch.setattr(os, "copy_file_range", refuse)
    assert main(["dedup", str(src), "-o", str(tmp_path / "read.jsonl"), "-q"]) == 0
    assert len(copies) == 1  # refused once, then read and written for the rest of the run
    assert (tmp_path / "copied.jsonl").read_bytes() == (tmp_path / "read.jsonl").read_bytes()


def test_standard_output_gets_the_same_records(tmp_path, capsysbinary):
    src = write_jsonl(tmp_path / "in.jsonl", corpus(150))
    assert main(["dedup", str(src), "-o", str(tmp_path / "out.jsonl"), "-q"]) == 0
    capsysbinary.readouterr()
    assert main(["dedup", str(src), "-o", "-", "-q"]) == 0
    assert capsysbinary.readouterr().out == (tmp_path / "out.jsonl").read_bytes()


# ---- every input accounted for --------------------------------------------------------------------------------


def test_bad_lines_are_error_entries_and_the_rest_is_written(tmp_path, monkeypatch, capsys):
    """A line that is not JSON, one that is not an object and one too long become error entries under their line
    numbers; blank lines are skipped; every other record is written, in order, with the same clusters."""
    records = corpus(150)
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    lines[10] = '{"id": "broken", "text": '
    lines[20] = "[1, 2, 3]"
    lines[30] = json.dumps({"id": "huge", "text": "长" * 5000}, ensure_ascii=False)
    lines.insert(40, "   ")
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", "utf-8")
    monkeypatch.setattr(dedup_read, "max_line_bytes", lambda: 10_000)
    monkeypatch.setattr(dedup_read, "SPAN_BYTES", 16 << 10)  # several pieces: line numbers run on across them
    out = tmp_path / "out.jsonl"
    assert main(["dedup", str(src), "-o", str(out), "-j", "2"]) == 0
    errors = [json.loads(x) for x in (tmp_path / "out.errors.jsonl").read_text("utf-8").splitlines()]
    assert [(e["source"], e["reason"]) for e in errors] == [
        (f"{src}:11", "bad_json"), (f"{src}:21", "bad_json"), (f"{src}:31", "too_large")]
    written = [r["id"] for r in _read(out)]
    assert written == [r["id"] for i, r in enumerate(records) if i not in (10, 20, 30)]
    err = capsys.readouterr().err
    assert "records: 147" in err and "errors: 3 (bad_json 2, too_large 1)" in err


@pytest.mark.parametrize("span", [64, 1 << 20])
def test_every_line_of_a_span_is_counted_whatever_its_length(tmp_path, monkeypatch, span):
    """Lines around the length limit (newline included), blank lines and a last line without a newline, read
    from spans cut small (lines longer than a span: read a window at a time) and from one span read at once:
    the same items, line numbers and errors."""
    monkeypatch.setattr(dedup_read, "max_line_bytes", lambda: 100)
    monkeypatch.setattr(dedup_read, "SPAN_BYTES", span)
    monkeypatch.setattr(dedup_read, "WINDOW_BYTES", 16)

    def line(n: int) -> bytes:  # a JSON object of n bytes
        return b'{"t": "' + b"x" * (n - 9) + b'"}'

    rows = [line(99), line(100), b"", line(30), line(101), b"  ", line(700), line(40)]
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"\n".join(rows))  # no newline after the last line
    got, counts = [], []
    for piece in pieces([str(src)]):
        first = sum(counts) + 1
        for item in dedup_read.items(replace(piece, first_line=first), counts):
            got.append((item.key.rpartition(":")[2], item.error[0] if item.error else len(item.payload)))
    assert sum(counts) == len(rows)
    assert got == [("1", 99), ("2", "too_large"), ("4", 30), ("5", "too_large"), ("7", "too_large"), ("8", 40)]


def test_records_without_text_are_written_as_their_own_cluster(tmp_path, capsys):
    rows = [{"id": "a", "text": "一段足够长的新闻正文，用来和别的记录比较。"}, {"id": "b"}, {"id": "c", "text": 42},
            {"id": "d", "text": ""}]
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    assert main(["dedup", str(src), "-o", str(out)]) == 0
    assert [r["dup_cluster"] for r in _read(out)] == ["a", "b", "c", "d"]
    assert "records without text (each its own cluster): 3" in capsys.readouterr().err


def test_an_input_changed_between_the_passes_stops_the_run_and_leaves_nothing(tmp_path, monkeypatch, capsys):
    src = write_jsonl(tmp_path / "in.jsonl", corpus(50))
    real = dedup_run.cluster

    def cluster_then_append(*args):
        with open(src, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"id": "late", "text": "后来写进去的一行。"}, ensure_ascii=False) + "\n")
        return real(*args)

    monkeypatch.setattr(dedup_run, "cluster", cluster_then_append)
    out = tmp_path / "out.jsonl"
    assert main(["dedup", str(src), "-o", str(out), "-q"]) == 2
    assert "an input changed while it was read" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def test_a_worker_that_dies_stops_the_run_with_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(dedup_read, "SPAN_BYTES", 64 << 10)  # more pieces than jobs: the workers are used
    src = write_jsonl(tmp_path / "in.jsonl", corpus(400))
    parent = os.getpid()
    real = dedup_hashing.sign_piece

    def dies_in_a_worker(piece, task):
        if os.getpid() != parent:
            os._exit(9)
        return real(piece, task)

    monkeypatch.setattr(dedup_hashing, "sign_piece", dies_in_a_worker)
    out = tmp_path / "out.jsonl"
    assert main(["dedup", str(src), "-o", str(out), "-j", "2", "-q"]) == 1
    assert "a worker process died (exit code 9)" in capsys.readouterr().err
    assert not out.exists() and not (tmp_path / "out.jsonl.part").exists()


# ---- progress -------------------------------------------------------------------------------------------------


def test_progress_bars_on_stderr_and_quiet_means_silent(tmp_path, capsys):
    """The hashing bar counts bytes of the input (its total the file size), the writing bar records (its total
    from the first pass)."""
    src = write_jsonl(tmp_path / "in.jsonl", corpus(150))
    dedup_run.dedup_files([str(src)], str(tmp_path / "a.jsonl"), progress=True)
    bars = {line.split(":")[1].strip(): line for line in capsys.readouterr().err.replace("\r", "\n").splitlines()
            if line.startswith("dedup:") and "100%" in line}
    assert set(bars) == {"hashing", "writing"}
    assert "B/s" in bars["hashing"] and f"{src.stat().st_size / 1000:.0f}k" in bars["hashing"]
    assert "150/150" in bars["writing"]
    assert main(["dedup", str(src), "-o", str(tmp_path / "b.jsonl"), "-q"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


# ---- memory bounded by the signatures ----------------------------------------------------------------------------


class _Text(str):
    """A text that can be watched: a weak reference tells whether anything still holds it."""


def test_the_first_pass_releases_every_text():
    """Texts stream through `index_records` a chunk at a time: while it runs no more than a chunk of them is
    alive, and after it none is, so what the pass keeps holds no text."""
    alive: list[weakref.ref] = []
    peak = [0]

    def records():
        for i, r in enumerate(corpus(300)):
            text = _Text(r["text"])
            alive.append(weakref.ref(text))
            if i % 50 == 0:
                gc.collect()
                peak[0] = max(peak[0], sum(ref() is not None for ref in alive))
            yield {"id": r["id"], "text": text, "published": r["published"]}

    index = index_records(records(), DedupConfig(), chunk=32)
    gc.collect()
    assert index.count == 300
    assert peak[0] <= 33
    assert not any(ref() is not None for ref in alive)


def test_what_is_kept_per_record_does_not_grow_with_the_text(tmp_path):
    """The index of 100 records of 400 characters and of 100 records of 10,000 holds the same bytes (their ids
    and dates are as long), under 1 KiB a record; a piece sent to a worker is where its lines are, not them."""
    rng = random.Random(2)
    short = [{"id": f"s{i:03d}", "published": "2024-01-01", "text": "".join(rng.choices(HAN, k=400))}
             for i in range(100)]
    long = [{"id": f"l{i:03d}", "published": "2024-01-01", "text": "".join(rng.choices(HAN, k=10_000))}
            for i in range(100)]
    small, big = (index_records(rs, DedupConfig()) for rs in (short, long))
    assert isinstance(small, SignatureIndex)
    assert big.nbytes == small.nbytes and big.nbytes / 100 < 1024
    src = write_jsonl(tmp_path / "long.jsonl", long)
    spans = list(pieces([str(src)]))
    assert all(isinstance(p, ByteRange) for p in spans)
    assert max(len(pickle.dumps(p)) for p in spans) < 300 < src.stat().st_size // len(spans)


# ---- the MinHash itself -----------------------------------------------------------------------------------------


def test_minhash_estimates_the_jaccard_similarity_of_shingle_sets():
    """Over pairs of texts of every similarity, the share of equal signature positions is within a few hundredths
    of the exact Jaccard similarity of the 5-character shingle sets, and not biased either way."""
    from cleaners.tools.dedup.minhash import shingles

    rng = random.Random(11)
    hasher = MinHasher()
    errors = []
    for _ in range(120):
        a = list("".join(rng.choices(HAN, k=rng.randint(100, 1500))))
        b = [c if rng.random() > rng.random() * 0.2 else rng.choice(HAN) for c in a]
        sa, sb = shingles("".join(a)), shingles("".join(b))
        exact = len(sa & sb) / len(sa | sb)
        estimate = float((hasher.signature("".join(a)) == hasher.signature("".join(b))).mean())
        errors.append(estimate - exact)
    errors_arr = np.array(errors)
    assert abs(errors_arr.mean()) < 0.015
    assert np.abs(errors_arr).mean() < 0.05


def test_signatures_ignore_whitespace_and_short_texts_are_one_shingle():
    hasher = MinHasher()
    assert (hasher.signature("新 闻\n报道　今天") == hasher.signature("新闻报道今天")).all()
    assert hasher.signature(" \n\t") is None
    assert (hasher.signature("新闻") != hasher.signature("新闻。")).any()  # short texts: the whole text


def test_band_layout_is_the_one_datasketch_chooses_for_the_same_weights():
    """The bands are chosen as datasketch's MinHashLSH chooses them, weighing a missed pair more than a false
    candidate (which is checked anyway): at 0.8, 16 bands of 8 rows instead of datasketch's default 9 of 13."""
    from datasketch.lsh import _optimal_param

    from cleaners.tools.dedup.minhash import FALSE_POSITIVE_WEIGHT

    for threshold in (0.5, 0.8, 0.9):
        for num_perm in (64, 128):
            for weight in (0.5, FALSE_POSITIVE_WEIGHT):
                assert lsh_params(threshold, num_perm, weight) == _optimal_param(threshold, num_perm, weight,
                                                                                 1 - weight)
    assert lsh_params(0.8, 128) == (16, 8) and lsh_params(0.8, 128, 0.5) == (9, 13)


def test_gzip_lines_keep_their_line_numbers(tmp_path):
    """A .jsonl.gz is decompressed line by line (bounded), its items named by line number as in a plain file."""
    records = corpus(140)
    gz = write_jsonl(tmp_path / "in.jsonl.gz", records, compression="gz")
    with gzip.open(gz, "rt", encoding="utf-8") as fh:
        assert sum(1 for _ in fh) == 140
    keys = [item.key for piece in pieces([str(gz)]) for item in dedup_read.items(piece)]
    assert keys == [f"{gz}:{i}" for i in range(1, 141)]


def test_cluster_ids_are_written_as_json_spells_them():
    """The second pass writes ids without json.dumps where it can: the bytes are what json.dumps gives."""
    ids = ["doc-1", 'say "hi"', "back\\slash", "tab\there", "新闻-1", "\ud800lone", None, "", "~!@#$%^&*()"]
    index = index_records([{"id": i, "text": f"第{n}条"} for n, i in enumerate(ids)], DedupConfig())
    for n, rid in enumerate(ids):
        name = rid if rid is not None else f"#{n}"
        try:
            expected = json.dumps(name, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            expected = json.dumps(name).encode("ascii")
        assert index.cluster_json(n) == expected
