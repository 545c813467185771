"""Per-site overrides without code: a YAML file mapping host patterns to prune selectors, a body selector and
extra text rules (`newsclean clean --site-rules FILE`).

    sites:
      - host: "*.example.com"            # shell-style pattern on the page's host name
        prune: ["div.comments", "#hot"]  # CSS selectors removed before extraction
        body: "div.article-content"      # CSS selector of the article body (the first match is used)
        text_rules:                      # same fields as cleaners/data/text_rules.yaml
          - {name: example_footer, concept: site_chrome, scope: line, pattern: '本站声明.*', case: '…'}
"""
from __future__ import annotations

import fnmatch
import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from cleaners.config import ConfigError
from cleaners.io.yamlfile import read_yaml
from cleaners.text.rules import RuleError, compile_rule

if TYPE_CHECKING:
    from lxml.cssselect import CSSSelector

_SITE_KEYS = {"host", "prune", "body", "text_rules"}


class SiteRulesError(ConfigError):
    """The site rules file is malformed: unknown keys, bad selectors or rules."""


@dataclass(frozen=True)
class SiteRule:
    host: str
    prune: tuple[CSSSelector, ...] = ()
    body: CSSSelector | None = None
    text_rules: tuple[dict, ...] = field(default=())

    def matches(self, url: str | None) -> bool:
        host = (urlsplit(url).hostname or "") if url else ""
        return bool(host) and (fnmatch.fnmatch(host, self.host) or host == self.host.lstrip("*."))


def _selector(path: str, where: str, css: object) -> CSSSelector:
    if not isinstance(css, str) or not css.strip():
        raise SiteRulesError(f"{path}: {where}: a selector must be a non-empty string")
    from lxml.cssselect import CSSSelector, SelectorError  # only runs with site rules import cssselect

    try:
        return CSSSelector(css)
    except SelectorError as exc:
        raise SiteRulesError(f"{path}: {where}: bad CSS selector {css!r}: {exc}") from exc


def parse_site_rules(data: object, path: str = "<site rules>") -> tuple[SiteRule, ...]:
    if not isinstance(data, dict) or set(data) != {"sites"} or not isinstance(data["sites"], list):
        raise SiteRulesError(f"{path}: expected a mapping with one key, 'sites', holding a list")
    rules = []
    for i, entry in enumerate(data["sites"]):
        where = f"sites[{i}]"
        if not isinstance(entry, dict):
            raise SiteRulesError(f"{path}: {where}: expected a mapping")
        unknown = sorted(set(entry) - _SITE_KEYS)
        if unknown:
            raise SiteRulesError(f"{path}: {where}: unknown keys {unknown} (known: {sorted(_SITE_KEYS)})")
        if not isinstance(entry.get("host"), str) or not entry["host"].strip():
            raise SiteRulesError(f"{path}: {where}: 'host' is required")
        prune = entry.get("prune") or []
        if not isinstance(prune, list):
            raise SiteRulesError(f"{path}: {where}: 'prune' must be a list of CSS selectors")
        text_rules = entry.get("text_rules") or []
        for rule in text_rules:
            try:
                compile_rule(rule)
            except (RuleError, TypeError) as exc:
                raise SiteRulesError(f"{path}: {where}: {exc}") from exc
        rules.append(SiteRule(
            host=entry["host"].strip().lower(),
            prune=tuple(_selector(path, f"{where}.prune", css) for css in prune),
            body=_selector(path, f"{where}.body", entry["body"]) if entry.get("body") else None,
            text_rules=tuple(text_rules),
        ))
    return tuple(rules)


@functools.lru_cache(maxsize=8)
def load_site_rules(path: str) -> tuple[SiteRule, ...]:
    """Site rules from a YAML file (cached per path)."""
    return parse_site_rules(read_yaml(path, SiteRulesError), path)


def rule_for(rules: tuple[SiteRule, ...], url: str | None) -> SiteRule | None:
    return next((r for r in rules if r.matches(url)), None)
