"""The explain report in a real browser: headless Chromium (Debian's `chromium`, installed by `make test`).

A copy of the report gets a small test script appended; Chromium runs it with the page's own script and
`--dump-dom` hands back the DOM with the script's findings: spans and labels present, and the rule filters
hiding and showing the right spans. A second run takes a screenshot. With NEWSCLEAN_UPDATE_DOCS=1 the
screenshot is also written to docs/explain-report.png (the README's picture).
"""
from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

import pytest
from lxml import html as lxml_html
from support.programs import require_program

from cleaners.tools.explain import explain_bytes
from cleaners.tools.report import render_report

SEEDS = ["seeds/003_eb5bf98bd8c8b1df.txt", "seeds/004_590757922c62ddc4.txt", "seeds/000_b90814e18ec9e984.txt"]
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
    "--disable-dev-shm-usage", "--mute-audio",
]

# Runs after the report's own script. Results go into <pre id="test-result"> for --dump-dom to carry out.
PROBE = """
<script>
(function () {
  var r = {};
  function visible(el) { return getComputedStyle(el).display !== 'none' && el.getClientRects().length > 0; }
  var spans = Array.prototype.slice.call(document.querySelectorAll('.removed[data-rule]'));
  r.spans = spans.length;
  r.labelled = spans.filter(function (s) {
    var l = s.querySelector('.rule-label'); return l && l.textContent === s.dataset.rule && visible(l);
  }).length;
  r.perDoc = {};
  document.querySelectorAll('article.doc').forEach(function (a) {
    r.perDoc[a.id] = a.querySelectorAll('.removed').length;
  });
  r.visibleAtStart = spans.filter(visible).length;
  var boxes = Array.prototype.slice.call(document.querySelectorAll('#filters input[data-rule]'));
  r.rules = boxes.map(function (b) { return b.dataset.rule; });
  var target = 'end_marker';
  var box = boxes.filter(function (b) { return b.dataset.rule === target; })[0];
  box.click();
  r.targetHidden = spans.filter(function (s) { return s.dataset.rule === target; }).every(function (s) {
    return !visible(s);
  });
  r.othersVisible = spans.filter(function (s) { return s.dataset.rule !== target; }).filter(visible).length;
  r.hiddenRulesAttr = document.body.dataset.hiddenRules;
  box.click();
  r.targetBack = spans.filter(function (s) { return s.dataset.rule === target; }).every(visible);
  document.getElementById('hide-all').click();
  r.afterHideAll = spans.filter(visible).length;
  r.keptAfterHideAll = Array.prototype.slice.call(document.querySelectorAll('.kept')).filter(visible).length;
  r.keptTotal = document.querySelectorAll('.kept').length;
  document.getElementById('show-all').click();
  r.afterShowAll = spans.filter(visible).length;
  var pre = document.createElement('pre');
  pre.id = 'test-result';
  pre.textContent = JSON.stringify(r);
  document.body.appendChild(pre);
})();
</script>
"""


@pytest.fixture(scope="module")
def browser() -> str:
    return require_program("chromium", "chromium-browser", make_target="browser")


def run_chromium(browser: str, *args: str, timeout: float = 90) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="newsclean-chromium-") as profile:
        return subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def report(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    root = Path(request.config.rootpath)
    explained = [explain_bytes((root / s).read_bytes(), s) for s in SEEDS]
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(render_report(explained), "utf-8")
    return path, explained


def test_report_dom_and_filters_in_chromium(browser: str, report: tuple[Path, list]) -> None:
    path, explained = report
    probe = path.with_name("probe.html")
    probe.write_text(path.read_text("utf-8").replace("</body>", PROBE + "</body>"), "utf-8")
    proc = run_chromium(browser, "--dump-dom", probe.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    pre = lxml_html.document_fromstring(proc.stdout).get_element_by_id("test-result")
    r = json.loads(pre.text_content())
    expected = {f"doc-{i}": len(ex.trace.removed_before) + sum(1 for row in ex.trace.annotated
                                                               for s in row if s.rule and s.text)
                for i, ex in enumerate(explained)}
    assert r["perDoc"] == expected
    assert r["spans"] == sum(expected.values()) > 20
    assert r["labelled"] == r["spans"]
    assert r["visibleAtStart"] == r["spans"]
    assert "end_marker" in r["rules"]
    assert r["targetHidden"] and r["hiddenRulesAttr"] == "end_marker"
    n_target = sum(1 for ex in explained for row in ex.trace.annotated for s in row
                   if s.rule == "end_marker" and s.text)
    assert r["othersVisible"] == r["spans"] - n_target
    assert r["targetBack"]
    assert r["afterHideAll"] == 0 and r["keptAfterHideAll"] == r["keptTotal"] > 0
    assert r["afterShowAll"] == r["spans"]


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_report_screenshot(browser: str, report: tuple[Path, list], request: pytest.FixtureRequest) -> None:
    path, _ = report
    shot = path.with_name("explain-report.png")
    proc = run_chromium(browser, "--window-size=1280,1400", f"--screenshot={shot}", path.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert _png_size(shot) == (1280, 1400)
    assert shot.stat().st_size > 30_000  # a rendered page, not a blank one
    if os.environ.get("NEWSCLEAN_UPDATE_DOCS"):
        docs = Path(request.config.rootpath) / "docs"
        docs.mkdir(exist_ok=True)
        shutil.copyfile(shot, docs / "explain-report.png")
