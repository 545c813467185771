"""HTML pages written in the style of Chinese portals (fixtures/html/): snippets that must and must not appear,
metadata, refusals, and an F1 floor per page (the CI gate on our own fixtures)."""
from pathlib import Path

import pytest
import yaml

from cleaners import CleanerConfig, CleanError, clean_file
from cleaners.tools.scoring import full_text, prf

HERE = Path(__file__).resolve().parent.parent / "fixtures" / "html"
PAGES = yaml.safe_load((HERE / "expected.yaml").read_text("utf-8"))["pages"]
F1_FLOOR = 0.95


@pytest.mark.parametrize("name", sorted(PAGES))
def test_fixture_page(name):
    spec = PAGES[name]
    if "error" in spec:
        with pytest.raises(CleanError) as err:
            clean_file(HERE / name)
        assert err.value.reason == spec["error"]
        return
    doc = clean_file(HERE / name)
    for snippet in spec.get("must", []):
        assert snippet in doc.text, snippet
    for snippet in spec.get("must_not", []):
        assert snippet not in doc.text, snippet
    record = doc.to_dict()
    for key, value in (spec.get("meta") or {}).items():
        actual = record["provenance"]["encoding"] if key == "encoding" else record[key]
        assert actual == value, key
    if "gold" in spec:
        assert prf(full_text(None, doc.text), spec["gold"])[2] >= F1_FLOOR


def test_every_fixture_page_has_expectations():
    assert sorted(p.name for p in HERE.glob("*.html")) == sorted(PAGES)


def test_site_rules_prune_body_and_text_rules():
    doc = clean_file(HERE / "site_box.html", CleanerConfig(site_rules=str(HERE / "site_rules.yaml")))
    assert "订阅我们的每日职教简报" not in doc.text  # pruned by selector
    assert "各职业院校要针对" not in doc.text  # removed by the site's own text rule
    assert doc.text.startswith("为做好今年高职扩招专项工作")
    rules = {r["rule"] for r in doc.to_dict()["provenance"]["removed"]}
    assert {"site_prune", "example_org_notice"} <= rules


def test_site_rules_only_apply_to_their_host(tmp_path):
    other = tmp_path / "other.yaml"
    other.write_text('sites:\n  - host: "*.example.net"\n    prune: ["div.txt"]\n', encoding="utf-8")
    doc = clean_file(HERE / "site_box.html", CleanerConfig(site_rules=str(other)))
    assert "为做好今年高职扩招专项工作" in doc.text
