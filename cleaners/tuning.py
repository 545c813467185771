"""The tuning table: every threshold of the cleaner's heuristics, by name, loaded once per process.

trafilatura keeps its thresholds in settings.cfg; these are in data/tuning.yaml, each entry with the case that set
it, and the code reads them by name from `active` (`tuning.active.grow_ratio`, bound to a local where a loop reads
it). `active` is the bundled table, or, while a config that overrides some entries cleans a document
(`CleanerConfig(tuning={"grow_ratio": 1.5})`), the table with those values (see `applied`). A process cleans one
document at a time (parallel runs use worker processes), so one active table per process is enough: `applied`
swaps it for the call and puts the previous one back.
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from cleaners.io.packagedata import package_text
from cleaners.io.yamlfile import load_table_text

TUNING_FILE = "data/tuning.yaml"
_ENTRY_FIELDS = frozenset({"name", "value", "case"})


class TuningError(ValueError):
    """The tuning table or an override is malformed: an unknown or missing name, a value of the wrong type."""


@dataclass(frozen=True, slots=True)
class Tuning:
    """One value per entry of data/tuning.yaml (where each is explained), in its order."""

    # textclean: scoring lines
    chrome_penalty: float
    prose_before_footer: float
    footer_discount: float
    link_line: float
    linked_prose: float
    item_max_link: float
    announce_min_size: int
    # textclean: the headline
    title_window: int
    title_min_size: int
    title_max_chars: int
    title_repeats: int
    title_min_key: int
    title_dateline_reach: int
    title_line_max: int
    same_title_min: int
    same_title_share: float
    anchor_reach: int
    anchor_prose_reach: int
    anchor_yield: int
    under_headline_reach: int
    # textclean: boundaries of the article
    linked_heading: float
    stamp_link_reach: int
    own_dateline_prose: float
    prose_before_item: float
    list_follow_reach: int
    list_follow_items: int
    related_run: int
    credit_reach: int
    credit_max_chars: int
    appendix_min_lines: int
    # textclean: documents that are not prose
    unlinked: float
    plain_run_chars: int
    plain_run_lines: int
    plain_run_share: float
    thin_prose: int
    # textclean: growing the block to its container
    grow_ratio: float
    grow_min_gain: float
    structure_cost: float
    feed_dates: int
    # textclean: repeats and data
    repeat_min_size: int
    repeat_run: int
    data_run: int
    data_digit_share: float
    headline_link: float
    headline_link_min_chars: int
    # textclean: metadata in the lines
    byline_head_lines: int
    byline_above: int
    byline_below: int
    # structure: the shape of a line
    paragraph_min_chars: int
    exclaim_min_chars: int
    paragraph_puncts: int
    headline_max_chars: int
    headline_max_puncts: int
    clause_min_chars: int
    teaser_max: int
    sparse_min_chars: int
    punct_per_char: float
    gap_prose_min_han: int
    gap_prose_clause: int
    gap_prose_max_gaps: int
    spaced_min_words: int
    spaced_letters_per_han: float
    spaced_sentence_words: int
    spaced_headline_words: int
    spaced_punct_per_word: float
    # structure: detectors
    clock_item_max_chars: int
    stamp_max_chars: int
    farm_min_parts: int
    farm_max_part: int
    dateline_max_chars: int
    dateline_rest_chars: int
    dateline_unpunctuated_chars: int
    # dom: pruning furniture
    guard_share: float
    heading_max_chars: int
    heading_max_children: int
    prose_link_chars: int
    prose_link_sentences: int
    slug_words: int
    related_prose_paragraphs: int
    related_paragraph_chars: int
    related_prose_share: float
    related_max_link_share: float
    # pagetype: article or list page
    title_link_min: int
    title_link_max: int
    title_link_lead: int
    prose_run_min: int
    prose_run_clauses: int
    list_item_min_chars: int
    article_body_chars: int
    article_body_chars_article_url: int
    article_body_chars_list_url: int
    article_concentration: float
    headline_links_min: int
    headline_outweigh: int
    link_items_min: int
    link_items_outweigh: int
    portal_body_chars: int
    portal_concentration: float
    short_body_chars: int
    short_body_concentration: float
    short_body_headline_ratio: int
    short_body_headline_slack: int
    # article: the HTML cascade
    thin_text: int
    list_teaser_max: int
    list_spread: int
    list_items: int
    second_opinion_size: int
    second_opinion_gain: float
    second_opinion_max_gain: float
    second_opinion_overlap: float
    lone_article_probe: int
    # htmlextract: streamed chunks
    fallback_max_chars: int
    # htmlmeta: the headline
    headline_max_words: int
    headline_min_words: int
    logo_link_depth: int
    h1_looked_at: int
    h1_min_key: int
    site_name_min_chars: int
    # htmlmeta: printed bylines and dates
    walk_after: int
    walk_before: int
    before_block_max: int
    before_headline: int
    text_distance: int
    loose_date_distance: int
    loose_text_max_chars: int
    byline_max_children: int
    date_text_max_chars: int
    name_text_max_chars: int
    date_label_chars: int
    dates_per_text: int
    # metadata: names
    han_name_min_chars: int
    han_name_max_chars: int
    han_name_max_commas: int
    spaced_name_min_letters: int
    spaced_name_max_chars: int
    spaced_name_max_parts: int
    spaced_part_max_words: int
    printed_byline_max_chars: int
    # decode: charsets
    nul_control_share: float
    common_han_min: int
    common_share_min: float
    other_reading_share: float
    other_reading_ratio: int
    other_reading_margin: float
    misread_min_chars: int
    misread_share: float
    # normalize: legacy Chinese read as Latin-1
    legacy_min_chars: int
    legacy_high_share: float
    # langid: language identification
    lang_sample_chars: int
    lang_trials: int
    script_sample_chars: int
    lang_min_letters: int
    han_share: float
    kana_share: float
    min_kana: int
    hangul_share: float
    lang_sample_lines: int


_TYPES: dict[str, type] = {f.name: {"int": int, "float": float}[str(f.type)] for f in dataclasses.fields(Tuning)}


def _checked(name: str, value: object, exact: bool) -> int | float:
    """The value for entry `name`: an integer entry takes an integer, a float entry a number (exactly a float in
    the bundled table, where the type documents the entry). Booleans and non-finite numbers are refused."""
    kind = _TYPES.get(name)
    if kind is None:
        raise TuningError(f"unknown tuning entry {name!r}")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise TuningError(f"tuning entry {name!r}: {value!r} is not a finite number")
    if kind is int and not isinstance(value, int):
        raise TuningError(f"tuning entry {name!r} is a count: {value!r} is not an integer")
    if kind is float and exact and not isinstance(value, float):
        raise TuningError(f"tuning entry {name!r} is a float in the table: write {value!r} as {float(value)!r}")
    return kind(value)


def load_tuning(text: str) -> Tuning:
    """The table from the text of a tuning file: every field of Tuning exactly once, each with its case."""
    data = load_table_text(text)
    if not isinstance(data, dict) or not isinstance(data.get("thresholds"), list):
        raise TuningError("the tuning table must be a mapping with a 'thresholds' list")
    values: dict[str, int | float] = {}
    for entry in data["thresholds"]:
        if not isinstance(entry, dict) or not isinstance(name := entry.get("name"), str):
            raise TuningError(f"tuning entry {entry!r}: a mapping with a name is expected")
        if unknown := sorted(set(entry) - _ENTRY_FIELDS):
            raise TuningError(f"tuning entry {name!r}: unknown keys {unknown}")
        if not entry.get("case"):
            raise TuningError(f"tuning entry {name!r}: missing 'case' (what it decides, and what set it)")
        if name in values:
            raise TuningError(f"tuning entry {name!r} is listed twice")
        values[name] = _checked(name, entry.get("value"), exact=True)
    if missing := sorted(set(_TYPES) - set(values)):
        raise TuningError(f"tuning entries missing from the table: {', '.join(missing)}")
    return Tuning(**values)


DEFAULT: Tuning = load_tuning(package_text(TUNING_FILE))
# What the cleaning code reads: DEFAULT, or a config's overrides while `applied` holds them.
active: Tuning = DEFAULT


def checked_overrides(overrides: Mapping[str, object]) -> dict[str, int | float]:
    """Overrides by entry name, each value checked against its entry's type; TuningError for an unknown name."""
    if not isinstance(overrides, Mapping):
        raise TuningError(f"tuning overrides must be a mapping of entry names to numbers, not {overrides!r}")
    return {name: _checked(name, value, exact=False) for name, value in overrides.items()}


@functools.lru_cache(maxsize=32)
def _resolved(items: tuple[tuple[str, int | float], ...]) -> Tuning:
    return dataclasses.replace(DEFAULT, **dict(items))


def resolve(overrides: Mapping[str, object] | None) -> Tuning:
    """The bundled table with these entries replaced (the same object for the same overrides)."""
    if not overrides:
        return DEFAULT
    return _resolved(tuple(sorted(checked_overrides(overrides).items())))


@contextlib.contextmanager
def applied(overrides: Mapping[str, object] | None) -> Iterator[Tuning]:
    """Make the table with these overrides `active` for the block (a no-op when it already is)."""
    global active
    target, previous = resolve(overrides), active
    if target is previous:
        yield target
        return
    active = target
    try:
        yield target
    finally:
        active = previous


def version_suffix(table: Tuning) -> str:
    """`""` for the bundled values, else `+tuning.<digest of the entries that differ>`: appended to the rules version
    in provenance, so that a record says it was cleaned with other thresholds."""
    return "" if table is DEFAULT else _suffix(table)


@functools.lru_cache(maxsize=32)
def _suffix(table: Tuning) -> str:
    changed = {f: getattr(table, f) for f in _TYPES if getattr(table, f) != getattr(DEFAULT, f)}
    if not changed:
        return ""
    return "+tuning." + hashlib.sha256(repr(sorted(changed.items())).encode()).hexdigest()[:8]
