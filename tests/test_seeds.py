"""The five seed pages cleaned against the expected outputs kept in fixtures/seeds/.

After a deliberate rule change, regenerate with `.venv/bin/python fixtures/seeds/regenerate.py` and review.
"""
import json
from pathlib import Path

import pytest

from cleaners import clean_file

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
FIELDS = ("title", "text", "published", "author", "site", "url", "language", "categories", "tags")
# Boilerplate every seed must lose, by kind (what fixtures/text_rules covers one rule at a time).
NEVER = ["主站蜘蛛池模板", "提交評論", "昵稱", "版权声明", "本文仅代表作者观点", "验证码", "Copyright", "免责声明",
         "欢迎来到", "本篇文章", "Tags:", "二維碼", "圖片", "(完)", "【编辑", "trsHotWords", "21世纪教育网,面向"]


def test_there_are_five_seeds():
    assert len(SEEDS) == 5


@pytest.mark.parametrize("seed", SEEDS, ids=[s.stem for s in SEEDS])
def test_seed_matches_expected(seed):
    doc = clean_file(seed).to_dict()
    expected = json.loads((ROOT / "fixtures/seeds" / f"{seed.stem}.expected.json").read_text("utf-8"))
    assert {k: doc[k] for k in FIELDS} == {k: expected[k] for k in FIELDS}
    assert sorted({r["rule"] for r in doc["provenance"]["removed"]}) == expected["removed_rules"]


@pytest.mark.parametrize("seed", SEEDS, ids=[s.stem for s in SEEDS])
def test_seed_has_no_boilerplate_left(seed):
    text = clean_file(seed).text
    for snippet in NEVER:
        assert snippet not in text, snippet
