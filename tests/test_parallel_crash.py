"""Workers that die: the item that kills its worker is an error entry (`worker_died`), every other item is cleaned
and written in input order; only workers dying again and again with nothing done stops the run (WorkerError)."""
from __future__ import annotations

import json
import multiprocessing as mp
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from test_readers_pages import article_html, write_jsonl

from cleaners.cli import main
from cleaners.config import CleanerConfig
from cleaners.core import Source
from cleaners.io.items import FieldMap, InputItem
from cleaners.io.jsonl_out import encode_line
from cleaners.run import parallel
from cleaners.run.chunks import Tally
from cleaners.run.parallel import WorkerError, clean_items

CLOCK = re.compile(rb'"cleaned_at": "[^"]*"')


def _die_on(*markers: str, how: int | None = None):
    """A clean_decoded that kills a worker on the given texts (any text if none is given), as a segfault or the OOM
    killer would: no exception, no goodbye. Forked workers inherit it through the patched module; the process
    that runs the test (which warms the cleaner up with a page of its own) is spared."""
    real = parallel.clean_decoded
    parent = os.getpid()

    def clean(text, *args, **kwargs):
        if os.getpid() != parent and (not markers or text in markers):
            if how is None:
                os._exit(3)
            os.kill(os.getpid(), how)
        return real(text, *args, **kwargs)

    return clean


def _rows(n: int) -> list[dict]:
    # every 7th page is blank: an ordinary error entry, which must keep its place among the others
    return [{"id": str(i), "url": f"https://news.example.cn/{i}.html", "html": article_html(i) if i % 7 else "   "}
            for i in range(n)]


def _lines(path: Path) -> list[bytes]:
    return [CLOCK.sub(b'"cleaned_at": ""', line) for line in path.read_bytes().splitlines()]


def test_the_item_that_kills_its_worker_is_an_error_entry_and_the_run_goes_on(tmp_path, monkeypatch, capsys):
    rows = _rows(30)
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    clean = tmp_path / "clean.jsonl"  # the same inputs with no worker dying, for comparison
    assert main(["clean", str(src), "-o", str(clean), "--html-field", "html", "-j", "1", "-q"]) == 0

    monkeypatch.setattr(parallel, "clean_decoded", _die_on(rows[13]["html"]))
    out = tmp_path / "out.jsonl"
    assert main(["clean", str(src), "-o", str(out), "--html-field", "html", "-j", "2"]) == 0
    summary = capsys.readouterr().err
    assert "documents: 24  errors: 6" in summary and "worker_died 1" in summary

    # every other record, byte for byte what one process writes, in input order
    expected = [line for line in _lines(clean) if json.loads(line)["id"] != "13"]
    assert _lines(out) == expected and len(expected) == 24
    errors = [json.loads(line) for line in (tmp_path / "out.errors.jsonl").read_text("utf-8").splitlines()]
    assert [e["id"] for e in errors] == ["0", "7", "13", "14", "21", "28"]
    died = errors[2]
    assert died["reason"] == "worker_died" and died["url"] == rows[13]["url"]
    assert "worker process died (exit code 3)" in died["error"]
    # the other error entries are the ones one process writes
    assert [e for e in errors if e["id"] != "13"] == [
        json.loads(line) for line in (tmp_path / "clean.errors.jsonl").read_text("utf-8").splitlines()]

    # and a resume has nothing left to do: the bad page is not tried again
    assert main(["clean", str(src), "-o", str(out), "--html-field", "html", "-j", "2", "--resume"]) == 0
    assert "skipped (already written): 30" in capsys.readouterr().err


def _items(n: int, bad: set[int]) -> list[InputItem]:
    return [InputItem(Source(f"x{i:02d}.txt"), text=f"bad{i}" if i in bad else f"第{i}段正文。" * 30, fmt="text",
                      id=str(i)) for i in range(n)]


def test_several_bad_items_in_one_chunk_killed_by_a_signal(monkeypatch):
    bad = {5, 6, 17}  # two next to each other in one chunk, one in another; chunks of 4: x04..x07, x16..x19
    monkeypatch.setattr(parallel, "clean_decoded", _die_on(*(f"bad{i}" for i in bad), how=signal.SIGKILL))
    chunks = list(clean_items(_items(40, bad), jobs=2, chunk_size=4, max_chunks_per_worker=3))
    assert [len(c) for c in chunks] == [4] * 10  # each chunk whole, its items cleaned one by one or not
    assert [r["id"] for c in chunks for r in c.records] == [str(i) for i in range(40) if i not in bad]
    errors = [e for c in chunks for e in c.errors]
    assert [e["source"] for e in errors] == ["x05.txt", "x06.txt", "x17.txt"]
    assert all(e["reason"] == "worker_died" and "killed by SIGKILL" in e["error"] for e in errors)
    tally = Tally()
    for c in chunks:
        tally.add(c.tally)
    assert (tally.documents, tally.errors, dict(tally.errors_by_reason)) == (37, 3, {"worker_died": 3})


def test_workers_that_always_die_end_the_run_instead_of_looping(monkeypatch):
    monkeypatch.setattr(parallel, "clean_decoded", _die_on())  # the machine kills every worker, whatever it cleans
    forks = []
    start_real = parallel._Pool._start

    def start(self):
        forks.append(1)
        return start_real(self)

    monkeypatch.setattr(parallel._Pool, "_start", start)
    begin = time.monotonic()
    # two workers may die in the same wait, so the count that stops the run is 5 or 6
    with pytest.raises(WorkerError, match=r"died [56] times in a row, the last \(exit code 3\).*--resume"):
        for _ in clean_items(_items(40, set()), jobs=2, chunk_size=4):
            pass
    assert time.monotonic() - begin < 60
    assert len(forks) <= 2 + parallel.MAX_DEATHS_IN_A_ROW + 2  # the pool, the replacements: bounded


def test_the_cli_reports_workers_that_always_die_in_one_line(tmp_path, monkeypatch, capsys):
    src = write_jsonl(tmp_path / "in.jsonl", _rows(24))
    monkeypatch.setattr(parallel, "clean_decoded", _die_on())
    out = tmp_path / "out.jsonl"
    code = main(["clean", str(src), "-o", str(out), "--html-field", "html", "-j", "2", "-q"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1 and "worker processes died" in err[0]
    assert not out.exists() and (tmp_path / "out.jsonl.part").exists()  # kept for --resume


def _pool(jobs: int = 2) -> parallel._Pool:
    return parallel._Pool(mp.get_context("fork"), jobs, CleanerConfig(), True, 500)


def test_a_stalled_worker_still_ends_the_run_with_a_clear_error(monkeypatch):
    real = parallel.clean_decoded

    def clean(text, *args, **kwargs):
        if text == "bad3":
            time.sleep(120)  # alive, but never answers
        return real(text, *args, **kwargs)

    monkeypatch.setattr(parallel, "clean_decoded", clean)
    pool = _pool()
    begin = time.monotonic()
    try:
        with pytest.raises(WorkerError, match="no worker finished a chunk in 2 s"):
            for _ in parallel._in_order(parallel._chunks(_items(20, {3}), 2), pool, 4, wait=2):
                pass
    finally:
        pool.close()
    assert time.monotonic() - begin < 30


def test_a_worker_that_died_while_idle_is_replaced():
    pool = _pool()
    try:
        dead = pool.workers[0].process
        os.kill(dead.pid, signal.SIGKILL)
        dead.join()
        chunks = list(parallel._in_order(parallel._chunks(_items(12, set()), 2), pool, 4, wait=60))
    finally:
        pool.close()
    assert [json.loads(line)["id"] for c in chunks for line in c.records] == [str(i) for i in range(12)]


def test_a_json_line_nested_too_deep_is_an_error_entry_not_a_crash():
    line = '{"id": "deep", "html": ' + "[" * 100_000 + "]" * 100_000 + "}"
    item = InputItem(Source("in.jsonl:1"), line=line, field_map=FieldMap(html_field="html"))
    kind, entry = parallel.clean_item(item)
    assert kind == "error" and entry["reason"] == "internal" and "RecursionError" in entry["error"]
    encode_line(entry)


_SLOW_RUN = """
import os, sys, time
from cleaners.run import parallel
from cleaners.core import Source
from cleaners.io.items import InputItem

real, parent = parallel.clean_decoded, os.getpid()

def clean(text, *args, **kwargs):
    if os.getpid() != parent:
        if text == "bad":
            print("dying", flush=True)
            os._exit(3)
        time.sleep(2)
    return real(text, *args, **kwargs)

parallel.clean_decoded = clean
items = [InputItem(Source(f"x{i}.txt"), text="bad" if i == 0 else "正文。" * 30, fmt="text") for i in range(400)]
for chunk in parallel.clean_items(items, jobs=2, chunk_size=4):
    print(len(chunk), flush=True)
"""


def test_ctrl_c_stops_promptly_while_a_chunk_is_cleaned_again(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_RUN], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, text=True)
    try:
        assert proc.stdout.readline().strip() == "dying"  # the chunk's worker died: its items are cleaned again
        time.sleep(0.5)
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends: the whole foreground group
        begin = time.monotonic()
        proc.wait(timeout=20)
        assert time.monotonic() - begin < 5
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode != 0 and "KeyboardInterrupt" in proc.stderr.read()
    time.sleep(0.2)
    with pytest.raises(ProcessLookupError):  # no worker left behind
        os.killpg(proc.pid, 0)


_ORPHAN_RUN = """
import os, sys, time
from cleaners.run import parallel
from cleaners.core import Source
from cleaners.io.items import InputItem

busy = sys.argv[1] == "busy"
real = parallel.clean_decoded
parent = os.getpid()

def clean(text, *args, **kwargs):
    if busy and os.getpid() != parent:
        time.sleep(300)  # a page that takes for ever, in every worker
    return real(text, *args, **kwargs)

parallel.clean_decoded = clean
items = [InputItem(Source(f"x{i}.txt"), text="正文。" * 30, fmt="text") for i in range(200)]
for chunk in parallel.clean_items(items, jobs=2, chunk_size=4):
    print(len(chunk), flush=True)
    time.sleep(300)  # the writer is stuck: the workers finish what they hold and wait, idle
"""


def _alive(pid: int) -> bool:
    """Alive and not a zombie, from /proc (Linux)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            state = fh.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):  # gone between the open and the read
        return False
    return state != "Z"  # a zombie has exited; nobody may reap it in a container


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    if int(fh.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (FileNotFoundError, ProcessLookupError):
                continue
    return found


def _orphans_after_kill(cmd: list[str], ready: Callable[[subprocess.Popen], None], pids: Callable[[int], list[int]],
                        grace: float = 3.0) -> list[int]:
    """Start `cmd` in its own session, wait until `ready`, kill -9 the parent alone, and return the workers still
    alive `grace` seconds later (the session is killed whatever happens)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        ready(proc)
        workers = pids(proc.pid)
        assert len(workers) >= 2, workers
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + grace
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        return [w for w in workers if _alive(w)]
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


@pytest.mark.parametrize("state", ["idle", "busy"])
def test_workers_exit_when_their_parent_is_killed(state):
    def ready(proc: subprocess.Popen) -> None:
        if state == "idle":
            assert proc.stdout.readline().strip()  # a chunk came back; the writer now stalls
        deadline = time.monotonic() + 30  # the warm-up comes before the workers: slow on a loaded machine
        while len(_children(proc.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.5)  # the workers are cleaning (busy) or have finished what they held (idle)

    left = _orphans_after_kill([sys.executable, "-c", _ORPHAN_RUN, state], ready, _children)
    assert left == [], f"workers {left} outlived their parent ({state})"
