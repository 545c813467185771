"""The explain report: one self-contained HTML file showing, per document, what was kept and what each rule removed.

No network resources: the CSS and the script are inline, and a Content-Security-Policy forbids loading anything
else. Every removed span is `<span class="removed" data-rule="RULE">` with a `.rule-label` naming its rule; the
checkboxes at the top show or hide the spans of each rule. Page text is always escaped.
"""
from __future__ import annotations

import datetime as dt
import html
from collections import Counter
from collections.abc import Sequence

from cleaners.text.catalogue import rule_concepts
from cleaners.tools.explain import Explained, safe

# Colours per concept (the rule table groups rules by concept); unknown concepts share the last one.
_CONCEPT_COLORS = {
    "comment_box": "#d9480f", "spam_farm": "#ae3ec9", "related": "#1c7ed6", "disclaimer": "#5c940d",
    "site_chrome": "#868e96", "meta": "#0c8599", "end_marker": "#e8590c", "share": "#f08c00",
    "navigation": "#495057", "ads": "#c2255c", "front_matter": "#0b7285",
}
_DEFAULT_COLOR = "#7048e8"

_CSS = """
:root { --kept: #1b1b1b; --muted: #6b6b6b; --line: #e6e6e6; font-family: "Noto Sans CJK SC", "PingFang SC",
  "Microsoft YaHei", system-ui, sans-serif; }
body { margin: 0; color: var(--kept); background: #fafafa; }
header { position: sticky; top: 0; z-index: 2; background: #fff; border-bottom: 1px solid var(--line);
  padding: 10px 18px; }
header h1 { font-size: 17px; margin: 0 0 6px; }
header .summary { color: var(--muted); font-size: 13px; margin-left: 8px; font-weight: normal; }
#filters { display: flex; flex-wrap: wrap; gap: 4px 6px; align-items: center; font-size: 12px; }
#filters .concept { color: var(--muted); margin-left: 6px; }
.rule-toggle { border: 1px solid var(--line); border-radius: 12px; padding: 1px 8px 1px 4px; cursor: pointer;
  white-space: nowrap; background: #fff; }
.rule-toggle input { vertical-align: -2px; margin: 0 3px 0 0; }
.rule-toggle .swatch { display: inline-block; width: 9px; height: 9px; border-radius: 2px; margin-right: 4px;
  background: var(--c); }
.rule-toggle .count { color: var(--muted); margin-left: 3px; }
#filters button { font-size: 12px; padding: 1px 8px; }
main { padding: 12px 18px 40px; }
.doc { display: grid; grid-template-columns: minmax(0, 1fr) 330px; gap: 18px; background: #fff;
  border: 1px solid var(--line); border-radius: 6px; padding: 14px 16px; margin-bottom: 18px; }
.doc > h2 { grid-column: 1 / -1; font-size: 15px; margin: 0; word-break: break-all; }
.doc > h2 .title { display: block; font-size: 18px; margin-top: 2px; word-break: normal; }
.doc.error { display: block; border-color: #f1aeb5; background: #fff5f5; }
.doc.error .reason { font-weight: bold; color: #c92a2a; }
.text { font-size: 15px; line-height: 1.75; min-width: 0; }
.line { margin: 0 0 4px; overflow-wrap: anywhere; }
.line.all-removed { font-size: 13px; line-height: 1.5; }
.line.before { white-space: pre-wrap; }
.removed { color: #555; background: color-mix(in srgb, var(--c) 12%, white);
  border-bottom: 2px solid var(--c); border-radius: 2px; }
.rule-label { font: 11px/1.2 ui-monospace, monospace; color: #fff; background: var(--c); border-radius: 3px;
  padding: 0 4px; margin-right: 4px; vertical-align: 1px; user-select: none; }
.note { color: var(--muted); font-size: 12px; margin: 0 0 8px; }
aside { font-size: 12.5px; min-width: 0; }
aside h3 { font-size: 13px; margin: 0 0 4px; }
aside dl { display: grid; grid-template-columns: auto minmax(0, 1fr); gap: 2px 8px; margin: 0 0 12px; }
aside dt { color: var(--muted); }
aside dd { margin: 0; overflow-wrap: anywhere; }
aside table { border-collapse: collapse; width: 100%; }
aside td { padding: 1px 4px; border-bottom: 1px solid var(--line); }
aside td.n { text-align: right; font-variant-numeric: tabular-nums; }
[hidden] { display: none !important; }
"""

_JS = """
(function () {
  var boxes = Array.prototype.slice.call(document.querySelectorAll('#filters input[data-rule]'));
  function apply() {
    var hidden = {};
    boxes.forEach(function (b) { if (!b.checked) hidden[b.dataset.rule] = true; });
    document.querySelectorAll('.removed').forEach(function (el) { el.hidden = !!hidden[el.dataset.rule]; });
    document.querySelectorAll('.line').forEach(function (line) {
      var spans = line.children, visible = spans.length === 0;
      for (var i = 0; i < spans.length; i++) { if (!spans[i].hidden) { visible = true; break; } }
      line.hidden = !visible;
    });
    document.body.dataset.hiddenRules = Object.keys(hidden).sort().join(' ');
  }
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  function setAll(value) { boxes.forEach(function (b) { b.checked = value; }); apply(); }
  document.getElementById('show-all').addEventListener('click', function () { setAll(true); });
  document.getElementById('hide-all').addEventListener('click', function () { setAll(false); });
  apply();
})();
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"


def _e(text: object) -> str:
    return html.escape(safe(str(text)), quote=True)


def _color(rule: str, concepts: dict[str, str]) -> str:
    return _CONCEPT_COLORS.get(concepts.get(rule, ""), _DEFAULT_COLOR)


def _span(text: str, rule: str, concepts: dict[str, str]) -> str:
    return (f'<span class="removed" data-rule="{_e(rule)}" style="--c:{_color(rule, concepts)}" '
            f'title="removed by {_e(rule)}"><span class="rule-label">{_e(rule)}</span>{_e(text)}</span>')


def _lines(ex: Explained, concepts: dict[str, str]) -> list[str]:
    assert ex.trace is not None
    out = []
    for item in ex.trace.removed_before:  # front matter, blocks pruned from the HTML: before the text rules
        out.append(f'<p class="line all-removed before">{_span(item.text, item.rule, concepts)}</p>')
    for row in ex.trace.annotated:
        parts = [f'<span class="kept">{_e(s.text)}</span>' if s.rule is None else _span(s.text, s.rule, concepts)
                 for s in row if s.text]
        cls = "line all-removed" if all(s.rule is not None for s in row) else "line"
        out.append(f'<p class="{cls}">{"".join(parts)}</p>')
    return out


def _dl(pairs: list[tuple[str, object]]) -> str:
    rows = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v) if v not in (None, '', []) else '–'}</dd>" for k, v in pairs)
    return f"<dl>{rows}</dl>"


def _aside(ex: Explained) -> str:
    assert ex.trace is not None
    doc = ex.trace.document
    p = doc.provenance
    meta = _dl([
        ("title", doc.title), ("published", doc.published), ("author", doc.author), ("editor", doc.editor),
        ("source", doc.source_name), ("site", doc.site), ("url", doc.url),
        ("language", f"{doc.language} ({doc.language_score:.2f})" if doc.language and doc.language_score else
         doc.language),
        ("categories", ", ".join(doc.categories)), ("tags", ", ".join(doc.tags)),
    ])
    kept, total = len(doc.text), p.input_chars or 0
    prov = _dl([
        ("input", p.source), ("format", p.input_format), ("encoding", p.encoding), ("extractor", p.extractor),
        ("sha256", p.sha256), ("cleaned at", p.cleaned_at),
        ("versions", ", ".join(f"{k} {v}" for k, v in p.versions.items())),
        ("kept", f"{kept:,} of {total:,} characters" + (f" ({kept / total:.0%})" if total else "")),
    ])
    counts, chars = ex.rule_counts(), ex.rule_chars()
    rows = "".join(f'<tr data-rule="{_e(r)}"><td>{_e(r)}</td><td class="n">{n}</td><td class="n">{chars[r]:,}</td>'
                   f"</tr>" for r, n in counts.most_common())
    table = f"<table><tr><td>rule</td><td class='n'>spans</td><td class='n'>chars</td></tr>{rows}</table>"
    return (f'<aside><h3>Metadata</h3>{meta}<h3>Provenance</h3>{prov}<h3>Removed by rule</h3>'
            f'{table if rows else "<p>nothing removed</p>"}</aside>')


def _document(i: int, ex: Explained, concepts: dict[str, str]) -> str:
    if not ex.ok:
        return (f'<article class="doc error" id="doc-{i}" data-source="{_e(ex.source)}" data-reason="{_e(ex.reason)}">'
                f'<h2>{_e(ex.source)}</h2><p><span class="reason">{_e(ex.reason)}</span>: {_e(ex.error)}</p>'
                "</article>")
    assert ex.trace is not None
    doc = ex.trace.document
    title = f'<span class="title">{_e(doc.title)}</span>' if doc.title else ""
    note = ""
    if doc.provenance.extractor == "trafilatura":
        note = ('<p class="note">HTML page: trafilatura chose the main content; the text shown is what it kept, '
                "and the rules below worked on that.</p>")
    elif ex.trace.removed_before:
        note = '<p class="note">First what went before the text rules ran (front matter, blocks pruned from the ' \
               "HTML), then the page line by line.</p>"
    return (f'<article class="doc" id="doc-{i}" data-source="{_e(ex.source)}"><h2>{_e(ex.source)}{title}</h2>'
            f'<section class="text">{note}{"".join(_lines(ex, concepts))}</section>{_aside(ex)}</article>')


def _filters(explained: Sequence[Explained], concepts: dict[str, str]) -> str:
    totals: Counter = Counter()
    for ex in explained:
        totals.update(ex.rule_counts())
    by_concept: dict[str, list[str]] = {}
    for rule in sorted(totals):
        by_concept.setdefault(concepts.get(rule, "other"), []).append(rule)
    parts = ['<button type="button" id="show-all">show all</button>',
             '<button type="button" id="hide-all">hide all</button>']
    for concept in sorted(by_concept):
        parts.append(f'<span class="concept">{_e(concept)}:</span>')
        for rule in by_concept[concept]:
            parts.append(
                f'<label class="rule-toggle" style="--c:{_color(rule, concepts)}">'
                f'<input type="checkbox" checked data-rule="{_e(rule)}"><span class="swatch"></span>{_e(rule)}'
                f'<span class="count">{totals[rule]}</span></label>'
            )
    return f'<nav id="filters" aria-label="show removed spans by rule">{"".join(parts)}</nav>'


def render_report(explained: Sequence[Explained], title: str = "newsclean explain") -> str:
    """The whole report as one HTML string."""
    concepts = rule_concepts()
    ok = sum(1 for ex in explained if ex.ok)
    generated = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    summary = f"{len(explained)} documents, {ok} cleaned, {len(explained) - ok} errors · {generated}"
    docs = "".join(_document(i, ex, concepts) for i, ex in enumerate(explained))
    return (
        "<!DOCTYPE html>\n<html lang=\"zh\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head>"
        f'<body><header><h1>{_e(title)}<span class="summary">{_e(summary)}</span></h1>'
        f"{_filters(explained, concepts)}</header><main>{docs}</main><script>{_JS}</script></body></html>\n"
    )
