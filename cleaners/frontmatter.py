"""YAML front matter (`---` … `---`) at the top of Markdown and text dumps, as static-site exports write it."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import regex
import yaml

_BLOCK = regex.compile(r"\A\s*---[ \t]*\n(?P<yaml>.*?)\n---[ \t]*(\n|\Z)", regex.S)


@dataclass
class FrontMatter:
    meta: dict[str, Any] = field(default_factory=dict)
    body: str = ""
    raw: str = ""  # the front matter block as it stood, for provenance
    error: str | None = None  # why the YAML could not be read, if it could not


def split_front_matter(text: str) -> FrontMatter | None:
    """Split a leading front matter block from the body; None when the text has none.

    Broken YAML does not lose the page: the body is still returned and the reason is kept in `error`.
    """
    m = _BLOCK.match(text)
    if not m:
        return None
    body = text[m.end():]
    try:
        meta = yaml.safe_load(m["yaml"]) or {}
    except yaml.YAMLError as exc:
        return FrontMatter({}, body, m.group(), f"front matter is not valid YAML: {str(exc).splitlines()[0]}")
    if not isinstance(meta, dict):
        return FrontMatter({}, body, m.group(), "front matter is not a mapping")
    return FrontMatter({str(k).lower(): _plain(v) for k, v in meta.items()}, body, m.group())


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def as_list(value: Any) -> list[str]:
    """Categories and tags as a list of strings, whether YAML gave a list or a comma-separated string."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [p.strip() for p in regex.split(r"[,，、;；|]", str(value)) if p.strip()]
