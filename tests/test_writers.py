"""Writers: JSON Lines (plain, gz, zst) and Parquet, shards, `.part` files renamed only when complete."""
from __future__ import annotations

import json
import os

import pytest
from test_readers_pages import article_html, write_jsonl

from cleaners.io.files import errors_path
from cleaners.io.items import FieldMap
from cleaners.io.outputs import existing_shards, iter_records, shard_name
from cleaners.io.writers import RecordWriter
from cleaners.run.batch import clean_inputs
from cleaners.schema import PROVENANCE


def _rec(i: int) -> dict:
    """A whole record (every schema field: Parquet writes them all), some of them null or empty."""
    from cleaners.schema import field_names

    rec = dict.fromkeys(field_names())
    rec.update({"id": f"r{i}", "title": None if i == 0 else f"标题{i}", "text": f"正文{i}", "categories": [],
                "tags": ["新闻"], "quality": {"han_share": 1.0, "sentence_punct_density": 0.0,
                                              "repeated_line_share": 0.0, "boilerplate_share": 0.5,
                                              "spam_farm_score": 0.0}})
    prov = dict.fromkeys(field_names(PROVENANCE.fields))
    prov.update({"source": f"in:{i}", "versions": {"newsclean": "0", "trafilatura": "2", "rules": "4"},
                 "removed": [{"rule": "x", "text": "y"}], "removed_counts": [{"rule": "x", "count": 1, "chars": 1}]})
    rec["provenance"] = prov
    return rec


@pytest.mark.parametrize("name", ["out.jsonl", "out.jsonl.gz", "out.jsonl.zst", "out.parquet"])
def test_round_trip_every_format(tmp_path, name):
    target = tmp_path / name
    with RecordWriter(str(target)) as w:
        for i in range(5):
            w.write(_rec(i))
            w.flush()
        assert not target.exists()  # only the .part exists while writing
    assert list(iter_records(str(target))) == [_rec(i) for i in range(5)]
    assert os.listdir(tmp_path) == [name]


def test_shards_are_numbered_and_stale_ones_replaced(tmp_path):
    target = str(tmp_path / "out.parquet")
    for n in (7, 5):  # the second, shorter run must not leave the first run's third shard behind
        with RecordWriter(target, shard_size=3) as w:
            for i in range(n):
                w.write(_rec(i))
    assert existing_shards(target) == [shard_name(target, 0), shard_name(target, 1)]
    assert [r["id"] for p in existing_shards(target) for r in iter_records(p)] == [f"r{i}" for i in range(5)]


def test_exact_multiple_leaves_no_empty_trailing_shard(tmp_path):
    target = str(tmp_path / "out.jsonl.gz")
    with RecordWriter(target, shard_size=2) as w:
        for i in range(4):
            w.write(_rec(i))
    assert [os.path.basename(p) for p in existing_shards(target)] == ["out-00000.jsonl.gz", "out-00001.jsonl.gz"]


def test_failure_leaves_the_target_untouched(tmp_path):
    target = tmp_path / "out.jsonl"
    target.write_text("old\n", "utf-8")
    with pytest.raises(RuntimeError), RecordWriter(str(target)) as w:
        w.write(_rec(1))
        raise RuntimeError("boom")
    assert target.read_text("utf-8") == "old\n"
    assert (tmp_path / "out.jsonl.part").exists()  # kept for --resume


def test_errors_path_for_every_output_kind():
    assert errors_path("a/out.jsonl") == "a/out.errors.jsonl"
    assert errors_path("out.jsonl.zst") == "out.errors.jsonl"
    assert errors_path("out.parquet") == "out.errors.jsonl"
    assert errors_path("-") is None


def test_clean_to_sharded_parquet_with_carried_fields(tmp_path):
    rows = [{"id": str(i), "html": article_html(i), "score": i / 2} for i in range(5)]
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    out = str(tmp_path / "out.parquet")
    summary = clean_inputs([str(src)], out, field_map=FieldMap(html_field="html", keep_fields=("score",)),
                           shard_size=2)
    assert summary.documents == 5 and len(summary.outputs) == 3
    recs = [r for p in existing_shards(out) for r in iter_records(p)]
    assert [r["id"] for r in recs] == ["0", "1", "2", "3", "4"]
    assert recs[4]["score"] == 2.0 and isinstance(recs[0]["provenance"], dict)
    assert recs[0]["provenance"]["source"] == f"{src}:1"
    import pyarrow as pa
    import pyarrow.parquet as pq

    from cleaners.schema import arrow_schema

    for shard in existing_shards(out):  # every shard: the record schema, then the carried field
        schema = pq.read_schema(shard)
        assert schema.remove_metadata() == arrow_schema({"score": pa.float64()}).remove_metadata()
    assert pq.read_table(existing_shards(out)[0]).column("provenance")[0].as_py()["sha256"]


@pytest.mark.parametrize("name", ["out.jsonl", "out.jsonl.gz", "out.jsonl.zst"])
def test_encoded_lines_and_dicts_write_the_same_shards(tmp_path, name):
    """Workers send records as encoded lines: written that way they must give the very bytes a dict gives."""
    from cleaners.io.jsonl_out import encode_line

    outputs = []
    for how in ("dicts", "lines"):
        target = tmp_path / how / name
        with RecordWriter(str(target), shard_size=2) as w:
            assert w.takes_lines
            for i in range(5):
                if how == "dicts":
                    w.write(_rec(i))
                else:
                    w.write_line(encode_line(_rec(i)))
        outputs.append([(os.path.basename(p), list(iter_records(p))) for p in existing_shards(str(target))])
    assert outputs[0] == outputs[1] and len(outputs[0]) == 3
    plain = [(tmp_path / how / "out-00000.jsonl") for how in ("dicts", "lines")]
    if name == "out.jsonl":
        assert plain[0].read_bytes() == plain[1].read_bytes() == b"".join(encode_line(_rec(i)) for i in range(2))
    assert not RecordWriter(str(tmp_path / "x.parquet")).takes_lines


def test_stdout_writer_takes_lines_on_text_and_binary_streams():
    import io

    from cleaners.io.jsonl_out import encode_line
    from cleaners.io.writers import StdoutWriter

    text = io.StringIO()  # no binary buffer: lines are decoded
    binary = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    for stream in (text, binary):
        with StdoutWriter(stream) as w:
            stream.write("before\n")  # text already written comes first
            w.write_line(encode_line(_rec(1)))
            w.write(_rec(2))
    expected = "before\n" + encode_line(_rec(1)).decode() + encode_line(_rec(2)).decode()
    assert text.getvalue() == expected
    assert binary.buffer.getvalue().decode() == expected


def test_a_lone_surrogate_is_escaped_not_fatal(tmp_path):
    from cleaners.io.jsonl_out import encode_line

    rec = {"id": "x", "text": "正文", "provenance": {"source": "pages/\udcb5.html"}}  # a name that was not UTF-8
    line = encode_line(rec)
    assert line.endswith(b"\n") and json.loads(line) == rec
    target = tmp_path / "out.jsonl"
    with RecordWriter(str(target)) as w:
        w.write(rec)
    assert list(iter_records(str(target))) == [rec]


def test_a_torn_last_line_is_cut_and_counted(tmp_path):
    from cleaners.io.jsonl_out import encode_json, encode_line, truncate_torn_line

    path = tmp_path / "out.jsonl"
    whole = encode_line({"a": "中文"}) + encode_line({"b": "\udcff"})
    path.write_bytes(whole + b'{"c": "torn')
    assert truncate_torn_line(path) == len(b'{"c": "torn')
    assert path.read_bytes() == whole
    assert truncate_torn_line(path) == 0
    assert encode_json("中文") == '"中文"'.encode() and encode_json("\udcff") == b'"\\udcff"'
