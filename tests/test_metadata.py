"""Metadata: dates in the formats pages use, bylines, front matter, HTML meta tags."""
from cleaners.html.headline import split_site_suffix
from cleaners.html.meta import extract_meta
from cleaners.html.parse import parse_html
from cleaners.text.frontmatter import as_list, split_front_matter
from cleaners.text.metadata import bylines, find_date, parse_date


def test_dates_to_iso():
    assert find_date("2023年5月27日 21:07") == "2023-05-27T21:07:00"
    assert find_date("发布时间：2023-05-27") == "2023-05-27"
    assert find_date("2020/12/26 18:12:01") == "2020-12-26T18:12:01"
    assert find_date("2023-13-45") is None
    assert parse_date("Tue, 21 Jun 2022 18:19:00 GMT") == "2022-06-21T18:19:00+00:00"
    assert parse_date("2024-05-20T09:47:48+08:00") == "2024-05-20T09:47:48+08:00"
    assert parse_date("") is None and parse_date("not a date") is None


def test_bylines():
    found = bylines(["来源：中国新闻网 作者：张三", "责任编辑：李岩"])
    assert found == {"source": "中国新闻网", "author": "张三", "editor": "李岩"}
    assert bylines(["北京5月27日电 （记者 杜燕）今天"])["author"] == "杜燕"
    assert bylines(["今天天气很好。"]) == {}


def test_front_matter():
    fm = split_front_matter("\n---\ntitle: '标题'\ncategories:\n - 金融\ndate: 2022-06-21\n---\n<p>正文</p>")
    assert fm.meta["title"] == "标题" and fm.meta["categories"] == ["金融"] and fm.meta["date"] == "2022-06-21"
    assert fm.body.strip() == "<p>正文</p>" and fm.error is None
    assert split_front_matter("no front matter") is None


def test_broken_front_matter_keeps_the_body():
    fm = split_front_matter("---\ntitle: [unclosed\n---\n正文内容")
    assert fm.error and fm.body.strip() == "正文内容"


def test_as_list():
    assert as_list("职教,产教融合、校企") == ["职教", "产教融合", "校企"]
    assert as_list(["a", " ", "b"]) == ["a", "b"] and as_list(None) == []


def test_site_suffix_split():
    assert split_site_suffix("北京职业教育宣传月启动_新浪网") == ("北京职业教育宣传月启动", "新浪网")
    assert split_site_suffix("北京职业教育宣传月启动-中国新闻网") == ("北京职业教育宣传月启动", "中国新闻网")
    assert split_site_suffix("只有标题") == ("只有标题", None)


def test_site_suffix_headline_is_the_part_the_h1_prints():
    title = "雄安新区 - 维基百科，自由的百科全书"
    # without an <h1> to say, the last part names the site however long it is
    assert split_site_suffix(title) == ("雄安新区", "维基百科，自由的百科全书")
    assert split_site_suffix(title, ["雄安新区"]) == ("雄安新区", "维基百科，自由的百科全书")
    assert split_site_suffix(title, ["另一个标题"])[0] == "雄安新区"  # no match: the longest part but the site's
    assert split_site_suffix(title, ["雄安新区[编辑]"])[0] == "雄安新区"  # the part the h1 prints
    # an <h1> printed whole inside the <title> is the headline, separators included; an empty <h1> is ignored
    h1 = "图说洛阳| 学院剪窗花 过廉洁之年"
    assert split_site_suffix(f"{h1} 日报网-日报官方网站", ["", h1]) == (h1, "日报官方网站")


def test_site_name_inside_the_title_ends_the_headline():
    # a blog platform's <title>: post, blog name, platform; the platform's name is also the page's first <h1>
    title = "新竹尖石_美樹營地賞楓 (2) @ 旅遊小站_藍天 :: 部落平台 ::"
    expected = ("新竹尖石_美樹營地賞楓 (2)", "旅遊小站_藍天")
    assert split_site_suffix(title, ["部落平台"], site="旅遊小站_藍天") == expected
    assert split_site_suffix("标题一 - 某某网", [], site="某某网")[0] == "标题一"  # the usual suffix still parts


def test_logo_h1_linking_home_is_not_the_headline():
    page = ('<html><head><title>Rain returns to the valley | Valley Notes</title></head><body>'
            '<h1><a href="http://valley.example.org/blog">Valley Notes</a></h1>'
            '<h2>Rain returns to the valley</h2><p>It rained for the first time in months.</p></body></html>')
    assert extract_meta(parse_html(page)).title == "Rain returns to the valley"


def test_json_ld_headline_that_the_page_does_not_print_loses_to_the_title():
    tree = parse_html(
        '<html><head><title>雄安新区 - 维基百科，自由的百科全书</title>'
        '<script type="application/ld+json">{"@type": "Article", "headline": "中华人民共和国河北省的国家级新区"}'
        '</script></head><body><h1>雄安新区<span>[编辑]</span></h1><p>正文。</p></body></html>'
    )
    assert extract_meta(tree).title == "雄安新区"


def test_html_meta_tags_and_json_ld():
    tree = parse_html(
        '<html><head><title>职教新闻_示例网</title>'
        '<meta property="og:site_name" content="示例网">'
        '<meta name="author" content="王五">'
        '<meta name="keywords" content="职业教育,产教融合">'
        '<link rel="canonical" href="https://www.example.com/a/1.html">'
        '<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2023-05-27T21:07:00+08:00"}'
        "</script></head><body><p>正文</p></body></html>"
    )
    meta = extract_meta(tree)
    assert meta.title == "职教新闻" and meta.site == "示例网" and meta.author == "王五"
    assert meta.published == "2023-05-27T21:07:00+08:00"
    assert meta.url == "https://www.example.com/a/1.html" and meta.tags == ["职业教育", "产教融合"]
