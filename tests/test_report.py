"""The explain report as HTML: self-contained, every removed span labelled with its rule, page text escaped."""
from __future__ import annotations

from pathlib import Path

import pytest
from lxml import html as lxml_html

from cleaners.cli import main
from cleaners.tools.explain import explain_bytes, explain_file
from cleaners.tools.report import render_report

SEEDS = ["seeds/003_eb5bf98bd8c8b1df.txt", "seeds/000_b90814e18ec9e984.txt"]


@pytest.fixture(scope="module")
def explained(request: pytest.FixtureRequest) -> list:
    root = Path(request.config.rootpath)
    hostile = explain_bytes(
        "<script>alert(1)</script>标题\n这是一段正文，含有<b>标签</b>和&amp;实体，不应被当作网页代码执行。\n\u202e版权声明\n".encode(),
        'evil"<name>.txt',
    )
    return [explain_file(root / s) for s in SEEDS] + [hostile, explain_bytes(b"", "empty.html")]


@pytest.fixture(scope="module")
def tree(explained: list) -> lxml_html.HtmlElement:
    return lxml_html.document_fromstring(render_report(explained))


def _expected_spans(ex) -> list[tuple[str, str]]:
    spans = [(r.rule, r.text) for r in ex.trace.removed_before]
    spans += [(s.rule, s.text) for row in ex.trace.annotated for s in row if s.rule and s.text]
    return spans


def test_every_removed_span_is_in_place_with_its_rule_label(explained: list, tree) -> None:
    for i, ex in enumerate(explained):
        if not ex.ok:
            continue
        doc = tree.get_element_by_id(f"doc-{i}")
        spans = doc.find_class("removed")
        got = []
        for el in spans:
            label = el.find_class("rule-label")
            assert len(label) == 1 and label[0].text_content() == el.get("data-rule")
            got.append((el.get("data-rule"), el.text_content()[len(label[0].text_content()):]))
        assert got == _expected_spans(ex)
        kept_lines = ["".join(el.text_content() for el in p.find_class("kept")).strip() for p in doc.find_class("line")]
        assert "\n".join(k for k in kept_lines if k) == ex.trace.document.text


def test_kept_and_removed_text_account_for_each_line(explained: list, tree) -> None:
    ex = explained[0]
    lines = [p for p in tree.get_element_by_id("doc-0").find_class("line") if "before" not in p.get("class")]
    assert len(lines) == len(ex.trace.annotated)
    for p, row in zip(lines, ex.trace.annotated, strict=True):
        text = "".join(
            el.text_content() if "kept" in el.get("class") else el.text_content()[len(el.get("data-rule")):]
            for el in p
        )
        assert text == "".join(s.text for s in row)


def test_filters_list_every_rule_with_its_count(explained: list, tree) -> None:
    boxes = {b.get("data-rule"): b for b in tree.xpath('//nav[@id="filters"]//input[@type="checkbox"]')}
    rules = {el.get("data-rule") for el in tree.find_class("removed")}
    assert set(boxes) == rules
    assert all(b.get("checked") is not None for b in boxes.values())
    assert tree.get_element_by_id("show-all") is not None and tree.get_element_by_id("hide-all") is not None


def test_metadata_and_provenance_beside_the_text(explained: list, tree) -> None:
    aside = tree.get_element_by_id("doc-0").find(".//aside")
    text = aside.text_content()
    assert "北京职业教育宣传月启动" in text and "2023-05-27T21:07:23" in text
    assert explained[0].trace.document.provenance.sha256 in text
    assert "seeds/003_eb5bf98bd8c8b1df.txt" in text


def test_errors_are_listed_with_their_reason(tree) -> None:
    errors = tree.find_class("error")
    assert len(errors) == 1 and errors[0].get("data-reason") == "empty"


def test_report_is_self_contained(explained: list) -> None:
    html = render_report(explained)
    tree = lxml_html.document_fromstring(html)
    assert not tree.xpath("//link | //img | //iframe | //object | //embed | //script[@src] | //*[@src]")
    assert not tree.xpath("//*[@href]")
    assert "http-equiv=\"Content-Security-Policy\"" in html and "default-src 'none'" in html
    assert "@import" not in html and "url(" not in html


def test_page_text_is_escaped(explained: list) -> None:
    html = render_report(explained)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>标签</b>" not in html
    assert 'evil"<name>' not in html and "evil&quot;&lt;name&gt;.txt" in html
    assert "\u202e" not in html
    assert len(lxml_html.document_fromstring(html).xpath("//script")) == 1


def test_cli_writes_the_report(root: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "report.html"
    assert main(["explain", str(root / "seeds"), "--html", str(out)]) == 0
    assert "5 documents, 5 cleaned, 0 errors" in capsys.readouterr().err
    tree = lxml_html.document_fromstring(out.read_text("utf-8"))
    assert len(tree.find_class("doc")) == 5
