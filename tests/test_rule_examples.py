"""Every rule the cleaner can record carries examples in its table, and every example holds.

The examples live beside the rules (data/text_rules.yaml, data/dom_rules.yaml, data/catalogue.yaml): a page and
the spans the rule must remove from it (`removed`, as provenance records them), the text it must leave in the
article (`kept`), and what the text rules read from it (`meta`, `headline`). A `text` example is a flattened page
through the text cleaner (normalised first, as the cleaner does), a `document` a whole input through clean_text, an
`html` page through clean_html. The examples of rules written for Chinese (`script: han`) run again converted to
Traditional characters (OpenCC s2t), as the table widens every such pattern to Traditional forms; where that
widening is known to miss a form, the example says so (`traditional_gap`) and the Traditional run is a strict
expected failure, so that fixing the widening shows.
"""
from __future__ import annotations

from collections.abc import Callable

import pytest
import regex

from cleaners import CleanerConfig, clean_html, clean_text
from cleaners.decode.normalize import convert_script, normalize_text
from cleaners.record import Span
from cleaners.text.catalogue import all_rules, catalogue, rule_examples
from cleaners.text.clean import clean_page_text
from cleaners.text.rules import default_table

CONFIG = CleanerConfig(detect_language=False)
EXAMPLE_KEYS = {"text", "document", "html", "title", "removed", "kept", "meta", "headline", "traditional_gap"}
SCRIPTS = {r.name: r.script for r in default_table().rules}
_HAN = regex.compile(r"\p{Han}")
_LATIN = regex.compile(r"[A-Za-z]")


def _as_is(s: str) -> str:
    return s


def _traditional(s: str) -> str:
    return convert_script(s, "s2t")


def _cases() -> list:
    cases = []
    for name, examples in rule_examples().items():
        for i, example in enumerate(examples):
            cases.append(pytest.param(name, example, _as_is, id=f"{name}[{i}]"))
            if SCRIPTS.get(name) == "han":
                marks = [pytest.mark.xfail(strict=True, reason=example["traditional_gap"])] \
                    if "traditional_gap" in example else []
                cases.append(pytest.param(name, example, _traditional, id=f"{name}[{i}]-traditional", marks=marks))
    return cases


def _clean(example: dict, conv: Callable[[str], str]) -> tuple[list[Span], str, dict, str | None]:
    """(removed spans, kept text, metadata the text rules read, title) of an example's page."""
    if "html" in example:
        doc = clean_html(conv(example["html"]), config=CONFIG)
        return doc.provenance.removed, doc.text, {}, doc.title
    if "document" in example:
        doc = clean_text(conv(example["document"]), config=CONFIG)
        return doc.provenance.removed, doc.text, {}, doc.title
    title = conv(example["title"]) if example.get("title") else None
    result = clean_page_text(normalize_text(conv(example["text"])), title=title)
    return result.removed, result.text, result.meta, result.title


@pytest.mark.parametrize(("name", "example", "conv"), _cases())
def test_example(name: str, example: dict, conv: Callable[[str], str]) -> None:
    assert set(example) <= EXAMPLE_KEYS, set(example) - EXAMPLE_KEYS
    assert sum(key in example for key in ("text", "document", "html")) == 1
    removed, kept, meta, title = _clean(example, conv)
    for span in example.get("removed", ()):
        assert Span(name, conv(span)) in removed, removed
    for text in example.get("kept", ()):
        assert conv(text) in kept
    for key, value in (example.get("meta") or {}).items():
        assert meta.get(key) == conv(value)
    if "headline" in example:
        assert title == conv(example["headline"])


def test_every_rule_has_examples_that_make_it_fire() -> None:
    """Each name of the catalogue has examples, at least one of them removes something under that name, and the
    examples of a rule written for one script remove spans in that script."""
    examples = rule_examples()
    for info in all_rules():
        spans = [span for ex in examples.get(info.name, ()) for span in ex.get("removed", ())]
        assert spans, f"{info.name} ({info.source}) has no example that removes anything"
        script = SCRIPTS.get(info.name)
        if script == "han":
            assert any(_HAN.search(s) for s in spans), info.name
        elif script == "latin":
            assert any(_LATIN.search(s) for s in spans), info.name


def test_the_catalogue_lists_the_concepts_every_table_uses() -> None:
    concepts = catalogue().concepts
    assert {info.concept for info in all_rules()} <= set(concepts)
