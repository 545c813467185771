"""The CI gate on the development sets: each set's macro F1 (the reference scorer's metric) must stay above its floor,
and Chinese pages must be labelled by their script.

The sets are third-party pages kept beside the project (../shared/eval, see its README), never inside it. The floors
sit just under the figures this build reaches (README, "Quality and speed"), so that a change that loses quality on
any kind of page (Chinese portals, Traditional Chinese, English news, twelve languages, flattened text) fails here.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from cleaners.cli import main
from cleaners.tools.evaluate import load_set
from cleaners.tools.scoring import full_text, prf

EVAL = Path(__file__).resolve().parent.parent.parent / "shared" / "eval"
# set -> F1 floor
FLOORS = {
    "magic": 0.965,
    "autumn": 0.965,
    "magic-hant": 0.965,
    "mozilla": 0.945,
    "wcxb-dev": 0.945,
    "magic-flat": 0.950,
    "autumn-flat": 0.940,
    "mozilla-flat": 0.895,
    "wcxb-dev-flat": 0.908,
}
pytestmark = pytest.mark.skipif(not EVAL.is_dir(), reason="the development sets are not beside this checkout")


def _clean(setdir: Path, out: Path) -> dict[str, dict]:
    pages = setdir / ("html" if (setdir / "html").is_dir() else "txt")
    assert main(["clean", str(pages), "-o", str(out), "-q", "-j", "2"]) == 0
    records = {}
    for line in out.read_text("utf-8").splitlines():
        rec = json.loads(line)
        records[Path(rec["provenance"]["source"]).stem] = rec
    return records


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_development_set_floor(name, tmp_path):
    setdir = EVAL / name
    records = _clean(setdir, tmp_path / "out.jsonl")
    scores = []
    for page in load_set(setdir):
        rec = records.get(page.id)
        scores.append(prf(full_text(rec["title"], rec["text"]) if rec else "", page.gold)[2])
    f1 = sum(scores) / len(scores)
    assert f1 >= FLOORS[name], f"{name}: F1 {f1:.3f} under its floor {FLOORS[name]}"
    if name in ("magic", "autumn", "magic-hant"):
        labels = Counter(rec["language"] for rec in records.values())
        # every page is labelled by its script: Chinese as zh-Hans or zh-Hant, the Japanese pages (kana) as ja
        assert set(labels) <= {"zh-Hans", "zh-Hant", "ja"}, labels
        if name == "magic-hant":
            assert labels["zh-Hant"] == len(records) - labels["ja"]
