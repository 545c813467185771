"""Shortcuts taken for speed give what the full computation gives: byline prechecks, letter counts, line
normalisation of printable ASCII, stamp prechecks."""
import random
import sys

import pytest
import regex

from cleaners.decode import normalize
from cleaners.text import metadata, structure

_SAMPLES = [
    "", " ", "By Jane Smith | May 2, 2024", "Posted by Admin", "poſted by John Doe on May 2", "AUTHOR: Ann Lee",
    "Authority figures", "来源：中国新闻网 作者：张三", "文/李四", "芊草凡凡 发表于 2005-08-22", "（记者 杜燕）",
    "责任编辑：李岩", "x  y\t z ", "a\x1cb", "a\u00a0b\u3000c", "ｘ１２３", "中文(注释)文字", "“一体两翼”:职业",
    "\u200bzero\ufeffwidth", "tab\tand\x0bvertical", "3 hours ago", "刚刚", "08-11 16:58", "March 9, 2017 at 10:42 am",
    "…发表在《自然》上。（编译/林靖东）", "Reference text. [3]", "Ünïcödé wörds and ½ ² ٣ digits",
]


def _random_lines(n: int) -> list[str]:
    rnd = random.Random(0)
    alphabet = "aZ9 .,;:()[]（）“”’中文记者作者编辑来源\t\x1c\u00a0\u3000\u200bｘ１½ſ-:2024年5月刚"
    return ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 20))) for _ in range(n)]


def _bylines_slow(lines: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in lines:
        for key, pattern in metadata.BYLINES.items():
            if key not in found and (m := pattern.search(line)) and m["v"] not in metadata._STOP_VALUES:
                found[key] = m["v"].strip()
    for fallback in ("reporter", "poster"):
        if "author" not in found and fallback in found:
            found["author"] = found[fallback]
        found.pop(fallback, None)
    return found


def test_every_byline_pattern_has_its_precheck():
    assert set(metadata._BYLINE_NEEDS) == set(metadata.BYLINES)


def test_byline_prechecks_change_no_result():
    for line in _SAMPLES + _random_lines(3000):
        assert metadata.bylines([line]) == _bylines_slow([line]), line


def test_text_chars_counts_letters_and_digits():
    letter_or_digit = regex.compile(r"[\p{L}\p{N}]")
    for line in _SAMPLES + _random_lines(3000) + [chr(c) for c in range(0x3000)]:
        assert structure.text_chars(line) == len(letter_or_digit.findall(line)), line


def test_normalize_line_shortcuts_change_no_result():
    def slow(line: str) -> str:
        line = normalize._INVISIBLE.sub("", line)
        line = line.translate(normalize._FULLWIDTH_ALNUM)
        line = normalize._PAREN_PAIR.sub(lambda m: f"（{m.group(1) or m.group(2)}）", line)
        line = normalize._ASCII_BETWEEN_CJK.sub(lambda m: normalize._ASCII_TO_FULL[m.group()], line)
        return normalize._SPACES.sub(" ", line).strip()

    for line in _SAMPLES + _random_lines(3000) + ["a\nb  c", " x \n y "] + [chr(c) for c in range(0x3100)]:
        assert normalize.normalize_line(line) == slow(line), repr(line)


def test_stamp_precheck_changes_no_result():
    def slow(line: str) -> bool:
        if len(line) > 60 or "。" in line:
            return False
        m = structure.DATE.search(line)
        if (m and m["H"] is not None) or structure._SHORT_STAMP.search(line):
            return True
        return bool(structure._TIME_OF_DAY.search(line) and structure.text_date(line))

    for line in _SAMPLES + _random_lines(3000):
        assert structure.is_stamped(line) == slow(line), line


@pytest.mark.parametrize("on_vectors", [True, False], ids=["numpy", "lists"])
def test_rewritten_langdetect_gives_the_stock_probabilities(monkeypatch, on_vectors):
    from langdetect import detector_factory

    from cleaners.decode import fastdetect, langid

    monkeypatch.setattr(fastdetect, "_on_vectors", lambda: on_vectors)
    texts = _SAMPLES + [
        "The committee met on Tuesday to discuss the budget, and the chairman said that no decision was taken.",
        "Le comité s'est réuni mardi pour discuter du budget; le président a dit qu'aucune décision n'a été prise.",
        "Der Ausschuss traf sich am Dienstag, um über den Haushalt zu sprechen. NATO und EU schwiegen.",
        "Комитет собрался во вторник, чтобы обсудить бюджет.", "ひらがなとカタカナの文章です。", "한국어 문장입니다.",
        "Ủy ban đã họp vào thứ Ba để thảo luận về ngân sách.", "مرحبا بكم في موقعنا الجديد یک",
    ]
    detector_factory.init_factory()
    factory = detector_factory._factory
    for text in texts:
        results = []
        # the stock detector, the rewrite on the stock factory, and the rewrite on the lazily read profiles
        for detector in (factory.create(), fastdetect._Detector(factory), fastdetect._Detector(fastdetect._profiles())):
            detector.n_trial = langid.SETTINGS.trials
            try:
                detector.append(text)
                results.append([(p.lang, p.prob) for p in detector.get_probabilities()])
            except fastdetect.LangDetectException:
                results.append(None)
        assert results[0] == results[1] == results[2], text


def test_walks_turn_to_numpy_after_enough_texts(monkeypatch):
    from cleaners.decode import fastdetect

    monkeypatch.setattr(fastdetect, "_walked", 0)
    monkeypatch.setattr(fastdetect, "NUMPY_AFTER", 2)
    monkeypatch.delitem(sys.modules, "numpy", raising=False)  # a process without numpy (restored after)
    assert [fastdetect._on_vectors() for _ in range(3)] == [False, False, True]


def test_lazily_read_profiles_hold_the_factory_word_map():
    from langdetect import detector_factory

    from cleaners.decode import fastdetect

    detector_factory.init_factory()
    factory, profiles = detector_factory._factory, fastdetect._profiles()
    assert profiles.langlist == factory.langlist
    assert profiles.known == set(factory.word_lang_prob_map)
    for word in sorted(factory.word_lang_prob_map)[::50] + ["e", "th", "the", " a"]:
        if word in factory.word_lang_prob_map:
            assert profiles.row(word) == profiles.vector(word).tolist() == factory.word_lang_prob_map[word], word


def test_required_strings_of_patterns():
    from cleaners.text.rules import required_strings

    assert required_strings("(?i)foo|bar baz") == {"foo", "bar baz"}
    assert required_strings(r"(?i)subscribe to (our|the)?\s?.{0,40}newsletter") == {"subscribe to "}
    assert required_strings(r"\d+|foo") is None  # one alternative needs no literal
    assert required_strings(r"(ab)?c{0,2}") is None
    assert required_strings(r"[\p{Han}]{2}版权所有") == {"版权所有"}
    assert required_strings(r"(?i)[[:alpha:]]+ cookies") is None  # syntax Python's parser reads another way


def test_rule_prechecks_reject_no_line_the_rule_matches():
    from cleaners.text.rules import _holds_any, default_table

    lines = _SAMPLES + _random_lines(2000) + [
        "We use cookies to improve your experience", "WE USE COOKİES", "This site uses cookies.", "Cookie Policy",
        "Subscribe to our weekly newsletter", "Sign up for our emails", "© 2024 Example. All Rights Reserved.",
        "5 min read", "Reading time: 3 minutes", "Temps de lecture : 4 min", "本网站使用cookie以提升体验",
    ]
    rules = [r for r in default_table().rules if r.needs is not None]
    assert rules
    for rule in rules:
        for line in lines:
            assert _holds_any(line, rule.needs) or not rule.regex.search(line), (rule.name, line)


def test_keyword_farm_precheck_changes_no_result():
    def slow(line: str) -> bool:
        parts = [p for p in structure._PIPES.split(line) if p]
        return len(parts) >= 4 and sum(len(p) for p in parts) / len(parts) <= 16 and "。" not in line

    for line in _SAMPLES + _random_lines(2000) + ["a | b | c | d", "甲｜乙｜丙｜丁", "a|b|c"]:
        assert structure.is_keyword_farm(line) == slow(line), line


def test_latin1_precheck_of_the_misread_chinese_repair():
    from cleaners.decode import charset as decode

    for code in range(0x0, 0x3000):
        ch = chr(code)
        assert decode._holds_latin1(f"a{ch}b") == (0x80 <= code <= 0xFF), hex(code)
    assert not decode._holds_latin1("\ud800 lone surrogate")


def test_punct_tally_compares_as_the_full_count():
    rnd = random.Random(2)
    pieces = ["word ", "句子，", "完。", "a.b", "end.", " x, y", "“q”.", "1:2", "；", "!", "\n", "中:文", "…"]
    for _ in range(300):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 3000)))
        full = len(structure.CLAUSE_PUNCT.findall(text))
        tally = structure.PunctTally(text)
        while tally._pos < len(text):
            tally._count_chunk()
        assert tally.counted == full
        for puncts in (0, 1, full // 3, full // 2, full, full + 1):
            assert structure.PunctTally(text).within_share(puncts, 0.35) == (puncts <= 0.35 * max(1, full))


def test_parsed_nodes_get_lxml_html_classes():
    from lxml import html as lxml_html

    from cleaners.html.parse import parse_html

    page = ("<html><body><FORM><Label>x</Label><INPUT name=a><select><option>o</option></select><textarea>t"
            "</textarea></FORM><p>text &amp; <b>bold</b></p><svg:rect/><div>&#169;</div></body></html>")
    ours = parse_html(page)
    stock = lxml_html.document_fromstring(page, parser=lxml_html.HTMLParser(remove_comments=True, remove_pis=True))
    assert [(type(a), a.tag) for a in ours.iter()] == [(type(b), b.tag) for b in stock.iter()]
    assert isinstance(ours.find(".//form"), lxml_html.FormElement)


def test_start_chars_of_patterns():
    from cleaners.text.rules import start_chars

    assert start_chars("(?i)foo|Bar") == (frozenset("fb"), True)
    assert start_chars(r"[\[【]?(打印|关闭)\s*") == (frozenset("[【打关"), False)
    assert start_chars(r"\s*x") is None and start_chars(r".x") is None and start_chars(r"[^a]x") is None
    assert start_chars(r"[\p{Han}]{2}x") is None  # a property may start with any of its characters
    assert start_chars(r"(?i)[[:alpha:]]x") is None


def test_rule_start_tests_reject_no_line_the_rule_matches():
    from cleaners.text.rules import default_table

    lines = _SAMPLES + _random_lines(2000) + [
        "Comments are closed.", "COMMENTS ARE CLOSED", "İmage", "Print this page", "Back to top", "[打印] [关闭]",
        "Tags: a, b", "By Jane Smith", "http://example.com/x", "上一篇：标题", "【打印】", "相关新闻",
    ]
    rules = [r for r in default_table().rules if r.starts is not None]
    assert rules
    for rule in rules:
        for line in lines:
            if rule.regex.fullmatch(line):
                assert rule.matches_line(line), (rule.name, line)


def test_ascii_title_keys_equal_the_regex_keys():
    from cleaners.text.lines import _TITLE_KEY, title_key

    lines = _SAMPLES + _random_lines(2000) + [chr(c) for c in range(128)] + ["Deal Professor | Jan. 2, 2024 — A & B"]
    for line in lines:
        assert title_key(line) == _TITLE_KEY.sub("", line).lower(), line


def test_figure_end_check_rejects_no_line_the_spaced_period_pattern_ends():
    lines = _SAMPLES + _random_lines(2000) + ["The count rose to 12.", "It stands at 3.5.\"", "Score: 12.’", "x 1."]
    for line in lines:
        if structure._SPACED_PERIOD_END.search(line):
            assert structure._ends_in_figure(line), line
