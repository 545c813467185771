"""The pure parts of the discovery: the topic profile and its threshold, the address check, the host verdicts,
the spam signals, the frontier's priorities, and the sources file it writes."""
from __future__ import annotations

import random
from pathlib import Path

import pytest
from lxml import html as lxml_html
from support.discover_web import FINANCE, SPORTS, VOCATIONAL, story

from cleaners.core import clean_file
from cleaners.decode.normalize import convert_script
from cleaners.html.pagetype import page_kind
from scraper.discover import frontier
from scraper.discover.addresses import host_refusal, parse_networks, url_refusal
from scraper.discover.judge import HostState, Sample, judge
from scraper.discover.output import Judged, article_pattern, sources_yaml
from scraper.discover.pagework import spam_signal
from scraper.discover.profile import THRESHOLD_SHARE, ProfileError, build_profile, ngrams
from scraper.sources import load_sources

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _seed_texts() -> list[str]:
    return [f"{d.title}\n{d.text}" for d in (clean_file(p) for p in sorted(SEEDS.glob("*.txt")))]


@pytest.fixture(scope="module")
def profile():
    return build_profile(_seed_texts())


def _text(bank: dict, seed: int, mention: bool = False) -> str:
    s = story(bank, random.Random(seed), mention=mention)
    return s.title + "\n" + "\n".join(s.paragraphs)


def test_threshold_is_half_the_examples_held_out_median(profile):
    scores = sorted(profile.example_scores)
    assert profile.examples == 5 and len(scores) == 5
    assert profile.threshold == pytest.approx(THRESHOLD_SHARE * scores[2], abs=1e-4)
    assert profile.top_terms[:2] and {"职业", "教育"} <= set(profile.top_terms[:5])


def test_scores_separate_the_topic_from_other_news(profile):
    # new texts of the test web's sentence banks: vocational news above, sports and finance (with 教育 once) below
    on = [profile.score(_text(VOCATIONAL, i)) for i in range(10)]
    off = [profile.score(_text(b, i, mention=True)) for b in (SPORTS, FINANCE) for i in range(10)]
    assert min(on) >= profile.threshold > max(off)


def test_a_score_explains_itself_and_ignores_the_script(profile):
    text = _text(VOCATIONAL, 3)
    m = profile.match(text)
    assert m.terms and all(t in ngrams(text) for t in m.terms)
    assert m.explanation.startswith(f"{m.score:.3f} (")
    assert profile.score(convert_script(text, "s2t")) == pytest.approx(m.score, abs=0.02)  # Traditional alike


def test_stop_characters_make_no_ngrams():
    assert not ngrams("的了是在和")
    assert set(ngrams("职业教育")) == {"职业", "业教", "教育", "职业教", "业教育"}


def test_keywords_widen_the_profile(profile):
    wide = build_profile(_seed_texts(), keywords=["无人机巡检"])
    assert "无人" in wide.weights and "无人" not in profile.weights
    assert wide.score("无人机巡检") > profile.score("无人机巡检")


def test_a_profile_needs_two_examples():
    with pytest.raises(ProfileError):
        build_profile(["只有一篇职业教育的文章。"])
    with pytest.raises(ProfileError):
        build_profile(["English only", "no Han at all"])


@pytest.mark.parametrize("host, local, refused", [
    ("www.jyb.cn", "", False), ("8.8.8.8", "", False),
    ("127.0.0.1", "", True), ("10.0.0.5", "", True), ("192.168.1.1", "", True), ("169.254.169.254", "", True),
    ("[::1]", "", True), ("localhost", "", True), ("printer.local", "", True), ("intranet", "", True),
    ("127.0.0.25", "127.0.0.0/8", False), ("10.0.0.5", "127.0.0.0/8", True), ("example.com", "127.0.0.0/8", True),
])
def test_address_refusal(host, local, refused):
    assert (host_refusal(host, parse_networks(local)) is not None) is refused


def test_only_http_urls():
    assert url_refusal("ftp://example.com/a") and url_refusal("javascript:alert(1)")
    assert url_refusal("https://example.com/a") is None
    with pytest.raises(ValueError):
        parse_networks("127.0.0.0/33")


def _state(**kw) -> HostState:
    samples = [Sample(f"http://h/{i}.html", s, s >= 0.2) for i, s in enumerate(kw.pop("scores", []))]
    return HostState("h:1", kw.pop("counts", {}), kw.pop("facts", {}), samples)


@pytest.mark.parametrize("state, verdict", [
    (_state(counts={"pages": 6}, scores=[0.3, 0.4, 0.25, 0.1]), "on_topic"),
    (_state(counts={"pages": 6}, scores=[0.3, 0.1, 0.1, 0.1]), "off_topic"),  # one lucky article is not a site
    (_state(counts={"pages": 2}, scores=[0.3]), "on_topic"),  # all it has
    (_state(counts={"pages": 4}), "not_news"),
    (_state(counts={"pages": 2, "spam_pages": 1}, facts={"spam": "link farm"}, scores=[0.5]), "spam"),
    (_state(counts={"robots_refused": 3}), "robots"),
    (_state(counts={"robots_refused": 1}, facts={"robots": "unreachable", "robots_detail": "refused"}),
     "unreachable"),
    (_state(counts={"errors": 2}, facts={"error": "http_500"}), "unreachable"),
])
def test_verdicts(state, verdict):
    assert judge(state, 0.2).verdict == verdict


def _tree(body: str):
    return lxml_html.document_fromstring(f"<html><body>{body}</body></html>")


def test_spam_signals_use_the_cleaners_detectors():
    farm = _tree("".join(f'<a href="http://s{i}.example/">职业教育培训{i}</a>' for i in range(30)))
    assert spam_signal(farm, page_kind(farm), 30, 30, 30).startswith("link farm")
    words = "|".join(["职业教育", "产教融合", "校企合作", "成人高考", "自考本科"])
    stuffed = _tree("".join(f"<p>{words}</p>" for _ in range(3)) + "<p>" + "正文内容，" * 30 + "。</p>")
    assert "keyword-farm" in spam_signal(stuffed, page_kind(stuffed), 0, 0, 0)
    pool = _tree("<p>主站蜘蛛池模板：a|b|c</p>")
    assert "spider_pool_farm" in spam_signal(pool, page_kind(pool), 0, 0, 0)
    # a news page with a partner-links footer (友情链接, `|`-separated links) is not spam
    footer = " | ".join(f'<a href="http://p{i}.cn/">合作网站{i}</a>' for i in range(8))
    prose = "学校与企业签订合作协议，共建实训基地。" * 20
    news = _tree(f"<div><p>{prose}</p></div><div>友情链接：{footer}</div>")
    assert spam_signal(news, page_kind(news), 8, 8, 8) == ""


def test_article_pattern_from_urls_of_one_shape():
    urls = [f"http://h/zyjy/2024{m:02d}/t2024{m:02d}15_{i}.html" for m, i in ((1, 7), (5, 1234), (11, 99))]
    pattern = article_pattern(urls, ["http://h/", "http://h/zyjy/index_2.html"])
    assert pattern == r"/zyjy/\d+/t\d+_\d+\.html$"
    assert article_pattern(urls[:2]) == ""  # too few to call it a shape
    assert article_pattern(urls + ["http://h/special/a.html"]) == ""  # not one shape
    assert article_pattern(["http://h/a/1.html", "http://h/a/2.html", "http://h/a/3.html"], ["http://h/a/9.html"]) == ""


def test_priorities_follow_the_link_context():
    t = 0.2
    assert frontier.new_host_priority(0.4, 0.4, 1.0, t) == 1000
    assert frontier.new_host_priority(0.3, 0.1, None, t) > frontier.new_host_priority(0.0, 0.1, None, t)
    assert frontier.new_host_priority(0.0, 0.3, None, t) > frontier.new_host_priority(0.0, 0.0, None, t)
    assert frontier.new_host_priority(0.1, 0.1, 1.0, t) > frontier.new_host_priority(0.1, 0.1, 0.0, t)
    assert frontier.same_host_priority(0.0, False, t) > frontier.new_host_priority(1.0, 1.0, 1.0, t)
    assert frontier.same_host_priority(0.0, True, t) > frontier.same_host_priority(0.4, False, t)
    assert frontier.next_chain(1, True) == 0 and frontier.next_chain(1, False) == 2
    assert frontier.Budgets(pages_per_site=5).host_requests == 14


def test_sources_yaml_is_what_crawl_reads(tmp_path):
    good = HostState("127.0.0.9:8080", {"pages": 5}, {"scheme": "http", "feed": "http://127.0.0.9:8080/rss.xml",
                                                      "via": "http://127.0.0.8/"},
                     [Sample(f"http://127.0.0.9:8080/a/{i}.html", 0.3 + i / 100, True, ("职业", "教育"))
                      for i in range(4)],
                     {"list": ["http://127.0.0.9:8080/"]})
    other = HostState("127.0.0.10", {"pages": 3}, {"scheme": "https"}, [Sample("https://127.0.0.10/x", 0.1, False)])
    judged = [Judged(s, judge(s, 0.2)) for s in (other, good)]
    path = tmp_path / "sources.yaml"
    path.write_text(sources_yaml(judged), "utf-8")
    (spec,) = load_sources(path)
    assert spec.start_urls == ("http://127.0.0.9:8080/",) and spec.allowed_domains == ("127.0.0.9",)
    assert spec.feeds == ("http://127.0.0.9:8080/rss.xml",) and spec.article_pattern == r"/a/\d+\.html$"
    assert spec.is_article_url("http://127.0.0.9:8080/a/77.html")
    assert "# score 0.315: 4 of 4 articles" in path.read_text("utf-8")


def test_the_command_refuses_bad_input_in_one_line(tmp_path, capsys):
    from cleaners.cli import main

    base = ["discover", "--sources", str(SEEDS / "sources.yaml"), "-o", str(tmp_path / "o")]
    assert main([*base, "--like", str(tmp_path / "missing")]) == 2
    assert "no such file or directory" in capsys.readouterr().err
    assert main([*base, "--like", str(sorted(SEEDS.glob("*.txt"))[0])]) == 2  # one example: no held-out score
    assert "at least 2 are needed" in capsys.readouterr().err
    assert main([*base, "--like", str(SEEDS), "--max-pages", "0"]) == 2
    assert main([*base, "--like", str(SEEDS), "-s", "NEWSCLEAN_LOCAL_WEB=nonsense"]) == 2
    assert "not a network" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()  # refused before anything is written
