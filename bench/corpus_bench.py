"""Corpus benchmark: documents per second with 1 and 2 jobs, and peak memory for 10,000 and 100,000 documents.

    .venv/bin/python bench/corpus_bench.py [--pages DIR] [--docs 600] [--repeat 1] [--memory-docs 10000,100000]
                                           [--readme README.md]

Inputs are JSON Lines built at run time in a temporary directory by replicating real pages (HTML pages from
../shared/eval/magic/html for throughput, the project's seed pages for memory, or --pages); nothing is kept.
Each run is the whole command `newsclean clean IN.jsonl -o OUT.jsonl -j N -q` in a subprocess, timed from its
start to its exit (start-up, reading, cleaning and writing included). Documents/s counts records and error
entries. CPU seconds are those of the command and its workers; the parent's own share is read from the exited
process before it is reaped; "other processes" is the CPU the rest of the machine used meanwhile (this script's
sampling included), from /proc/stat. With --repeat the 1- and 2-job runs alternate and each figure is the
median. The 2-job output must equal the 1-job output byte for byte, except `provenance.cleaned_at` (the
clock). Peak memory is the largest sum of the proportional set size (PSS) of that process and its workers,
sampled every 0.1 s with psutil (every 1 s in the throughput runs); `--memory-docs ''` skips the memory runs.
With --readme the figures replace the block between the `corpus-bench` markers in README.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import glob
import json
import os
import re
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
MAGIC = ROOT.parent / "shared" / "eval" / "magic" / "html"
START, END = "<!-- corpus-bench:start -->", "<!-- corpus-bench:end -->"
# Reading PSS walks a process's page tables (~3 ms for each of the 3 processes): every 0.1 s that is ~10% of a
# core taken from the run being timed, which slows a 2-job run (both cores busy) and not a 1-job one. Throughput
# runs therefore sample memory once a second; memory runs every 0.1 s.
THROUGHPUT_SAMPLING = 1.0


def pages(directory: Path, pattern: str) -> list[tuple[str, bytes]]:
    return [(os.path.basename(p), Path(p).read_bytes()) for p in sorted(glob.glob(str(directory / pattern)))]


def build_jsonl(path: Path, src: list[tuple[str, bytes]], n: int) -> None:
    """`n` records cycling over the pages; decoded as the cleaner would (so GBK pages stay readable)."""
    from cleaners.decode.charset import decode_bytes

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


def run(inp: Path, out: Path, jobs: int, interval: float = 0.1) -> dict:
    """One whole `newsclean clean` command: wall time, CPU of the command and its workers, CPU of the command's
    own (parent) process alone, and peak memory.

    The parent's own CPU is read from the exited process before it is reaped (a zombie still has its final
    times): with 2 jobs on 2 cores every CPU-second the parent spends is taken from the workers.
    """
    cmd = [str(ROOT / ".venv" / "bin" / "newsclean"), "clean", str(inp), "-o", str(out), "-j", str(jobs), "-q"]
    if not os.path.exists(cmd[0]):
        cmd = [sys.executable, "-m", "cleaners.cli", *cmd[1:]]
    busy0 = machine_busy()
    start = time.perf_counter()
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(cmd, cwd=ROOT)
    ps = psutil.Process(proc.pid)
    peak, due = 0, start
    while os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
        if time.perf_counter() >= due:
            due += interval
            try:
                tree = [ps, *ps.children(recursive=True)]
                peak = max(peak, sum(_pss(p) for p in tree))
            except psutil.Error:
                pass
        time.sleep(0.02)  # the exit is seen within 20 ms, however rarely memory is sampled
    seconds = time.perf_counter() - start
    busy = machine_busy() - busy0
    own = ps.cpu_times()  # exited, not yet reaped: its final user and system time
    proc.wait()
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)  # the run and its workers, once waited for
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed with {proc.returncode}")
    with open(out, encoding="utf-8") as fh:
        docs = sum(1 for _ in fh)
    with open(errors_file(out), encoding="utf-8") as fh:
        errors = sum(1 for _ in fh)
    return {"jobs": jobs, "inputs": docs + errors, "records": docs, "seconds": seconds,
            "docs_per_s": (docs + errors) / seconds, "peak_mib": peak / 2**20, "cpu": cpu,
            "parent_cpu": own.user + own.system, "other_cpu": max(0.0, busy - cpu)}


def machine_busy() -> float:
    """CPU-seconds the whole machine has been busy (all processes, from /proc/stat; 0 where there is none).

    During a run, this less the run's own CPU is what other processes took: on a shared machine that is
    what makes a 2-job run slower than it would be on two free cores (a 1-job run leaves one core to them).
    """
    try:
        with open("/proc/stat", encoding="ascii") as fh:
            fields = [int(x) for x in fh.readline().split()[1:]]
    except OSError:
        return 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def errors_file(out: Path) -> Path:
    return Path(str(out).removesuffix(".jsonl") + ".errors.jsonl")


_CLEANED_AT = re.compile(rb'"cleaned_at": "[^"]*"')


def same_output(a: Path, b: Path) -> bool:
    """Records and error entries byte for byte, in the same order; only `cleaned_at` (the clock) may differ."""
    def norm(path: Path) -> bytes:
        return _CLEANED_AT.sub(b'"cleaned_at": ""', path.read_bytes())

    return norm(a) == norm(b) and errors_file(a).read_bytes() == errors_file(b).read_bytes()


def median_run(runs: list[dict]) -> dict:
    """Each figure's median over repeated runs (wall time on a shared machine is noisy)."""
    keys = ("seconds", "cpu", "parent_cpu", "other_cpu", "peak_mib")
    med = {**runs[0], **{k: statistics.median(r[k] for r in runs) for k in keys}}
    med["docs_per_s"] = med["inputs"] / med["seconds"]
    return med


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=Path, help="a directory of .html pages for the throughput runs")
    ap.add_argument("--docs", type=int, default=600, help="documents for the 1-job / 2-job throughput runs")
    ap.add_argument("--repeat", type=int, default=1,
                    help="throughput runs per job count, alternating 1 and 2 jobs; the median is reported")
    ap.add_argument("--memory-docs", default="10000,100000",
                    help="document counts for the memory runs ('' for none)")
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
        runs: dict[int, list[dict]] = {1: [], 2: []}
        same = True
        for _ in range(max(1, args.repeat)):
            for j in (1, 2):
                runs[j].append(run(t / "tp.jsonl", t / f"tp-{j}.jsonl", j, interval=THROUGHPUT_SAMPLING))
                r = runs[j][-1]
                print(f"jobs {j}: {r['seconds']:.2f} s, {r['docs_per_s']:.1f} docs/s, CPU {r['cpu']:.2f} s, "
                      f"parent CPU {r['parent_cpu']:.2f} s, other processes' CPU {r['other_cpu']:.2f} s",
                      file=sys.stderr)
            same = same and same_output(t / "tp-1.jsonl", t / "tp-2.jsonl")
        tp = [median_run(runs[j]) for j in (1, 2)]
        speedup = tp[1]["docs_per_s"] / tp[0]["docs_per_s"]
        for r in tp:
            rows.append(f"| throughput, {html_label} | {r['inputs']:,} | {r['jobs']} | {r['seconds']:.1f} "
                        f"| {r['cpu']:.1f} | {r['parent_cpu']:.1f} | {r['other_cpu']:.1f} | {r['docs_per_s']:.1f} "
                        f"| {r['peak_mib']:.0f} |")
        mem = []
        for n in (int(x) for x in args.memory_docs.split(",") if x.strip()):
            build_jsonl(t / "mem.jsonl", seeds, n)
            mem.append(run(t / "mem.jsonl", t / "mem-out.jsonl", args.memory_jobs))
            r = mem[-1]
            rows.append(f"| memory, {len(seeds)} seed pages replicated | {r['inputs']:,} | {r['jobs']} "
                        f"| {r['seconds']:.1f} | {r['cpu']:.1f} | {r['parent_cpu']:.1f} | {r['other_cpu']:.1f} "
                        f"| {r['docs_per_s']:.1f} | {r['peak_mib']:.0f} |")
            os.unlink(t / "mem-out.jsonl")
    cores = psutil.cpu_count()
    ratio = mem[-1]["peak_mib"] / mem[0]["peak_mib"] if len(mem) > 1 else 1.0
    memory_line = (f" Peak memory for {mem[-1]['inputs']:,} documents is **{ratio:.2f}x** that for "
                   f"{mem[0]['inputs']:,}." if len(mem) > 1 else "")
    block = "\n".join([
        START,
        f"Measured {dt.date.today().isoformat()} on {cores} cores (shared with other work, so expect noise) by "
        f"`python bench/corpus_bench.py {' '.join(shlex.quote(a) for a in sys.argv[1:])}`"
        + (f"; throughput figures are the median of {args.repeat} runs each, 1 and 2 jobs alternating:"
           if args.repeat > 1 else ":"),
        "",
        "| run | documents | jobs | seconds | CPU seconds | of which parent process | other processes' CPU seconds "
        "| documents/s | peak memory (MiB PSS, all processes) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"Speed-up from 1 to 2 jobs: **{speedup:.2f}x** (same output, byte for byte but `cleaned_at`: "
        f"{'yes' if same else 'NO'}). The parent process of the 2-job run spends "
        f"{1000 * tp[1]['parent_cpu'] / tp[1]['inputs']:.1f} ms of CPU per document (start-up included). CPU spent "
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
