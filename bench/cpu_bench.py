"""CPU of whole cleaning commands against trafilatura with metadata and resiliparse, and the start-up of each.

    .venv/bin/python bench/cpu_bench.py [--sets magic autumn wcxb-dev] [--eval ../shared/eval] [--repeat 3]
                                        [--startup 7]

Three figures, each measured as whole processes, side by side, alternating, on one core:
1. **Total CPU** (user + system of the process and its children, from wait4) of cleaning every page of the sets:
   `newsclean clean -j 1 PAGES -o OUT.jsonl` (metadata and provenance included, as users run it) against one
   process that runs `trafilatura.extract(page, with_metadata=True)` on every page, and one that runs
   resiliparse's main-content extraction (`extract_plain_text(..., main_content=True)`): the floor. Each figure
   is the median of `--repeat` rounds; the ratio is newsclean / trafilatura.
2. **Per page**: in one process, after a warm-up, each page is cleaned by newsclean and by trafilatura in turn
   (`time.process_time` around each call); the median of the per-page ratios, and the median milliseconds.
3. **Start-up**: cleaning one page in a fresh process (`newsclean clean PAGE -o OUT`, against a fresh
   `python -c "import trafilatura; trafilatura.extract(...)"`), the median CPU of `--startup` runs each, for the
   first page of each set: a Chinese page and an English one load different parts (language id runs only on
   pages outside the CJK scripts). newsclean runs with its regex cache warm (in a directory of the bench's, warmed
   by one run first), as every run after a machine's first does, and again with it cold (an empty directory).

`--repeat 0` measures the start-up alone.

resiliparse is installed on demand into a temporary directory when missing (`pip install --target`), so the
project does not depend on it.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
NEWSCLEAN = str(BIN / "newsclean")

TRAFILATURA = """
import sys, trafilatura
for path in sys.argv[1:]:
    with open(path, "rb") as fh:
        trafilatura.extract(fh.read(), with_metadata=True, include_comments=False)
"""
RESILIPARSE = """
import sys
from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.encoding import bytes_to_str, detect_encoding
from resiliparse.parse.html import HTMLTree
for path in sys.argv[1:]:
    with open(path, "rb") as fh:
        raw = fh.read()
    tree = HTMLTree.parse(bytes_to_str(raw, detect_encoding(raw)))
    extract_plain_text(tree, main_content=True)
"""
PER_PAGE = """
import statistics, sys, time, json
import trafilatura
from cleaners.core import clean_bytes, Source, CleanError
paths = sys.argv[1:]
def ours(raw, path):
    try:
        clean_bytes(raw, Source(path))
    except CleanError:
        pass
def theirs(raw, path):
    trafilatura.extract(raw, with_metadata=True, include_comments=False)
pages = [(p, open(p, "rb").read()) for p in paths]
for p, raw in pages[:5]:
    ours(raw, p); theirs(raw, p)
a, b = [], []
for p, raw in pages:
    t = time.process_time(); ours(raw, p); a.append(time.process_time() - t)
    t = time.process_time(); theirs(raw, p); b.append(time.process_time() - t)
print(json.dumps({"ratio": statistics.median(x / y for x, y in zip(a, b) if y > 0),
                  "ours_ms": 1000 * statistics.median(a), "theirs_ms": 1000 * statistics.median(b)}))
"""


def cpu_of(cmd: list[str], env: dict[str, str] | None = None) -> float:
    """User + system CPU seconds of a whole command and its children."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[:3]} failed ({proc.returncode}): {err[-500:]}")
    return usage.ru_utime + usage.ru_stime


def resiliparse_env(tmp: Path) -> dict[str, str] | None:
    env = dict(os.environ)
    try:
        import resiliparse  # noqa: F401
        return env
    except ImportError:
        target = tmp / "resiliparse"
        proc = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--target", str(target), "resiliparse"],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"resiliparse could not be installed: {proc.stderr.strip()[-300:]}", file=sys.stderr)
            return None
        env["PYTHONPATH"] = str(target)
        return env


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--eval", default=str(Path(__file__).resolve().parents[1].parent / "shared" / "eval"))
    ap.add_argument("--sets", nargs="+", default=["magic", "autumn", "wcxb-dev"])
    ap.add_argument("--repeat", type=int, default=3, help="rounds of the whole commands (0: start-up only)")
    ap.add_argument("--startup", type=int, default=7)
    args = ap.parse_args()
    by_set = {s: sorted(str(p) for p in (Path(args.eval) / s / "html").iterdir() if p.is_file()) for s in args.sets}
    pages = sorted(p for found in by_set.values() for p in found)
    if not pages:
        raise SystemExit("no pages found")
    pin = ["taskset", "-c", "0"] if os.path.exists("/usr/bin/taskset") else []  # one core for every command
    with tempfile.TemporaryDirectory(prefix="newsclean-cpu-") as tmp:
        tmp_path = Path(tmp)
        renv = resiliparse_env(tmp_path)
        out = str(tmp_path / "out.jsonl")
        # newsclean's regex cache (cleaners.regexcache) in a directory of the bench's own: warm, as every run after a
        # machine's first finds it; start-up is also measured cold (an empty directory each run)
        cache_env = {**os.environ, "NEWSCLEAN_CACHE_DIR": str(tmp_path / "regex-cache")}
        cpu_of([NEWSCLEAN, "clean", "-q", "-j", "2", *pages[:8], "-o", out], env=cache_env)  # warms the cache
        rounds: dict[str, list[float]] = {"newsclean": [], "trafilatura": [], "resiliparse": []}
        for r in range(args.repeat):
            rounds["newsclean"].append(cpu_of([*pin, NEWSCLEAN, "clean", "-q", "-j", "1", *pages, "-o", out],
                                              env=cache_env))
            rounds["trafilatura"].append(cpu_of([*pin, sys.executable, "-c", TRAFILATURA, *pages]))
            if renv is not None:
                rounds["resiliparse"].append(cpu_of([*pin, sys.executable, "-c", RESILIPARSE, *pages], env=renv))
            print(f"round {r + 1}: " + "  ".join(f"{k} {v[-1]:.2f} s" for k, v in rounds.items() if v),
                  file=sys.stderr)
        total = {k: statistics.median(v) for k, v in rounds.items() if v}
        per_page = subprocess.run([*pin, sys.executable, "-c", PER_PAGE, *pages], capture_output=True, text=True,
                                  check=True).stdout if args.repeat else ""
        startup: dict[str, dict[str, list[float]]] = {}
        for name, found in by_set.items():
            if not found:
                continue
            runs = startup[name] = {"newsclean": [], "cold": [], "trafilatura": []}
            one = [*pin, NEWSCLEAN, "clean", "-q", "-j", "1", found[0], "-o", out]
            for k in range(args.startup):
                runs["newsclean"].append(cpu_of(one, env=cache_env))
                cold = {**os.environ, "NEWSCLEAN_CACHE_DIR": tempfile.mkdtemp(prefix=f"cold-{k}-", dir=tmp)}
                runs["cold"].append(cpu_of(one, env=cold))
                runs["trafilatura"].append(cpu_of([*pin, sys.executable, "-c", TRAFILATURA, found[0]]))
    n = len(pages)
    print(f"pages: {n} ({', '.join(args.sets)}); machine: {os.cpu_count()} cores; load {os.getloadavg()[0]:.2f}; "
          f"{time.strftime('%Y-%m-%d')}")
    if total:
        pp = json.loads(per_page)
        for k, v in total.items():
            print(f"  {k:12s} total CPU {v:7.2f} s  ({1000 * v / n:6.1f} ms a page)")
        print(f"  ratio newsclean / trafilatura, whole commands: {total['newsclean'] / total['trafilatura']:.3f}")
        if "resiliparse" in total:
            print(f"  floor: resiliparse / trafilatura {total['resiliparse'] / total['trafilatura']:.3f}")
        print(f"  per page (one process, alternating): median ratio {pp['ratio']:.3f}; median {pp['ours_ms']:.1f} ms "
              f"against {pp['theirs_ms']:.1f} ms")
    for name, runs in startup.items():
        s_ours, s_theirs = statistics.median(runs["newsclean"]), statistics.median(runs["trafilatura"])
        s_cold = statistics.median(runs["cold"])
        print(f"  start-up, one page of {name} in a fresh process: newsclean {s_ours:.3f} s, trafilatura "
              f"{s_theirs:.3f} s, ratio {s_ours / s_theirs:.2f} (regex cache cold, as on a machine's first run: "
              f"{s_cold:.3f} s, ratio {s_cold / s_theirs:.2f})")


if __name__ == "__main__":
    main()
