"""The catalogue: every name the cleaner can record as a removal, with its concept, roles, match and case.

One place for what the rule tables and the code name: data/text_rules.yaml (the text rules), data/dom_rules.yaml
(the DOM furniture groups) and data/catalogue.yaml (the concepts and their roles, the structural detectors, the
front matter entries). `newsclean rules`, `newsclean explain` and the explain report read it; the cleaning code
acts on roles (ROLES), which the tables declare, and never on the name of a rule of a table.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

from cleaners.io.packagedata import package_text
from cleaners.io.yamlfile import load_table_text

CATALOGUE_FILE = "data/catalogue.yaml"
# What a rule's line does beyond being removed, by role; a concept's roles belong to every rule of it.
ROLES = {
    "furniture": "its lines mark a boundary of the article: they lower the score of the block around them, end a "
                 "run of link-free lines and the search for a closing credit",
    "metadata": "its removed lines are read for the date and the bylines",
    "headline": "the line is the page's headline (its repeat, a `标题:` label): the article is looked for under it",
    "below_headline": "the line stands under a headline (a dateline, a source line, a counter): a candidate right "
                      "above it is the title",
    "table_figure": "a figure removed as a counter is kept inside a table cell of the article",
}
_CONCEPT_FIELDS = {"roles", "about"}
_ENTRY_FIELDS = {"name", "concept", "code", "matches", "case", "roles", "examples", "positional"}


class CatalogueError(ValueError):
    """data/catalogue.yaml, or a rule's roles, are malformed (an unknown key, role or concept)."""


def checked_roles(roles: object, owner: str) -> frozenset[str]:
    """The roles a table declares for `owner`, each one of ROLES."""
    if roles is None:
        return frozenset()
    if not isinstance(roles, list | tuple) or not all(isinstance(r, str) for r in roles):
        raise CatalogueError(f"{owner}: roles must be a list of names")
    if unknown := sorted(set(roles) - set(ROLES)):
        raise CatalogueError(f"{owner}: unknown roles {unknown} (known: {', '.join(ROLES)})")
    return frozenset(roles)


def checked_examples(examples: object, owner: str) -> tuple[dict, ...]:
    """The examples a table gives for `owner`: a list of mappings (tests/test_rule_examples.py reads their keys)."""
    if examples is None:
        return ()
    if not isinstance(examples, list) or not all(isinstance(e, dict) for e in examples):
        raise CatalogueError(f"{owner}: examples must be a list of mappings")
    return tuple(examples)


@dataclass(frozen=True)
class Entry:
    """A detector or front matter entry: what the code records under `name`."""

    name: str
    concept: str
    kind: str  # "detector" or "front matter"
    code: str  # the module that implements it
    matches: str
    case: str
    roles: frozenset[str] = frozenset()
    examples: tuple[dict, ...] = ()
    positional: bool = False  # names lines by where they stand: the line takes no roles
    line_roles: frozenset[str] = frozenset()  # its own roles and its concept's: what a line it removes plays


@dataclass(frozen=True)
class Catalogue:
    concepts: dict[str, frozenset[str]]  # concept -> its roles
    about: dict[str, str]  # concept -> what it is
    detectors: dict[str, Entry]
    front_matter: dict[str, Entry]


def _entries(items: list, kind: str, concepts: dict[str, frozenset[str]]) -> dict[str, Entry]:
    out: dict[str, Entry] = {}
    for item in items:
        name = item.get("name")
        if unknown := sorted(set(item) - _ENTRY_FIELDS):
            raise CatalogueError(f"{kind} {name!r}: unknown keys {unknown}")
        if item.get("concept") not in concepts:
            raise CatalogueError(f"{kind} {name!r}: concept {item.get('concept')!r} is not in the concepts")
        if name in out:
            raise CatalogueError(f"{kind} {name!r} is listed twice")
        roles = checked_roles(item.get("roles"), f"{kind} {name!r}")
        positional = bool(item.get("positional"))
        if positional and roles:
            raise CatalogueError(f"{kind} {name!r}: a positional detector takes no roles")
        out[name] = Entry(name, item["concept"], kind, item["code"], item["matches"], item["case"], roles,
                          checked_examples(item.get("examples"), f"{kind} {name!r}"), positional,
                          frozenset() if positional else roles | concepts[item["concept"]])
    return out


def load_catalogue(text: str) -> Catalogue:
    data = load_table_text(text)
    concepts: dict[str, frozenset[str]] = {}
    about: dict[str, str] = {}
    for name, spec in data["concepts"].items():
        if unknown := sorted(set(spec) - _CONCEPT_FIELDS):
            raise CatalogueError(f"concept {name!r}: unknown keys {unknown}")
        concepts[name] = checked_roles(spec.get("roles"), f"concept {name!r}")
        about[name] = str(spec.get("about", ""))
    return Catalogue(concepts, about, _entries(data["detectors"], "detector", concepts),
                     _entries(data["front_matter"], "front matter", concepts))


@functools.lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """The bundled catalogue (data/catalogue.yaml), loaded once per process."""
    return load_catalogue(package_text(CATALOGUE_FILE))


def concept_roles(concept: str) -> frozenset[str]:
    """The roles of a concept (none for a concept the catalogue does not know, as a site's own rules may name)."""
    return catalogue().concepts.get(concept, frozenset())


def detector(name: str) -> Entry:
    """A detector the code implements, by its name (KeyError when the catalogue lacks it)."""
    return catalogue().detectors[name]


# ---------------------------------------------------------------- the listing (`newsclean rules`)


@dataclass
class RuleInfo:
    name: str  # as recorded in provenance.removed[].rule
    concept: str
    kind: str  # text rule scope (line, search, inline, tail), detector, dom, front matter
    matches: str  # what it matches, and the roles of its lines
    case: str
    source: str  # where it is defined


def _roles_note(roles: frozenset[str]) -> str:
    return f"  [roles: {', '.join(sorted(roles))}]" if roles else ""


def all_rules() -> list[RuleInfo]:
    """Every rule name the cleaner can record, in table order within each source."""
    from cleaners.html.dom import DOM_RULES_FILE, dom_rules
    from cleaners.text.rules import default_table

    out: list[RuleInfo] = []
    for r in default_table().rules:
        kind = r.scope + (f" ({r.block})" if r.block else "") + (", ends article" if r.ends_article else "")
        matches = r.pattern + (f"  [lines of at most {r.max_chars} chars]" if r.max_chars else "")
        out.append(RuleInfo(r.name, r.concept, kind, matches + _roles_note(r.roles), r.case, "data/text_rules.yaml"))
    for e in catalogue().detectors.values():
        out.append(RuleInfo(e.name, e.concept, "detector", e.matches + _roles_note(e.roles), e.case, e.code))
    rules = dom_rules()
    heading_groups = {group for _pattern, group in rules.heading_groups}
    tags = sorted(rules.tags)
    for g in rules.groups.values():
        matches = "elements whose class or id tokens include: " + ", ".join(g.tokens)
        if g.whole_words:
            matches += "; or whose whole class or id is one of: " + ", ".join(g.whole_words)
        if named := [t for t in tags if rules.tags[t] == g.name]:
            matches += "; or the elements " + ", ".join(f"<{t}>" for t in named)
        if g.name in heading_groups:
            matches += f"; or a block opened by a heading matching {rules.heading.pattern}"
        if g.name == rules.ad_group:
            matches += f"; or a link whose first child is an ad label matching {rules.ad_label.pattern}"
        if "continuation" in g.roles:
            matches += "; not a box that is mostly unlinked paragraphs (the article's own `Read more` half)"
        out.append(RuleInfo(g.rule, g.concept, "dom", matches, g.case, DOM_RULES_FILE))
    out += [RuleInfo(e.name, e.concept, e.kind, e.matches, e.case, e.code) for e in catalogue().front_matter.values()]
    return out


def rule_concepts() -> dict[str, str]:
    """Rule name -> concept, for every rule the cleaner can record."""
    return {r.name: r.concept for r in all_rules()}


def rule_examples() -> dict[str, tuple[dict, ...]]:
    """Rule name -> the examples its table gives (pages and what the rule must remove from them or keep)."""
    from cleaners.html.dom import dom_rules
    from cleaners.text.rules import default_table

    out = {r.name: r.examples for r in default_table().rules}
    out.update({e.name: e.examples for e in (*catalogue().detectors.values(), *catalogue().front_matter.values())})
    out.update({g.rule: g.examples for g in dom_rules().groups.values()})
    return out
