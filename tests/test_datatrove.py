"""The datatrove step: cleans HTML or flattened text in place, drops non-articles with a counted reason, and
runs inside a real LocalPipelineExecutor with two tasks."""
from __future__ import annotations

import gzip
import json

import pytest
from test_readers_pages import article_html, write_jsonl

pytest.importorskip("datatrove")

from datatrove.data import Document  # noqa: E402

from cleaners.core import clean_html  # noqa: E402
from cleaners.integrations.datatrove import NewsCleaner  # noqa: E402


def test_cleans_html_and_merges_metadata():
    doc = Document(text=article_html(1), id="warc-1", metadata={"url": "https://n.example.com/1", "date": "2024"})
    (out,) = list(NewsCleaner().run(iter([doc])))
    assert out.id == "warc-1" and out.text == clean_html(article_html(1), url="https://n.example.com/1").text
    assert out.metadata["title"] == "本市地铁建设取得新进展" and out.metadata["url"] == "https://n.example.com/1"
    assert out.metadata["provenance"]["fetched_at"] == "2024" and out.metadata["provenance"]["removed"]
    assert out.metadata["newsclean_id"]


def test_every_schema_field_is_in_the_metadata_null_when_unknown():
    from cleaners.schema import field_names, metadata_fields

    doc = Document(text=article_html(1), id="d")
    (out,) = list(NewsCleaner(keep_provenance=False).run(iter([doc])))
    names = field_names(metadata_fields())
    assert [k for k in out.metadata if k in names] == names
    assert out.metadata["author"] is None and out.metadata["categories"] == [] and out.metadata["provenance"] is None


def test_non_articles_are_dropped_and_counted():
    step = NewsCleaner(config={"detect_language": False})
    docs = [Document(text="<html><body><nav>首页</nav></body></html>", id="a"), Document(text="  ", id="b"),
            Document(text=article_html(2), id="c")]
    kept = list(step.run(iter(docs)))
    assert [d.id for d in kept] == ["c"] and kept[0].metadata.get("language") is None
    counts = {k: v.total for k, v in step.stats.stats.items()}
    assert counts["dropped"] == 2 and counts["forwarded"] == 1 and counts["total"] == 3
    assert counts["dropped_empty"] == 1 and sum(v for k, v in counts.items() if k.startswith("dropped_")) == 2


def test_config_keys_are_checked():
    from cleaners.config import ConfigError

    with pytest.raises(ConfigError):
        NewsCleaner(config={"no_such_key": 1})


def test_local_executor_with_two_tasks(tmp_path):
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    src = tmp_path / "in"
    src.mkdir()
    for f in range(2):  # one file per task
        rows = [{"id": f"f{f}-{i}", "text": article_html(f * 10 + i), "url": f"https://n.example.com/{f}/{i}"}
                for i in range(3)]
        rows.append({"id": f"f{f}-empty", "text": "<html><body><div>登录 | 注册</div></body></html>"})
        write_jsonl(src / f"part{f}.jsonl", rows)
    executor = LocalPipelineExecutor(
        pipeline=[JsonlReader(str(src)), NewsCleaner(), JsonlWriter(str(tmp_path / "out"))],
        tasks=2, workers=2, logging_dir=str(tmp_path / "logs"),
    )
    executor.run()
    out = [json.loads(line) for p in sorted((tmp_path / "out").glob("*.jsonl.gz"))
           for line in gzip.open(p, "rt", encoding="utf-8")]
    assert sorted(d["id"] for d in out) == sorted(f"f{f}-{i}" for f in range(2) for i in range(3))
    by_id = {d["id"]: d for d in out}
    assert by_id["f1-2"]["text"] == clean_html(article_html(12)).text
    assert by_id["f1-2"]["metadata"]["title"] == "本市公园建设取得新进展"
    stats = json.loads((tmp_path / "logs" / "stats.json").read_text("utf-8"))
    cleaner = next(s for s in stats if "NewsCleaner" in s["name"])
    totals = {k: v["total"] if isinstance(v, dict) else v for k, v in cleaner["stats"].items()}
    assert totals["forwarded"] == 6 and totals["dropped"] == 2 and totals["total"] == 8


# ---- NewsCleaner -> datatrove's writers, run after run -------------------------------------------------------


def _inputs(folder, specs, start):
    """One JSON Lines file per task: pages with different metadata, a list page and an empty page (dropped)."""
    from schema_pages import NOT_ARTICLE, varied_page

    folder.mkdir()
    rows = [{"id": f"p{i}", "text": varied_page(i, **spec), "url": f"https://n.example.com/{i}.html"}
            for i, spec in enumerate(specs, start)]
    rows += [{"id": f"list{start}", "text": NOT_ARTICLE}, {"id": f"empty{start}", "text": " "}]
    half = len(rows) // 2
    write_jsonl(folder / "part0.jsonl", rows[:half])
    write_jsonl(folder / "part1.jsonl", rows[half:])
    return folder


def _run(tmp_path, name, specs, start, writer):
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader

    src = _inputs(tmp_path / f"in-{name}", specs, start)
    LocalPipelineExecutor(pipeline=[JsonlReader(str(src)), NewsCleaner(config={"removed": "counts"}), writer],
                          tasks=2, workers=2, logging_dir=str(tmp_path / f"logs-{name}")).run()
    stats = json.loads((tmp_path / f"logs-{name}" / "stats.json").read_text("utf-8"))
    cleaner = next(s for s in stats if "NewsCleaner" in s["name"])
    return {k: v["total"] if isinstance(v, dict) else v for k, v in cleaner["stats"].items()}


def test_parquet_writer_after_news_cleaner_run_after_run(tmp_path):
    """ParquetWriter with the schema: batches of two documents (the first with an author and a full date, the next
    without), two runs with different metadata, and every file has the same schema and reads as one table."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from datatrove.pipeline.writers import ParquetWriter
    from schema_pages import RICH, SPARSE

    from cleaners.integrations.datatrove import datatrove_schema

    runs = {"one": (RICH + SPARSE, 0), "two": (SPARSE + SPARSE, 10)}
    for name, (specs, start) in runs.items():
        writer = ParquetWriter(str(tmp_path / "out" / name), schema=datatrove_schema(), batch_size=2)
        totals = _run(tmp_path, name, specs, start, writer)
        assert totals["forwarded"] == 4 and totals["dropped_not_article"] == 1 and totals["dropped_empty"] == 1
    files = sorted((tmp_path / "out").rglob("*.parquet"))
    assert len(files) == 4 and all(pq.read_schema(f) == datatrove_schema() for f in files)
    table = pa.concat_tables([pq.read_table(f) for f in files])
    rows = {r["id"]: r for r in table.to_pylist()}
    assert sorted(rows) == ["p0", "p1", "p10", "p11", "p12", "p13", "p2", "p3"]
    assert rows["p0"]["metadata"]["author"] == "王小明" and rows["p2"]["metadata"]["author"] is None
    assert rows["p2"]["metadata"]["published"] == "2024-05-12T00:00:00.000000"
    assert rows["p3"]["metadata"]["categories"] == [] and rows["p0"]["metadata"]["categories"] == ["教育"]
    assert rows["p0"]["metadata"]["provenance"]["removed"] is None  # removed: counts
    assert rows["p0"]["metadata"]["provenance"]["removed_counts"][0]["count"] >= 1
    assert rows["p0"]["metadata"]["file_path"].endswith("part0.jsonl")


def test_jsonl_writer_after_news_cleaner_loads_with_datasets(tmp_path):
    """JsonlWriter, two runs with different metadata: datasets loads both runs' files as one table, cast to the
    Features of the datatrove schema, with every value as NewsCleaner wrote it."""
    datasets = pytest.importorskip("datasets")
    from datatrove.pipeline.writers import JsonlWriter
    from schema_pages import RICH, SPARSE

    from cleaners.integrations.datatrove import datatrove_schema

    for name, (specs, start) in {"one": (RICH, 0), "two": (SPARSE, 10)}.items():
        totals = _run(tmp_path, name, specs, start, JsonlWriter(str(tmp_path / "out" / name)))
        assert totals["forwarded"] == 2 and totals["dropped"] == 2
    files = sorted(str(p) for p in (tmp_path / "out").rglob("*.jsonl.gz"))
    written = [json.loads(line) for f in files for line in gzip.open(f, "rt", encoding="utf-8")]
    features = datasets.Features.from_arrow_schema(datatrove_schema())
    ds = datasets.load_dataset("json", data_files=files, features=features, split="train")
    assert len(ds) == 4 and [r["id"] for r in ds] == [r["id"] for r in written]
    loaded = {r["id"]: r["metadata"] for r in ds}
    for rec in written:
        assert {k: loaded[rec["id"]][k] for k in rec["metadata"]} == rec["metadata"]
    assert loaded["p10"]["tags"] == [] and loaded["p0"]["published_precision"] == "second"
