"""The quality signals (record.quality): each on small inputs where the value is known by hand, then on pages
cleaned end to end."""
from __future__ import annotations

import pytest

from cleaners import clean_file, clean_text
from cleaners.record import Span
from cleaners.text.quality import han_and_letters, quality_signals, repeated_line_share, sentence_ends, spam_rule_names
from cleaners.text.rules import default_table


def signals(text: str, removed: tuple[tuple[str, str], ...] = ()):
    return quality_signals(text, [Span(rule, span) for rule, span in removed], default_table())


@pytest.mark.parametrize("text, han, letters", [
    ("中文abcd", 2, 6),  # Han among letters of any script
    ("中文，2024年！", 3, 3),  # digits and punctuation are not letters
    ("日本語のかな", 3, 6),  # kana are letters, not Han
    ("Café 東京 Ωμέγα", 2, 11),  # accented Latin and Greek count as letters
    ("123 ... !!!", 0, 0),
])
def test_han_and_letters(text, han, letters):
    assert han_and_letters(text) == (han, letters)


def test_han_share():
    assert signals("中文abcd").han_share == round(2 / 6, 4)
    assert signals("only latin").han_share == 0.0
    assert signals("2024 ...").han_share == 0.0  # no letters at all: 0, not a division by zero


@pytest.mark.parametrize("text, ends", [
    ("今天下雨。明天晴！后天呢？", 3),
    ("他说：“走吧。”然后", 1),  # the 。 inside the quote ends the sentence
    ("等等……真的吗？！", 1),  # ？！ is one run; … is not a terminator
    ("It rains. 3.5 mm fell!", 2),  # the decimal point ends nothing
    ("See example.com or e.g. this", 1),  # full stops inside a word end nothing; `g.` before a space does
    ("Wait... what?", 2),
    ("مرحبا؟ नमस्ते।", 2),  # Arabic question mark, Devanagari danda
    ("no punctuation here", 0),
])
def test_sentence_ends(text, ends):
    assert sentence_ends(text) == ends


def test_sentence_punct_density_is_per_100_non_space_characters():
    assert signals("今天下雨。明天晴！").sentence_punct_density == round(100 * 2 / 9, 4)
    assert signals("It rains. 3.5 mm fell!").sentence_punct_density == round(100 * 2 / 18, 4)  # 22 - 4 spaces
    assert signals("首页\n新闻\n体育").sentence_punct_density == 0.0  # a menu: no sentence


def test_repeated_line_share():
    assert repeated_line_share("甲乙丙\n丁戊\n甲乙丙") == round(3 / 8, 4)  # the first copy does not count
    assert repeated_line_share("甲乙丙\n甲乙丙\n甲乙丙\n丁") == round(6 / 10, 4)
    assert repeated_line_share("一行\n另一行") == 0.0


def test_boilerplate_share_counts_every_removed_character():
    q = signals("正文内容", (("copyright_line", "版权所有"),))
    assert q.boilerplate_share == 0.5
    assert signals("正文内容").boilerplate_share == 0.0
    assert signals("正文\n内容", (("before_article", "首页"),)).boilerplate_share == 0.3333  # line breaks not counted


def test_spam_farm_score_counts_the_link_farm_rules_only():
    removed = (("keyword_farm", "关键词|关键词"), ("friendly_links", "友情链接"), ("copyright_line", "版权所有"))
    q = signals("这是正文内容", removed)
    page = 6 + 7 + 4 + 4
    assert q.spam_farm_score == round(11 / page, 4)
    assert q.boilerplate_share == round(15 / page, 4)


def test_spam_rules_are_those_of_the_spam_farm_concept():
    names = spam_rule_names(default_table())
    assert {"spider_pool_farm", "friendly_links", "keyword_farm"} <= names
    assert "copyright_line" not in names and "comment_section" not in names
    extended = default_table().extended([{"name": "my_farm", "concept": "spam_farm", "scope": "line",
                                          "pattern": "刷排名.*", "case": "a site's own farm"}])
    assert "my_farm" in spam_rule_names(extended) and "my_farm" not in spam_rule_names(default_table())


def test_seed_with_a_link_farm_scores_and_a_clean_page_does_not(seeds_dir):
    farm = clean_file(seeds_dir / "001_4527b3937410a339.txt")  # 主站蜘蛛池模板: followed by keyword spam
    farm_chars = sum(r["chars"] for r in farm.provenance.removed_counts if r["rule"] == "spider_pool_farm")
    page = len(farm.text) - farm.text.count("\n") + sum(r["chars"] for r in farm.provenance.removed_counts)
    assert farm_chars > 0 and farm.quality.spam_farm_score == round(farm_chars / page, 4)
    plain = clean_file(seeds_dir / "000_b90814e18ec9e984.txt")
    assert plain.quality.spam_farm_score == 0.0 and 0 < plain.quality.boilerplate_share < 1


def test_signals_of_a_cleaned_text_page():
    doc = clean_text("全省推进职业教育\n面对产业转型，全省深化产教融合。一年来成效显著！\n"
                     "一年来，全省培养技术技能人才9.2万人。\n", source="page.txt")
    q = doc.quality
    assert q.han_share > 0.9 and q.repeated_line_share == 0.0
    text = doc.text
    assert q.sentence_punct_density == round(100 * sentence_ends(text) / (len(text) - text.count("\n")), 4)
