"""`newsclean crawl -q` prints nothing but an error that stops the crawl: the errors Scrapy logs for hosts that do
not resolve or refuse connections go to OUTDIR/crawl.log. Nothing leaves the machine: host names fail in a resolver
of our own (tests/dns_failure.py) and the refused connections are to a closed port on 127.0.0.1."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import scrapy.settings.default_settings as scrapy_defaults

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
# Scrapy >= 2.13 names the resolver setting TWISTED_DNS_RESOLVER; older versions DNS_RESOLVER
RESOLVER = "TWISTED_DNS_RESOLVER" if hasattr(scrapy_defaults, "TWISTED_DNS_RESOLVER") else "DNS_RESOLVER"
FAST = ["-s", "RETRY_TIMES=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0",
        "-s", "DOWNLOAD_TIMEOUT=5", "--workers", "1"]


def _closed_port() -> int:
    with socket.socket() as s:  # bound and closed again: nothing listens there
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _crawl(tmp_path: Path, start_url: str, *extra: str) -> tuple[subprocess.CompletedProcess, Path]:
    tmp_path.mkdir(exist_ok=True)
    sources = tmp_path / "sources.yaml"
    sources.write_text(json.dumps({"sources": [{"name": "gone", "start_urls": [start_url]}]}), "utf-8")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "cleaners.cli", "crawl", "--sources", str(sources), "-o", str(out), *FAST, *extra]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]))
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=ROOT, env=env), out


def test_dns_errors_go_to_the_log_not_the_terminal(tmp_path):
    unknown = ["-s", f"{RESOLVER}=dns_failure.FailingResolver", "-s", "ROBOTSTXT_OBEY=False"]
    loud, _ = _crawl(tmp_path / "loud", "http://news.example.invalid/", *unknown)
    assert loud.returncode == 0 and "DNS lookup failed" in loud.stderr  # what -q is there to silence
    quiet, out = _crawl(tmp_path / "quiet", "http://news.example.invalid/", *unknown, "-q")
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == ""
    assert "DNS lookup failed" in (out / "crawl.log").read_text("utf-8")
    skipped = [json.loads(line) for line in (out / "skipped.jsonl").read_text("utf-8").splitlines()]
    assert [s["reason"] for s in skipped] == ["dns_error"]
    assert json.loads((out / "summary.json").read_text("utf-8"))["finish_reason"] == "finished"


def test_refused_connections_go_to_the_log_not_the_terminal(tmp_path):
    # robots.txt obeyed: its fetch is refused, the host is disallowed, and Scrapy logs the failure
    quiet, out = _crawl(tmp_path, f"http://127.0.0.1:{_closed_port()}/", "-q")
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == ""
    log = (out / "crawl.log").read_text("utf-8")
    assert "Connection was refused" in log and "robots.txt" in log
