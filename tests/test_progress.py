"""cleaners.run.progress: the total measured before a run and the position each item carries, per kind of input."""
from __future__ import annotations

import io
import random

from test_readers_pages import article_html, write_jsonl, write_parquet, write_warc

from cleaners.io.items import FieldMap
from cleaners.run.progress import RunProgress, measure

FIELDS = FieldMap(html_field="html")


def _run(inputs: list[str], fields: FieldMap | None = FIELDS) -> tuple[RunProgress, list[tuple[str, int]]]:
    """Read every item as a run does, writing each cleaned one at once; the bar's position after each item."""
    progress = RunProgress(measure(inputs), "test", enabled=True)
    progress.bar.fp = io.StringIO()  # keep the bar off the test's output
    seen = []
    for item in progress.read(inputs, fields):
        if item.skip is not None:
            progress.passed()
        else:
            progress.sent()
            progress.written(1)
        seen.append((item.skip or item.key, progress.bar.n))
    progress.finish()
    return progress, seen


def test_plain_jsonl_moves_by_the_bytes_of_each_line(tmp_path):
    rows = [{"id": str(i), "html": article_html(i)} for i in range(4)]
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    progress, seen = _run([str(src)])
    ends, at = [], 0
    for line in src.read_bytes().splitlines(keepends=True):
        at += len(line)
        ends.append(at)
    assert progress.unit == "B" and progress.bar.total == src.stat().st_size
    assert [n for _, n in seen] == ends  # the end of each line, as it is written


def test_compressed_jsonl_moves_by_compressed_bytes(tmp_path):
    # pages padded with seeded random ideographs, which compress little: each line is ~130 KB compressed, more
    # than the decompressors read ahead, so the position on disk moves from line to line
    rng = random.Random(7)
    rows = [{"id": str(i), "html": article_html(i) + "<p>" + "".join(chr(rng.randrange(0x4E00, 0x9FA5))
                                                                      for _ in range(60000)) + "</p>"}
            for i in range(6)]
    for compression in ("gz", "zst"):
        src = write_jsonl(tmp_path / f"in.jsonl.{compression}", rows, compression)
        progress, seen = _run([str(src)])
        positions = [n for _, n in seen]
        assert progress.bar.total == src.stat().st_size  # compressed size on disk
        assert positions == sorted(positions) and len(set(positions)) >= 4, positions
        assert positions[0] < progress.bar.total / 2 and progress.bar.n == progress.bar.total


def test_parquet_counts_rows_from_the_footer(tmp_path):
    src = write_parquet(tmp_path / "in.parquet", [{"id": str(i), "html": article_html(i)} for i in range(5)])
    progress, seen = _run([str(src)])
    assert progress.unit == "row" and progress.bar.total == 5
    assert [n for _, n in seen] == [1, 2, 3, 4, 5]


def test_warc_moves_by_record_and_skips_count_as_read(tmp_path):
    pages = [(f"http://example.com/{i}", article_html(i).encode(), "text/html") for i in range(3)]
    for name in ("in.warc", "in.warc.gz"):
        src = write_warc(tmp_path / name, pages)  # a request before each response, an image at the end
        progress, seen = _run([str(src)], None)
        positions = [n for _, n in seen]
        assert progress.bar.total == src.stat().st_size
        assert positions == sorted(positions) and positions[-1] == src.stat().st_size
        assert [kind for kind, _ in seen if not kind.startswith(str(src))] == ["request"] * 3 + ["not_html"]
        assert positions[-2] < positions[-1]  # the image record after the last page is reached by reading it


def test_page_directories_count_files_and_mixed_inputs_count_bytes(tmp_path):
    pages = tmp_path / "pages"
    (pages / "sub").mkdir(parents=True)
    for i, name in enumerate(("a.html", "b.txt", "sub/c.html")):
        (pages / name).write_text(article_html(i), "utf-8")
    (pages / "notes.json").write_text("{}", "utf-8")  # not a page: not walked, not counted
    progress, seen = _run([str(pages)])
    assert progress.unit == "file" and progress.bar.total == 3 and [n for _, n in seen] == [1, 2, 3]

    src = write_jsonl(tmp_path / "in.jsonl", [{"id": "x", "html": article_html(5)}])
    progress, seen = _run([str(pages), str(src)])
    sizes = [(pages / n).stat().st_size for n in ("a.html", "b.txt", "sub/c.html")]
    assert progress.unit == "B" and progress.bar.total == sum(sizes) + src.stat().st_size
    assert [n for _, n in seen] == [sizes[0], sum(sizes[:2]), sum(sizes), progress.bar.total]


def test_the_bar_moves_only_when_results_are_written(tmp_path):
    # items read ahead (sent to workers) do not move the bar; the chunk that is written does, to its last item
    src = write_parquet(tmp_path / "in.parquet", [{"id": str(i), "html": article_html(i)} for i in range(6)])
    progress = RunProgress(measure([str(src)]), "test", enabled=True)
    progress.bar.fp = io.StringIO()
    for _ in progress.read([str(src)], FIELDS):
        progress.sent()
    assert progress.bar.n == 0
    progress.written(4)
    assert progress.bar.n == 4
    progress.written(2)
    assert progress.bar.n == 6
