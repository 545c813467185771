"""The link resolver's memory never changes a verdict: with it, every href resolves as urljoin, canonical_url and
the domain and file-type checks resolve it one by one, whatever pages came before."""
from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from scraper.links import LinkResolver, domain_filter, page_hrefs
from scraper.urls import canonical_url, has_binary_extension

DOMAINS = ("a.cn", "127.0.0.1")


def _reference(base: str, hrefs: list[str]) -> list[str]:
    out = []
    for href in hrefs:
        try:
            url = urljoin(base, href)
        except ValueError:
            continue
        if not url.startswith(("http://", "https://")):
            continue
        try:
            canon = canonical_url(url)
        except ValueError:
            continue
        host = (urlsplit(canon).hostname or "").lower()
        if any(host == d or host.endswith("." + d) for d in DOMAINS) and not has_binary_extension(canon):
            out.append(canon)
    return out


_BASES = ["http://a.cn/news/2024/t1.html", "http://a.cn/news/2024/", "http://a.cn", "https://www.a.cn/x/y?p=1",
          "http://127.0.0.1:8000/news/c3/t20240101_5.html", "http://b.cn/list/index_2.html", "http://a.cn/a;p/b;q"]
_PIECES = ["http:", "HTTPS:", "http://", "https://", "//", "/", "./", "../", "?", "#", ";", "&", "=", ".", "..",
           "a.cn", "WWW.A.cn", "www.a.cn", "b.cn", "127.0.0.1", ":8000", ":80", "x", "t20240101_1", ".html",
           ".pdf", "新闻", "%E6%96%B0", "utm_source=wx", "id=3", "\t", " ", "ftp:", "javascript:", "mailto:x",
           "a.cn.", "[", "user@", "\\"]
_HREF = st.lists(st.sampled_from(_PIECES), min_size=1, max_size=7).map("".join).map(str.strip)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pages=st.lists(st.tuples(st.sampled_from(_BASES), st.lists(_HREF, max_size=12)), min_size=1, max_size=6))
def test_remembered_verdicts_equal_resolving_each_href(pages):
    resolver = LinkResolver(*domain_filter(DOMAINS))  # one resolver across the pages, as in a crawl
    for base, hrefs in pages:
        hrefs = [h for h in dict.fromkeys(hrefs) if h]
        assert list(resolver.resolve(base, None, hrefs)) == _reference(base, hrefs)


def test_an_upper_case_scheme_resolves_as_urljoin_does_on_each_base():
    """urljoin keeps `HTTPS://…` as given under an http page but normalises it under an https one: the verdict
    depends on the base, so it is not remembered by the href alone (found by the property test above)."""
    resolver = LinkResolver(*domain_filter(DOMAINS))
    for base in ("http://a.cn/news/2024/t1.html", "https://www.a.cn/x/y?p=1", "http://a.cn/n/"):
        for href in ("HTTPS://;WWW.A.cn", "HTTP://www.a.cn/t.html"):
            assert list(resolver.resolve(base, None, [href])) == _reference(base, [href]), (base, href)


def test_the_same_href_on_pages_of_other_directories_and_hosts():
    resolver = LinkResolver(*domain_filter(DOMAINS))
    hrefs = ["t2.html", "../up.html", "/root.html", "//a.cn/net.html", "?page=2", "http://A.cn/abs.html#x"]
    for base in ("http://a.cn/n/2024/t1.html", "http://a.cn/n/2025/t9.html", "https://www.a.cn/m/", "http://a.cn"):
        assert list(resolver.resolve(base, None, hrefs)) == _reference(base, hrefs)


def test_base_href_and_a_malformed_one():
    resolver = LinkResolver(*domain_filter(DOMAINS))
    assert list(resolver.resolve("http://a.cn/x/p.html", "/other/", ["q.html"])) == ["http://a.cn/other/q.html"]
    assert list(resolver.resolve("http://a.cn/x/p.html", "http://[bad/", ["q.html"])) == ["http://a.cn/x/q.html"]


def test_once_gives_each_url_the_first_time_only():
    resolver = LinkResolver(*domain_filter(DOMAINS), once=True)
    first = list(resolver.resolve("http://a.cn/n/1.html", None, ["/a.html", "b.html", "/a.html?utm_source=x"]))
    assert first == ["http://a.cn/a.html", "http://a.cn/n/b.html"]
    assert list(resolver.resolve("http://a.cn/n/2.html", None, ["/a.html", "/c.html", "b.html"])) == \
        ["http://a.cn/c.html"]


def test_a_full_memory_is_cleared_and_verdicts_stay_right():
    resolver = LinkResolver(*domain_filter(DOMAINS), max_entries=3, once=True)
    hrefs = [f"/p{i}.html" for i in range(10)]
    assert list(resolver.resolve("http://a.cn/", None, hrefs)) == [f"http://a.cn/p{i}.html" for i in range(10)]
    # once the memory was cleared a URL may come again (harmless: the crawler has it settled), never a wrong one
    again = list(resolver.resolve("http://a.cn/", None, hrefs))
    assert set(again) <= {f"http://a.cn/p{i}.html" for i in range(10)}


def test_page_hrefs_reads_the_first_base_and_distinct_targets_in_order():
    tree = lxml_html.document_fromstring(
        '<html><head><base href=" /b1/ "><base href="/b2/"></head><body><a href=" x.html ">1</a>'
        '<a href="javascript:void(0)">2</a><area href="y.html"><a href="x.html">3</a><a>no href</a>'
        '<a href="#top">4</a><a href="MAILTO:a@b.cn">5</a><a href="">6</a></body></html>')
    assert page_hrefs(tree) == ("/b1/", ["x.html", "y.html"])


def test_a_url_given_from_a_deep_page_is_given_again_from_a_shallower_one():
    """The crawl's depth limit may refuse a URL first met deep in a trap: met again nearer an entry point, it is
    offered again (and not again from as deep or deeper)."""
    resolver = LinkResolver(*domain_filter(DOMAINS), once=True)
    assert list(resolver.resolve("http://a.cn/t/1/2/", None, ["/a.html"], depth=26)) == ["http://a.cn/a.html"]
    assert list(resolver.resolve("http://a.cn/t/1/", None, ["/a.html"], depth=30)) == []
    assert list(resolver.resolve("http://a.cn/", None, ["/a.html"], depth=1)) == ["http://a.cn/a.html"]
    assert list(resolver.resolve("http://a.cn/x/", None, ["/a.html"], depth=1)) == []


def test_page_hrefs_stops_at_its_limit_and_count_links_counts_them_all():
    from scraper.links import count_links

    body = "".join(f'<a href="/p{i % 700}.html">{i}</a>' for i in range(1000))
    tree = lxml_html.document_fromstring(f"<html><body><a href='#'>top</a>{body}</body></html>")
    base, hrefs = page_hrefs(tree, 500)
    assert base is None and hrefs == [f"/p{i}.html" for i in range(500)]  # distinct, in document order
    assert page_hrefs(tree)[1] == [f"/p{i}.html" for i in range(700)]
    assert count_links(tree) == 1001
