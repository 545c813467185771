"""Parsing HTML safely (depth, declarations, no network) and flattening a tree to its visible text.

Article extraction itself is in cleaners.html.article (the cascade) and cleaners.html.dom (pruning and lines).
"""
from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

from cleaners import tuning

# Elements that start a new line when a tree is flattened by hand.
BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 "
    "header hr li main nav ol p pre section table tbody td tfoot th thead tr ul".split()
)
# Elements whose text is not page text (code, media, form widgets); the DOM pass and the page type skip more.
SKIP_TAGS = frozenset("script style noscript template svg iframe head object embed canvas select option".split())
_VOID_TAGS = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)(?:\s[^<>]*?)?(/?)>")
_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>")
# Deeper than this the tree is flattened before parsing (libxml2 gives up at 256 without huge_tree).
MAX_DEPTH = 200


class HtmlError(ValueError):
    """The input could not be parsed as HTML."""


def parse_html(text: str) -> lxml_html.HtmlElement:
    """Parse page text into an lxml tree (no network, no entity expansion from outside).

    libxml2 stops building the tree at depth 256 and drops everything below it; a page nested deeper than
    that is parsed again with its excess nesting flattened (see limit_depth), so its text survives.
    """
    if not text.strip():
        raise HtmlError("empty document")
    # lxml refuses str input that declares an encoding (`<?xml … encoding="gbk"?>`): the text is decoded already
    text = _XML_DECLARATION.sub("", text, count=1)
    tree, deep = _parse(text)
    if deep:
        tree, _ = _parse(limit_depth(text))
    _merge_stray_roots(tree)
    if '"S:' in text or "'S:" in text:  # a streamed chunk's id (`<div hidden id="S:0">`)
        place_streamed_chunks(tree)
    return tree


def _merge_stray_roots(tree: lxml_html.HtmlElement) -> None:
    """Content after a premature `</html>` (templates that close the page twice) becomes a second root element
    beside the first; a browser shows it in the body, and so it is moved there."""
    strays = list(tree.itersiblings())
    if not strays:
        return
    body = tree.find("body")
    if body is None:
        body = etree.SubElement(tree, "body")
    for stray in strays:
        for child in list(stray):
            if child.tag in ("head", "body"):
                body.extend(list(child))
            else:
                body.append(child)


# Pages rendered by streaming servers (React 18) send the article in hidden chunks `<div hidden id="S:N">` after
# the layout, with a script that moves each into its placeholder `<template id="B:N">` and drops the fallback
# printed after it (`Loading paragraph...`). The browser shows the chunks in place; so does the parsed tree.
_STREAMED = etree.XPath('//div[@hidden][starts-with(@id, "S:")]')
MAX_STREAMED_CHUNKS = 1000


def place_streamed_chunks(tree: lxml_html.HtmlElement) -> None:
    """Move each streamed chunk into its placeholder, as the page's script does in a browser."""
    chunks = _STREAMED(tree)[:MAX_STREAMED_CHUNKS]
    if not chunks:
        return
    holders = {el.get("id"): el for el in tree.iter("template") if (el.get("id") or "").startswith("B:")}
    for chunk in chunks:
        holder = holders.get("B:" + chunk.get("id")[2:])
        parent = holder.getparent() if holder is not None else None
        if parent is None:
            del chunk.attrib["hidden"]  # no placeholder: shown where it stands
            continue
        fallback = holder.getnext()
        if fallback is not None and fallback.tag not in ("template", "p", "h1", "h2", "h3", "h4", "img") \
                and fallback.find(".//p") is None \
                and len(fallback.text_content().strip()) <= tuning.active.fallback_max_chars:
            fallback.drop_tree()
        if chunk.text and chunk.text.strip():  # text before the chunk's first element goes with it
            before = holder.getprevious()
            if before is not None:
                before.tail = (before.tail or "") + chunk.text
            else:
                parent.text = (parent.text or "") + chunk.text
        at = parent.index(holder)
        for offset, child in enumerate(list(chunk)):
            parent.insert(at + offset, child)  # moves the element (lxml elements have one parent)
        holder.drop_tree()
        chunk.drop_tree()


def _class_lookup() -> etree.ElementNamespaceClassLookup:
    """lxml.html's element classes (HtmlElement; FormElement, InputElement… by tag), chosen in C.

    lxml.html's own HtmlElementClassLookup is a Python method that lxml calls each time it makes a Python object
    for a node, over a thousand times a page; this table gives every node the class that one gives it (the
    HTML parser lower-cases tag names, which that method does before its lookup)."""
    lookup = etree.ElementNamespaceClassLookup(etree.ElementDefaultClassLookup(
        element=lxml_html.HtmlElement, comment=lxml_html.HtmlComment, pi=lxml_html.HtmlProcessingInstruction,
        entity=lxml_html.HtmlEntity))
    lookup.get_namespace(None).update(lxml_html.HtmlElementClassLookup._default_element_classes)
    return lookup


def _parse(text: str) -> tuple[lxml_html.HtmlElement, bool]:
    """The tree, and whether libxml2 gave up on excessive depth."""
    parser = lxml_html.HTMLParser(
        remove_comments=True, remove_pis=True, no_network=True, huge_tree=False,
    )
    parser.set_element_class_lookup(_class_lookup())
    try:
        tree = lxml_html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise HtmlError(f"unparsable HTML: {exc}") from exc
    if tree is None:
        raise HtmlError("unparsable HTML")
    deep = any(e.type_name == "ERR_RESOURCE_LIMIT" and "depth" in e.message for e in parser.error_log)
    return tree, deep


def limit_depth(text: str, max_depth: int = MAX_DEPTH) -> str:
    """Drop the tags that nest deeper than `max_depth`, keeping all text (block tags become line breaks).

    A linear scan over the tags with a stack of open elements; a close tag whose open tag was dropped is
    dropped too. Void and self-closed elements do not nest.
    """
    out: list[str] = []
    stack: list[str] = []
    dropped: dict[str, int] = {}
    pos = 0
    broken = False  # a dropped block tag already left a line break here: one is enough

    def drop(name: str) -> None:
        nonlocal broken
        if name in BLOCK_TAGS and not broken:
            out.append("<br>")
            broken = True

    for m in _TAG.finditer(text):
        between = text[pos:m.start()]
        out.append(between)
        broken = broken and not between.strip()
        pos = m.end()
        closing, name, selfclosing = m.group(1), m.group(2).lower(), m.group(3)
        if not closing:
            if name in _VOID_TAGS or selfclosing:
                out.append(m.group())
            elif len(stack) < max_depth:
                stack.append(name)
                out.append(m.group())
            else:
                dropped[name] = dropped.get(name, 0) + 1
                drop(name)
        elif dropped.get(name):
            dropped[name] -= 1
            drop(name)
        else:
            if name in stack:
                while stack and stack.pop() != name:
                    pass
            out.append(m.group())
    out.append(text[pos:])
    return "".join(out)


_UTF8_CONTINUATION = bytes(range(0x80, 0xC0))


def text_chars(tree: lxml_html.HtmlElement) -> int:
    """How many characters of text a page shows: the text of its body outside the elements flatten() skips
    (scripts, styles, templates, ...), each run of whitespace counted as one. The "text in" of a run's summary,
    so that markup does not count as input.

    Counted on libxml2's own text serialisation, in UTF-8 bytes less continuation bytes, with no Python string per
    text node: about 0.2 ms on a median page of the development sets (walking the text nodes from Python took 1 ms).
    """
    body = tree.find(".//body")
    root = body if body is not None else tree
    n = _utf8_chars(etree.tostring(root, method="text", encoding="utf-8"))
    inside: set = set()  # skipped elements within a skipped element: their text was taken away with it
    for el in root.iter(*SKIP_TAGS):
        if el in inside:
            continue
        n -= _utf8_chars(etree.tostring(el, method="text", encoding="utf-8", with_tail=False))
        if len(el):
            inside.update(el.iter(*SKIP_TAGS))
    return max(0, n)


def _utf8_chars(data: bytes) -> int:
    """Characters of UTF-8 text, each run of ASCII whitespace counted as one."""
    return len(b" ".join(data.split()).translate(None, _UTF8_CONTINUATION))


def flatten(tree: lxml_html.HtmlElement) -> str:
    """The visible text of a tree, one block element per line (what a browser's innerText gives).

    Iterative (no recursion), so that no nesting depth can exhaust the stack.
    """
    out: list[str] = []
    body = tree.find(".//body")
    root = body if body is not None else tree
    # each step is an element to enter, or a string to emit once an element's children are done
    stack: list[lxml_html.HtmlElement | str] = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        tag = item.tag if isinstance(item.tag, str) else ""
        tail = item.tail or ""
        if tag in SKIP_TAGS:
            out.append(tail)
            continue
        block = tag in BLOCK_TAGS
        if block:
            out.append("\n")
        if item.text:
            out.append(item.text)
        stack.append(("\n" if block else "") + tail)
        stack.extend(reversed(list(item)))
    return "".join(out)
