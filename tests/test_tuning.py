"""The tuning table: every threshold named, with its case, loaded once; a config overrides entries by name."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cleaners import CleanerConfig, ConfigError, clean_text, tuning
from cleaners.cli import main
from cleaners.record import Span
from cleaners.tuning import TuningError, load_tuning

ROOT = Path(__file__).resolve().parent.parent
TABLE = (ROOT / "cleaners" / "data" / "tuning.yaml").read_text("utf-8")

# Two paragraphs with a three-part `|` line between them: not a keyword farm by default (farm_min_parts is 4),
# so it stays inside the article; a config that lowers the threshold to three parts removes it as one.
FARM_PAGE = (
    "面对产业转型，全省深化产教融合，以职业教育的优质发展服务经济社会发展，成效显著。\n"
    "新闻 | 体育 | 财经\n"
    "一年来，全省职业教育为企业培养高素质的技术技能人才9.2万人，开展社会培训33万多人。\n"
)
FARM_LINE = "新闻 | 体育 | 财经"


def _entry(name: str, value: object, case: str = "because") -> str:
    return f"  - {{name: {name}, value: {value}, case: {case}}}\n"


def _table_with(*replaced: tuple[str, str]) -> str:
    """The bundled table's text with some entries' lines replaced (to build malformed tables)."""
    text = TABLE
    for old, new in replaced:
        assert old in text
        text = text.replace(old, new, 1)
    return text


def test_bundled_table_has_every_field_once_with_a_case() -> None:
    names = re.findall(r"^  - name: (\w+)$", TABLE, re.M)
    assert len(names) == len(set(names)) == len(tuning.Tuning.__slots__)
    assert set(names) == set(tuning.Tuning.__slots__)
    assert load_tuning(TABLE) == tuning.DEFAULT
    assert tuning.active is tuning.DEFAULT


def test_every_entry_is_read_by_the_cleaner() -> None:
    """No dead thresholds: each name is read as an attribute somewhere in cleaners/ besides the table's module."""
    code = "\n".join(p.read_text("utf-8") for p in (ROOT / "cleaners").rglob("*.py") if p.name != "tuning.py")
    unread = [name for name in tuning.Tuning.__slots__ if not re.search(rf"\.{name}\b", code)]
    assert unread == []


@pytest.mark.parametrize(("replaced", "message"), [
    (("  - name: grow_ratio\n    value: 1.0\n", "  - name: grow_ratio\n    value: 1\n"), "is a float in the table"),
    (("  - name: related_run\n    value: 3\n", "  - name: related_run\n    value: 3.0\n"), "is not an integer"),
    (("  - name: related_run\n    value: 3\n", "  - name: related_run\n    value: yes\n"), "not a finite number"),
    (("  - name: related_run\n", "  - name: related_run\n    colour: red\n"), "unknown keys"),
    (("thresholds:\n", "thresholds:\n" + _entry("related_run", 3)), "listed twice"),
    (("thresholds:\n", "thresholds:\n" + _entry("no_such_threshold", 3)), "unknown tuning entry"),
])
def test_malformed_tables_are_refused(replaced: tuple[str, str], message: str) -> None:
    with pytest.raises(TuningError, match=message):
        load_tuning(_table_with(replaced))


def test_an_entry_without_its_case_or_missing_from_the_table_is_refused() -> None:
    with pytest.raises(TuningError, match="missing 'case'"):
        load_tuning("thresholds:\n  - {name: related_run, value: 3}\n")
    with pytest.raises(TuningError, match="entries missing from the table: .*grow_ratio"):
        load_tuning("thresholds:\n" + _entry("related_run", 3))


def test_default_keeps_the_three_part_line_in_the_article() -> None:
    doc = clean_text(FARM_PAGE, config=CleanerConfig(detect_language=False))
    assert FARM_LINE in doc.text.split("\n")
    assert "+tuning." not in doc.provenance.versions["rules"]


def test_an_override_changes_what_is_removed_and_is_recorded() -> None:
    config = CleanerConfig(detect_language=False, tuning={"farm_min_parts": 3})
    doc = clean_text(FARM_PAGE, config=config)
    assert Span("keyword_farm", FARM_LINE) in doc.provenance.removed
    assert FARM_LINE not in doc.text
    assert doc.provenance.versions["rules"].endswith(tuning.version_suffix(tuning.resolve({"farm_min_parts": 3})))
    assert tuning.active is tuning.DEFAULT  # the bundled table is back once the document is done
    # the same page without the override again: nothing leaks from one call to the next
    assert FARM_LINE in clean_text(FARM_PAGE, config=CleanerConfig(detect_language=False)).text


def test_unknown_names_and_bad_values_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="unknown tuning entry 'grow_rate'"):
        CleanerConfig(tuning={"grow_rate": 1.5})
    with pytest.raises(ConfigError, match="unknown tuning entry"):
        CleanerConfig.from_dict({"tuning": {"nope": 1}})
    with pytest.raises(ConfigError, match="is not an integer"):
        CleanerConfig.from_dict({"tuning": {"related_run": 2.5}})
    with pytest.raises(ConfigError, match="must be a mapping"):
        CleanerConfig.from_dict({"tuning": [["related_run", 2]]})
    assert CleanerConfig.from_dict({"tuning": None}).tuning == {}
    assert CleanerConfig(tuning={"grow_ratio": 2}).tuning == {"grow_ratio": 2.0}  # a float entry takes an integer
    assert hash(CleanerConfig()) == hash(CleanerConfig(tuning={"grow_ratio": 2}))  # hashable, as before


def test_config_file_overrides_reach_the_worker_processes(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    for i in range(3):
        (pages / f"p{i}.txt").write_text(FARM_PAGE, "utf-8")
    config = tmp_path / "tuned.yaml"
    config.write_text("detect_language: false\ntuning:\n  farm_min_parts: 3\n", "utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["clean", "-q", "-j", "2", "--config", str(config), str(pages), "-o", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert len(records) == 3
    assert all({"rule": "keyword_farm", "text": FARM_LINE} in r["provenance"]["removed"] for r in records)
    config.write_text("tuning:\n  farm_parts: 3\n", "utf-8")
    assert main(["clean", "-q", "--config", str(config), str(pages), "-o", str(tmp_path / "bad.jsonl")]) == 2
