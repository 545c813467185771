"""Language by script first (Chinese scripts, kana, hangul), langdetect (seeded) for the rest."""
from importlib import resources

import pytest

from cleaners.decode.langid import SCRIPT_TABLE, build_script_table, chinese_script, detect_language

SIMPLIFIED = "教育部近日发布通知，要求各地加快推进职业教育产教融合，支持职业院校与龙头企业共建实训基地。"
TRADITIONAL = "教育部近日發布通知，要求各地加快推進職業教育產教融合，支持職業院校與龍頭企業共建實訓基地。"


def test_the_script_table_is_what_opencc_says():
    shipped = resources.files("cleaners").joinpath(SCRIPT_TABLE).read_text("utf-8")
    assert shipped == build_script_table()


@pytest.mark.parametrize("text, label", [
    (SIMPLIFIED, "zh-Hans"),
    (TRADITIONAL, "zh-Hant"),
    # Hong Kong Cantonese written with its own characters, and a Taiwan page with English terms in it
    ("學校今日舉行開放日，家長可以帶同子女參觀實習工場，了解職業訓練課程嘅內容同埋升學出路。", "zh-Hant"),
    ("資策會與 Google、Microsoft 合作推出 AI 人才培訓計畫，協助技職院校學生取得國際認證。", "zh-Hant"),
    ("経済産業省は、専門学校と企業が連携して人材を育成する新しい制度を来年度から始めると発表した。", "ja"),
    ("교육부는 직업계 고등학교와 기업이 함께 인재를 양성하는 새로운 제도를 내년부터 시행한다고 밝혔다.", "ko"),
])
def test_cjk_is_labelled_by_its_script(text, label):
    assert detect_language(text)[0] == label


def test_langdetect_would_call_this_traditional_sample_korean():
    # the case behind the script decision: langdetect's profiles mislabel short Traditional samples
    sample = "職業教育 產教融合"
    assert detect_language(sample)[0] == "zh-Hant"


@pytest.mark.parametrize("text, label", [
    ("The ministry said on Monday that vocational colleges would work with employers to train apprentices in "
     "advanced manufacturing, and that the first programmes would open in September.", "en"),
    ("Das Ministerium kündigte am Montag an, dass Berufsschulen künftig enger mit Unternehmen zusammenarbeiten "
     "sollen, um Auszubildende in der Industrie besser vorzubereiten.", "de"),
    ("Le ministère a annoncé lundi que les lycées professionnels travailleraient davantage avec les entreprises "
     "pour former les apprentis aux métiers de l'industrie.", "fr"),
])
def test_other_languages_come_from_langdetect(text, label):
    language, score = detect_language(text)
    assert language == label and 0.5 < score <= 1.0


def test_an_english_page_quoting_a_chinese_name_is_english():
    text = ("The delegation visited the Shenzhen Polytechnic (深圳职业技术学院) on Tuesday and met teachers who run "
            "apprenticeship programmes with local electronics makers.")
    assert detect_language(text)[0] == "en"


def test_scores_say_how_sure():
    assert chinese_script(TRADITIONAL) == ("zh-Hant", 1.0)
    assert chinese_script(SIMPLIFIED)[1] == 1.0
    assert chinese_script("中文人民")[1] == 0.5  # no character that only one script uses: a guess


def test_nothing_to_judge():
    assert detect_language("") == (None, None)
    assert detect_language("2024-05-20 12:30 | 123") == (None, None)


def test_deterministic():
    text = "Ceci est un court texte en français pour vérifier que la détection est stable d'une exécution à l'autre."
    assert len({detect_language(text) for _ in range(5)}) == 1
