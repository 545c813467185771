"""Which source wins each metadata field of the record, written down once.

A page can say its title, date or author in several places that disagree: front matter, the JSON-LD and meta tags
of an HTML page, the datelines and bylines the text rules read, and what an HTML page prints by its headline. The
table below orders them per field; the first source in a row that says something wins.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from cleaners.decode.normalize import normalize_line
from cleaners.document.source import Source
from cleaners.html.meta import HtmlMeta
from cleaners.text.frontmatter import as_list
from cleaners.text.metadata import parse_date, plausible_author


@dataclass
class Stated:
    """Every source of metadata one document has."""

    source: Source
    front_matter: dict[str, Any] = field(default_factory=dict)
    front_matter_title: str | None = None  # as one normalised line
    html: HtmlMeta | None = None  # None for text and Markdown
    rules: dict[str, Any] = field(default_factory=dict)  # what the text rules read (datelines, bylines, labels)
    rules_title: str | None = None  # the headline the text rules found


def _html(attr: str) -> Callable[[Stated], Any]:
    return lambda s: getattr(s.html, attr) if s.html else None


# Where each source name in PRECEDENCE reads its value.
READERS: dict[str, Callable[[Stated], Any]] = {
    "source.url": lambda s: s.source.url,
    "front_matter.title": lambda s: s.front_matter_title,
    "front_matter.date": lambda s: parse_date(s.front_matter.get("date") or s.front_matter.get("published")),
    "front_matter.author": lambda s: s.front_matter.get("author"),
    "front_matter.site": lambda s: s.front_matter.get("site"),
    "front_matter.url": lambda s: s.front_matter.get("url"),
    "front_matter.link": lambda s: s.front_matter.get("link"),
    "front_matter.categories": lambda s: as_list(s.front_matter.get("categories")),
    "front_matter.tags": lambda s: as_list(s.front_matter.get("tags")),
    "html.title": lambda s: normalize_line(s.html.title) if s.html and s.html.title else None,
    "html.published": _html("published"),
    "html.author": lambda s: plausible_author(s.html.author) if s.html else None,
    "html.byline": _html("byline"),
    "html.handle": _html("handle"),
    "html.printed_date": _html("printed_date"),
    "html.modified": _html("modified"),
    "html.site": _html("site"),
    "html.url": _html("url"),
    "html.categories": lambda s: s.html.categories if s.html else [],
    "html.tags": lambda s: s.html.tags if s.html else [],
    # on an HTML page the text rules may have found the headline shorter in the <h1> than the page states it
    "rules.title_of_html": lambda s: s.rules_title if s.html and s.rules_title else None,
    "rules.title": lambda s: normalize_line(s.rules_title) if s.rules_title else None,
    "rules.date": lambda s: s.rules.get("date"),
    "rules.author": lambda s: s.rules.get("author"),
    "rules.editor": lambda s: s.rules.get("editor"),
    "rules.source": lambda s: s.rules.get("source"),
    "rules.site": lambda s: s.rules.get("site"),
    "rules.url": lambda s: s.rules.get("url"),
    "rules.tags": lambda s: as_list(s.rules.get("tags")),
}


def first_value(values: Iterator[Any]) -> Any:
    """The first value that is not empty, as it is; else the last (as `a or b or c` reads)."""
    value = None
    for value in values:
        if value:
            return value
    return value


def first_str(values: Iterator[Any]) -> str | None:
    """The first non-blank string, as one normalised line; else None."""
    for v in values:
        if isinstance(v, str) and v.strip():
            return normalize_line(v)
    return None


# field of the record -> (how the winner is chosen, the sources in the order they win). What the page states
# (front matter, JSON-LD, meta tags), then what the text rules read in its datelines and bylines, then what an
# HTML page prints by its headline; an account name (`@ACLU`) only when nothing else names the author.
PRECEDENCE: dict[str, tuple[Callable[[Iterator[Any]], Any], tuple[str, ...]]] = {
    "title": (first_value, ("front_matter.title", "rules.title_of_html", "html.title", "rules.title")),
    "published": (first_value, ("front_matter.date", "html.published", "rules.date", "html.printed_date",
                                "html.modified")),
    "author": (first_str, ("front_matter.author", "html.author", "rules.author", "html.byline", "html.handle")),
    "editor": (first_str, ("rules.editor",)),
    "source_name": (first_str, ("rules.source",)),
    "site": (first_str, ("front_matter.site", "html.site", "rules.site")),
    "url": (first_str, ("source.url", "front_matter.url", "front_matter.link", "html.url", "rules.url")),
    "categories": (first_value, ("front_matter.categories", "html.categories")),
    "tags": (first_value, ("front_matter.tags", "html.tags", "rules.tags")),
}


def resolve(stated: Stated) -> dict[str, Any]:
    """Each field of PRECEDENCE from the first of its sources that says something (read only as far as needed)."""
    return {name: choose(READERS[where](stated) for where in sources)
            for name, (choose, sources) in PRECEDENCE.items()}
