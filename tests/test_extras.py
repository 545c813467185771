"""The plain install: the cleaner runs without any extra, and a command that needs one says which.

Each case runs in a fresh interpreter in which the extras' modules cannot be imported (a meta-path finder
refuses them), which is what `pip install newsclean` without extras gives.
"""
from __future__ import annotations

import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
EXTRAS = ("crawl", "parquet", "datatrove")
TEST_ONLY = ("scipy", "datasketch")  # the dedup tests' baseline, never a dependency of the cleaner


def _closure(names: list[str], extras: tuple[str, ...] = ("",)) -> set[str]:
    """The installed distributions these need, recursively (their own extras not followed)."""
    seen: set[str] = set()
    todo = [(n, extras) for n in names]
    while todo:
        name, wanted = todo.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        seen.add(key)
        for line in dist.requires or []:
            req = Requirement(line)
            if req.marker is None or any(req.marker.evaluate({"extra": e}) for e in wanted):
                todo.append((req.name, ("",)))
    return seen


def _top_modules(dist_name: str) -> set[str]:
    dist = metadata.distribution(dist_name)
    listed = (dist.read_text("top_level.txt") or "").split()
    files = {f.parts[0].removesuffix(".py") for f in dist.files or [] if f.suffix == ".py" or len(f.parts) > 1}
    return {m for m in (listed or files) if m.isidentifier() and not m.startswith("__")}


def extras_only_modules() -> tuple[str, ...]:
    """The modules that only the extras bring: what `pip install newsclean` alone lacks (Scrapy's w3lib and
    parsel as well as Scrapy), read from the installed metadata rather than listed by hand."""
    core = _closure(["newsclean"])
    extra = _closure(["newsclean"], EXTRAS) - core
    return tuple(sorted({m for d in extra for m in _top_modules(d)} | set(TEST_ONLY)))


EXTRAS_MODULES = extras_only_modules()

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
    (("discover", "--sources", "{root}/seeds/sources.yaml", "--like", "{root}/seeds", "-o", "{tmp}/found"), "crawl"),
])
def test_a_command_that_needs_an_extra_names_it(tmp_path, argv, extra):
    (tmp_path / "in.jsonl").write_text('{"id": "a", "text": "一段足够长的新闻正文。"}\n', encoding="utf-8")
    seed = next((ROOT / "seeds").glob("*.txt"))
    args = [a.format(seed=seed, tmp=tmp_path, root=ROOT) for a in argv]
    proc = run_without_extras(*args, cwd=tmp_path)
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert f"pip install 'newsclean[{extra}]'" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
