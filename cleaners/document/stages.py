"""The cleaning of one decoded document, as a pipeline of named stages from page text to record.

Each stage reads and fills one _Work; the stages run in the order of STAGES, and a stage that refuses the document
raises CleanError. Which source wins each metadata field is not decided here but in precedence.PRECEDENCE.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lxml import html as lxml_html

from cleaners import tuning
from cleaners.config import CleanerConfig
from cleaners.decode.langid import detect_language
from cleaners.decode.normalize import convert_script, normalize_line, normalize_text
from cleaners.document.intake import looks_like_html
from cleaners.document.precedence import Stated, resolve
from cleaners.document.provenance import doc_id, provenance
from cleaners.document.source import CleanError, Source
from cleaners.html.article import extract_article
from cleaners.html.meta import HtmlMeta
from cleaners.html.parse import HtmlError, parse_html, text_chars
from cleaners.record import Document, Span
from cleaners.schema import iso_datetime
from cleaners.text.clean import TextResult, clean_page_text
from cleaners.text.frontmatter import split_front_matter
from cleaners.text.quality import quality_signals
from cleaners.text.rules import RuleTable, default_table
from cleaners.text.siterules import load_site_rules


@dataclass
class Trace:
    """A cleaned document with the line-by-line account of what was kept and removed (for `explain`)."""

    document: Document
    # the text the rules saw, line by line, rule None for kept text
    annotated: list[list[Span]]
    # removals that happened before the text rules (front matter, HTML pruning)
    removed_before: list[Span]


@dataclass
class _Work:
    """One document on its way through the stages."""

    text: str  # the decoded page as given
    source: Source
    fmt: str
    config: CleanerConfig
    table: RuleTable | None
    tree: lxml_html.HtmlElement | None  # `text` already parsed, when the caller had it
    body: str = ""  # the page without its front matter
    body_format: str = ""
    front_matter: dict[str, Any] = field(default_factory=dict)
    front_matter_title: str | None = None
    input_chars: int = 0
    removed: list[Span] = field(default_factory=list)
    removed_before: list[Span] = field(default_factory=list)
    html_meta: HtmlMeta | None = None
    extractor: str = "text"
    result: TextResult | None = None
    fields: dict[str, Any] = field(default_factory=dict)  # the metadata, resolved
    body_text: str = ""  # the article text as it goes in the record
    script: str | None = None
    language: str | None = None
    language_score: float | None = None


def _rule_table(w: _Work) -> None:
    """The rules, with the config's own; an empty document goes no further."""
    w.table = w.table or default_table()
    if w.config.extra_rules:
        w.table = w.table.extended(list(w.config.extra_rules))
    if not w.text.strip():
        raise CleanError("empty", "the document has no text")


def _front_matter(w: _Work) -> None:
    """A leading YAML block of Markdown or text is metadata, and what follows it may be HTML."""
    w.body, w.body_format = w.text, w.fmt
    if w.fmt in ("markdown", "text") and (fm := split_front_matter(w.text)) is not None:
        w.front_matter, w.body = fm.meta, fm.body
        w.removed.append(Span("front_matter_invalid" if fm.error else "front_matter", fm.raw.strip()))
        w.body_format = "html" if looks_like_html(w.body) else "text"
    title = w.front_matter.get("title")
    w.front_matter_title = normalize_line(str(title)) if title else None
    w.input_chars = len(w.text)


def _extract(w: _Work) -> None:
    """The article text: from the DOM of an HTML body, else from the text rules on the normalised body."""
    if w.body_format != "html":
        w.result = clean_page_text(normalize_text(w.body, mojibake=w.config.fix_mojibake), w.table,
                                   title=w.front_matter_title)
        return
    config = w.config
    try:
        page = w.tree if w.tree is not None and w.body is w.text else parse_html(w.body)
        w.input_chars += text_chars(page) - len(w.body)  # the page's text, not its markup (front matter as it is)
        extraction = extract_article(w.body, table=w.table, title=w.front_matter_title, url=w.source.url,
                                     mojibake=config.fix_mojibake,
                                     site_rules=load_site_rules(config.site_rules) if config.site_rules else (),
                                     tree=page)
    except HtmlError as exc:
        raise CleanError("unparsable", str(exc)) from exc
    if extraction.not_article:
        raise CleanError("not_article", extraction.not_article)
    w.html_meta, w.extractor, w.result = extraction.meta, extraction.extractor, extraction.result
    w.removed.extend(extraction.pruned)


def _removals(w: _Work) -> None:
    """What went before the text rules, apart for `explain`, then theirs; no article text left is a refusal."""
    w.removed_before = list(w.removed)
    w.removed.extend(w.result.removed)
    if not w.result.text.strip():
        raise CleanError("no_text", "no article text found")


def _metadata(w: _Work) -> None:
    """Title, date, author and the rest, each from the source that precedence.PRECEDENCE puts first."""
    w.fields = resolve(Stated(w.source, front_matter=w.front_matter, front_matter_title=w.front_matter_title,
                              html=w.html_meta, rules=w.result.meta, rules_title=w.result.title))


def _script(w: _Work) -> None:
    """Traditional to simplified characters, when the config asks for it."""
    w.body_text = w.result.text
    if w.config.to_simplified:
        w.body_text = convert_script(w.body_text, w.config.opencc_config)
        title = w.fields["title"]
        w.fields["title"] = convert_script(title, w.config.opencc_config) if title else title
        w.script = w.config.opencc_config


def _language(w: _Work) -> None:
    """The language of the text as it goes in the record, when the config asks for it."""
    if w.config.detect_language:
        w.language, w.language_score = detect_language(w.body_text)


# The stages in the order they run.
STAGES: tuple[tuple[str, Callable[[_Work], None]], ...] = (
    ("rules", _rule_table),
    ("front_matter", _front_matter),
    ("extract", _extract),
    ("removals", _removals),
    ("metadata", _metadata),
    ("script", _script),
    ("language", _language),
)


def _record(w: _Work, sha256: str, encoding: str | None) -> Document:
    """The record: the text, the metadata in the record's forms, quality signals and provenance."""
    f = w.fields
    published, precision = iso_datetime(f["published"])
    prov = provenance(w.source, sha256=sha256, fmt=w.fmt, encoding=encoding, script=w.script, extractor=w.extractor,
                      input_chars=w.input_chars, table=w.table, removed=w.removed, config=w.config)
    return Document(
        id=doc_id(w.source, sha256), title=f["title"], text=w.body_text, published=published,
        published_precision=precision, author=f["author"], editor=f["editor"], source_name=f["source_name"],
        site=f["site"], url=f["url"], language=w.language, language_score=w.language_score,
        categories=f["categories"], tags=f["tags"], quality=quality_signals(w.result.text, w.removed, w.table),
        provenance=prov,
    )


def trace_document(
    text: str, source: Source, *, fmt: str, sha256: str, encoding: str | None,
    config: CleanerConfig | None = None, table: RuleTable | None = None, tree: lxml_html.HtmlElement | None = None,
) -> Trace:
    """Clean decoded page text of a known format (`html`, `markdown` or `text`), and say line by line what was kept
    and what each rule removed.

    `tree`: an HTML `text` already parsed with parse_html(text), so that it is not parsed twice."""
    config = config or CleanerConfig()
    with tuning.applied(config.tuning):
        work = _Work(text, source, fmt, config, table, tree)
        for _name, stage in STAGES:
            stage(work)
        return Trace(_record(work, sha256, encoding), work.result.annotated, work.removed_before)
