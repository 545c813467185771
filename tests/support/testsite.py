"""A synthetic Chinese vocational-education news site, for the crawler's tests and benchmark.

`build_site()` renders every page of a site (home, paginated section lists, articles, a topic page whose URL
looks like an article's, sitemaps, an RSS feed, robots.txt) from text written for this project;
`write_site()` saves it as static files (fixtures/site/ is made this way) with `gold.jsonl`, the article
texts the crawl is scored against. `serve()` runs a threaded HTTP server on 127.0.0.1 over such a directory,
adding the dynamic cases a static directory cannot hold: redirects, a redirect loop, a charset declared only
in the HTTP header, a PDF behind an extension-less URL, an oversized body, a failing server.

    python tests/support/testsite.py write fixtures/site          # regenerate the fixture site
    python tests/support/testsite.py serve fixtures/site --port 8000
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

SITE_NAME = "职教资讯网"
SECTIONS = {"zyjy": "职业教育", "cjrh": "产教融合", "xqhz": "校企合作"}
# Pages served with `Content-Type: text/html; charset=gbk` and no declaration inside (see serve()).
HEADER_CHARSET_FILE = "_header_charset.json"

_PLACES = ["江苏", "浙江", "山东", "广东", "四川", "湖南", "河南", "福建", "安徽", "湖北", "陕西", "重庆",
           "天津", "江西", "广西", "云南", "贵州", "辽宁", "吉林", "河北"]
_SCHOOLS = ["职业技术学院", "工业职业技术学院", "交通职业技术学院", "机电职业技术学院", "信息职业技术学院",
            "技师学院", "职业中等专业学校", "商贸职业学院", "农业职业技术学院", "建筑职业技术学院"]
_FIELDS = ["智能制造", "新能源汽车", "工业机器人", "现代物流", "数字商务", "轨道交通", "护理", "现代农业",
           "集成电路", "跨境电商", "养老服务", "建筑装配", "人工智能应用", "无人机应用"]
_FIRMS = ["装备集团", "汽车股份有限公司", "电子科技有限公司", "物流集团", "智能科技公司", "建设集团",
          "医疗健康集团", "农业发展公司", "数字科技有限公司", "轨道交通装备公司"]
_NAMES = ["王建华", "李晓梅", "张志强", "刘海燕", "陈国平", "杨丽", "赵明", "黄婷", "周立新", "吴慧"]
_TOPICS = ["签订校企合作协议", "共建产业学院", "举办技能大赛", "启动现代学徒制试点", "建设实训基地",
           "开展订单班培养", "发布人才培养方案", "共建产教融合共同体", "推进1+X证书试点", "开展教师企业实践"]

# Sentence templates, written for this project. Slots: {place} {school} {field} {firm} {name} {n} {m} {year}.
_OPENINGS = [
    "近日，{place}{school}与{place}{firm}举行合作签约仪式，双方将围绕{field}领域开展全方位合作。",
    "{year}年以来，{place}{school}深入推进产教融合，联合{firm}在{field}专业开展人才培养改革。",
    "记者从{place}省教育厅获悉，全省已有{n}所职业院校与行业企业建立稳定合作关系，{field}等专业成为合作重点。",
    "为进一步深化校企合作，{place}{school}日前与{firm}共同成立{field}产业学院，首批招收学生{n}名。",
    "{place}{school}近日举办职业教育活动周，展示了学校在{field}专业建设和技能人才培养方面的成果。",
]
_BODY = [
    "根据协议，企业将向学校捐赠价值{m}万元的实训设备，并选派{n}名技术骨干担任兼职教师。",
    "学校将根据企业岗位需求调整课程设置，把真实生产项目引入课堂，让学生在做中学、在学中做。",
    "双方还将共同制定人才培养方案，共同开发教材，共同组织考核评价，实现招生与招工同步。",
    "该校相关负责人介绍，合作项目实行“工学交替”模式，学生每学期有不少于八周的时间在企业顶岗实习。",
    "{name}表示，职业教育与经济社会发展联系最紧密，必须坚持面向市场、服务发展、促进就业的办学方向。",
    "近三年来，学校毕业生就业率稳定在百分之九十五以上，专业对口率逐年提高，受到用人单位普遍好评。",
    "在实训车间里，学生们正在企业师傅的指导下进行设备调试，一招一式都严格按照生产标准操作。",
    "据了解，该项目已被列入省级产教融合试点，获得专项资金{m}万元支持，预计明年全面投入使用。",
    "企业负责人{name}说，公司每年需要大量懂技术、会操作的技能人才，与学校合作可以实现人才的精准培养。",
    "目前，学校已与{n}家企业建立了长期合作关系，共建校外实训基地{n}个，合作开设订单班{n}个。",
    "下一步，双方将在技术研发、员工培训、技能鉴定等方面继续深化合作，推动教育链、人才链与产业链有机衔接。",
    "教育部门有关负责人指出，要把产教融合、校企合作作为职业院校改革发展的重要抓手，持续提升人才培养质量。",
    "活动期间，学校还组织了技能展示、专业体验和校园开放日等环节，吸引了大量家长和中学生参与。",
    "参加培训的教师表示，通过到企业一线实践，对新技术、新工艺有了更直观的认识，回到课堂后教学更有针对性。",
    "该省还出台了支持企业参与职业教育的激励政策，对符合条件的产教融合型企业给予税费减免等优惠。",
    "专家认为，职业教育的生命力在于与产业同频共振，只有深度对接行业需求，才能培养出适应岗位的技术技能人才。",
    "学校同时面向社会开展职业技能培训，全年完成各类培训{n}人次，为区域产业升级提供了有力的人才支撑。",
    "在刚刚结束的全省职业院校技能大赛中，该校学生在{field}赛项中获得一等奖{n}项。",
]
_CLOSINGS = [
    "据悉，相关合作将于{year}年秋季学期正式启动。",
    "该校表示，将以此次合作为契机，不断提升办学水平和服务产业发展的能力。",
    "下一步，当地将总结推广试点经验，推动更多职业院校与企业开展深度合作。",
    "{name}表示，学校将继续加强与行业企业的对接，让更多学生实现高质量就业。",
]
_OFF_TOPIC = [
    "本周末，市体育中心将举办城市业余足球联赛决赛，共有{n}支球队报名参赛。",
    "组委会介绍，本届联赛历时三个月，累计进行比赛{m}场，吸引观众数万人次。",
    "比赛当天，周边道路将实行临时交通管制，请市民合理安排出行路线。",
    "主办方提醒，观众须凭票入场，场馆内禁止携带饮料和易燃物品。",
]


@dataclass
class Page:
    path: str  # URL path, e.g. /zyjy/2024/05/t20240512_1001.html
    body: bytes
    content_type: str = "text/html"
    header_charset: str | None = None  # served in Content-Type only (the page itself declares nothing)


@dataclass
class Article:
    path: str
    title: str
    paragraphs: list[str]
    date: str
    section: str
    encoding: str = "utf-8"  # the bytes' charset
    declare: bool = True  # the page declares its charset in a meta tag
    header_charset: str | None = None
    on_topic: bool = True
    linked: bool = True  # appears on the section lists
    related: int = 0  # how many related-article links under the body


@dataclass
class Site:
    pages: dict[str, Page] = field(default_factory=dict)
    articles: list[Article] = field(default_factory=list)

    def add(self, page: Page) -> None:
        self.pages[page.path] = page


def _fill(template: str, rng: random.Random, slots: dict[str, str]) -> str:
    values = dict(slots, n=str(rng.randint(3, 60)), m=str(rng.randint(50, 900)))
    return template.format(**values)


def _make_article(i: int, rng: random.Random, section: str, short: bool = False, on_topic: bool = True) -> Article:
    year = rng.choice([2023, 2024])
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    slots = {"place": rng.choice(_PLACES), "school": rng.choice(_SCHOOLS), "field": rng.choice(_FIELDS),
             "firm": rng.choice(_FIRMS), "name": rng.choice(_NAMES), "year": str(year)}
    if not on_topic:
        title = f"{slots['place']}城市业余足球联赛本周末迎来决赛（第{i}期）"
        paragraphs = [_fill(s, rng, slots) for s in _OFF_TOPIC]
    else:
        title = f"{slots['place']}{slots['school']}{rng.choice(_TOPICS)}助力{slots['field']}人才培养（{i}）"
        if short:
            paragraphs = [_fill(rng.choice(_OPENINGS), rng, slots) + _fill(rng.choice(_CLOSINGS), rng, slots)]
        else:
            body = rng.sample(_BODY, rng.randint(5, 8))
            paragraphs = [_fill(rng.choice(_OPENINGS), rng, slots)]
            for k in range(0, len(body), 2):
                paragraphs.append("".join(_fill(s, rng, slots) for s in body[k:k + 2]))
            paragraphs.append(_fill(rng.choice(_CLOSINGS), rng, slots))
    path = f"/{section}/{year}{month:02d}/t{year}{month:02d}{day:02d}_{1000 + i}.html"
    return Article(path, title, paragraphs, f"{year}-{month:02d}-{day:02d}", section, on_topic=on_topic)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _nav(style: str) -> str:
    links = "".join(f'<li><a href="/{k}/">{v}</a></li>' for k, v in SECTIONS.items())
    if style == "b":
        return (f'<table class="head" width="100%"><tr><td class="logo">{SITE_NAME}</td><td><a href="/">首页</a> | '
                + " | ".join(f'<a href="/{k}/">{v}</a>' for k, v in SECTIONS.items())
                + ' | <a href="/about.html">关于我们</a></td></tr></table>')
    return (f'<div class="top"><div class="logo"><a href="/">{SITE_NAME}</a></div><ul class="nav"><li>'
            f'<a href="/">首页</a></li>{links}<li><a href="/about.html">关于我们</a></li></ul></div>')


def _footer(style: str) -> str:
    return (f'<div class="footer"><p>版权所有：{SITE_NAME}　备案号：京ICP备00000000号</p>'
            '<p>地址：北京市海淀区学院路1号　邮编：100000　联系电话：010-00000000</p></div>')


def _head(title: str, charset: str | None) -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    return (f'<!DOCTYPE html><html lang="zh-CN"><head>{meta}<title>{_esc(title)}</title>'
            '<link rel="stylesheet" href="/static/site.css"><script>var _hmt = _hmt || [];</script></head>')


def _article_html(a: Article, hot: list[Article], related: list[Article], style: str) -> str:
    section = SECTIONS[a.section]
    crumb = f'当前位置：<a href="/">首页</a> &gt; <a href="/{a.section}/">{section}</a> &gt; 正文'
    info = f"发布时间：{a.date} 09:30　来源：{SITE_NAME}　作者：{_NAMES[len(a.title) % len(_NAMES)]}"
    side = "".join(f'<li><a href="{h.path}">{_esc(h.title)}</a></li>' for h in hot)
    rel = ""
    if related:
        rel = ('<div class="related"><h3>相关阅读</h3><ul>'
               + "".join(f'<li><a href="{r.path}">{_esc(r.title)}</a><span>{r.date}</span></li>' for r in related)
               + "</ul></div>")
    if style == "b":
        body = "<br><br>".join("　　" + _esc(p) for p in a.paragraphs)
        main = (f'<table width="960" align="center"><tr><td class="crumb">{crumb}</td></tr>'
                f'<tr><td align="center"><h2 class="title">{_esc(a.title)}</h2></td></tr>'
                f'<tr><td class="info" align="center">{info}</td></tr>'
                f'<tr><td class="TRS_Editor">{body}</td></tr><tr><td>{rel}</td></tr></table>'
                f'<div class="hot"><b>热点新闻</b><ul>{side}</ul></div>')
    else:
        body = "".join(f"<p>　　{_esc(p)}</p>" for p in a.paragraphs)
        main = (f'<div class="crumb">{crumb}</div><div class="main"><div class="article">'
                f'<h1>{_esc(a.title)}</h1><div class="info">{info}</div>'
                f'<div class="content" id="content">{body}</div>'
                f'<div class="editor">（责任编辑：{_NAMES[len(a.paragraphs) % len(_NAMES)]}）</div>'
                '<div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a></div>'
                f'{rel}</div><div class="side"><h3>热点新闻</h3><ul>{side}</ul></div></div>')
    charset = a.encoding if a.declare else None
    return f'{_head(a.title + "_" + SITE_NAME, charset)}<body>{_nav(style)}{main}{_footer(style)}</body></html>'


def _list_html(title: str, items: list[Article], pager: str, style: str, summaries: bool,
               extra: str = "") -> str:
    def summary(a: Article) -> str:
        return a.paragraphs[0][:70] + "……"

    if style == "b" or summaries:
        rows = "".join(
            f'<div class="news-item"><h3><a href="{a.path}">{_esc(a.title)}</a></h3>'
            f'<p class="summary">{_esc(summary(a))}</p><span class="date">{a.date}</span></div>' for a in items)
    else:
        rows = "<ul class=\"list\">" + "".join(
            f'<li><a href="{a.path}" target="_blank">{_esc(a.title)}</a><span class="date">{a.date}</span></li>'
            for a in items) + "</ul>"
    return (f'{_head(title + "_" + SITE_NAME, "utf-8")}<body>{_nav(style)}<div class="crumb">当前位置：'
            f'<a href="/">首页</a> &gt; {title}</div><div class="main"><h2 class="column">{title}</h2>'
            f'{extra}{rows}<div class="pager">{pager}</div></div>{_footer(style)}</body></html>')


def _pager(section: str, page: int, pages: int) -> str:
    def href(n: int) -> str:
        return f"/{section}/" if n == 1 else f"/{section}/index_{n}.html"

    parts = [f'<a href="{href(1)}">首页</a>']
    if page > 1:
        parts.append(f'<a href="{href(page - 1)}">上一页</a>')
    parts += [f"<span>{n}</span>" if n == page else f'<a href="{href(n)}">{n}</a>' for n in range(1, pages + 1)]
    if page < pages:
        parts.append(f'<a href="{href(page + 1)}">下一页</a>')
    parts.append(f'<a href="{href(pages)}">尾页</a>')
    return " ".join(parts)


def build_site(n_articles: int = 32, seed: int = 7, style: str = "a", per_page: int = 8) -> Site:
    """Render a whole site. Besides the `n_articles` linked from the section lists it always has: an article
    only in the sitemap, one only in the RSS feed, one only behind a redirect, one only on the topic page, a
    short one, one with a long related list, one off topic, and GBK pages (declared in page / in header)."""
    rng = random.Random(seed)
    site = Site()
    sections = list(SECTIONS)
    arts = [_make_article(i + 1, rng, sections[i % len(sections)]) for i in range(n_articles)]
    arts[0].related = 24  # an article under which a long related-links list hangs
    arts[1] = _make_article(2, rng, arts[1].section, short=True)
    arts[2].encoding = "gbk"  # GBK, declared only in the page
    arts[3].encoding, arts[3].declare, arts[3].header_charset = "gbk", False, "gbk"  # only in the header
    off = _make_article(n_articles + 1, rng, "zyjy", on_topic=False)
    hidden = {name: _make_article(n_articles + 2 + k, rng, sections[k % 3])
              for k, name in enumerate(("sitemap", "feed", "redirect", "topic"))}
    for a in hidden.values():
        a.linked = False
    listed = arts + [off]
    site.articles = listed + list(hidden.values())

    hot = arts[4:11]
    for a in site.articles:
        related = [r for r in arts if r is not a][: a.related]
        html = _article_html(a, hot, related, style)
        site.add(Page(a.path, html.encode(a.encoding), header_charset=a.header_charset))

    for section in sections:
        items = [a for a in listed if a.section == section]
        pages = max(1, -(-len(items) // per_page))
        for p in range(1, pages + 1):
            chunk = items[(p - 1) * per_page: p * per_page]
            html = _list_html(SECTIONS[section], chunk, _pager(section, p, pages), style,
                              summaries=(section == "xqhz"))
            path = f"/{section}/" if p == 1 else f"/{section}/index_{p}.html"
            site.add(Page(path + ("index.html" if path.endswith("/") else ""), html.encode("utf-8")))

    # A topic page at an article-like URL: a list of headlines, one of them linked from nowhere else.
    topic_items = arts[5:9] + [hidden["topic"]]
    topic_path = "/zyjy/202405/t20240530_2000.html"
    site.add(Page(topic_path, _list_html("专题：深化产教融合", topic_items, "", style, summaries=False,
                                         extra="<p>专题导读</p>").encode("utf-8")))
    first = arts[0]
    home_links = [
        f'<li><a href="{topic_path}">专题：深化产教融合 推动校企合作走深走实</a></li>',
        f'<li><a href="{first.path}?utm_source=weibo&amp;utm_medium=share">{_esc(first.title)}</a></li>',
        f'<li><a href="{first.path}#comments">{_esc(first.title)}（评论）</a></li>',
        f'<li><a href="{arts[6].path}?spm=a1.b2&amp;utm_campaign=home">{_esc(arts[6].title)}</a></li>',
        f'<li><a href="/go/{1000 + 7}">{_esc(arts[7].title)}（转载）</a></li>',
        f'<li><a href="/old/{hidden["redirect"].path.rsplit("/", 1)[-1]}">{_esc(hidden["redirect"].title)}</a></li>',
        '<li><a href="/loop/a.html">院校风采展示专栏（循环跳转）</a></li>',
        '<li><a href="/zyjy/202405/t20240599_404.html">这篇报道已经被删除了找不到</a></li>',
        '<li><a href="/cjrh/202406/t20240601_9404.html">另一篇已经删除的产教融合报道</a></li>',
        '<li><a href="/broken/t20240101_500.html">服务器出错的一篇职业教育报道</a></li>',
        '<li><a href="/internal/t20240101_9001.html">内部通知：关于召开教学工作会议的通知</a></li>',
        '<li><a href="/download/report?id=7">2024年职业教育质量年度报告（下载）</a></li>',
        '<li><a href="/files/guide.pdf">职业院校专业设置指南（PDF）</a></li>',
        '<li><a href="/big/t20240101_8888.html">超大页面：全国职业院校名录</a></li>',
        '<li><a href="http://www.example.invalid/news/1.html">外站链接：不应抓取的页面</a></li>',
    ]
    latest = "".join(f'<li><a href="{a.path}">{_esc(a.title)}</a></li>' for a in arts[:6])
    home = (f'{_head(SITE_NAME + "——职业教育新闻门户", "utf-8")}<body>{_nav(style)}<div class="main">'
            f'<div class="focus"><h2>要闻</h2><ul>{"".join(home_links)}</ul></div>'
            f'<div class="latest"><h2>最新动态</h2><ul>{latest}</ul></div></div>{_footer(style)}</body></html>')
    site.add(Page("/index.html", home.encode("utf-8")))
    about = _list_html("关于我们", [], "", style, summaries=False, extra="<p>联系我们：010-00000000</p>")
    site.add(Page("/about.html", about.encode("utf-8")))
    internal = _make_article(9001, rng, "zyjy")
    site.add(Page("/internal/t20240101_9001.html", _article_html(internal, hot, [], style).encode("utf-8")))
    loc = "{base}"  # sitemaps and feeds need absolute URLs: serve() fills in the base
    in_sitemap = [a for a in arts[:10]] + [hidden["sitemap"]]
    urls = "".join(f"<url><loc>{loc}{a.path}</loc><lastmod>{a.date}</lastmod></url>" for a in in_sitemap)
    site.add(Page("/sitemap-news.xml", ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns='
                                        f'"http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>').encode(),
                  content_type="application/xml"))
    site.add(Page("/sitemap.xml", ('<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.'
                                   f'sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>{loc}/sitemap-news.xml</loc>'
                                   '</sitemap></sitemapindex>').encode(), content_type="application/xml"))
    feed_items = [arts[10], arts[11], hidden["feed"]]
    items = "".join(f"<item><title>{_esc(a.title)}</title><link>{loc}{a.path}?utm_source=rss</link>"
                    f"<pubDate>{a.date}</pubDate></item>" for a in feed_items)
    site.add(Page("/rss.xml", (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>'
                               f'{SITE_NAME}</title><link>{loc}/</link>{items}</channel></rss>').encode(),
                  content_type="application/rss+xml"))
    site.add(Page("/robots.txt", b"User-agent: *\nDisallow: /internal/\n", content_type="text/plain"))
    return site


def write_site(site: Site, directory: str | Path) -> None:
    """Save the pages as files, with gold.jsonl (the articles that must be emitted) beside them."""
    root = Path(directory)
    header_charset: dict[str, str] = {}
    for page in site.pages.values():
        target = root / page.path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(page.body)
        if page.header_charset:
            header_charset[page.path] = page.header_charset
    (root / HEADER_CHARSET_FILE).write_text(json.dumps(header_charset, indent=1) + "\n", "utf-8")
    with open(root / "gold.jsonl", "w", encoding="utf-8") as fh:
        for a in site.articles:
            record = {"path": a.path, "title": a.title, "text": "\n".join(a.paragraphs), "on_topic": a.on_topic,
                      "encoding": a.encoding, "linked": a.linked}
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


# ---- serving -------------------------------------------------------------------------------------------


_TYPES = {".html": "text/html", ".xml": "application/xml", ".txt": "text/plain", ".pdf": "application/pdf",
          ".css": "text/css"}
BIG_BODY = 3 * 1024 * 1024  # bytes of /big/*: above the tests' DOWNLOAD_MAXSIZE
_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


class _Handler(BaseHTTPRequestHandler):
    root: Path
    header_charset: dict[str, str]
    hits: dict[str, int]
    agents: set[str]
    lock: threading.Lock
    cache: dict[Path, bytes]
    protocol_version = "HTTP/1.1"
    # headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm and delayed ACKs hold
    # most keep-alive responses ~40 ms, a delay of this test server that real web servers (nginx: tcp_nodelay
    # on) do not add
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:  # quiet
        return

    def _send(self, status: int, body: bytes, ctype: str = "text/html", headers: dict[str, str] | None = None,
              ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:  # noqa: N802
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        path = urlsplit(self.path).path
        with self.lock:
            self.hits[path] = self.hits.get(path, 0) + 1
            self.agents.add(self.headers.get("User-Agent", ""))
        base = f"http://{self.headers.get('Host', '127.0.0.1')}"
        if path.startswith("/go/"):  # a short link: 301 to an article listed elsewhere too
            target = next((p for p in self.root.rglob(f"*_{path.rsplit('/', 1)[-1]}.html")), None)
            if target is None:
                return self._send(404, b"not found")
            return self._send(301, b"", headers={"Location": "/" + target.relative_to(self.root).as_posix()})
        if path.startswith("/old/"):  # a moved article, reachable only through this redirect
            name = path.rsplit("/", 1)[-1]
            target = next((p for p in self.root.rglob(name)), None)
            if target is None:
                return self._send(404, b"not found")
            return self._send(302, b"", headers={"Location": f"{base}/" + target.relative_to(self.root).as_posix()})
        if path.startswith("/loop/"):
            other = "/loop/b.html" if path.endswith("a.html") else "/loop/a.html"
            return self._send(302, b"", headers={"Location": other})
        if path.startswith("/broken/"):
            return self._send(503, "服务暂时不可用".encode())
        if path == "/download/report":
            return self._send(200, _PDF, "application/pdf")
        if path.startswith("/big/"):
            filler = ("<p>" + "全国职业院校名录，" * 60 + "</p>") * ((BIG_BODY // 1600) + 1)
            return self._send(200, f"<html><body>{filler}</body></html>".encode(), "text/html; charset=utf-8")
        file = self.root / path.lstrip("/")
        if path.endswith("/"):
            file = file / "index.html"
        if not file.is_file() or not file.resolve().is_relative_to(self.root.resolve()):
            return self._send(404, "<html><body><h1>404 页面不存在</h1></body></html>".encode(),
                              "text/html; charset=utf-8")
        body = self.cache.get(file)
        if body is None:
            body = self.cache[file] = file.read_bytes()
        ctype = _TYPES.get(file.suffix, "application/octet-stream")
        if file.suffix == ".xml":
            body = body.replace(b"{base}", base.encode())
        if path in self.header_charset:
            ctype += f"; charset={self.header_charset[path]}"
        self._send(200, body, ctype)


@dataclass
class Server:
    base: str  # http://127.0.0.1:PORT
    hits: dict[str, int]  # requests per path, for politeness assertions
    agents: set[str]  # User-Agent headers seen
    httpd: ThreadingHTTPServer


class _QuietServer(ThreadingHTTPServer):
    """A client that hangs up on a kept-alive connection (a crawler exiting) is no error of the site's."""

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serve(directory: str | Path, port: int = 0) -> Iterator[Server]:
    """Serve a site directory on 127.0.0.1 (a free port unless given) in a background thread."""
    root = Path(directory).resolve()
    charset_file = root / HEADER_CHARSET_FILE
    handler = type("Handler", (_Handler,), {
        "root": root, "hits": {}, "agents": set(), "lock": threading.Lock(), "cache": {},
        "header_charset": json.loads(charset_file.read_text("utf-8")) if charset_file.exists() else {},
    })
    httpd = _QuietServer(("127.0.0.1", port), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{httpd.server_address[1]}", handler.hits, handler.agents, httpd)
    finally:
        httpd.shutdown()
        httpd.server_close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("write")
    w.add_argument("directory")
    w.add_argument("--articles", type=int, default=32)
    w.add_argument("--seed", type=int, default=7)
    w.add_argument("--style", choices=("a", "b"), default="a")
    s = sub.add_parser("serve")
    s.add_argument("directory")
    s.add_argument("--port", type=int, default=8000)
    args = ap.parse_args()
    if args.cmd == "write":
        write_site(build_site(args.articles, args.seed, args.style), args.directory)
    else:
        with serve(args.directory, args.port) as server:
            print(f"serving {args.directory} at {server.base}")
            threading.Event().wait()


if __name__ == "__main__":
    main()
