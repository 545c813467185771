"""The rule table: it loads, every rule carries its case, Traditional variants are matched, bad entries fail."""
from importlib import resources

import pytest

from cleaners.decode.normalize import convert_script
from cleaners.text.rules import (
    VARIANT_TABLE,
    RuleError,
    build_variant_table,
    bundled_table_text,
    compile_rule,
    default_table,
    load_table,
    widen_to_traditional,
)


def test_every_rule_is_named_and_has_a_case():
    table = default_table()
    assert len(table.rules) >= 25
    for rule in table.rules:
        assert rule.name and rule.concept and len(rule.case) > 10


def test_every_bundled_pattern_compiles_with_its_meta_groups():
    # the bundled table compiles each rule when first tried; checked whole here, as a user's table is on loading
    checked = load_table(bundled_table_text())
    assert [r.name for r in checked.rules] == [r.name for r in default_table().rules]
    assert all("regex" in vars(r) for r in checked.rules)


def test_bundled_rules_compile_when_first_tried():
    table = load_table(bundled_table_text(), lazy=True)
    han = next(r for r in table.rules if r.script == "han")
    assert "regex" not in vars(han)
    assert han.regex.pattern == widen_to_traditional(han.pattern) and "regex" in vars(han)
    latin_only = table.for_line("Share this article")  # a line without ideographs never compiles a han rule
    for rule in (*latin_only.tail, *latin_only.whole):
        rule.matches_line("Share this article")
    assert not any("regex" in vars(r) for r in table.rules if r.script == "han" and r is not han)


def test_compile_all_compiles_every_rule():
    table = load_table(bundled_table_text(), lazy=True)
    table.compile_all()
    assert all({"regex", "needs", "starts"} <= set(vars(r)) for r in table.rules)


def test_extra_rules_are_compiled_once_per_table():
    table = load_table(bundled_table_text(), lazy=True)
    entry = {"name": "extra", "concept": "c", "scope": "line", "pattern": "foo", "case": "because"}
    first = table.extended([entry])
    assert table.extended([dict(entry)]) is first  # every page of a run with the same extra rules
    assert first.rules[-1].name == "extra" and len(first.rules) == len(table.rules) + 1
    assert table.extended([dict(entry, pattern="bar")]) is not first


def test_a_user_rule_that_does_not_compile_fails_on_loading():
    with pytest.raises(RuleError, match="meta groups"):
        load_table("rules:\n  - {name: a, concept: c, scope: line, pattern: x, case: because, meta: [site]}\n")


def test_pattern_widening_adds_traditional_forms():
    assert widen_to_traditional("评论") == "[评評][论論]"
    assert widen_to_traditional("[图]片") == "[图圖][片]" or widen_to_traditional("[图]片").startswith("[图圖]")


def test_the_variant_table_is_what_opencc_says():
    shipped = resources.files("cleaners").joinpath(VARIANT_TABLE).read_text("utf-8")
    assert shipped == build_variant_table()


@pytest.mark.parametrize("ch", list("评论图转载请注明发布时间责任编辑后台干发里面范"))
def test_widening_gives_the_forms_of_each_single_character_conversion(ch):
    # the table read at start-up says what asking OpenCC one character at a time says (in its order)
    forms = ch
    for config in ("s2t", "s2tw", "s2hk", "t2s"):
        forms += "".join(v for v in convert_script(ch, config) if v not in forms)
    assert widen_to_traditional(ch) == (forms if len(forms) == 1 else f"[{forms}]")
    assert widen_to_traditional(f"[{ch}a]") == f"[{forms}a]"


def test_traditional_page_matches_simplified_rule():
    rule = next(r for r in default_table().rules if r.name == "comment_form_field")
    assert rule.matches_line("昵稱:") and rule.matches_line("內容:")


def test_unknown_keys_are_rejected():
    with pytest.raises(RuleError, match="unknown keys"):
        compile_rule({"name": "x", "concept": "c", "scope": "line", "pattern": "a", "case": "c", "colour": 1})


def test_bad_scope_and_bad_pattern_are_rejected():
    with pytest.raises(RuleError):
        compile_rule({"name": "x", "concept": "c", "scope": "page", "pattern": "a", "case": "c"})
    with pytest.raises(RuleError, match="compile"):
        compile_rule({"name": "x", "concept": "c", "scope": "line", "pattern": "(", "case": "c"})


def test_duplicate_names_are_rejected():
    entry = "  - {name: a, concept: c, scope: line, pattern: x, case: because}\n"
    with pytest.raises(RuleError, match="unique"):
        load_table("rules:\n" + entry + entry)


def test_table_version_changes_with_content():
    a = load_table("version: 1\nrules:\n  - {name: a, concept: c, scope: line, pattern: x, case: because}\n")
    b = load_table("version: 1\nrules:\n  - {name: a, concept: c, scope: line, pattern: y, case: because}\n")
    assert a.version != b.version and a.version.startswith("1+")


def test_unknown_roles_and_malformed_examples_are_rejected():
    base = {"name": "x", "concept": "c", "scope": "line", "pattern": "a", "case": "c"}
    with pytest.raises(RuleError, match="unknown roles"):
        compile_rule({**base, "roles": ["title"]})
    with pytest.raises(RuleError, match="examples must be a list"):
        compile_rule({**base, "examples": "a page"})


def test_the_cleaner_acts_on_a_role_not_on_a_rule_name():
    """A site's own credit line, declared `below_headline`, makes the line above it the title: the role does it,
    whatever the rule is called (a bulleted menu line first, so that the page's first line is not the title)."""
    from cleaners.record import Span
    from cleaners.text.clean import clean_page_text

    page = ("· 首页 · 新闻 · 体育\n乡村教师的一天\n出品：某某工作室\n"
            "清晨六点，王老师已经走在去学校的山路上，她要赶在学生到校之前打开教室的门。\n"
            "这所学校只有十二名学生，却有一间整洁的图书角，书都是王老师一本一本攒下来的。\n")
    rule = {"name": "studio_credit", "concept": "site_chrome", "scope": "line", "pattern": "出品：.*",
            "case": "a site's credit line under its headlines"}
    plain = clean_page_text(page, default_table().extended([rule]))
    with_role = clean_page_text(page, default_table().extended([{**rule, "roles": ["below_headline"]}]))
    assert Span("studio_credit", "出品：某某工作室") in plain.removed
    assert plain.title is None
    assert with_role.title == "乡村教师的一天"


def test_tables_parse_alike_with_libyaml_and_pure_python():
    """The tables are read with libyaml's parser where PyYAML has it; it must read them as yaml.safe_load does."""
    from pathlib import Path

    import yaml

    from cleaners.io.yamlfile import load_table_text

    for path in sorted((Path(__file__).resolve().parent.parent / "cleaners" / "data").glob("*.yaml")):
        text = path.read_text("utf-8")
        assert load_table_text(text) == yaml.safe_load(text), path.name


def test_rules_by_first_character_match_as_every_rule_tried_in_order():
    """for_head drops only rules whose start test fails: the first rule matching a line is the same."""
    table = default_table()
    lines = ["相关新闻", "责任编辑：张三", "Related Articles", "  ", "", "İstanbul", "ıllık", "分享到：微信 微博",
             "© 2024 Example News", "Share this article", "12", "评论(3)", "本文来源：新华社", "「相關閱讀」"]
    lines += [e for r in table.rules for ex in r.examples for e in ex.get("removed", ()) if isinstance(e, str)]
    for line in lines:
        rules = table.for_line(line)
        tail, whole = rules.for_head(line)
        for every, kept in ((rules.tail, tail), (rules.whole, whole)):
            assert set(kept) <= set(every) and [r for r in every if r in kept] == list(kept)
            first = next((r.name for r in every if r.matches_line(line)), None)
            assert first == next((r.name for r in kept if r.matches_line(line)), None), line
