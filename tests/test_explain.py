"""`newsclean explain` on a terminal and through a pipe: every removed span marked with its rule."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from cleaners.cli import main
from cleaners.commands.explain import use_color
from cleaners.tools.explain import explain_bytes, explain_file, render_text, safe

SEED = "seeds/003_eb5bf98bd8c8b1df.txt"
_MARK = re.compile(r"\[-([a-z0-9_]+): (.*?)-\]")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture
def seed(root: Path) -> Path:
    return root / SEED


def test_plain_output_marks_each_removed_span_with_its_rule(seed: Path) -> None:
    out = render_text(explain_file(seed), color=False)
    assert "\x1b[" not in out
    assert "[-end_marker: (完)-]" in out
    assert "[-dateline: 网络编辑 政务 2023-05-27 21:07:23 0 职业教育 北京 北京市-]" in out
    assert "[-comment_section: " in out
    # kept prose is printed as it is, unmarked
    assert "\n北京5月27日电 （记者 杜燕）今天，" in out


def test_markers_account_for_every_removal_in_provenance(seed: Path) -> None:
    ex = explain_file(seed)
    out = render_text(ex, color=False)
    body = out.split("\nmetadata:\n")[0]
    marked = [(rule, text.strip()) for rule, text in _MARK.findall(body) if text.strip()]
    recorded = [(r.rule, r.text) for r in ex.trace.document.provenance.removed]
    assert sorted(marked) == sorted(recorded)


def test_metadata_and_counts_follow_the_text(seed: Path) -> None:
    ex = explain_file(seed)
    out = render_text(ex, color=False)
    meta = out.split("\nmetadata:\n")[1].split("\nremoved by rule:\n")[0]
    assert "title:       北京职业教育宣传月启动 发布“入学即入职”项目" in meta
    assert "published:   2023-05-27T21:07:23" in meta
    assert "author:      杜燕" in meta
    counts = dict(re.findall(r"^  ([a-z0-9_]+)\s+(\d+) spans?", out.split("\nremoved by rule:\n")[1], re.M))
    assert {k: int(v) for k, v in counts.items()} == dict(ex.rule_counts())
    assert re.search(r"^kept [\d,]+ of [\d,]+ characters \(\d+%\)$", out, re.M)


def test_terminal_output_is_coloured_and_labelled(seed: Path) -> None:
    out = render_text(explain_file(seed), color=True)
    assert "\x1b[" in out and "[-" not in out
    plain = _ANSI.sub("", out)
    assert "(完) ‹end_marker›" in plain


def test_front_matter_shows_as_removed_before_the_text(root: Path) -> None:
    out = render_text(explain_file(root / "seeds/000_b90814e18ec9e984.txt"), color=False)
    first = out.splitlines()[1:4]
    assert all(line.startswith("[-front_matter: ") for line in first)


def test_errors_are_shown_with_their_reason(tmp_path: Path) -> None:
    (tmp_path / "empty.html").write_bytes(b"")
    ex = explain_file(tmp_path / "empty.html")
    assert not ex.ok and ex.reason == "empty"
    assert "error (empty):" in render_text(ex)
    missing = explain_file(tmp_path / "missing.txt")
    assert missing.reason == "unreadable"


def test_control_and_bidi_characters_never_reach_the_terminal() -> None:
    assert safe("a\x1b[31mb\u202ec") == "a\\x1b[31mb\\u202ec"
    page = "\x1b[2J标题\n这是一段正文，用来测试终端输出是否安全。\u202e这一句被反转了。\n"
    ex = explain_bytes(page.encode(), "x\x1b]0;t\x07.txt")
    out = render_text(ex, color=False)
    assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out


def test_use_color_follows_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty:
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert use_color("auto", Tty()) is True
    assert use_color("auto", sys.stdout if not sys.stdout.isatty() else object()) is False
    assert use_color("never", Tty()) is False and use_color("always", object()) is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_color("auto", Tty()) is False


def test_cli_piped_prints_plain_markers_and_exits_0(root: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "cleaners.cli", "explain", SEED], cwd=root, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "[-end_marker: (完)-]" in proc.stdout and "\x1b[" not in proc.stdout
    assert "removed by rule:" in proc.stdout


def test_cli_exits_1_when_an_input_fails(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "blank.txt").write_text("   \n")
    (tmp_path / "ok.txt").write_text("这是一段足够长的正文，包含标点符号，用来测试解释命令。\n" * 3)
    assert main(["explain", str(tmp_path), "--color", "always"]) == 1
    out = capsys.readouterr().out
    assert "error (empty)" in out and "这是一段足够长的正文" in out


def test_explain_refuses_a_fifo_without_opening_it(tmp_path):
    import os

    from cleaners.tools.explain import explain_file

    fifo = tmp_path / "page.html"
    os.mkfifo(fifo)
    result = explain_file(fifo)  # opening it would wait for a writer for ever
    assert result.reason == "not_a_file"
