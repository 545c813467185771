"""`newsclean clean -o`: never replaces an input, a directory or a device; one run per output; a run that stops
(a full disk, an unwritable directory, Ctrl-C, SIGTERM) says so in one line and can be resumed."""
from __future__ import annotations

import json
import os
import resource
import signal
import stat
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from test_readers_pages import article_html, write_jsonl

from cleaners.cli import main
from cleaners.io.outputs import iter_records

CLI = [sys.executable, "-m", "cleaners.cli", "clean"]


def _corpus(tmp_path: Path, n: int) -> Path:
    return write_jsonl(tmp_path / "in.jsonl", [{"id": f"d{i:04d}", "html": article_html(i)} for i in range(n)])


def _one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def _device(tmp_path: Path, name: str) -> str:
    """/dev/null or /dev/full: a node of our own when we may make one (so that nothing shared is at stake)."""
    node = tmp_path / name
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, {"null": 3, "full": 7}[name]))
    except OSError:
        return f"/dev/{name}"
    return str(node)


def test_an_output_that_is_an_input_is_refused_before_anything_is_written(tmp_path, capsys):
    src = _corpus(tmp_path, 3)
    before = src.read_bytes()
    assert main(["clean", str(src), "-o", str(src), "--html-field", "html", "-q"]) == 2
    assert "would replace the input" in _one_error_line(capsys.readouterr().err)
    assert src.read_bytes() == before
    # the same file under another name, and an errors file given as the input of the run that writes it
    assert main(["clean", str(src), "-o", str(tmp_path / "." / "in.jsonl"), "--html-field", "html", "-q"]) == 2
    errors = tmp_path / "out.errors.jsonl"
    errors.write_text('{"source": "x", "error": "e", "reason": "empty"}\n', "utf-8")
    assert main(["clean", str(errors), "-o", str(tmp_path / "out.jsonl"), "-q"]) == 2
    assert src.read_bytes() == before and errors.read_text("utf-8").count("\n") == 1
    capsys.readouterr()
    # a page file inside a directory that is an input
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.html").write_text(article_html(0), "utf-8")
    assert main(["clean", str(pages), "-o", str(pages / "a.html"), "-q"]) == 2
    assert "would replace the input" in _one_error_line(capsys.readouterr().err)
    assert (pages / "a.html").read_text("utf-8") == article_html(0)


def test_a_directory_or_a_socket_output_is_refused(tmp_path, capsys):
    import socket

    src = _corpus(tmp_path, 1)
    (tmp_path / "outdir").mkdir()
    assert main(["clean", str(src), "-o", str(tmp_path / "outdir"), "--html-field", "html", "-q"]) == 2
    assert "is a directory" in _one_error_line(capsys.readouterr().err)
    assert (tmp_path / "outdir").is_dir() and not list((tmp_path / "outdir").iterdir())
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(tmp_path / "out.jsonl"))
        assert main(["clean", str(src), "-o", str(tmp_path / "out.jsonl"), "--html-field", "html", "-q"]) == 2
        assert "a socket" in _one_error_line(capsys.readouterr().err)
        assert stat.S_ISSOCK(os.stat(tmp_path / "out.jsonl").st_mode)


def test_a_device_is_written_through_never_replaced(tmp_path):
    src = _corpus(tmp_path, 2)
    node = _device(tmp_path, "null")
    proc = subprocess.run([*CLI, str(src), "-o", node, "--html-field", "html", "-q"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISCHR(os.stat(node).st_mode)
    assert not os.path.exists(node + ".part") and not os.path.exists(node + ".errors.jsonl")


def test_a_pipe_output_is_a_stream_and_stays_a_pipe(tmp_path):
    src = _corpus(tmp_path, 2)
    fifo = tmp_path / "records.jsonl"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()), daemon=True)
    reader.start()
    proc = subprocess.run([*CLI, str(src), "-o", str(fifo), "--html-field", "html", "-q"], capture_output=True,
                          text=True, timeout=120)
    reader.join(10)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # never replaced by a regular file
    assert [json.loads(line)["id"] for line in got[0].splitlines()] == ["d0000", "d0001"]


def test_a_full_device_is_one_line_and_left_alone(tmp_path):
    src = _corpus(tmp_path, 2)
    full = _device(tmp_path, "full")
    proc = subprocess.run([*CLI, str(src), "-o", full, "--html-field", "html", "-q"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 1
    assert "No space left on device" in _one_error_line(proc.stderr)
    assert stat.S_ISCHR(os.stat(full).st_mode)


def test_an_output_another_process_holds_is_refused(tmp_path):
    # the lock as a run holds it, taken here so that no timing is involved
    from cleaners.io.guard import output_lock, plan_output

    src = _corpus(tmp_path, 1)
    out = tmp_path / "out.jsonl"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time\n"
        "from cleaners.io.guard import output_lock, plan_output\n"
        f"with output_lock(plan_output({str(out)!r})):\n"
        "    print('held', flush=True)\n"
        "    sys.stdin.read()\n")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        proc = subprocess.run([*CLI, str(src), "-o", str(out), "--html-field", "html", "-q"], capture_output=True,
                              text=True, timeout=120)
        assert proc.returncode == 2
        assert "another run is writing" in _one_error_line(proc.stderr)
        assert not out.exists()
    finally:
        holder.communicate("", timeout=60)
    with output_lock(plan_output(str(out))):  # released with its holder
        pass


def test_two_runs_on_one_output_the_second_is_refused(tmp_path):
    # enough pages that the first run is still writing when the second has started up
    src = _corpus(tmp_path, 3000)
    out = tmp_path / "out.jsonl"
    cmd = [*CLI, str(src), "-o", str(out), "--html-field", "html", "-j", "1", "-q"]
    first = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 60
        while not (tmp_path / "out.jsonl.part").exists() and time.time() < deadline:
            time.sleep(0.02)
        second = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        assert first.poll() is None, "the first run ended before the second started"
        assert second.returncode == 2
        assert "another run is writing" in _one_error_line(second.stderr)
    finally:
        first.wait(timeout=120)
    assert first.returncode == 0, first.stderr.read()
    assert len(list(iter_records(str(out), strict=True))) == 3000  # the first run's output is whole
    assert not (tmp_path / "out.lock").exists()


def test_an_unwritable_output_directory_is_one_line(tmp_path, capsys):
    src = _corpus(tmp_path, 1)
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert main(["clean", str(src), "-o", str(blocker / "out.jsonl"), "--html-field", "html", "-q"]) == 2
    assert "cannot write" in _one_error_line(capsys.readouterr().err)
    if os.geteuid() != 0:  # permissions bind everyone but root
        ro = tmp_path / "ro"
        ro.mkdir(mode=0o555)
        assert main(["clean", str(src), "-o", str(ro / "out.jsonl"), "--html-field", "html", "-q"]) == 2
        assert "Permission denied" in _one_error_line(capsys.readouterr().err)


def _limit_file_size(size: int):
    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG), as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    return limit


def _each_once(out: Path, errors: Path, n: int) -> None:
    ids = Counter(r["id"] for r in iter_records(str(out), strict=True))
    if errors.exists():
        ids.update(e["id"] for e in iter_records(str(errors), strict=True))
    assert set(ids) == {f"d{i:04d}" for i in range(n)} and max(ids.values()) == 1


def test_a_write_that_fails_mid_run_is_one_line_and_resumable(tmp_path):
    src = _corpus(tmp_path, 40)
    out = tmp_path / "out.jsonl"
    cmd = [*CLI, str(src), "-o", str(out), "--html-field", "html", "-j", "1", "-q"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, preexec_fn=_limit_file_size(30_000))
    assert proc.returncode == 1
    line = _one_error_line(proc.stderr)
    assert "File too large" in line and "--resume" in line and "out.jsonl.part" in line
    assert (tmp_path / "out.jsonl.part").exists() and not out.exists()
    subprocess.run([*cmd, "--resume"], check=True, timeout=120)
    _each_once(out, tmp_path / "out.errors.jsonl", 40)


def _stop_mid_run(tmp_path: Path, sig: int) -> subprocess.CompletedProcess:
    src = _corpus(tmp_path, 400)
    out = tmp_path / "out.jsonl"
    cmd = [*CLI, str(src), "-o", str(out), "--html-field", "html", "-j", "2", "-q"]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, start_new_session=True)
    part = tmp_path / "out.jsonl.part"
    deadline = time.time() + 60
    while not (part.exists() and part.stat().st_size > 4000) and proc.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    os.killpg(proc.pid, sig)  # what Ctrl-C sends (the whole group), or a service manager's SIGTERM
    _, err = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(cmd, proc.returncode, "", err)


@pytest.mark.parametrize("sig,code,word", [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")],
                         ids=["ctrl-c", "sigterm"])
def test_a_stopped_run_is_one_line_and_resumable(tmp_path, sig, code, word):
    stopped = _stop_mid_run(tmp_path, sig)
    assert stopped.returncode == code
    assert word in _one_error_line(stopped.stderr) and "--resume" in stopped.stderr
    subprocess.run([*stopped.args, "--resume"], check=True, timeout=120)
    _each_once(tmp_path / "out.jsonl", tmp_path / "out.errors.jsonl", 400)


def test_dev_stdout_redirected_to_a_file_is_written_through(tmp_path):
    src = _corpus(tmp_path, 2)
    target = tmp_path / "redirected.jsonl"
    with open(target, "wb") as fh:  # `newsclean clean ... -o /dev/stdout > redirected.jsonl`
        proc = subprocess.run([*CLI, str(src), "-o", "/dev/stdout", "--html-field", "html", "-q"], stdout=fh,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert os.path.islink("/dev/stdout")  # the link is not replaced by a file
    assert [json.loads(line)["id"] for line in target.read_text("utf-8").splitlines()] == ["d0000", "d0001"]
    with open(src, "ab") as fh:  # ... >> in.jsonl: the output is the input
        proc = subprocess.run([*CLI, str(src), "-o", "/dev/stdout", "--html-field", "html", "-q"], stdout=fh,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    assert proc.returncode == 2 and "would replace the input" in _one_error_line(proc.stderr)
