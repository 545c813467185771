"""HTML to article text: parse once, let trafilatura find the main content, fall back to a plain flattening.

The text that comes out goes through the same text rules as flattened dumps (cleaners.textclean).
"""
from __future__ import annotations

from dataclasses import dataclass

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from .htmlmeta import HtmlMeta, extract_meta

# Elements that start a new line when a tree is flattened by hand.
BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 "
    "header hr li main nav ol p pre section table tbody td tfoot th thead tr ul".split()
)
_SKIP_TAGS = frozenset("script style noscript template svg iframe head object embed canvas select option".split())


class HtmlError(ValueError):
    """The input could not be parsed as HTML."""


@dataclass
class HtmlText:
    text: str  # one block per line
    meta: HtmlMeta
    extractor: str  # "trafilatura" or "flatten"


def parse_html(text: str) -> lxml_html.HtmlElement:
    """Parse page text into an lxml tree (no network, no entity expansion from outside)."""
    if not text.strip():
        raise HtmlError("empty document")
    parser = lxml_html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, huge_tree=False)
    try:
        tree = lxml_html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise HtmlError(f"unparsable HTML: {exc}") from exc
    if tree is None:
        raise HtmlError("unparsable HTML")
    return tree


def flatten(tree: lxml_html.HtmlElement) -> str:
    """The visible text of a tree, one block element per line (what a browser's innerText gives)."""
    out: list[str] = []

    def walk(el: lxml_html.HtmlElement) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _SKIP_TAGS:
            if el.tail:
                out.append(el.tail)
            return
        block = tag in BLOCK_TAGS
        if block:
            out.append("\n")
        if el.text:
            out.append(el.text)
        for child in el:
            walk(child)
        if block:
            out.append("\n")
        if el.tail:
            out.append(el.tail)

    body = tree.find(".//body")
    walk(body if body is not None else tree)
    return "".join(out)


def extract_html(text: str, url: str | None = None) -> HtmlText:
    """Main text and metadata of an HTML page or fragment."""
    tree = parse_html(text)
    meta = extract_meta(tree)
    body = trafilatura.extract(
        tree, url=url or meta.url, include_comments=False, include_tables=True, output_format="txt",
        with_metadata=False, deduplicate=False,
    )
    if body and body.strip():
        return HtmlText(body, meta, "trafilatura")
    return HtmlText(flatten(tree), meta, "flatten")
