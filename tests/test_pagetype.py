"""Article or list page, decided from the DOM (cleaners.html.pagetype)."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from lxml import html as lxml_html

from cleaners.decode.charset import decode_bytes
from cleaners.html.pagetype import page_kind, page_kind_html, url_hint

SITE = Path(__file__).resolve().parent.parent / "fixtures" / "site"
ARTICLES = {json.loads(line)["path"] for line in (SITE / "gold.jsonl").read_text("utf-8").splitlines()}
ARTICLES.add("/internal/t20240101_9001.html")
PAGES = sorted("/" + p.relative_to(SITE).as_posix() for p in SITE.rglob("*.html"))
TOPIC = "/zyjy/202405/t20240530_2000.html"  # a list of headlines at an article-like URL

NAV = "".join(f'<li><a href="/c{i}/">栏目{i}</a></li>' for i in range(8))
PARA = "近日，某职业技术学院与本地装备企业签订校企合作协议，双方将共建实训基地，共同培养智能制造技能人才。"


def _kind(path: str) -> str:
    text = decode_bytes((SITE / path.lstrip("/")).read_bytes(), None).text
    return page_kind_html(text, "http://127.0.0.1" + path).kind


@pytest.mark.parametrize("path", PAGES)
def test_fixture_pages(path):
    assert _kind(path) == ("article" if path in ARTICLES else "list")


def test_list_page_with_an_article_url_is_a_list():
    assert url_hint("http://127.0.0.1" + TOPIC) == "article"
    assert _kind(TOPIC) == "list"


def test_short_article():
    page = f"<html><body><ul class=nav>{NAV}</ul><h1>一则简讯</h1><p>{PARA}</p></body></html>"
    kind = page_kind_html(page)
    assert kind.kind == "article", kind


def test_article_with_a_long_related_list():
    related = "".join(f'<li><a href="/a/{i}.html">某地职业院校深化产教融合工作的第{i}篇相关报道</a></li>'
                      for i in range(40))
    page = (f"<html><body><ul>{NAV}</ul><h1>标题</h1><div class=content>{('<p>' + PARA + '</p>') * 5}</div>"
            f"<div class=related><h3>相关阅读</h3><ul>{related}</ul></div></body></html>")
    kind = page_kind_html(page, "http://x.cn/news/")  # even at a list-like URL
    assert kind.kind == "article", kind
    assert kind.title_links == 40


def test_list_with_summaries_is_a_list():
    items = "".join(f'<div class=item><h3><a href="/a/{i}.html">第{i}条职业教育新闻的标题文字</a></h3>'
                    f"<p>{PARA}</p></div>" for i in range(12))
    kind = page_kind_html(f"<html><body><ul>{NAV}</ul>{items}</body></html>")
    assert kind.kind == "list", kind
    assert kind.main_prose < kind.prose_chars / 2


def test_list_items_with_inline_summaries_are_a_list():
    items = "".join(f'<li><a href="/a/{i}.html">第{i}条职业教育新闻的标题文字</a> {PARA}</li>' for i in range(12))
    assert page_kind_html(f"<html><body><ul>{items}</ul></body></html>").kind == "list"


def test_empty_and_link_only_pages_are_lists():
    assert page_kind_html("<html><body></body></html>").kind == "list"
    assert page_kind_html(f"<html><body><ul>{NAV}</ul></body></html>").kind == "list"
    assert page_kind_html("").kind == "list"


def test_scripts_and_comments_do_not_count():
    page = f"<html><body><script>var a = '{PARA * 5}';</script><!-- {PARA * 5} --><ul>{NAV}</ul></body></html>"
    assert page_kind_html(page).kind == "list"


def test_url_hints():
    assert url_hint("http://x.cn/2024/05/12/abc.html") == "article"
    assert url_hint("http://x.cn/zyjy/t20240512_123.html") == "article"
    assert url_hint("http://x.cn/zyjy/index_2.html") == "list"
    assert url_hint("http://x.cn/zyjy/") == "list"
    assert url_hint("http://x.cn/news/list?page=3") == "list"
    assert url_hint(None) is None


def test_fast_on_a_large_page():
    links = "".join(f'<li><a href="/a/{i}.html">第{i}条新闻标题文字</a></li>' for i in range(2000))
    body = links + ("<p>" + PARA + "</p>") * 300
    tree = lxml_html.document_fromstring(f"<html><body><ul>{body}</ul></body></html>")
    start = time.perf_counter()
    page_kind(tree)
    assert time.perf_counter() - start < 0.25  # a few ms in practice; generous for a loaded CI machine
