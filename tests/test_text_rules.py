"""Each rule kind on {text, target} pairs (fixtures/text_rules/cases.yaml), Simplified and Traditional,
including text that must not be removed."""
from pathlib import Path

import pytest
import yaml

from cleaners.decode.normalize import normalize_text
from cleaners.text.clean import clean_page_text

CASES = yaml.safe_load((Path(__file__).parent.parent / "fixtures/text_rules/cases.yaml").read_text("utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case):
    result = clean_page_text(normalize_text(case["text"]))
    assert result.text == normalize_text(case["target"])


def test_cases_cover_every_kind():
    kinds = {c["covers"] for c in CASES}
    assert {"comment_box", "spam_farm", "related", "disclaimer", "site_chrome", "meta", "media", "end_marker",
            "keep"} <= kinds


def test_every_removal_is_recorded_with_its_rule():
    case = next(c for c in CASES if c["name"] == "related_headlines_after_end_marker")
    result = clean_page_text(normalize_text(case["text"]))
    rules = {r.rule for r in result.removed}
    assert "end_marker" in rules and "after_article_end" in rules
    removed_text = "".join(r.text for r in result.removed)
    for line in ("跨越63年的中国故事", "(完)", "【编辑:王明】"):
        assert normalize_text(line) in removed_text


def test_annotated_lines_account_for_the_input():
    case = next(c for c in CASES if c["name"] == "tags_and_editor")
    text = normalize_text(case["text"])
    result = clean_page_text(text)
    rebuilt = "\n".join("".join(s.text for s in row) for row in result.annotated)
    assert rebuilt == text
    kept = "\n".join("".join(s.text for s in row if s.rule is None).strip() for row in result.annotated)
    assert [x for x in kept.split("\n") if x] == result.text.split("\n")


def test_metadata_from_removed_lines_is_kept():
    text = normalize_text(
        "标题:全省推进职业教育优质发展\n来源:网络转载更新时间:2020-12-26 18:12:01阅读:\n"
        "面对产业转型，全省深化产教融合，以职业教育的优质发展服务经济社会发展。\n"
        "本文地址:http://www.example.com/a/1.html\n"
    )
    result = clean_page_text(text)
    assert result.title == "全省推进职业教育优质发展"
    assert result.meta["url"] == "http://www.example.com/a/1.html"
    assert result.meta["date"] == "2020-12-26T18:12:01"
    assert result.meta["source"] == "网络转载"


def test_flat_title_is_the_headline_a_section_line_repeats():
    # the page prints `Section|Headline` at the top and the headline again over the article, with the column's name
    # (repeated lower down) between the headline and the byline
    text = normalize_text(
        "Skip to content\n"
        "Campus|College opens second welding lab\n"
        "Home\nNews\n"
        "College opens second welding lab\n"
        "Campus Notes\n"
        "By Ann Example JULY 29, 2016\n"
        "The college opened a second welding lab on Monday, adding room for sixty students a year to a course that "
        "had a waiting list of two hundred names.\n"
        "Instructors said the new lab would also host evening classes for adults who want to change trades.\n"
        "Campus Notes\n"
        "More from the campus desk\n"
    )
    assert clean_page_text(text).title == "College opens second welding lab"


def test_teaser_cut_short_before_its_read_more_link():
    from cleaners.text.structure import shape
    assert shape("When you walk into almost any store, you are overloaded with sights, sounds,… Read more").teaser
    assert shape("新学期开始后，学校将增设三个实训专业…阅读全文").teaser
    assert not shape("The store was full, and we read more of the book at home.").teaser
