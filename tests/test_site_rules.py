"""Site rules files are validated: unknown keys, bad selectors and bad rules are clear errors."""
import pytest

from cleaners.cli import main
from cleaners.text.siterules import SiteRulesError, parse_site_rules, rule_for


def test_valid_rules_match_hosts():
    rules = parse_site_rules({"sites": [{"host": "*.example.com", "prune": [".ad"], "body": "#main"}]})
    assert rule_for(rules, "https://news.example.com/a.html") is rules[0]
    assert rule_for(rules, "https://example.com/a.html") is rules[0]
    assert rule_for(rules, "https://example.org/a.html") is None
    assert rule_for(rules, None) is None


@pytest.mark.parametrize("data, message", [
    ({"sites": [{"host": "a.com", "colour": "red"}]}, "unknown keys"),
    ({"sites": [{"prune": [".x"]}]}, "'host' is required"),
    ({"sites": [{"host": "a.com", "prune": ["div["]}]}, "bad CSS selector"),
    ({"sites": [{"host": "a.com", "text_rules": [{"name": "x"}]}]}, "missing"),
    ({"site": []}, "one key, 'sites'"),
])
def test_invalid_rules_are_rejected(data, message):
    with pytest.raises(SiteRulesError, match=message):
        parse_site_rules(data)


def test_cli_reports_a_bad_file_in_one_line(tmp_path, capsys, seeds_dir):
    bad = tmp_path / "rules.yaml"
    bad.write_text("sites:\n  - host: a.com\n    colour: red\n", encoding="utf-8")
    code = main(["clean", str(seeds_dir), "-o", str(tmp_path / "o.jsonl"), "--site-rules", str(bad), "-q"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "unknown keys" in err[0]
