"""Corpus benchmark: documents per second with 1 and 2 jobs, and peak memory for 10,000 and 100,000 documents.

    .venv/bin/python bench/corpus_bench.py [--pages DIR] [--docs 600] [--memory-docs 10000,100000] [--readme README.md]

Inputs are JSON Lines built at run time in a temporary directory by replicating real pages (HTML pages from
../shared/eval/magic/html for throughput, the project's seed pages for memory, or --pages); nothing is kept.
Each run is `newsclean clean IN.jsonl -o OUT.jsonl -j N -q` in a subprocess; peak memory is the largest sum of
the proportional set size (PSS) of that process and its workers, sampled every 0.1 s with psutil. With --readme the
figures replace the block between the `corpus-bench` markers in README.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import glob
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
MAGIC = ROOT.parent / "shared" / "eval" / "magic" / "html"
START, END = "<!-- corpus-bench:start -->", "<!-- corpus-bench:end -->"


def pages(directory: Path, pattern: str) -> list[tuple[str, bytes]]:
    return [(os.path.basename(p), Path(p).read_bytes()) for p in sorted(glob.glob(str(directory / pattern)))]


def build_jsonl(path: Path, src: list[tuple[str, bytes]], n: int) -> None:
    """`n` records cycling over the pages; decoded as the cleaner would (so GBK pages stay readable)."""
    from cleaners.decode import decode_bytes

    texts = [(name, decode_bytes(raw).text) for name, raw in src]
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            name, text = texts[i % len(texts)]
            fh.write(json.dumps({"id": f"{i:06d}", "url": f"https://example.com/{i}/{name}", "text": text},
                                ensure_ascii=False) + "\n")


def _pss(p: psutil.Process) -> int:
    """Proportional set size: pages a forked worker shares with its parent are counted once, not twice."""
    try:
        return p.memory_full_info().pss
    except (AttributeError, psutil.Error):
        return p.memory_info().rss


def run(inp: Path, out: Path, jobs: int) -> dict:
    cmd = [str(ROOT / ".venv" / "bin" / "newsclean"), "clean", str(inp), "-o", str(out), "-j", str(jobs), "-q"]
    if not os.path.exists(cmd[0]):
        cmd = [sys.executable, "-m", "cleaners.cli", *cmd[1:]]
    start = time.perf_counter()
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(cmd, cwd=ROOT)
    ps = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            tree = [ps, *ps.children(recursive=True)]
            peak = max(peak, sum(_pss(p) for p in tree))
        except psutil.Error:
            pass
        time.sleep(0.1)
    seconds = time.perf_counter() - start
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)  # the run and its workers, once waited for
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed with {proc.returncode}")
    with open(out, encoding="utf-8") as fh:
        docs = sum(1 for _ in fh)
    with open(str(out).removesuffix(".jsonl") + ".errors.jsonl", encoding="utf-8") as fh:
        errors = sum(1 for _ in fh)
    return {"jobs": jobs, "inputs": docs + errors, "records": docs, "seconds": seconds,
            "docs_per_s": (docs + errors) / seconds, "peak_mib": peak / 2**20, "cpu": cpu}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=Path, help="a directory of .html pages for the throughput runs")
    ap.add_argument("--docs", type=int, default=600, help="documents for the 1-job / 2-job throughput runs")
    ap.add_argument("--memory-docs", default="10000,100000", help="document counts for the memory runs")
    ap.add_argument("--memory-jobs", type=int, default=2, help="jobs for the memory runs")
    ap.add_argument("--readme", type=Path, help="write the figures into this README's corpus-bench block")
    args = ap.parse_args()

    html_dir = args.pages or MAGIC
    html = pages(html_dir, "*.html") if html_dir.is_dir() else []
    seeds = pages(ROOT / "seeds", "*.txt")
    html_label = f"{len(html)} HTML pages from {html_dir.name}/" if html else f"{len(seeds)} seed pages"
    html = html or seeds
    rows = []
    with tempfile.TemporaryDirectory(prefix="corpus-bench-") as tmp:
        t = Path(tmp)
        build_jsonl(t / "tp.jsonl", html, args.docs)
        tp = [run(t / "tp.jsonl", t / f"tp-{j}.jsonl", j) for j in (1, 2)]
        same = (t / "tp-1.jsonl").read_text("utf-8").count("\n") == (t / "tp-2.jsonl").read_text("utf-8").count("\n")
        speedup = tp[1]["docs_per_s"] / tp[0]["docs_per_s"]
        for r in tp:
            rows.append(f"| throughput, {html_label} | {r['inputs']:,} | {r['jobs']} | {r['seconds']:.1f} "
                        f"| {r['cpu']:.1f} | {r['docs_per_s']:.1f} | {r['peak_mib']:.0f} |")
        mem = []
        for n in (int(x) for x in args.memory_docs.split(",") if x.strip()):
            build_jsonl(t / "mem.jsonl", seeds, n)
            mem.append(run(t / "mem.jsonl", t / "mem-out.jsonl", args.memory_jobs))
            r = mem[-1]
            rows.append(f"| memory, {len(seeds)} seed pages replicated | {r['inputs']:,} | {r['jobs']} "
                        f"| {r['seconds']:.1f} | {r['cpu']:.1f} | {r['docs_per_s']:.1f} | {r['peak_mib']:.0f} |")
            os.unlink(t / "mem-out.jsonl")
    cores = psutil.cpu_count()
    ratio = mem[-1]["peak_mib"] / mem[0]["peak_mib"] if len(mem) > 1 else 1.0
    memory_line = (f" Peak memory for {mem[-1]['inputs']:,} documents is **{ratio:.2f}x** that for "
                   f"{mem[0]['inputs']:,}." if len(mem) > 1 else "")
    block = "\n".join([
        START,
        f"Measured {dt.date.today().isoformat()} on {cores} cores (shared with other work, so expect noise) by "
        "`python bench/corpus_bench.py --readme README.md`:",
        "",
        "| run | documents | jobs | seconds | CPU seconds | documents/s | peak memory (MiB PSS, all processes) |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"Speed-up from 1 to 2 jobs: **{speedup:.2f}x** (same output: {'yes' if same else 'NO'}). CPU spent "
        f"with 2 jobs is {tp[1]['cpu'] / tp[0]['cpu']:.2f}x that with 1, so on two otherwise idle cores the speed-up "
        f"could reach about {2 * tp[0]['cpu'] / tp[1]['cpu']:.2f}x (less the serial start-up).{memory_line}",
        END,
    ])
    print(block)
    if args.readme:
        text = args.readme.read_text("utf-8")
        if START in text and END in text:
            text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
        else:
            text = text.rstrip("\n") + "\n\n" + block + "\n"
        args.readme.write_text(text, "utf-8")


if __name__ == "__main__":
    main()
