"""The text rule table: loaded from data/text_rules.yaml, each rule compiled once, Traditional variants added."""
from __future__ import annotations

import functools
import hashlib
import unicodedata
from dataclasses import dataclass, field

import regex

from cleaners.io.packagedata import package_text

try:  # Python's own regex parser: reads what every match of a rule must hold (see required_strings)
    import re._constants as _sre
    import re._parser as _sre_parse
except ImportError:  # another Python: rules are tried without the precheck
    _sre = _sre_parse = None

from cleaners import regexcache
from cleaners.decode.normalize import convert_each
from cleaners.io.yamlfile import load_table_text
from cleaners.text.catalogue import CatalogueError, checked_examples, checked_roles, concept_roles

SCOPES = ("line", "search", "inline", "tail")
BLOCKS = ("to_end", "headlines")
SCRIPTS = ("any", "han", "latin")
_FIELDS = {"name", "concept", "scope", "block", "pattern", "meta", "max_chars", "ends_article", "case", "script",
           "roles", "examples"}
_HAN = regexcache.compile(r"\p{Han}")
_LATIN = regexcache.compile(r"[A-Za-z]")


class RuleError(ValueError):
    """A rule table entry is malformed (unknown key, bad scope, pattern that does not compile)."""


@dataclass(frozen=True)
class Rule:
    name: str
    concept: str
    scope: str
    pattern: str
    case: str
    block: str | None = None
    meta: tuple[str, ...] = ()
    max_chars: int | None = None
    ends_article: bool = False
    script: str = "any"  # the lines it is tried on: "han" (holding an ideograph), "latin" (a Latin letter), "any"
    roles: frozenset[str] = frozenset()  # what its lines do beyond being removed (cleaners.text.catalogue.ROLES)
    # pages and what the rule must remove from them or keep (run by tests/test_rule_examples.py)
    examples: tuple[dict, ...] = field(default=(), repr=False, compare=False)
    line_roles: frozenset[str] = field(default=frozenset(), repr=False, compare=False)  # its roles and its concept's

    # The compiled pattern (its ideographs widened to their Traditional forms) and its prechecks are made when the
    # rule is first tried: the rules of a script a run never meets are never compiled (half the table for a page
    # without ideographs, a tenth of a second of start-up).

    @functools.cached_property
    def regex(self) -> regex.Pattern:
        return regexcache.compile(widen_to_traditional(self.pattern), regex.V0)

    @functools.cached_property
    def needs(self) -> frozenset[str] | None:
        """Strings (case-folded) one of which every match holds, or None: a line holding none is not searched.
        Only where the engine is slow, in the search for a case-insensitive alternation (a line rule is matched
        from its start only, and a case-sensitive search skips ahead to its first literal faster than `in`)."""
        if not self.max_chars or not self.regex.flags & regex.IGNORECASE:
            return None
        return required_strings(self.regex.pattern)

    @functools.cached_property
    def _start_test(self) -> tuple[frozenset[str], bool] | None:
        whole = self.scope in ("line", "tail") and not self.max_chars  # matched with fullmatch
        return start_chars(self.regex.pattern, self.regex.flags) if whole else None

    @functools.cached_property
    def starts(self) -> frozenset[str] | None:
        """The characters a match starts with (case-folded when starts_folded), or None: a line rule (matched
        whole) is not tried on a line that starts with another."""
        return self._start_test[0] if self._start_test else None

    @functools.cached_property
    def starts_folded(self) -> bool:
        return bool(self._start_test and self._start_test[1])

    def matches_line(self, line: str) -> regex.Match | None:
        """Match against a whole line: rules with max_chars search lines up to that length, others fullmatch."""
        if self.max_chars is not None:
            if len(line) > self.max_chars or (self.needs is not None and not _holds_any(line, self.needs)):
                return None
            return self.regex.search(line)
        if self.starts is not None and line:
            head = _fold_char(line[0]) if self.starts_folded else line[0]
            if head not in self.starts:
                return None
        return self.regex.fullmatch(line)


def _fold_char(ch: str) -> str:
    """A character as start_chars folds its characters (`İ` folds to `i` and a combining dot, `ı` to itself)."""
    return ch.casefold()[:1].replace("\u0131", "i")


@functools.lru_cache(maxsize=1)  # the rules of a line are tried one after the other: fold it once
def _folded(line: str) -> str:
    """The line case-folded as required_strings folds its strings: whatever a case-insensitive letter matches
    folds to that letter (`İ` folds to `i` and a combining dot, `ı` to itself: both are read as `i`)."""
    return line.casefold().replace("\u0131", "i").replace("\u0307", "")


def _holds_any(line: str, needs: frozenset[str]) -> bool:
    folded = _folded(line)
    for s in needs:
        if s in folded:
            return True
    return False


# Searching a line for a long case-insensitive alternation costs the regex engine a try at every position; the
# strings a match must hold are looked for first with `in`. They are read from the pattern with Python's parser,
# on the pattern with its \p{...} properties written as \w (one character that is no literal): a pattern using
# syntax only the regex module knows, or that Python's parser reads another way, gets no precheck.
_PROPERTY = regexcache.compile(r"\\[pP](\{[^}]*\}|[A-Za-z])")
# POSIX classes ([:alpha:]), verbose mode, fuzzy matching ({e<=1}) and any other brace
_UNSURE_SYNTAX = regexcache.compile(r"\[:\^?[A-Za-z]+:\]|\(\?[^:=!<P>#(]*x|\{(?![\d,]*\})")


def _literal(code: int) -> str | None:
    """A pattern character as required_strings keeps it (printable ASCII, lower-cased; caseless letters such as
    ideographs as they are), or None."""
    ch = chr(code)
    if ch.isascii() and ch.isprintable():
        return ch.lower()
    return ch if unicodedata.category(ch) == "Lo" else None


def _strength(strings: frozenset[str]) -> tuple[int, int]:
    return min(map(len, strings)), -len(strings)


def _needs(items: list) -> frozenset[str] | None:
    """Strings one of which every match of this sequence of parsed items holds, or None."""
    found: list[frozenset[str]] = []
    run = ""
    for op, arg in items:
        if op is _sre.LITERAL and (ch := _literal(arg)) is not None:
            run += ch
            continue
        if run:
            found.append(frozenset([run]))
            run = ""
        sub = None
        if op is _sre.SUBPATTERN:
            sub = _needs(arg[-1])
        elif op is _sre.ATOMIC_GROUP:
            sub = _needs(arg)
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT) and arg[0] >= 1:
            sub = _needs(arg[2])
        elif op is _sre.BRANCH:
            branches = [_needs(b) for b in arg[1]]
            sub = None if any(b is None for b in branches) else frozenset().union(*branches)
        if sub:
            found.append(sub)
    if run:
        found.append(frozenset([run]))
    return max(found, key=_strength, default=None)


def required_strings(pattern: str) -> frozenset[str] | None:
    """Strings, lower-cased, one of which every match of the pattern holds in the line case-folded; None when
    the pattern cannot be read safely or requires no literal text."""
    pattern = _PROPERTY.sub(r"\\w", pattern)
    if _sre_parse is None or _UNSURE_SYNTAX.search(pattern):
        return None
    try:
        return _needs(list(_sre_parse.parse(pattern)))
    except Exception:  # noqa: BLE001 - regex-module syntax Python's parser refuses: no precheck
        return None


# A whole-line rule fails on most lines at their first character: the characters a match can start with are read
# from the pattern too (as for required_strings), and a line starting with another is not tried.
_FOLDING_FLAGS = regexcache.compile(r"\(\?[a-zA-Z-]*i")  # (?i), (?i:...), (?-i:...): compare case-folded
_MAX_RANGE_CHARS = 2_000  # a larger character range gives no start test
_ASCII_END = 128  # case-folded ranges are read only within ASCII, whose folding _start_char knows


class _Unknown(Exception):
    """A construct start_chars does not read."""


def _start_char(code: int, fold: bool) -> str:
    ch = chr(code)
    if not fold:
        return ch
    if ch.isascii() and ch.isprintable():
        return ch.lower()
    if unicodedata.category(ch) == "Lo":  # ideographs and other letters without case
        return ch
    raise _Unknown


def _class_chars(items: list, fold: bool) -> set[str]:
    out: set[str] = set()
    for op, arg in items:
        if op is _sre.LITERAL:
            out.add(_start_char(arg, fold))
        elif op is _sre.RANGE and arg[1] - arg[0] < _MAX_RANGE_CHARS and (not fold or arg[1] < _ASCII_END):
            out.update(_start_char(c, fold) for c in range(arg[0], arg[1] + 1))
        else:  # negated classes, categories (\s, \d, \w and the properties written as \w)
            raise _Unknown
    return out


def _starts(items: list, fold: bool) -> tuple[set[str], bool]:
    """(the characters a match of this sequence can start with, whether it can match the empty string)."""
    first: set[str] = set()
    for op, arg in items:
        if op is _sre.LITERAL:
            chars, empty = {_start_char(arg, fold)}, False
        elif op is _sre.IN:
            chars, empty = _class_chars(arg, fold), False
        elif op is _sre.SUBPATTERN:
            chars, empty = _starts(arg[-1], fold)
        elif op is _sre.ATOMIC_GROUP:
            chars, empty = _starts(arg, fold)
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
            chars, empty = _starts(arg[2], fold)
            empty = empty or arg[0] == 0
        elif op is _sre.BRANCH:
            chars, empty = set(), False
            for branch in arg[1]:
                branch_chars, branch_empty = _starts(branch, fold)
                chars |= branch_chars
                empty = empty or branch_empty
        elif op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):  # zero-width: the next item starts the match
            chars, empty = set(), True
        else:  # any character, backreferences, conditionals
            raise _Unknown
        first |= chars
        if not empty:
            return first, False
    return first, True


def start_chars(pattern: str, flags: int = 0) -> tuple[frozenset[str], bool] | None:
    """(the characters a non-empty match of the pattern starts with, whether they are case-folded: compare
    `_fold_char(line[0])`), or None when the pattern cannot be read safely or may start with any character."""
    fold = bool(flags & regex.IGNORECASE) or bool(_FOLDING_FLAGS.search(pattern))
    pattern = _PROPERTY.sub(r"\\w", pattern)
    if _sre_parse is None or _UNSURE_SYNTAX.search(pattern):
        return None
    try:
        chars, _ = _starts(list(_sre_parse.parse(pattern)), fold)
    except _Unknown:
        return None
    except Exception:  # noqa: BLE001 - regex-module syntax Python's parser refuses: no start test
        return None
    return frozenset(chars), fold


VARIANT_TABLE = "data/han_variants.txt"
_VARIANT_CONFIGS = ("s2t", "s2tw", "s2hk", "t2s")  # the forms a Simplified rule also matches, in this order


@functools.lru_cache(maxsize=1)
def _variant_table() -> dict[str, str]:
    """Each ideograph OpenCC gives other forms, with them (`评` -> `评評`), from data/han_variants.txt: reading
    the table costs a millisecond, asking OpenCC for every ideograph of the rules a fifth of a second."""
    lines = package_text(VARIANT_TABLE).splitlines()
    return {line[0]: line for line in lines if line and not line.startswith("#")}


def build_variant_table() -> str:
    """The contents of data/han_variants.txt, from OpenCC: every ideograph its single-character conversions
    (s2t, s2tw, s2hk, t2s) change, followed by the forms they give, in that order.

    Regenerate with `python -c "from cleaners.text.rules import build_variant_table as b; print(b(), end='')" >
    cleaners/data/han_variants.txt`; a test checks the shipped file against OpenCC."""
    chars = [chr(c) for c in range(0x2E80, 0x32400) if _HAN.match(chr(c))]
    converted = [convert_each(chars, config) for config in _VARIANT_CONFIGS]
    rows = []
    for k, ch in enumerate(chars):
        out = ch
        for forms in converted:
            out += "".join(v for v in dict.fromkeys(forms[k]) if v not in out)
        if out != ch:
            rows.append(out)
    return ("# Ideographs and their other forms in OpenCC (generated by cleaners.text.rules.build_variant_table)\n"
            + "".join(row + "\n" for row in rows))


def widen_to_traditional(pattern: str) -> str:
    """Rewrite a Simplified pattern so each ideograph also matches its Traditional forms (`评` -> `[评評]`)."""
    table = _variant_table()
    out, in_class, i = [], False, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if c == "[" and not in_class:
            in_class = True
        elif c == "]" and in_class:
            in_class = False
        v = table.get(c, c)
        out.append(v if in_class or len(v) == 1 else f"[{v}]")
        i += 1
    return "".join(out)


def compile_rule(entry: dict, *, lazy: bool = False) -> Rule:
    """A rule from its table entry, checked; its pattern is compiled now (a user's rule: a pattern that does not
    compile is an error before any page), or when first tried (`lazy`: the bundled table, which tests compile)."""
    unknown = set(entry) - _FIELDS
    if unknown:
        raise RuleError(f"rule {entry.get('name')!r}: unknown keys {sorted(unknown)}")
    for key in ("name", "concept", "scope", "pattern", "case"):
        if not entry.get(key):
            raise RuleError(f"rule {entry.get('name')!r}: missing {key!r}")
    if entry["scope"] not in SCOPES:
        raise RuleError(f"rule {entry['name']!r}: scope must be one of {SCOPES}")
    if entry.get("script", "any") not in SCRIPTS:
        raise RuleError(f"rule {entry['name']!r}: script must be one of {SCRIPTS}")
    if entry["scope"] == "search" and not entry.get("max_chars"):
        raise RuleError(f"rule {entry['name']!r}: search rules need max_chars")
    if entry["scope"] == "tail" and entry.get("block") not in BLOCKS:
        raise RuleError(f"rule {entry['name']!r}: tail rules need block: one of {BLOCKS}")
    try:
        roles = checked_roles(entry.get("roles"), f"rule {entry['name']!r}")
        examples = checked_examples(entry.get("examples"), f"rule {entry['name']!r}")
    except CatalogueError as exc:
        raise RuleError(str(exc)) from None
    rule = Rule(
        name=entry["name"], concept=entry["concept"], scope=entry["scope"], pattern=entry["pattern"],
        case=entry["case"], block=entry.get("block"), meta=tuple(entry.get("meta") or ()),
        max_chars=entry.get("max_chars"), ends_article=bool(entry.get("ends_article")),
        script=entry.get("script", "any"), roles=roles, examples=examples,
        line_roles=roles | concept_roles(entry["concept"]),
    )
    if not lazy:
        check_pattern(rule)
    return rule


def check_pattern(rule: Rule) -> None:
    """Compile the rule's pattern; RuleError when it does not compile or lacks a group its `meta` names."""
    try:
        compiled = rule.regex
    except regex.error as exc:
        raise RuleError(f"rule {rule.name!r}: pattern does not compile: {exc}") from exc
    missing = [g for g in rule.meta if g not in compiled.groupindex]
    if missing:
        raise RuleError(f"rule {rule.name!r}: meta groups {missing} are not in the pattern")


@dataclass(frozen=True)
class ScopedRules:
    """The rules a line can meet, by scope, for one combination of the scripts the line holds."""

    inline: tuple[Rule, ...]
    tail: tuple[Rule, ...]
    whole: tuple[Rule, ...]  # line and search rules
    # (tail, whole) by the first character of a line: the rules whose start test that character passes
    _by_head: dict[str, tuple[tuple[Rule, ...], tuple[Rule, ...]]] = field(
        default_factory=dict, repr=False, compare=False)

    def for_head(self, line: str) -> tuple[tuple[Rule, ...], tuple[Rule, ...]]:
        """(tail, whole) rules worth trying on this line: those whose match may start with its first character,
        in table order (the start test of Rule.matches_line, done once per first character, not once per rule)."""
        head = line[:1]
        found = self._by_head.get(head)
        if found is None:
            found = (_may_start(self.tail, head), _may_start(self.whole, head))
            if len(self._by_head) < _MAX_HEADS:
                self._by_head[head] = found
        return found


_MAX_EXTENSIONS = 256  # extended tables remembered per table (one per site with text rules, one per config)
_MAX_HEADS = 8_192  # first characters remembered per script combination (a page's lines start with a few hundred)


def _may_start(rules: tuple[Rule, ...], head: str) -> tuple[Rule, ...]:
    if not head:
        return rules
    folded = _fold_char(head)
    return tuple(r for r in rules if r.starts is None or (folded if r.starts_folded else head) in r.starts)


@dataclass(frozen=True)
class RuleTable:  # noqa: PLW1641 - cached_property needs a __dict__; frozen only guards the fields
    rules: tuple[Rule, ...]
    version: str  # "<table version>+<content hash>", recorded in provenance

    @functools.cached_property
    def _by_script(self) -> dict[tuple[bool, bool], ScopedRules]:
        out = {}
        for has_han in (False, True):
            for has_latin in (False, True):
                fit = [r for r in self.rules
                       if r.script == "any" or (r.script == "han" and has_han) or (r.script == "latin" and has_latin)]
                out[has_han, has_latin] = ScopedRules(
                    tuple(r for r in fit if r.scope == "inline"), tuple(r for r in fit if r.scope == "tail"),
                    tuple(r for r in fit if r.scope in ("line", "search")))
        return out

    def for_line(self, line: str) -> ScopedRules:
        """The rules worth trying on this line: a rule keyed on ideographs cannot match a line without one.

        One regex over the whole table would test every rule at once, but a long alternation of case-insensitive
        searches is several times slower than its parts; the script of the line prunes most rules instead."""
        return self._by_script[bool(_HAN.search(line)), bool(_LATIN.search(line))]

    def compile_all(self) -> None:
        """Compile every rule and its prechecks now: before forking workers, which then share them."""
        for rule in self.rules:
            _ = rule.regex, rule.needs, rule.starts, rule.starts_folded

    @functools.cached_property
    def _extensions(self) -> dict[str, RuleTable]:
        return {}

    def extended(self, entries: list[dict]) -> RuleTable:
        """A copy with extra rules appended (a site's text rules, a config's extra rules): the same copy for the
        same entries, so that they are compiled once, not again for every page."""
        key = repr(list(entries))
        if (found := self._extensions.get(key)) is None:
            extra = tuple(compile_rule(e) for e in entries)
            found = RuleTable(self.rules + extra, f"{self.version}+{hashlib.sha256(key.encode()).hexdigest()[:8]}")
            if len(self._extensions) < _MAX_EXTENSIONS:
                self._extensions[key] = found
        return found


def load_table(text: str, *, lazy: bool = False) -> RuleTable:
    """A rule table from its YAML text (see compile_rule for `lazy`)."""
    data = load_table_text(text)
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise RuleError("rule table must be a mapping with a 'rules' list")
    rules = tuple(compile_rule(e, lazy=lazy) for e in data["rules"])
    names = [r.name for r in rules]
    if len(names) != len(set(names)):
        raise RuleError("rule names must be unique")
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    return RuleTable(rules, f"{data.get('version', 0)}+{digest}")


@functools.lru_cache(maxsize=1)
def default_table() -> RuleTable:
    """The bundled rule table (each rule compiled once per process, when first tried; tests/test_rules_table.py
    compiles them all)."""
    return load_table(bundled_table_text(), lazy=True)


def bundled_table_text() -> str:
    return package_text("data/text_rules.yaml")
