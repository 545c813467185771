"""YAML front matter (`---` … `---`) at the top of Markdown and text dumps, as static-site exports write it."""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import regex

from cleaners import regexcache

if TYPE_CHECKING:
    import yaml

_BLOCK = regexcache.compile(r"\A\s*---[ \t]*\n(?P<yaml>.*?)\n---[ \t]*(\n|\Z)", regex.S)
# Front matter is a flat record: nesting deeper than this is hostile (PyYAML recurses once per level).
MAX_DEPTH = 20


@functools.cache
def _flat_loader() -> type[yaml.SafeLoader]:
    """SafeLoader without aliases (billion-laughs expansion) and without deep nesting (stack exhaustion); made on
    the first page with front matter, so that the others do not import PyYAML."""
    import yaml

    class FlatLoader(yaml.SafeLoader):
        def __init__(self, stream: str) -> None:
            super().__init__(stream)
            self._depth = 0

        def compose_node(self, parent, index):  # PyYAML's signature
            if self.check_event(yaml.AliasEvent):
                raise yaml.composer.ComposerError(None, None, "YAML aliases are not allowed in front matter",
                                                  self.peek_event().start_mark)
            self._depth += 1
            try:
                if self._depth > MAX_DEPTH:
                    raise yaml.composer.ComposerError(None, None, f"nested deeper than {MAX_DEPTH} levels",
                                                      self.peek_event().start_mark)
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1

    return FlatLoader


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
    import yaml

    try:
        meta = yaml.load(m["yaml"], Loader=_flat_loader()) or {}  # a SafeLoader subclass
    except (yaml.YAMLError, RecursionError) as exc:
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
