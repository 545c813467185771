"""`newsclean eval` and `newsclean bench` on a small gold set built from the HTML fixtures."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from cleaners.cli import main
from cleaners.tools.scoring import prf

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "html"
REFERENCE = ROOT.parent / "shared" / "tools" / "score.py"


@pytest.fixture
def goldset(tmp_path):
    pages = yaml.safe_load((FIXTURES / "expected.yaml").read_text("utf-8"))["pages"]
    (tmp_path / "html").mkdir()
    with (tmp_path / "gold.jsonl").open("w", encoding="utf-8") as out:
        for name, spec in sorted(pages.items()):
            if "gold" in spec:
                shutil.copy(FIXTURES / name, tmp_path / "html" / name)
                out.write(json.dumps({"id": Path(name).stem, "url": "", "gold": spec["gold"]}, ensure_ascii=False))
                out.write("\n")
    return tmp_path


def test_eval_reports_every_system(goldset, capsys):
    assert main(["eval", str(goldset), "--baselines", "trafilatura,readability", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["system"] for r in rows] == ["newsclean", "trafilatura", "readability"]
    ours = rows[0]
    pages = len((goldset / "gold.jsonl").read_text("utf-8").splitlines())
    # titles count, the gold has none
    assert pages >= 5 and ours["pages"] == pages and ours["empty"] == 0 and ours["f1"] >= 0.9
    assert all(0 <= r["precision"] <= 1 and r["seconds_per_page"] >= 0 for r in rows)


def test_eval_rejects_unknown_baselines(goldset, capsys):
    assert main(["eval", str(goldset), "--baselines", "nonesuch"]) == 2
    assert "unknown baselines" in capsys.readouterr().err


def test_scoring_matches_the_reference_definition():
    # punctuation, spaces and width do not count; Traditional counts as Simplified
    assert prf("职业教育，产教融合。", "职业教育产教融合")[2] == 1.0
    assert prf("職業教育", "职业教育")[2] == 1.0
    p, r, f = prf("职业教育产教融合网友评论", "职业教育产教融合")
    assert r == 1.0 and p < 1.0


@pytest.mark.skipif(not REFERENCE.exists(), reason="the reference scorer lives outside the project")
def test_eval_agrees_with_the_reference_scorer(goldset, tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    assert main(["clean", str(goldset / "html"), "-o", str(out), "-q"]) == 0
    ref = subprocess.run([sys.executable, str(REFERENCE), "set", str(goldset), str(out)],
                         capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    ref_f1 = float(ref.split("F1")[1].split()[0])
    assert main(["eval", str(goldset), "--json"]) == 0
    ours = json.loads(capsys.readouterr().out.splitlines()[0])
    assert abs(ours["f1"] - ref_f1) <= 0.005


def test_bench_reports_a_ratio(goldset, capsys):
    assert main(["bench", str(goldset), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    pages = len((goldset / "gold.jsonl").read_text("utf-8").splitlines())
    assert result["pages"] == pages and result["median_ratio"] > 0 and result["baseline_ms"] > 0
