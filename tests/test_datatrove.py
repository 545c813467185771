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
