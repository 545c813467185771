"""`newsclean clean`: outputs, errors file, atomic writes, exit codes."""
import json
import os
import subprocess
import sys
from pathlib import Path

from cleaners.cli import main

ARTICLE = (
    "面对产业转型，全省深化产教融合，以职业教育的优质发展服务经济社会发展。\n"
    "一年来，全省职业教育为企业培养高素质的技术技能人才9.2万人，开展社会培训33万多人。\n"
)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def test_directory_recursion_records_and_errors(tmp_path):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (src / "sub" / "b.txt").write_bytes(ARTICLE.encode("gbk"))
    (src / "empty.txt").write_text("", encoding="utf-8")
    (src / "menu.html").write_text("<html><body><a href='/'>首页</a></body></html>", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["clean", str(src), "-o", str(out), "-q"]) == 0
    records, errors = read_jsonl(out), read_jsonl(tmp_path / "out.errors.jsonl")
    assert sorted(Path(r["provenance"]["source"]).name for r in records) == ["a.txt", "b.txt"]
    assert {Path(e["source"]).name: e["reason"] for e in errors} == {"empty.txt": "empty", "menu.html": "no_text"}
    assert all(set(e) >= {"source", "error"} for e in errors)
    gbk = next(r for r in records if r["provenance"]["source"].endswith("b.txt"))
    assert gbk["provenance"]["encoding"] == "gb18030" and "产教融合" in gbk["text"]


def test_missing_path_is_a_usage_error(tmp_path, capsys):
    code = main(["clean", str(tmp_path / "nope"), "-o", str(tmp_path / "o.jsonl")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "no such file or directory" in err[0]
    assert not (tmp_path / "o.jsonl").exists()


def test_stdout_output(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "cleaners.cli", "clean", str(tmp_path / "a.txt"), "-o", "-", "-q"],
                          capture_output=True, text=True, check=True)
    assert json.loads(proc.stdout)["text"].startswith("面对产业转型")


def test_output_is_replaced_atomically(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    out.write_text("previous run\n", encoding="utf-8")
    import cleaners.run.batch as batch

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(batch, "clean_file", boom)
    assert main(["clean", str(tmp_path / "a.txt"), "-o", str(out), "-q"]) == 130  # Ctrl-C: 128 + SIGINT
    # an interrupted run leaves the previous output untouched and no temporary file behind
    assert out.read_text("utf-8") == "previous run\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".tmp")] == []


def test_summary_on_stderr(tmp_path):
    (tmp_path / "a.txt").write_text("首页\n" + ARTICLE + "版权声明\n本站所有文章未经许可不得转载。\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "cleaners.cli", "clean", str(tmp_path), "-o",
                           str(tmp_path / "o.jsonl")], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert "documents: 1" in proc.stderr and "text in: " in proc.stderr
    assert "disclaimer_header" in proc.stderr
