"""The record schema, declared once: every output (JSON Lines, Parquet, the datatrove step) has these fields with
these types, whatever the page held.

Every field is present in every record, null when unknown; lists are lists of strings even when empty; the
removed spans and their per-rule counts are lists of typed structs. `arrow_schema()` is the pyarrow schema the
Parquet writer writes, `features()` the Hugging Face `datasets.Features` to load outputs with, and
`datatrove_schema()` the schema for datatrove's ParquetWriter after `NewsCleaner`; all three are built from
`RECORD` below, and the README's table of fields is `markdown_table()`. pyarrow and datasets are imported only
when those functions are called.

Date-times (`published`, `provenance.fetched_at`, `provenance.cleaned_at`) are written in one ISO 8601 form,
`YYYY-MM-DDTHH:MM:SS.ffffff` with the page's UTC offset when it gives one (`+08:00`); what part of `published`
the page stated is `published_precision`. The microseconds are always written because JSON readers keep that
form as text: pyarrow's JSON reader (which `datasets` uses) turns `2024-05-02` or `2024-05-02T08:00:00+08:00` into
a timestamp, converted to UTC without its offset, and two files then disagree on the type.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cleaners import regexcache

SCHEMA_VERSION = "1"  # written in the Parquet schema metadata as `newsclean_schema`


@dataclass(frozen=True)
class Field:
    """One field of the record: its name, its type, and what it holds (the README's table is made of these)."""

    name: str
    type: Any  # "string", "int64", "float64", ListOf(...) or StructOf(...)
    doc: str
    nullable: bool = True  # False: newsclean never writes null there (documentation: every column is nullable)


@dataclass(frozen=True)
class ListOf:
    item: Any


@dataclass(frozen=True)
class StructOf:
    fields: tuple[Field, ...]


STRINGS = ListOf("string")

REMOVED_SPAN = StructOf((
    Field("rule", "string", "the rule that removed it (`newsclean rules` lists them)", False),
    Field("text", "string", "the removed text", False),
))
REMOVED_COUNT = StructOf((
    Field("rule", "string", "the rule", False),
    Field("count", "int64", "spans it removed", False),
    Field("chars", "int64", "characters it removed", False),
))
QUALITY = StructOf((
    Field("han_share", "float64", "Han characters among the letters of `text` (0 to 1)", False),
    Field("sentence_punct_density", "float64",
          "sentence ends (`。！？` `.!?` …, a run counted once) per 100 non-space characters of `text`", False),
    Field("repeated_line_share", "float64",
          "characters of `text` in lines that repeat an earlier line (0 to 1)", False),
    Field("boilerplate_share", "float64",
          "characters the cleaner removed, of all the page text it read (0 to 1)", False),
    Field("spam_farm_score", "float64",
          "characters the link-farm rules removed, of all the page text it read (0 to 1)", False),
))
VERSIONS = StructOf((
    Field("newsclean", "string", "newsclean's version", False),
    Field("trafilatura", "string", "trafilatura's version", False),
    Field("rules", "string", "the rule table's version and content hash", False),
))
PROVENANCE = StructOf((
    Field("source", "string", "the input: a path, `FILE:N` (JSON Lines, Parquet) or `FILE#<WARC-Record-ID>`", False),
    Field("sha256", "string", "of the raw input bytes", False),
    Field("input_format", "string", "`html`, `markdown`, `text`, or `warc` (a body NewsWarcReader passed on)", False),
    Field("encoding", "string", "the codec the bytes were decoded with"),
    Field("fetched_at", "string", "when the page was fetched (WARC date, crawler), ISO 8601 as `published`"),
    Field("cleaned_at", "string", "when it was cleaned, UTC, ISO 8601 as `published`", False),
    Field("url", "string", "the URL first requested (crawler, WARC)"),
    Field("final_url", "string", "where the body came from after redirects"),
    Field("http_status", "int64", "the HTTP status of the response"),
    Field("http_charset", "string", "the charset the HTTP header declared"),
    Field("script", "string", "the OpenCC conversion applied (`t2s`), if any"),
    Field("extractor", "string", "the path that produced the text: `text`, `dom`, `dom-article`, `trafilatura`, …"),
    Field("input_chars", "int64", "characters of text in the input (an HTML page's text, not its markup)"),
    Field("versions", VERSIONS, "newsclean, trafilatura and rule table versions", False),
    Field("removed", ListOf(REMOVED_SPAN), "every removed span; null unless `removed: full`"),
    Field("removed_counts", ListOf(REMOVED_COUNT),
          "spans and characters removed per rule, in order of first removal; null with `removed: none`"),
))

RECORD: tuple[Field, ...] = (
    Field("id", "string", "stable id (from the source name or URL and the content hash), or the input's id", False),
    Field("title", "string", "the headline"),
    Field("text", "string", "the article, paragraphs separated by `\\n`, the title not repeated", False),
    Field("published", "string", "publication date-time, `YYYY-MM-DDTHH:MM:SS.ffffff[+HH:MM]`"),
    Field("published_precision", "string", "what `published` states: `year`, `month`, `day` or `second`"),
    Field("author", "string", "the byline"),
    Field("editor", "string", "the editor (`责任编辑`)"),
    Field("source_name", "string", "the outlet the page credits (`来源:`)"),
    Field("site", "string", "the site's name"),
    Field("url", "string", "the page's URL (input, canonical link, `og:url`)"),
    Field("language", "string", "`zh-Hans`, `zh-Hant`, `ja`, `en`, …"),
    Field("language_score", "float64", "langdetect's probability, or for Chinese the script agreement"),
    Field("categories", STRINGS, "sections the page names (empty list when none)", False),
    Field("tags", STRINGS, "keywords the page names (empty list when none)", False),
    Field("quality", QUALITY, "signals for corpus filters (below)", False),
    Field("provenance", PROVENANCE, "where the record came from and what was removed", False),
)

# datatrove keeps the text and id in the Document itself: the rest goes into doc.metadata, the id as newsclean_id
DATATROVE_READER_FIELDS: tuple[Field, ...] = (
    Field("file_path", "string", "the input file (datatrove's readers)"),
    Field("date", "string", "the WARC date (datatrove's WarcReader)"),
)


def field_names(fields: tuple[Field, ...] = RECORD) -> list[str]:
    return [f.name for f in fields]


def metadata_fields() -> tuple[Field, ...]:
    """The record's fields as NewsCleaner puts them in doc.metadata: all but text and id, and `newsclean_id`."""
    return (*(f for f in RECORD if f.name not in ("id", "text")),
            Field("newsclean_id", "string", "the record id newsclean gives the page", False))


# ---- date-times -------------------------------------------------------------------------------------------

_YEAR = regexcache.compile(r"\d{4}")
_MONTH = regexcache.compile(r"\d{4}-\d{2}")
_DAY = regexcache.compile(r"\d{4}-\d{2}-\d{2}")


def iso_datetime(value: str | None) -> tuple[str | None, str | None]:
    """(the value in the record's one date-time form, what it states: year, month, day or second), or
    (None, None) when it is not an ISO 8601 date. A partial date is padded (`2024-05` -> `2024-05-01T00:00:00.000000`,
    precision `month`); a time of day is `second`, also when the page printed only hours and minutes."""
    if not value:
        return None, None
    text = value.strip()
    if _DAY.fullmatch(text):
        precision, text = "day", text + "T00:00:00"
    elif _MONTH.fullmatch(text):
        precision, text = "month", text + "-01T00:00:00"
    elif _YEAR.fullmatch(text):
        precision, text = "year", text + "-01-01T00:00:00"
    else:
        precision = "second"
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None, None
    return parsed.isoformat(timespec="microseconds"), precision


def timestamp(value: str | None) -> str | None:
    """A full date-time (a WARC date, a fetch time) in the record's form; anything else is kept as it is."""
    if not value or not isinstance(value, str):
        return value
    iso, precision = iso_datetime(value)
    return iso if precision == "second" else value


# ---- pyarrow, datasets --------------------------------------------------------------------------------------


def _arrow(t: Any) -> Any:
    import pyarrow as pa

    if isinstance(t, ListOf):
        return pa.list_(_arrow(t.item))
    if isinstance(t, StructOf):
        return pa.struct([_arrow_field(f) for f in t.fields])
    return {"string": pa.string(), "int64": pa.int64(), "float64": pa.float64()}[t]


def _arrow_field(f: Field) -> Any:
    """Every column is nullable to pyarrow: `nullable=False` in the declaration says newsclean never writes a null
    there, but a writer given someone else's record (dedup input, a datatrove reader's) must not fail on one."""
    import pyarrow as pa

    return pa.field(f.name, _arrow(f.type))


def arrow_schema(extra: Mapping[str, Any] | None = None, json_columns: tuple[str, ...] = ()) -> Any:
    """The record as a pyarrow schema; `extra` are carried input fields (`--keep-fields`, `dup_cluster`) with
    their pyarrow types, after the record's own. `json_columns` names extra columns holding JSON text."""
    import pyarrow as pa

    fields = [_arrow_field(f) for f in RECORD]
    fields += [pa.field(name, typ) for name, typ in (extra or {}).items()]
    return pa.schema(fields, metadata={"newsclean_schema": SCHEMA_VERSION, "newsclean_json": ",".join(json_columns)})


def features(extra: Mapping[str, Any] | None = None) -> Any:
    """The record as `datasets.Features` (the same declaration as arrow_schema), for
    `datasets.load_dataset("json", data_files=[...], features=features())`. `extra`: pyarrow types of carried
    fields. Needs `pip install 'newsclean[datasets]'`."""
    try:
        import datasets
    except ImportError as exc:  # pragma: no cover - depends on the extra
        raise ImportError("cleaners.schema.features needs datasets: pip install 'newsclean[datasets]'") from exc
    return datasets.Features.from_arrow_schema(arrow_schema(extra))


def datatrove_schema(extra: Mapping[str, Any] | None = None, expand_metadata: bool = False) -> Any:
    """The schema for datatrove's `ParquetWriter(..., schema=datatrove_schema())` after NewsCleaner: `text`, `id`
    and `metadata` holding the record's other fields, `newsclean_id`, and the readers' `file_path` and `date`.

    Other metadata the reader adds is written only when named in `extra` (name -> pyarrow type): pyarrow leaves
    out what a given schema does not name. `expand_metadata`: the metadata as top-level columns, as
    `ParquetWriter(expand_metadata=True)` writes them."""
    import pyarrow as pa

    meta = [_arrow_field(f) for f in (*DATATROVE_READER_FIELDS, *metadata_fields())]
    meta += [pa.field(name, typ) for name, typ in (extra or {}).items()]
    top = [pa.field("text", pa.string()), pa.field("id", pa.string())]
    fields = top + meta if expand_metadata else [*top, pa.field("metadata", pa.struct(meta))]
    return pa.schema(fields, metadata={"newsclean_schema": SCHEMA_VERSION})


# ---- the README's table -------------------------------------------------------------------------------------


def type_name(t: Any) -> str:
    if isinstance(t, ListOf):
        return f"list<{type_name(t.item)}>"
    if isinstance(t, StructOf):
        return "struct"
    return t


def markdown_table() -> str:
    """The fields as the README's Markdown table (a test checks the README holds exactly this)."""
    rows = ["| field | type | null | meaning |", "|---|---|---|---|"]

    def add(fields: tuple[Field, ...], prefix: str) -> None:
        for f in fields:
            rows.append(f"| `{prefix}{f.name}` | {type_name(f.type)} | {'yes' if f.nullable else 'no'} | {f.doc} |")
            inner = f.type.item if isinstance(f.type, ListOf) else f.type
            if isinstance(inner, StructOf):
                add(inner.fields, f"{prefix}{f.name}{'[].' if isinstance(f.type, ListOf) else '.'}")

    add(RECORD, "")
    return "\n".join(rows)
