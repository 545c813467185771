"""Workers: results in input order whatever the number of jobs; bounded read-ahead; failures stay per item."""
from __future__ import annotations

import json

from test_readers_pages import article_html, write_jsonl

from cleaners.batch import clean_inputs
from cleaners.cli import main
from cleaners.core import Source
from cleaners.parallel import clean_items
from cleaners.readers import FieldMap, InputItem


def _strip_times(line: str) -> dict:
    rec = json.loads(line)
    rec.get("provenance", {}).pop("cleaned_at", None)
    return rec


def test_two_jobs_give_the_same_output_in_the_same_order(tmp_path):
    rows = [{"id": str(i), "html": article_html(i) if i % 7 else "   "} for i in range(30)]
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    outs = []
    for jobs in (1, 2):
        out = tmp_path / f"out{jobs}.jsonl"
        clean_inputs([str(src)], str(out), field_map=FieldMap(html_field="html"), jobs=jobs, chunk_size=3)
        outs.append(([_strip_times(x) for x in out.read_text("utf-8").splitlines()],
                     (tmp_path / f"out{jobs}.errors.jsonl").read_text("utf-8")))
    assert outs[0] == outs[1]
    assert [r["id"] for r in outs[0][0]] == [str(i) for i in range(30) if i % 7]


def test_read_ahead_is_bounded():
    pulled = []

    def items():
        for i in range(200):
            pulled.append(i)
            yield InputItem(Source(f"x{i}.txt"), text="正文" * 30, fmt="text", id=str(i))

    stream = clean_items(items(), jobs=2, chunk_size=4, in_flight=3)
    first = next(stream)
    assert [r["id"] for _, r in first] == ["0", "1", "2", "3"]
    assert len(pulled) <= 4 * 4  # the chunks in flight and the one being cut, not the whole input
    stream.close()


def test_cli_jobs_and_seed_pages(tmp_path, seeds_dir):
    out = tmp_path / "seeds.jsonl"
    assert main(["clean", str(seeds_dir), "-o", str(out), "-j", "2", "-q"]) == 0
    assert len(out.read_text("utf-8").splitlines()) == len(list(seeds_dir.glob("*.txt")))
    assert main(["clean", str(seeds_dir), "-o", str(out), "-j", "0"]) == 2
    assert main(["clean", str(seeds_dir), "-o", "-", "--resume"]) == 2
    assert main(["clean", str(seeds_dir), "-o", str(out), "--keep-fields", "text"]) == 2
