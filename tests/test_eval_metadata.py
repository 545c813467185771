"""Metadata and language accuracy in `newsclean eval`: the matching criteria and the report."""
import json

from cleaners.cli import main
from cleaners.tools.evaluate import author_matches, date_matches, language_matches, title_equal, title_matches

PAGE = """<html lang="en"><head><title>Rain returns to the valley | Valley Courier</title>
<meta name="author" content="Jane Smith"><meta property="article:published_time" content="2024-05-02T08:00:00Z">
</head><body><article><h1>Rain returns to the valley</h1>
<p>After a dry spring the rain came back to the valley on Thursday, and farmers said it was late but welcome.</p>
<p>The river rose by half a metre overnight, the first rise since March, and the ferry ran again by noon.</p>
<p>Forecasters expect showers through the weekend, with the heaviest falls in the hills to the north.</p>
</article></body></html>"""


def test_author_criterion_is_words_contained_either_way():
    assert author_matches("Genevieve Carlton, Ph.D.", "Genevieve Carlton; Ph D")
    assert author_matches("Rui Ma, Heba Ledwon", "Rui Ma")
    assert author_matches("伊琳  李清芬", "伊琳 李清芬")
    assert not author_matches("Linda Rosencrance", "in")  # whole words only
    assert not author_matches("Jane Smith", None) and not author_matches("Jane Smith", "")


def test_date_criterion_is_the_same_day():
    assert date_matches("2005-3-11 12:12", "2005-03-11T12:12:00+08:00")
    assert date_matches("2024-05-02", "2024-05-02")
    assert not date_matches("2024-05-02", "2024-05-03T00:10:00")
    assert not date_matches("2018", "2018-08-23")  # a year alone names no day


def test_title_criteria():
    assert title_matches("Rain returns", "Rain returns | Valley Courier")
    assert not title_equal("Rain returns", "Rain returns | Valley Courier")
    assert title_equal("Rain returns!", "  rain   returns ")


def test_language_criterion():
    assert language_matches("en-US", "en") and language_matches("EN", "en-GB")
    assert language_matches("zh-TW", "zh-Hant") and language_matches("zh-CN", "zh-Hans")
    assert language_matches("zh", "zh-Hant") and language_matches("zh", "zh-Hans")
    assert not language_matches("zh-TW", "zh-Hans") and not language_matches("fr", "en")
    assert not language_matches("en", None)


def test_eval_reports_metadata_where_the_gold_has_it(tmp_path, capsys):
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "p1.html").write_text(PAGE, "utf-8")
    gold = {"id": "p1", "url": "", "gold": "After a dry spring the rain came back.",
            "title": "Rain returns to the valley", "author": "Jane Smith", "date": "2024-05-02", "lang": "en-GB"}
    (tmp_path / "gold.jsonl").write_text(json.dumps(gold) + "\n", "utf-8")
    assert main(["eval", str(tmp_path), "--json", "--baselines", "readability"]) == 0
    ours, theirs = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert ours["metadata"] == {"title": [1, 1], "title_exact": [1, 1], "author": [1, 1], "date": [1, 1]}
    assert ours["language"] == [1, 1]
    assert "metadata" not in theirs and "language" not in theirs  # readability reports no metadata
    assert main(["eval", str(tmp_path)]) == 0
    table = capsys.readouterr().out
    assert "author" in table.splitlines()[0] and "1/1" in table.splitlines()[1]


def test_unknown_gold_values_are_not_counted(tmp_path, capsys):
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "p1.html").write_text(PAGE, "utf-8")
    gold = {"id": "p1", "url": "", "gold": "After a dry spring.", "author": "UNKNOWN", "date": "2024-05-02"}
    (tmp_path / "gold.jsonl").write_text(json.dumps(gold) + "\n", "utf-8")
    assert main(["eval", str(tmp_path), "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["metadata"] == {"date": [1, 1]} and "language" not in row
