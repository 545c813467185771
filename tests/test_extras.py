"""The plain install: the cleaner runs without any extra, and a command that needs one says which.

Each case runs in a fresh interpreter in which the extras' modules cannot be imported (a meta-path finder
refuses them), which is what `pip install newsclean` without extras gives.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXTRAS_MODULES = ("scrapy", "twisted", "pyarrow", "scipy", "datasketch", "datatrove", "scrapy_redis", "redis")

BLOCK = """
import sys
BLOCKED = {blocked!r}

class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None

sys.meta_path.insert(0, Refuse())
from cleaners.cli import main
code = main(sys.argv[1:])
loaded = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
assert not loaded, loaded
sys.exit(code)
"""


def run_without_extras(*argv: str, cwd: Path) -> subprocess.CompletedProcess:
    script = BLOCK.format(blocked=EXTRAS_MODULES)
    return subprocess.run([sys.executable, "-c", script, *argv], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


def test_dedup_runs_without_any_extra(tmp_path):
    (tmp_path / "in.jsonl").write_text('{"id": "a", "text": "一段足够长的新闻正文。"}\n', encoding="utf-8")
    proc = run_without_extras("dedup", "-q", "-j", "1", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "out.jsonl"),
                              cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert '"dup_cluster"' in (tmp_path / "out.jsonl").read_text(encoding="utf-8")


def test_the_seeds_clean_without_any_extra(tmp_path):
    out = tmp_path / "seeds.jsonl"
    proc = run_without_extras("clean", "-q", "-j", "1", str(ROOT / "seeds"), "-o", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == 5


@pytest.mark.parametrize(("argv", "extra"), [
    (("clean", "{seed}", "-o", "{tmp}/out.parquet"), "parquet"),
    (("crawl", "--sources", "{root}/seeds/sources.yaml", "-o", "{tmp}/crawl"), "crawl"),
])
def test_a_command_that_needs_an_extra_names_it(tmp_path, argv, extra):
    (tmp_path / "in.jsonl").write_text('{"id": "a", "text": "一段足够长的新闻正文。"}\n', encoding="utf-8")
    seed = next((ROOT / "seeds").glob("*.txt"))
    args = [a.format(seed=seed, tmp=tmp_path, root=ROOT) for a in argv]
    proc = run_without_extras(*args, cwd=tmp_path)
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert f"pip install 'newsclean[{extra}]'" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
