"""The CLI checks before it works: `--version`; `-o` (and `explain --html`, `crawl -o`) refused in one line with
exit code 2 before anything is read or written; field flags that no input can use; progress bars with a total
when asked for and never under -q; the summary's text characters; `explain` on JSON Lines and Parquet; `bench`
and `eval` on a folder that is not a gold set."""
from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from test_readers_pages import article_html, write_jsonl, write_parquet, write_warc

import cleaners.run.batch
import cleaners.tools.explain
from cleaners.cli import main
from cleaners.html.parse import parse_html, text_chars

ARTICLE = (
    "面对产业转型，全省深化产教融合，以职业教育的优质发展服务经济社会发展。\n"
    "一年来，全省职业教育为企业培养高素质的技术技能人才9.2万人，开展社会培训33万多人。\n"
)


def _one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith("newsclean: error: "), lines[0]
    return lines[0]


@pytest.fixture
def no_work(monkeypatch):
    """Fail the test if a run starts reading or cleaning: the checks must come first."""
    def started(*args, **kwargs):
        raise AssertionError("the run started before the check refused it")

    monkeypatch.setattr(cleaners.run.batch, "clean_inputs", started)
    monkeypatch.setattr(cleaners.tools.explain, "explain_item", started)


def _listing(directory: Path) -> set[str]:
    return {str(p.relative_to(directory)) for p in directory.rglob("*")}


# ---- --version ----------------------------------------------------------------------------------------------


def test_version_names_newsclean_and_trafilatura(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"newsclean {metadata.version('newsclean')} ")
    assert f"trafilatura {metadata.version('trafilatura')}" in line


# ---- -o checked up front --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, shown", [("out.bz2", ".bz2"), ("out.jsonl.bz2", ".jsonl.bz2"), ("out.csv", ".csv"),
                                         ("out.json", ".json"), ("out", "no suffix")])
def test_unknown_output_suffix_is_one_line_before_any_work(tmp_path, capsys, no_work, name, shown):
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "html": article_html(0)}])
    before = _listing(tmp_path)
    assert main(["clean", str(src), "-o", str(tmp_path / name), "--html-field", "html"]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert f"unknown output format ({shown})" in line and ".jsonl.zst" in line
    assert _listing(tmp_path) == before  # no output, no .part, no lock, no errors file


def test_known_suffixes_pass_the_check(tmp_path):
    # the other side of the check above: the names it lets through are written, case aside
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "html": article_html(0)}])
    for name in ("o.jsonl", "o2.jsonl.gz", "o3.JSONL.ZST", "o4.parquet"):
        assert main(["clean", str(src), "-o", str(tmp_path / name), "--html-field", "html", "-q"]) == 0
        assert (tmp_path / name).stat().st_size > 0


def test_existing_directory_as_output_is_one_line(tmp_path, capsys, no_work):
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "html": article_html(0)}])
    (tmp_path / "outdir.jsonl").mkdir()
    assert main(["clean", str(src), "-o", str(tmp_path / "outdir.jsonl"), "--html-field", "html"]) == 2
    assert "is a directory" in _one_error_line(capsys.readouterr().err)
    assert list((tmp_path / "outdir.jsonl").iterdir()) == []


@pytest.mark.parametrize("report, said", [("dir.html", "is a directory"), ("report.txt", "name it .html"),
                                          ("page.html", "would replace the input")])
def test_explain_report_is_checked_before_any_page_is_explained(tmp_path, capsys, no_work, report, said):
    (tmp_path / "dir.html").mkdir()
    page = tmp_path / "page.html"
    page.write_text(article_html(0), "utf-8")
    before = _listing(tmp_path)
    assert main(["explain", str(page), "--html", str(tmp_path / report)]) == 2
    assert said in _one_error_line(capsys.readouterr().err)
    assert _listing(tmp_path) == before and page.read_text("utf-8") == article_html(0)


def test_crawl_output_that_is_a_file_is_one_line(tmp_path):
    sources = tmp_path / "sources.yaml"
    sources.write_text('sources: [{name: s, start_urls: ["http://127.0.0.1:9/"]}]\n', "utf-8")
    (tmp_path / "afile").write_text("x", "utf-8")
    for out, said in ((tmp_path / "afile", "is not a directory"), (tmp_path / "afile" / "sub", "is not a directory")):
        # a subprocess: the check must come before Scrapy or the cleaning workers start
        proc = subprocess.run([sys.executable, "-m", "cleaners.cli", "crawl", "--sources", str(sources), "-o",
                               str(out), "-q"], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2 and said in _one_error_line(proc.stderr)
    assert (tmp_path / "afile").read_text("utf-8") == "x"


# ---- field flags no input can use ---------------------------------------------------------------------------


@pytest.fixture
def untabular(tmp_path) -> list[str]:
    """Inputs with no fields: a directory of pages, a page file, a WARC."""
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.html").write_text(article_html(0), "utf-8")
    (tmp_path / "b.txt").write_text(ARTICLE, "utf-8")
    warc = write_warc(tmp_path / "c.warc.gz", [("http://example.com/c", article_html(1).encode(), "text/html")])
    return [str(pages), str(tmp_path / "b.txt"), str(warc)]


@pytest.mark.parametrize("flags", [["--html-field", "html"], ["--text-field", "body"], ["--id-field", "doc"],
                                   ["--url-field", "link"], ["--keep-fields", "lang"],
                                   ["--html-field", "html", "--id-field", "doc"]])
def test_field_flags_no_input_can_use_are_refused(tmp_path, capsys, no_work, untabular, flags):
    before = _listing(tmp_path)
    for inputs in ([untabular[0]], [untabular[1]], [untabular[2]], untabular):
        assert main(["clean", *inputs, "-o", str(tmp_path / "out.jsonl"), *flags]) == 2
        line = _one_error_line(capsys.readouterr().err)
        assert all(f in line for f in flags if f.startswith("--")) and "no input is JSON Lines or Parquet" in line
        if "--keep-fields" not in flags:  # explain writes no records: it has no --keep-fields
            assert main(["explain", *inputs, *flags]) == 2
            assert "no input is JSON Lines or Parquet" in _one_error_line(capsys.readouterr().err)
    assert _listing(tmp_path) == before


def test_field_flags_are_taken_when_one_input_has_fields(tmp_path, untabular):
    # the same flags beside a JSON Lines input are used, and the pages are cleaned as usual
    src = write_jsonl(tmp_path / "in.jsonl", [{"doc": "x1", "html": article_html(3)}])
    out = tmp_path / "out.jsonl"
    assert main(["clean", *untabular, str(src), "-o", str(out), "--html-field", "html", "--id-field", "doc",
                 "-q"]) == 0
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert len(records) == 4 and "x1" in {r["id"] for r in records}


# ---- progress -----------------------------------------------------------------------------------------------


def _bar_lines(err: str) -> list[str]:
    return [part.strip() for part in err.replace("\r", "\n").splitlines() if part.strip().startswith("cleaning")]


def test_progress_bar_has_a_total_when_forced(tmp_path, capsys):
    pages = tmp_path / "pages"
    pages.mkdir()
    for i in range(5):
        (pages / f"{i}.html").write_text(article_html(i), "utf-8")
    assert main(["clean", str(pages), "-o", str(tmp_path / "p.jsonl"), "--progress", "-j", "1"]) == 0
    bars = _bar_lines(capsys.readouterr().err)
    assert bars and "0/5" in bars[0] and "5/5" in bars[-1] and "file" in bars[-1] and "100%" in bars[-1]

    rows = [{"id": str(i), "html": article_html(i)} for i in range(7)]
    write_parquet(tmp_path / "in.parquet", rows)
    assert main(["clean", str(tmp_path / "in.parquet"), "-o", str(tmp_path / "q.jsonl"), "--html-field", "html",
                 "--progress", "-j", "1"]) == 0
    bars = _bar_lines(capsys.readouterr().err)
    assert "7/7" in bars[-1] and "row" in bars[-1]

    src = write_jsonl(tmp_path / "in.jsonl", rows[:3])
    size = src.stat().st_size  # a few kilobytes: tqdm shows it scaled, e.g. 5.12k/5.12k
    assert main(["clean", str(src), "-o", str(tmp_path / "r.jsonl"), "--html-field", "html", "--progress"]) == 0
    bars = _bar_lines(capsys.readouterr().err)
    assert "100%" in bars[-1] and "B/s" in bars[-1] and f"{size / 1024:.2f}k/{size / 1024:.2f}k" in bars[-1]


def test_progress_does_not_change_what_is_written(tmp_path, capsys):
    # with a bar the inputs are read file by file as measured (a directory's pages and WARCs, then JSON Lines):
    # the same records and errors, in the same order, as without one
    pages = tmp_path / "pages"
    (pages / "warc").mkdir(parents=True)
    for i in range(3):
        (pages / f"{i}.html").write_text(article_html(i), "utf-8")
    (pages / "empty.txt").write_text("", "utf-8")
    write_warc(pages / "warc" / "a.warc.gz", [(f"http://example.com/{i}", article_html(i + 3).encode(), "text/html")
                                             for i in range(2)])
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": "j", "html": article_html(6)}, {"id": "k"}])
    runs = {}
    for flag in ("--progress", "-q"):
        out = tmp_path / f"out{flag}.jsonl"
        assert main(["clean", str(pages), str(src), "-o", str(out), "--html-field", "html", flag, "-j", "2"]) == 0
        records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
        errors = (tmp_path / f"out{flag}.errors.jsonl").read_text("utf-8")
        runs[flag] = ([(r["id"], r["provenance"]["source"], r["text"]) for r in records], errors)
    assert runs["--progress"] == runs["-q"] and len(runs["-q"][0]) == 6
    assert "empty" in runs["-q"][1] and "missing_field" in runs["-q"][1]


def test_no_progress_under_q_or_off_a_terminal(tmp_path, capsys):
    (tmp_path / "a.txt").write_text(ARTICLE, "utf-8")
    assert main(["clean", str(tmp_path / "a.txt"), "-o", str(tmp_path / "o.jsonl"), "-q", "--progress"]) == 0
    assert capsys.readouterr().err == ""  # -q: no bar, no summary
    assert main(["clean", str(tmp_path / "a.txt"), "-o", str(tmp_path / "o.jsonl")]) == 0
    err = capsys.readouterr().err  # standard error is not a terminal here: the summary only
    assert err.startswith("documents: 1") and not _bar_lines(err)


# ---- what "text in" counts ----------------------------------------------------------------------------------


def test_summary_counts_the_text_of_html_not_its_markup(tmp_path, capsys):
    paras = ["本报讯 市交通运输局昨天召开新闻发布会，介绍今年城市公共交通建设的最新进展。" * 3,
             "据介绍，全市今年新开通公交线路十二条，优化调整线路三十五条，新增公交专用道约四十公里。" * 3]
    title = "本市公交建设取得新进展"
    markup = "".join(f'<p class="content-paragraph" style="margin:0 0 1em">{p}</p>' for p in paras)
    script = "<script>" + "var tracker = {id: 1};" * 400 + "</script>"
    style = "<style>" + ".nav a{color:#333}" * 400 + "</style>"
    # no whitespace between elements: the text a reader sees is exactly these strings, one after another
    page = (f"<!DOCTYPE html><html><head><title>{title}</title>{style}</head><body>{script}"
            f'<div class="article"><h1>{title}</h1>{markup}</div>{script}</body></html>')
    (tmp_path / "page.html").write_text(page, "utf-8")
    (tmp_path / "flat.txt").write_text(ARTICLE, "utf-8")
    out = tmp_path / "o.jsonl"
    assert main(["clean", str(tmp_path / "page.html"), str(tmp_path / "flat.txt"), "-o", str(out), "-j", "1"]) == 0
    records = {Path(r["provenance"]["source"]).name: r for r in map(json.loads, out.read_text("utf-8").splitlines())}
    visible = len(title) + sum(map(len, paras))
    assert records["page.html"]["provenance"]["input_chars"] == visible < len(page) / 10
    assert records["flat.txt"]["provenance"]["input_chars"] == len(ARTICLE)  # decoded text, as it is
    line = next(ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("text in:"))
    assert f"text in: {visible + len(ARTICLE):,} characters" in line and "not the markup" in line


def test_page_text_skips_what_is_never_shown_once():
    # a script inside <noscript> and options inside a <select> are taken away with their container, not twice;
    # whitespace runs count as one character, ideographs as one each
    tree = parse_html("<html><body><p>正文一二三</p><noscript><script>var a = 1;</script>请开启脚本</noscript>"
                      "<select><option>甲</option><option>乙</option></select><p>abc \n\t def</p>"
                      "<template><p>模板</p></template><svg><text>图</text></svg></body></html>")
    assert text_chars(tree) == len("正文一二三") + len("abc def")


# ---- explain reads what clean reads -------------------------------------------------------------------------


def test_explain_reads_jsonl_with_the_field_flags(tmp_path, capsys):
    rows = [{"doc": "n1", "body": article_html(1), "link": "http://example.com/n1.html"},
            {"doc": "n2", "other": "no page here"}]
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    code = main(["explain", str(src), "--html-field", "body", "--id-field", "doc", "--url-field", "link",
                 "--color", "never"])
    out = capsys.readouterr().out
    assert code == 1  # the second record has no page: shown with its reason
    assert f"== {src}:1 (id n1) ==" in out and f"== {src}:2 (id n2) ==" in out
    assert "[-dom_" in out and "本市地铁建设取得新进展" in out and "http://example.com/n1.html" in out
    assert "error (missing_field)" in out


def test_explain_reads_parquet_text_and_writes_a_report(tmp_path, capsys):
    flat = "首页 | 新闻 | 体育\n" + ARTICLE + "版权声明\n本站所有文章未经许可不得转载。\n"
    src = write_parquet(tmp_path / "in.parquet", [{"id": "p1", "content": flat}])
    assert main(["explain", str(src), "--text-field", "content", "--color", "never"]) == 0
    out = capsys.readouterr().out
    assert f"== {src}:1 (id p1) ==" in out and "面对产业转型" in out and "[-" in out
    report = tmp_path / "r.html"
    assert main(["explain", str(src), "--text-field", "content", "--html", str(report)]) == 0
    assert 'class="removed"' in report.read_text("utf-8") and "1 documents, 1 cleaned" in capsys.readouterr().err


def test_explain_field_mapping_the_data_lacks_is_one_line(tmp_path, capsys):
    src = write_parquet(tmp_path / "in.parquet", [{"id": "p1", "content": ARTICLE}])
    assert main(["explain", str(src), "--html-field", "html"]) == 2
    assert "no field html" in _one_error_line(capsys.readouterr().err)


# ---- bench and eval on a folder that is not a set -----------------------------------------------------------


def _tiny_set(root: Path, n: int = 2) -> Path:
    (root / "html").mkdir(parents=True)
    with (root / "gold.jsonl").open("w", encoding="utf-8") as fh:
        for i in range(n):
            (root / "html" / f"p{i}.html").write_text(article_html(i), "utf-8")
            fh.write(json.dumps({"id": f"p{i}", "gold": ARTICLE}, ensure_ascii=False) + "\n")
    return root


@pytest.mark.parametrize("command", ["bench", "eval"])
def test_a_folder_without_gold_is_one_line(tmp_path, capsys, command):
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "a.html").write_text(article_html(0), "utf-8")
    assert main([command, str(tmp_path)]) == 2
    assert "no gold.jsonl" in _one_error_line(capsys.readouterr().err)
    assert main([command, str(tmp_path / "nope")]) == 2
    assert "no such folder" in _one_error_line(capsys.readouterr().err)
    (tmp_path / "gold.jsonl").write_text('{"id": "a", "gold": "x"}\nnot json\n', "utf-8")
    assert main([command, str(tmp_path)]) == 2
    assert "gold.jsonl:2: not JSON" in _one_error_line(capsys.readouterr().err)


def test_bench_and_eval_show_progress_when_asked(tmp_path, capsys):
    setdir = _tiny_set(tmp_path / "set", 3)
    assert main(["bench", str(setdir), "--progress"]) == 0
    captured = capsys.readouterr()
    assert "pages: 3" in captured.out and "3/3" in captured.err.replace("\r", "\n").splitlines()[-1]
    assert main(["eval", str(setdir), "--baselines", "keep-all", "--progress"]) == 0
    captured = capsys.readouterr()
    assert "newsclean" in captured.out and "6/6" in captured.err.replace("\r", "\n").strip().splitlines()[-1]
    assert main(["eval", str(setdir), "-q", "--progress"]) == 0 and capsys.readouterr().err == ""
