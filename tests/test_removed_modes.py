"""`removed: full|counts|none` (CleanerConfig, `clean --removed`, the crawler's NEWSCLEAN_REMOVED): what the records
keep of the removed spans, how much smaller the output gets, and that the tools reading removed spans still work."""
from __future__ import annotations

import json

import pytest
from schema_pages import PARAS

from cleaners import CleanerConfig, ConfigError, clean_file, clean_html
from cleaners.cli import main

MODES = ("full", "counts", "none")


def portal_page(n: int) -> str:
    """A portal article under a long menu, beside a sidebar of headlines, above comments and a footer: the
    furniture outweighs the article, as it does on most pages of the development sets."""
    menu = "".join(f'<li><a href="/c{i}/">频道{i}</a></li>' for i in range(40))
    side = "".join(f'<li><a href="/n/{n}{i}.html">本市第{i}条热点新闻标题示例文字</a></li>' for i in range(30))
    comments = "".join(f"<p>网友{i}：这个政策很好，希望尽快落实，我们都很期待新学校早日建成。</p>" for i in range(12))
    body = "".join(f"<p>{p}</p>" for p in PARAS)
    return (f'<html><head><meta charset="utf-8"><title>本市新建学校{n}_教育频道</title></head><body>'
            f'<ul class="nav">{menu}</ul><h1>本市新建学校{n}</h1><div class="content">{body}</div>'
            f'<div class="related"><h3>相关新闻</h3><ul>{side}</ul></div>'
            f'<div class="comments"><h3>网友评论</h3>{comments}</div>'
            '<div class="footer">版权所有 示例新闻网 京ICP备00000000号 联系我们 关于我们 广告服务 网站地图</div>'
            "</body></html>")


def test_config_key_is_checked():
    assert CleanerConfig().removed == "full"
    assert CleanerConfig.from_dict({"removed": "counts"}).removed == "counts"
    with pytest.raises(ConfigError, match="removed must be one of full, counts, none"):
        CleanerConfig.from_dict({"removed": "some"})


def test_each_mode_keeps_what_it_says():
    page = portal_page(1)
    full, counts, none = (clean_html(page, config=CleanerConfig(removed=m)).provenance for m in MODES)
    assert full.removed and all(r.rule and r.text for r in full.removed)
    # counts: per rule, the spans and characters the full record lists, in order of first removal
    expected: dict[str, list[int]] = {}
    for r in full.removed:
        expected.setdefault(r.rule, [0, 0])
        expected[r.rule][0] += 1
        expected[r.rule][1] += len(r.text)
    as_counted = [{"rule": rule, "count": n, "chars": c} for rule, (n, c) in expected.items()]
    assert full.removed_counts == as_counted and counts.removed_counts == as_counted
    assert counts.removed is None
    assert none.removed is None and none.removed_counts is None


def test_the_text_and_metadata_do_not_depend_on_the_mode():
    docs = [clean_html(portal_page(2), config=CleanerConfig(removed=m)).to_dict() for m in MODES]
    for d in docs:
        d.pop("provenance")
    assert docs[0] == docs[1] == docs[2]


def test_cli_flag_and_sizes_on_a_synthetic_set(tmp_path, capsys):
    """`--removed counts` keeps at most 40% of the full output's bytes on pages whose furniture outweighs the
    article; `none` is smaller still. The run summary still counts removals per rule with `counts`."""
    pages = tmp_path / "pages"
    pages.mkdir()
    for i in range(12):
        (pages / f"p{i}.html").write_text(portal_page(i), encoding="utf-8")
    sizes = {}
    for mode in MODES:
        out = tmp_path / f"{mode}.jsonl"
        assert main(["clean", str(pages), "-o", str(out), "--removed", mode, "-j", "1"]) == 0
        sizes[mode] = out.stat().st_size
        summary = capsys.readouterr().err
        assert ("removals by rule:" in summary) == (mode != "none")
        recs = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
        assert len(recs) == 12
        assert all((r["provenance"]["removed"] is None) == (mode != "full") for r in recs)
    assert sizes["counts"] <= 0.4 * sizes["full"], sizes
    assert sizes["none"] < sizes["counts"]


def test_config_file_sets_the_mode_and_the_flag_wins(tmp_path):
    page = tmp_path / "p.html"
    page.write_text(portal_page(3), encoding="utf-8")
    config = tmp_path / "newsclean.yaml"
    config.write_text("removed: none\n", encoding="utf-8")
    for extra, removed_counts_null in (([], True), (["--removed", "counts"], False)):
        out = tmp_path / "out.jsonl"
        assert main(["clean", str(page), "-o", str(out), "--config", str(config), "-q", *extra]) == 0
        prov = json.loads(out.read_text("utf-8"))["provenance"]
        assert prov["removed"] is None and (prov["removed_counts"] is None) == removed_counts_null


def test_a_bad_flag_value_is_a_usage_error(tmp_path):
    with pytest.raises(SystemExit) as exc:
        main(["clean", str(tmp_path), "-o", str(tmp_path / "o.jsonl"), "--removed", "some"])
    assert exc.value.code == 2


def test_explain_shows_every_span_whatever_the_config(tmp_path, seeds_dir):
    """explain cleans the page itself and needs the spans: a config with `removed: none` does not hide them."""
    from cleaners.tools.explain import explain_file, render_text

    seed = seeds_dir / "003_eb5bf98bd8c8b1df.txt"
    ex = explain_file(seed, CleanerConfig(removed="none"))
    assert ex.trace.document.provenance.removed == clean_file(seed).provenance.removed
    assert "[-end_marker: (完)-]" in render_text(ex)


def test_explain_of_a_json_lines_input_shows_the_spans_with_removed_none(tmp_path, capsys):
    from test_readers_pages import write_jsonl

    src = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "html": portal_page(5)}])
    config = tmp_path / "c.yaml"
    config.write_text("removed: none\n", encoding="utf-8")
    assert main(["explain", str(src), "--html-field", "html", "--config", str(config), "--color", "never"]) == 0
    shown = capsys.readouterr().out
    assert "[-comment_section: 网友评论-]" in shown and "comment_section" in shown.split("removed by rule:")[1]


def test_the_crawler_reads_the_mode_from_its_settings(tmp_path):
    """NEWSCLEAN_REMOVED (`newsclean crawl -s NEWSCLEAN_REMOVED=counts`) over the config file's `removed`."""
    from scraper.cleaning import cleaner_config

    config = tmp_path / "c.yaml"
    config.write_text("removed: none\nto_simplified: true\n", encoding="utf-8")
    assert cleaner_config(str(config), None) == CleanerConfig(removed="none", to_simplified=True)
    assert cleaner_config(str(config), "counts") == CleanerConfig(removed="counts", to_simplified=True)
    assert cleaner_config(None, None) == CleanerConfig()
    with pytest.raises(ConfigError):
        cleaner_config(None, "all")


def test_crawl_worker_records_follow_the_config(monkeypatch):
    """The crawler's cleaning worker builds its records with the config the spider gives it (init_worker sets it
    in each worker; set here directly, without the warm-up's freezing of the test process's heap)."""
    from scraper import cleanwork

    source = {"name": "https://n.example.com/a.html", "url": "https://n.example.com/a.html"}
    for mode in MODES:
        monkeypatch.setattr(cleanwork, "_config", CleanerConfig.from_dict(CleanerConfig(removed=mode).to_dict()))
        out = cleanwork.process_page(portal_page(4).encode(), source, True)
        prov = json.loads(out.line)["provenance"]
        assert (prov["removed"] is not None, prov["removed_counts"] is not None) == {
            "full": (True, True), "counts": (False, True), "none": (False, False)}[mode]
