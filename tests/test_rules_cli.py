"""`newsclean rules`: every rule the cleaner can record, grouped by concept, with its kind, match and case."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cleaners.cli import main
from cleaners.core import CleanError, clean_file
from cleaners.text.catalogue import all_rules, catalogue
from cleaners.text.rules import default_table


def _run(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str]:
    code = main(["rules", *args])
    return code, capsys.readouterr().out


def test_lists_every_text_rule_and_detector_grouped_by_concept(capsys: pytest.CaptureFixture) -> None:
    code, out = _run(capsys)
    assert code == 0
    names = re.findall(r"^  ([a-z0-9_]+) ", out, re.M)
    assert {r.name for r in default_table().rules} | set(catalogue().detectors) <= set(names)
    assert len(names) == len(set(names)) == len(all_rules())
    headers = re.findall(r"^([a-z_]+) \((\d+)\)$", out, re.M)
    assert [h for h, _n in headers] == sorted(h for h, _n in headers)
    assert sum(int(n) for _h, n in headers) == len(names)
    rule = default_table().rules[0]
    block = "\n".join(out.split(f"  {rule.name} ", 1)[1].splitlines()[:3])
    assert f"case:    {rule.case}" in block and "matches: " in block


def test_every_rule_has_a_kind_a_match_and_a_case() -> None:
    for r in all_rules():
        assert r.kind and r.matches and r.case and r.concept, r


def test_json_output(capsys: pytest.CaptureFixture) -> None:
    code, out = _run(capsys, "--json")
    assert code == 0
    data = json.loads(out)
    assert {d["name"] for d in data} == {r.name for r in all_rules()}
    assert set(data[0]) == {"name", "concept", "kind", "matches", "case", "source"}


def test_patterns_are_shortened_unless_verbose(capsys: pytest.CaptureFixture) -> None:
    longest = max(default_table().rules, key=lambda r: len(r.pattern))
    _, short = _run(capsys)
    _, full = _run(capsys, "-v")
    assert longest.pattern not in short and longest.pattern in full


def test_concept_filter(capsys: pytest.CaptureFixture) -> None:
    code, out = _run(capsys, "--concept", "comment_box")
    assert code == 0 and re.findall(r"^([a-z_]+) \(\d+\)$", out, re.M) == ["comment_box"]
    code, _ = _run(capsys, "--concept", "no_such_concept")
    assert code == 2


def test_every_rule_a_page_records_is_listed(seeds_dir: Path, fixtures_dir: Path) -> None:
    known = {r.name for r in all_rules()}
    pages = sorted(seeds_dir.iterdir()) + sorted(fixtures_dir.glob("**/*.html"))
    seen: set[str] = set()
    for page in pages:
        try:
            seen.update(r.rule for r in clean_file(page).provenance.removed)
        except CleanError:
            continue
    assert {"front_matter", "end_marker"} <= seen
    assert seen <= known, seen - known
