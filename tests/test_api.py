"""The Python API and the record schema."""
import json

import pytest

from cleaners import CleanerConfig, CleanError, ConfigError, Document, clean_file, clean_html, clean_text

ARTICLE = (
    "全省推进职业教育优质发展\n2023-12-05 09:49\n"
    "面对产业转型，全省深化产教融合，以职业教育的优质发展服务经济社会发展。\n"
    "一年来，全省职业教育为企业培养高素质的技术技能人才9.2万人，开展社会培训33万多人。\n"
)
TOP_FIELDS = ["id", "title", "text", "published", "published_precision", "author", "editor", "source_name", "site",
              "url", "language", "language_score", "categories", "tags", "quality", "provenance"]
PROV_FIELDS = {"source", "sha256", "input_format", "encoding", "fetched_at", "cleaned_at", "versions", "removed",
               "removed_counts"}


def test_clean_text_returns_a_document():
    doc = clean_text(ARTICLE, source="page.txt")
    assert isinstance(doc, Document)
    assert doc.title == "全省推进职业教育优质发展"
    assert doc.text.startswith("面对产业转型") and "全省推进职业教育优质发展" not in doc.text
    assert doc.published == "2023-12-05T09:49:00.000000" and doc.published_precision == "second"
    assert doc.language == "zh-Hans" and 0 < doc.language_score <= 1


def test_record_schema():
    record = clean_text(ARTICLE, source="page.txt").to_dict()
    assert list(record) == TOP_FIELDS  # every field, always, in the schema's order
    assert PROV_FIELDS <= set(record["provenance"])
    assert set(record["provenance"]["versions"]) == {"newsclean", "trafilatura", "rules"}
    assert all(set(r) == {"rule", "text"} for r in record["provenance"]["removed"])
    json.dumps(record, ensure_ascii=False)  # serialisable
    # unknown metadata is null, never guessed
    assert record["author"] is None and record["site"] is None and record["url"] is None


def test_id_is_stable_and_depends_on_content():
    a = clean_text(ARTICLE, source="a.txt").id
    assert a == clean_text(ARTICLE, source="a.txt").id
    assert a != clean_text(ARTICLE + "又讯：今年新增产教融合型企业50家，覆盖装备制造等行业。\n", source="a.txt").id


def test_clean_html_uses_the_page_metadata():
    html = (
        "<html><head><title>全省推进职业教育优质发展_示例网</title>"
        '<meta name="author" content="张三"></head><body><div class="nav">首页 新闻</div>'
        "<article><h1>全省推进职业教育优质发展</h1>"
        "<p>面对产业转型，全省深化产教融合，以职业教育的优质发展服务经济社会发展，成效显著。</p>"
        "<p>一年来，全省职业教育为企业培养高素质的技术技能人才9.2万人，开展社会培训33万多人。</p>"
        "<p>省教育厅有关负责人表示，将继续推动校企合作走深走实，服务全省产业转型升级。</p></article>"
        "</body></html>"
    )
    doc = clean_html(html, source="page.html")
    assert doc.title == "全省推进职业教育优质发展" and doc.author == "张三"
    assert "一年来" in doc.text and "首页" not in doc.text
    assert doc.provenance.input_format == "html"


def test_to_simplified_records_the_script():
    doc = clean_text(ARTICLE.replace("全省深化产教融合", "全省深化產教融合"), config=CleanerConfig(to_simplified=True))
    assert "产教融合" in doc.text and doc.provenance.script == "t2s"


def test_clean_file_seed_front_matter(seeds_dir):
    doc = clean_file(seeds_dir / "000_b90814e18ec9e984.txt")
    assert doc.title == "凯文教育和敖汉旗职业中学展开校企深度合作"
    assert doc.published == "2022-06-21T18:19:00.000000+00:00" and doc.author == "证券时报网"
    assert doc.categories == ["金融", "证券时报网", "快讯"]
    assert "trsHotWords" not in doc.text and "stockcode" not in doc.text
    assert doc.provenance.input_format == "markdown"


def test_empty_input_is_a_clean_error():
    with pytest.raises(CleanError) as err:
        clean_text("   \n  ")
    assert err.value.reason == "empty"


def test_page_without_article_text_is_a_clean_error():
    with pytest.raises(CleanError) as err:
        clean_text("首页\n新闻\n登录\n注册\n")
    assert err.value.reason == "no_text"


def test_config_rejects_unknown_keys(tmp_path):
    with pytest.raises(ConfigError, match="unknown config keys: colour"):
        CleanerConfig.from_dict({"colour": "red"})
    path = tmp_path / "c.yaml"
    path.write_text("to_simplified: true\ntimeout: 5\n")
    assert CleanerConfig.from_yaml(path) == CleanerConfig(to_simplified=True, timeout=5)


def test_config_file_that_cannot_be_read_or_parsed_is_a_config_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("timeout: [1,\n", encoding="utf-8")
    for path, words in ((tmp_path / "missing.yaml", "cannot read"), (bad, "not valid YAML")):
        with pytest.raises(ConfigError, match=words):
            CleanerConfig.from_yaml(path)


def test_clean_tree_cleans_a_folder_like_the_command(tmp_path, seeds_dir):
    from cleaners import clean_tree

    out = tmp_path / "seeds.jsonl"
    summary = clean_tree(seeds_dir, out, jobs=1)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert summary.documents == len(lines) == 5 and summary.errors == 0
    assert {json.loads(line)["title"] for line in lines} >= {"北京职业教育宣传月启动 发布“入学即入职”项目"}
