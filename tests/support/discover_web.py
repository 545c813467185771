"""A small local web for `newsclean discover`: fourteen sites, each on its own loopback address (127.0.0.21 ...),
one HTTP server per address bound to that address only, with pages written for these tests (sentence banks
filled from slots, three page templates, several URL shapes).

The sites (name: what it is, what it covers):
- zhijiao: on-topic vocational-education news, the entry point given with --sources; dated TRS-style URLs, a
  sitemap named in robots.txt; links to most other sites (partner links) and to hosts outside the web.
- chanjiao: on-topic, table template, `/a/<id>.html` URLs, an RSS feed named in <head>; linked from zhijiao.
- xiaoqi: on-topic, reachable only through the sports site (two hops); `/content/<date>/<id>.shtml`.
- jineng: on-topic, but its home page is mostly links to other sites' sports and finance headlines.
- fanti: on-topic in Traditional Chinese, Big5 bytes, reachable only through the entertainment site.
- gbk: on-topic, GBK bytes declared in the page, `/html/<id>.htm`, reachable only from xiaoqi (three hops).
- sports, finance, ent, tech: off-topic news sites; each mentions 教育 in one article.
- farm: a link farm: a home page of links to many hosts, keyword-farm lines and a 蜘蛛池 block, stuffed pages.
- shop: a shop: product pages, prices, no articles.
- closed: an on-topic news site whose robots.txt forbids everything.
- nobody: an address where no server listens.

Every server logs each request (Host header, path, User-Agent); `LocalWeb.requests()` gives them all.
"""
from __future__ import annotations

import random
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIRST_ADDRESS = 21  # 127.0.0.21 and up: away from the 127.0.0.1 and .2 the crawl tests use
ON_TOPIC = ("zhijiao", "chanjiao", "xiaoqi", "jineng", "fanti", "gbk")
OFF_TOPIC = ("sports", "finance", "ent", "tech")
OTHERS = ("farm", "shop", "closed", "nobody")
SITES = ON_TOPIC + OFF_TOPIC + OTHERS
EXTERNAL_LINKS = ("http://example.com/news/1.html", "https://www.baidu.com/s?wd=职业教育", "http://10.1.2.3/",
                  "http://localhost/admin", "http://192.168.1.1/", "ftp://files.example.org/a.html",
                  "http://[::1]/x.html", "http://zhijiao-mirror.example.cn/")

# ---- text: sentence banks written for these tests -----------------------------------------------------------

_P = ["江苏", "浙江", "山东", "广东", "四川", "湖南", "河南", "福建", "安徽", "湖北", "陕西", "重庆", "江西"]
_SCHOOL = ["职业技术学院", "技师学院", "职业中专", "高级技工学校", "城市职业学院", "交通职业技术学院"]
_MAJOR = ["数控技术", "新能源汽车维修", "智慧物流", "电子商务", "护理", "工业机器人", "建筑工程", "酒店管理"]
_FIRM = ["重工集团", "汽车制造公司", "电力公司", "物流股份公司", "医药集团", "软件公司"]
_NAME = ["陈志远", "林晓红", "王德明", "赵文静", "孙建国", "周海涛", "郑丽华"]

VOCATIONAL = {
    "title": ["{p}{school}与{firm}共建{major}产业学院", "{p}推进职业教育产教融合 {n}所院校参与试点",
              "{p}{school}{major}专业学生赴企业顶岗实习", "校企合作育人才 {p}{school}开设{firm}订单班",
              "{p}举办职业院校技能大赛 {major}赛项落幕", "{p}出台措施深化现代职业教育体系建设改革",
              "{p}{school}获批国家级{major}实训基地", "{p}职业教育活动周启动 {n}家企业进校园"],
    "open": ["本报讯（记者 {name}）{d}，{p}{school}与{p}{firm}签署校企合作协议，双方将在{major}专业共建实训中心。",
             "{d}，记者从{p}省教育厅获悉，全省{n}所职业院校与行业龙头企业开展产教融合项目，覆盖{major}等专业。",
             "{p}{school}近日启动现代学徒制培养改革，首批{n}名学生与{firm}签订培养协议，实现入学即入职。",
             "为服务区域产业升级，{p}{school}联合{firm}组建{major}产教融合共同体，推动教育链与产业链衔接。"],
    "body": ["根据协议，企业将投入{m}万元建设实训车间，并派出{n}名工程师担任产业导师。",
             "学校将企业真实生产任务引入课堂，推行工学交替，学生每学年在企业实训不少于两个月。",
             "双方共同制定人才培养方案，共同开发课程和教材，共同评价学生的职业技能水平。",
             "{name}介绍，学校近年来坚持以就业为导向，毕业生就业率保持在百分之九十六以上。",
             "在实训基地，学生在企业师傅带领下进行设备装调，严格按照行业标准完成每一道工序。",
             "该省对认定为产教融合型企业的单位给予税费优惠，鼓励企业深度参与职业院校办学。",
             "职业院校还面向社会开展职业技能培训，全年培训新型产业工人{n}千人次。",
             "专家指出，发展现代职业教育，关键是推动校企双元育人，让人才培养精准对接岗位需求。",
             "{firm}负责人{name}说，企业急需高素质技术技能人才，校企合作让招工和招生同步进行。",
             "目前，学校已与{n}家企业共建校外实训基地，开设订单班{n}个，双师型教师占比超过六成。",
             "教育部门负责人表示，将持续推进职普融通、产教融合、科教融汇，提升职业教育适应性。",
             "在全省职业院校技能大赛中，该校学生获得{major}赛项一等奖，展示了扎实的职业技能。"],
    "close": ["下一步，双方将在技术攻关、员工培训等方面继续深化合作。",
              "据悉，首批订单班学生将于明年夏季到企业上岗。",
              "{name}表示，学校将继续深化产教融合，为地方经济发展输送更多技能人才。"],
}
SPORTS = {
    "title": ["{p}队主场{n}比{k}击败对手 豪取三连胜", "全国田径锦标赛落幕 {p}选手摘得{n}枚金牌",
              "{p}马拉松鸣枪开跑 {m}名跑者参赛", "篮球联赛季后赛首轮 {p}队加时险胜",
              "{p}女排{n}比{k}逆转晋级决赛", "游泳冠军赛{p}小将打破全国纪录"],
    "open": ["{d}晚，{p}队在主场迎战劲旅，凭借下半场连续进球以{n}比{k}取胜，积分升至联赛第二。",
             "{d}，全国田径锦标赛在{p}体育中心落下帷幕，来自各地的{m}名运动员参加了比赛。",
             "本报讯 {d}清晨，{p}马拉松在市民广场鸣枪起跑，赛道沿江而设，沿途观众热情加油。"],
    "body": ["上半场双方攻守转换频繁，客队凭借一次快速反击率先破门，主队一度陷入被动。",
             "易边再战，主教练{name}连换两人，球队的进攻节奏明显加快，终于扳平比分。",
             "比赛最后时刻，前锋接队友传中头球破门，全场数万名球迷起立欢呼。",
             "男子一百米决赛中，{p}选手以十秒零几的成绩夺冠，刷新个人最好成绩。",
             "赛后发布会上，{name}表示球队状态正在回升，下一轮客场将全力争胜。",
             "本届赛事共设{n}个比赛项目，赛事组委会在沿途设置了{n}个补给站。",
             "主办方提醒观众，请提前购票入场，场馆周边道路将实行临时交通管制。",
             "数据显示，本赛季球队场均得分和篮板均位居联盟前列，防守效率提升明显。"],
    "close": ["下一轮比赛将于本周六晚进行。", "本届比赛的全部成绩已在官网公布。"],
}
FINANCE = {
    "title": ["沪深两市{d}震荡收涨 成交额{m}亿元", "{p}发布一季度经济数据 社会消费品零售总额增长",
              "央行开展{m}亿元逆回购操作", "{p}{firm}发布年报 净利润同比增长{n}%", "人民币汇率小幅走强 债市收益率下行"],
    "open": ["{d}，A股三大指数集体高开，截至收盘，沪指上涨{k}%，两市成交额{m}亿元。",
             "{p}统计局{d}发布数据，一季度全省地区生产总值同比增长{k}%，消费市场持续回暖。",
             "{d}晚间，{firm}披露年度报告，公司全年实现营业收入{m}亿元，同比增长{n}%。"],
    "body": ["板块方面，半导体、新能源板块涨幅居前，银行、保险板块小幅调整。",
             "分析人士{name}认为，当前市场估值处于历史较低水平，中长期配置价值凸显。",
             "北向资金全天净买入{m}亿元，连续{n}个交易日保持净流入。",
             "报告显示，公司经营活动现金流量净额明显改善，资产负债率下降{k}个百分点。",
             "债券市场方面，十年期国债收益率下行，资金面总体保持平稳。",
             "业内人士指出，随着稳增长政策持续发力，市场信心有望进一步修复。",
             "公司同时公告，拟向全体股东每十股派发现金红利{k}元。"],
    "close": ["本文不构成投资建议，投资者据此操作风险自担。", "后续走势仍需关注宏观数据和政策变化。"],
}
ENTERTAINMENT = {
    "title": ["电影《{film}》定档暑期 主演阵容曝光", "{p}音乐节周末开唱 {n}组乐队登台",
              "热播剧《{film}》收官 收视率创新高",
              "演员{name}新片开机 饰演退役拳击手", "年度综艺盛典举行 《{film}》获最佳节目"],
    "open": ["{d}，电影《{film}》发布定档海报，宣布将于暑期上映，主演{name}首次挑战悬疑题材。",
             "{d}，{p}草莓音乐节在滨江公园开幕，{n}组乐队轮番登台，吸引了大批乐迷。",
             "本报讯 热播剧《{film}》{d}迎来大结局，据统计全剧网络播放量突破{m}亿次。"],
    "body": ["导演{name}透露，影片筹备历时三年，剧组辗转多地取景，力求还原故事发生的年代。",
             "发布会现场，主演们分享了拍摄中的趣事，还现场演唱了电影的主题曲。",
             "音乐节设置了主舞台和电音舞台，现场还有文创市集和美食摊位。",
             "该剧以细腻的笔触讲述了一个家庭三代人的故事，引发观众强烈共鸣。",
             "据片方介绍，影片的特效镜头超过{n}个，由国内团队独立完成制作。",
             "不少网友在社交平台留言，称这是近年来最好看的国产剧之一。"],
    "close": ["影片预售将于下周开启。", "主办方表示明年还将继续举办。"],
}
TECH = {
    "title": ["{p}气象台发布暴雨预警 {n}个县市受影响", "新款智能手机发布 搭载自研芯片", "{p}地铁新线开通 全长{n}公里",
              "{p}举办人工智能大会 {m}家企业参展", "春季旅游市场升温 {p}景区游客量增长"],
    "open": ["{d}，{p}气象台发布暴雨蓝色预警，预计未来二十四小时{n}个县市将出现强降雨。",
             "{d}，{firm}举行新品发布会，推出新一代智能手机，续航和影像能力大幅提升。",
             "{d}上午，{p}地铁新线正式开通运营，全线设车站{n}座，市民出行更加便捷。"],
    "body": ["气象部门提醒，请市民减少不必要的外出，注意防范山洪和城市内涝。",
             "新机采用大尺寸屏幕，支持高速快充，起售价为{m}元。",
             "开通首日，不少市民专程前来体验，车站内秩序井然。",
             "业内人士{name}表示，国产芯片的进步为终端厂商提供了更多选择。",
             "景区推出了夜游和文创体验项目，周末客流量较去年同期增长{n}%。",
             "交通部门表示，将根据客流情况动态调整发车间隔。"],
    "close": ["详细信息可关注官方发布。", "后续天气变化请留意最新预报。"],
}
# the one mention of 教育 each off-topic site makes (in one article)
EDU_MENTION = "活动期间，主办方还组织了青少年教育体验活动。"
_FILMS = ["长河落日", "远山的回声", "城南旧事新编", "星夜列车", "第七个夏天"]


def _fill(template: str, rng: random.Random) -> str:
    return template.format(p=rng.choice(_P), school=rng.choice(_SCHOOL), major=rng.choice(_MAJOR),
                           firm=rng.choice(_FIRM), name=rng.choice(_NAME), n=rng.randint(3, 40),
                           k=rng.randint(1, 9), m=rng.randint(100, 9000), film=rng.choice(_FILMS),
                           d=f"{rng.randint(1, 12)}月{rng.randint(1, 28)}日")


@dataclass
class Story:
    title: str
    paragraphs: list[str]
    date: str
    path: str = ""


def story(bank: dict[str, list[str]], rng: random.Random, mention: bool = False) -> Story:
    body = rng.sample(bank["body"], k=min(len(bank["body"]), rng.randint(4, 6)))
    paragraphs = [_fill(rng.choice(bank["open"]), rng)] + [_fill(b, rng) for b in body]
    if mention:
        paragraphs.insert(2, EDU_MENTION)
    paragraphs.append(_fill(rng.choice(bank["close"]), rng))
    date = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return Story(_fill(rng.choice(bank["title"]), rng), paragraphs, date)


# ---- page templates -------------------------------------------------------------------------------------------


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _links(items: list[tuple[str, str]], tag: str = "li") -> str:
    return "\n".join(f'<{tag}><a href="{_esc(h)}">{_esc(t)}</a></{tag}>' for h, t in items)


def page(style: str, site_title: str, title: str, main: str, side: list[tuple[str, str]] = (),
         foot: list[tuple[str, str]] = (), charset: str = "utf-8", head: str = "") -> str:
    """A whole page in one of three templates: "div" (header, main, sidebar), "table" (an old table layout),
    "article" (HTML5 with <article> and <aside>)."""
    nav = '<a href="/">首页</a> <a href="/list/">新闻</a> <a href="/about.html">关于我们</a>'
    side_html = _links(list(side))
    foot_html = " | ".join(f'<a href="{_esc(h)}">{_esc(t)}</a>' for h, t in foot)
    meta = f'<meta charset="{charset}">' if style != "table" else \
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
    top = f"<!DOCTYPE html><html><head>{meta}<title>{_esc(title)} - {_esc(site_title)}</title>{head}</head><body>"
    if style == "table":
        return (f'{top}<table width="960"><tr><td class="logo">{_esc(site_title)}</td><td>{nav}</td></tr>'
                f'<tr><td class="left" width="700">{main}</td><td class="right"><ul>{side_html}</ul></td></tr>'
                f'<tr><td colspan="2" class="foot">友情链接：{foot_html}<br>版权所有 {_esc(site_title)}</td></tr>'
                f"</table></body></html>")
    if style == "article":
        return (f"{top}<header><h2>{_esc(site_title)}</h2><nav>{nav}</nav></header><main>{main}</main>"
                f'<aside class="hot"><h3>热门</h3><ul>{side_html}</ul></aside>'
                f'<footer><div class="links">合作伙伴：{foot_html}</div><p>© 2024 {_esc(site_title)}</p></footer>'
                f"</body></html>")
    return (f'{top}<div id="header"><div class="logo">{_esc(site_title)}</div><div class="nav">{nav}</div></div>'
            f'<div id="content"><div class="main">{main}</div>'
            f'<div class="sidebar"><h3>推荐阅读</h3><ul>{side_html}</ul></div></div>'
            f'<div id="footer">友情链接：{foot_html}<p>地址：某市某路 电话：010-12345678</p></div></body></html>')


def article_main(style: str, s: Story, source: str) -> str:
    paras = "".join(f"<p>{_esc(p)}</p>" for p in s.paragraphs)
    if style == "article":
        return (f"<article><h1>{_esc(s.title)}</h1><p class='meta'><time>{s.date}</time> 来源：{_esc(source)}</p>"
                f"{paras}</article>")
    if style == "table":
        brs = "<br><br>".join(_esc(p) for p in s.paragraphs)
        return (f'<h1>{_esc(s.title)}</h1><div class="info">{s.date} 来源：{_esc(source)}</div>'
                f'<div class="txt">{brs}</div>')
    return (f'<div class="article"><h1>{_esc(s.title)}</h1><div class="source">发布时间：{s.date} 来源：{_esc(source)}'
            f"</div>{paras}<div class='editor'>责任编辑：{_esc(s.paragraphs[0][:2])}</div></div>")


def list_main(title: str, items: list[Story]) -> str:
    return f"<h2>{_esc(title)}</h2><ul class='list'>" + "".join(
        f'<li><a href="{_esc(s.path)}">{_esc(s.title)}</a> <span>{s.date}</span></li>' for s in items) + "</ul>"


# ---- sites --------------------------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    body: bytes
    ctype: str = "text/html; charset=utf-8"


@dataclass
class SiteSpec:
    name: str
    address: str  # 127.0.0.N
    port: int = 0
    pages: dict[str, Reply] = field(default_factory=dict)
    articles: list[str] = field(default_factory=list)  # paths of its articles (what crawl should gather)

    @property
    def base(self) -> str:
        return f"http://{self.address}:{self.port}"

    @property
    def netloc(self) -> str:
        return f"{self.address}:{self.port}"


def _html(text: str, charset: str = "utf-8", header: bool = True) -> Reply:
    ctype = f"text/html; charset={charset}" if header else "text/html"
    codec = {"big5": "big5hkscs", "gbk": "gb18030"}.get(charset, charset)  # what the cleaner decodes them as
    return Reply(200, text.encode(codec), ctype)


def _robots(extra: str = "") -> Reply:
    return Reply(200, f"User-agent: *\nAllow: /\n{extra}".encode(), "text/plain")


def _news_site(site: SiteSpec, rng: random.Random, bank: dict, style: str, title: str, shape: str, n: int,
               side: list[tuple[str, str]], foot: list[tuple[str, str]], charset: str = "utf-8",
               mention: bool = False, traditional: bool = False, head: str = "",
               home_extra: list[tuple[str, str]] = ()) -> list[Story]:
    stories = []
    for i in range(n):
        s = story(bank, rng, mention=mention and i == 1)
        ymd = s.date.replace("-", "")
        s.path = shape.format(i=1000 + i, ymd=ymd, y=ymd[:4], m=ymd[4:6], d=s.date)
        stories.append(s)
    convert = _to_traditional if traditional else (lambda x: x)
    for s in stories:
        others = [(o.path, o.title) for o in stories if o is not s][:4]
        html = page(style, title, s.title, article_main(style, s, title), others + side, foot, charset, head)
        site.pages[s.path] = _html(convert(html), charset, header=charset == "utf-8")
        site.articles.append(s.path)
    listing = [(s.path, s.title) for s in stories]
    home_items = list(home_extra) + listing[: max(3, n // 2)] if home_extra else listing
    home_main = "<h2>要闻</h2><ul>" + _links(home_items) + "</ul>"
    site.pages["/"] = _html(convert(page(style, title, "首页", home_main, side, foot, charset, head)), charset,
                            header=charset == "utf-8")
    site.pages["/list/"] = _html(convert(page(style, title, "新闻列表", list_main("新闻列表", stories), side, foot,
                                              charset, head)), charset, header=charset == "utf-8")
    about = f"<p>{_esc(title)}。联系电话：010-1234。</p>"
    site.pages["/about.html"] = _html(convert(page(style, title, "关于我们", about, [], foot, charset, head)), charset,
                                      header=charset == "utf-8")
    return stories


def _to_traditional(text: str) -> str:
    import opencc

    return opencc.OpenCC("s2tw").convert(text)


def _sitemap(site: SiteSpec, paths: list[str]) -> Reply:
    urls = "".join(f"<url><loc>{site.base}{p}</loc></url>" for p in paths)
    return Reply(200, ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/'
                       f'sitemap/0.9">{urls}</urlset>').encode(), "application/xml")


def _rss(site: SiteSpec, stories: list[Story]) -> Reply:
    items = "".join(f"<item><title>{_esc(s.title)}</title><link>{site.base}{s.path}</link></item>" for s in stories)
    return Reply(200, f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>feed</title>'
                      f"{items}</channel></rss>".encode(), "application/rss+xml")


def build(sites: dict[str, SiteSpec], seed: int = 17) -> None:
    """Fill every site's pages (the sites' addresses and ports are known by now)."""
    rng = random.Random(seed)
    b = {name: s.base for name, s in sites.items()}
    external = [(u, "合作网站") for u in EXTERNAL_LINKS]

    zj = sites["zhijiao"]
    foot = [(b["chanjiao"] + "/", "产教融合网"), (b["sports"] + "/", "体育在线"), (b["finance"] + "/", "财经快讯"),
            (b["shop"] + "/", "职教商城"), (b["farm"] + "/", "职业教育大全"), (b["closed"] + "/", "职教内参"),
            (b["nobody"] + "/", "职教论坛"), (b["ent"] + "/", "娱乐头条")] + external
    _news_site(zj, rng, VOCATIONAL, "div", "职教新闻网", "/zyjy/{y}{m}/t{ymd}_{i}.html", 7, [], foot)
    zj.pages["/robots.txt"] = _robots(f"Sitemap: {zj.base}/sitemap.xml\n")
    zj.pages["/sitemap.xml"] = _sitemap(zj, zj.articles)

    cj = sites["chanjiao"]
    head = f'<link rel="alternate" type="application/rss+xml" title="RSS" href="{b["chanjiao"]}/rss.xml">'
    cj_stories = _news_site(cj, rng, VOCATIONAL, "table", "产教融合网", "/a/{i}.html", 6,
                            [(b["jineng"] + "/", "技能人才网")], [(b["zhijiao"] + "/", "职教新闻网")], head=head)
    cj.pages["/robots.txt"] = _robots()
    cj.pages["/rss.xml"] = _rss(cj, cj_stories)

    sp = sites["sports"]  # links to xiaoqi: the only way there
    _news_site(sp, rng, SPORTS, "article", "体育在线", "/sports/{d}/{i}.html", 6,
               [(b["xiaoqi"] + "/", "校企合作动态")], [(b["finance"] + "/", "财经快讯")], mention=True)
    sp.pages["/robots.txt"] = _robots()

    xq = sites["xiaoqi"]
    _news_site(xq, rng, VOCATIONAL, "article", "校企合作动态", "/content/{d}/{i}.shtml", 6, [],
               [(b["gbk"] + "/", "技工教育网"), (b["sports"] + "/", "体育在线")])
    xq.pages["/robots.txt"] = Reply(404, b"not found", "text/plain")  # no robots.txt: everything allowed

    gb = sites["gbk"]
    _news_site(gb, rng, VOCATIONAL, "table", "技工教育网", "/html/{i}.htm", 5, [],
               [(b["xiaoqi"] + "/", "校企合作动态")], charset="gbk")

    fi = sites["finance"]
    _news_site(fi, rng, FINANCE, "div", "财经快讯", "/stock/{ymd}/{i}.html", 6, [(b["jineng"] + "/", "技能人才网")],
               [(b["tech"] + "/", "科技天气")], mention=True)

    jn = sites["jineng"]  # a home page mostly of other sites' off-topic headlines
    heads = []
    for name in ("sports", "finance", "ent", "tech"):
        for i in range(4):
            heads.append((f"{b[name]}/hot/{i}.html", _fill(rng.choice({"sports": SPORTS, "finance": FINANCE,
                                                                        "ent": ENTERTAINMENT, "tech": TECH}[name]
                                                                       ["title"]), rng)))
    _news_site(jn, rng, VOCATIONAL, "div", "技能人才网", "/news/show-{i}.html", 6, [],
               [(b["chanjiao"] + "/", "产教融合网")], home_extra=heads)

    en = sites["ent"]  # links to fanti: the only way there
    _news_site(en, rng, ENTERTAINMENT, "article", "娱乐头条", "/ent/{ymd}/{i}.html", 5,
               [(b["fanti"] + "/", "職教時訊")], [], mention=True)

    ft = sites["fanti"]
    _news_site(ft, rng, VOCATIONAL, "div", "职教时讯", "/news/{y}/{m}/{i}.html", 5, [], [(b["ent"] + "/", "娛樂頭條")],
               charset="big5", traditional=True)

    te = sites["tech"]
    te_stories = _news_site(te, rng, TECH, "table", "科技天气", "/tech/{i}.html", 5, [], [(b["finance"] + "/", "财经")],
                            mention=True)
    te.pages["/robots.txt"] = _robots(f"Sitemap: {te.base}/sitemap.xml\n")
    te.pages["/sitemap.xml"] = _sitemap(te, [s.path for s in te_stories])

    _farm(sites["farm"], b, rng)
    _shop(sites["shop"], rng)
    cl = sites["closed"]
    _news_site(cl, rng, VOCATIONAL, "div", "职教内参", "/nc/{i}.html", 5, [], [])
    cl.pages["/robots.txt"] = Reply(200, b"User-agent: *\nDisallow: /\n", "text/plain")


_FARM_WORDS = ["职业教育", "产教融合", "校企合作", "职业院校", "技能培训", "实训基地", "现代学徒制", "职教资讯",
               "职业技能证书", "学历提升", "成人高考", "自考本科"]


def _farm(site: SiteSpec, b: dict[str, str], rng: random.Random) -> None:
    """Links to many hosts (made-up names and other sites of this web), keyword-farm lines, a 蜘蛛池 block."""
    hosts = [f"http://spam{i}.example.net/{w}" for i, w in enumerate(_FARM_WORDS * 4)]
    links = [(h, rng.choice(_FARM_WORDS) + rng.choice(_FARM_WORDS)) for h in hosts]
    links += [(b[n] + "/", rng.choice(_FARM_WORDS)) for n in ("zhijiao", "sports", "finance")]
    farm_lines = "".join(f"<p>{'|'.join(rng.sample(_FARM_WORDS, 8))}</p>" for _ in range(5))
    body = ("<h1>职业教育大全</h1>" + farm_lines + "<ul>" + _links(links) + "</ul>"
            + "<div>主站蜘蛛池模板：" + "|".join(_FARM_WORDS) + "</div>")
    site.pages["/"] = _html(f"<html><head><meta charset='utf-8'><title>职业教育大全</title></head><body>{body}"
                            "</body></html>")
    for i in range(3):
        stuffed = "".join(f"<p>{'，'.join(rng.sample(_FARM_WORDS, 6))}。{'|'.join(rng.sample(_FARM_WORDS, 6))}</p>"
                          for _ in range(6))
        site.pages[f"/zt/{i}.html"] = _html(f"<html><head><meta charset='utf-8'><title>职业教育{i}</title></head>"
                                            f"<body><h1>职业教育专题{i}</h1>{stuffed}</body></html>")
    site.pages["/robots.txt"] = _robots()


def _shop(site: SiteSpec, rng: random.Random) -> None:
    """A shop: a grid of products, product pages of specifications and prices, a cart."""
    products = ["数控车床实训台", "汽车发动机教学模型", "电工实训套件", "护理模拟人", "工业机器人教学站",
                "焊接实训设备"]
    items = []
    for i, name in enumerate(products):
        path = f"/goods/{100 + i}.html"
        items.append((path, name))
        specs = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in
                        [("型号", f"JX-{rng.randint(100, 999)}"), ("价格", f"￥{rng.randint(2000, 90000)}"),
                         ("库存", f"{rng.randint(1, 50)}件"), ("发货", "48小时内")])
        site.pages[path] = _html(
            f"<html><head><meta charset='utf-8'><title>{name} - 职教商城</title></head><body>"
            f"<div class='nav'><a href='/'>首页</a> <a href='/cart.html'>购物车</a></div><h1>{name}</h1>"
            f"<table class='spec'>{specs}</table><button>加入购物车</button> <button>立即购买</button>"
            f"<div class='shipping'>全国包邮 七天无理由退换</div></body></html>")
    grid = "".join(f"<div class='item'><a href='{p}'>{n}</a><span>￥{rng.randint(2000, 90000)}</span></div>"
                   for p, n in items)
    site.pages["/"] = _html(f"<html><head><meta charset='utf-8'><title>职教商城</title></head><body>"
                            f"<div class='nav'><a href='/cart.html'>购物车</a></div><div class='grid'>{grid}</div>"
                            f"</body></html>")
    site.pages["/cart.html"] = _html("<html><head><meta charset='utf-8'><title>购物车</title></head><body>"
                                     "<p>购物车是空的</p></body></html>")
    site.pages["/robots.txt"] = _robots()


# ---- serving ------------------------------------------------------------------------------------------------


@dataclass
class Hit:
    address: str  # the address the server listens on
    host: str  # the Host header
    path: str
    agent: str


class _Handler(BaseHTTPRequestHandler):
    site: SiteSpec
    hits: list[Hit]
    lock: threading.Lock
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:  # noqa: N802
        with self.lock:
            self.hits.append(Hit(self.site.address, self.headers.get("Host", ""), self.path,
                                 self.headers.get("User-Agent", "")))
        path = self.path.split("?", 1)[0]
        reply = self.site.pages.get(path) or Reply(404, b"<html><body>404</body></html>")
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.ctype)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        return


@dataclass
class LocalWeb:
    sites: dict[str, SiteSpec]
    hits: list[Hit]

    def requests(self) -> list[Hit]:
        return list(self.hits)

    def by_netloc(self) -> dict[str, SiteSpec]:
        return {s.netloc: s for s in self.sites.values()}

    def write_sources(self, path: Path, names: tuple[str, ...] = ("zhijiao",)) -> Path:
        import json

        entries = [{"name": n, "start_urls": [self.sites[n].base + "/"]} for n in names]
        path.write_text(json.dumps({"sources": entries}, ensure_ascii=False), "utf-8")
        return path


def _free_port(address: str) -> int:
    with socket.socket() as s:
        s.bind((address, 0))
        return s.getsockname()[1]


@contextmanager
def serve_web(seed: int = 17) -> Iterator[LocalWeb]:
    """Start the web (one server per loopback address, bound to it alone), stop it when the context ends."""
    hits: list[Hit] = []
    lock = threading.Lock()
    sites: dict[str, SiteSpec] = {}
    servers: list[_Server] = []
    started: list[_Server] = []
    try:
        for i, name in enumerate(SITES):
            address = f"127.0.0.{FIRST_ADDRESS + i}"
            site = SiteSpec(name, address)
            sites[name] = site
            if name == "nobody":
                site.port = _free_port(address)  # bound and closed: nothing listens there
                continue
            handler = type("Handler", (_Handler,), {"site": site, "hits": hits, "lock": lock})
            server = _Server((address, 0), handler)
            site.port = server.server_address[1]
            servers.append(server)
        build(sites, seed)
        for server in servers:
            threading.Thread(target=server.serve_forever, daemon=True).start()
            started.append(server)
        yield LocalWeb(sites, hits)
    finally:
        for server in started:  # shutdown() waits for serve_forever(): only the started ones
            server.shutdown()
        for server in servers:
            server.server_close()
