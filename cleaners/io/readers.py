"""Readers: which reader an input goes to (page files, JSON Lines, Parquet, WARC), and its check before a run.

Each format has its module (`pages`, `jsonl`, `parquet`, `warc_items`), all yielding `cleaners.io.items.InputItem`;
this module names an input's kind from its path, chains the readers over all inputs in order, and fails early on a
missing input or a field mapping the data lacks, before any output is touched.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

from cleaners.io.items import FieldMap, InputItem, ReaderError
from cleaners.io.jsonl import JSONL_SUFFIXES, first_object, read_jsonl
from cleaners.io.pages import read_pages
from cleaners.io.parquet import PARQUET_SUFFIXES, read_parquet
from cleaners.io.warc_items import WARC_SUFFIXES, read_warc


def input_kind(path: str) -> str:
    """`jsonl`, `parquet`, `warc` or `pages` (a page file or a directory of them), from the name."""
    lower = path.lower()
    if lower.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if lower.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if lower.endswith(WARC_SUFFIXES):
        return "warc"
    return "pages"


def read_inputs(paths: Iterable[str], fields: FieldMap | None = None, *, skips: bool = False) -> Iterator[InputItem]:
    """All items of all inputs, in order: containers record by record, directories walked sorted.

    `skips`: also the items that hold nothing to clean (WARC requests, images ...), so that they can be counted."""
    items = _all_items(paths, fields or FieldMap())
    return items if skips else (item for item in items if item.skip is None)


def _all_items(paths: Iterable[str], fields: FieldMap) -> Iterator[InputItem]:
    for p in paths:
        kind = input_kind(p) if not os.path.isdir(p) else "pages"
        if kind == "jsonl":
            yield from read_jsonl(p, fields)
        elif kind == "parquet":
            yield from read_parquet(p, fields)
        elif kind == "warc":
            yield from read_warc(p)
        else:
            yield from read_pages(p)


def check_inputs(paths: Iterable[str], fields: FieldMap | None = None) -> None:
    """Fail early, before any output is touched, on a missing input or a field mapping the data lacks.

    Parquet is checked against its schema; JSON Lines against its first record. Later records that lack
    the field become error entries (`missing_field`).
    """
    fields = fields or FieldMap()
    for p in paths:
        if not os.path.exists(p):
            raise ReaderError(f"no such file or directory: {p}")
        kind = input_kind(p) if not os.path.isdir(p) else "pages"
        if kind == "parquet":
            import pyarrow.parquet as pq

            try:
                names = pq.ParquetFile(p).schema_arrow.names
            except Exception as exc:
                raise ReaderError(f"{p}: not a readable Parquet file ({exc})") from exc
            _check_names(p, names, fields)
        elif kind == "jsonl":
            first = first_object(p)
            if first is not None:
                _check_names(p, list(first), fields)


def _check_names(path: str, names: list[str], fields: FieldMap) -> None:
    missing = [f for f in (fields.page_field, *fields.keep_fields) if f not in names]
    if missing:
        raise ReaderError(f"{path}: no field {', '.join(missing)} (fields: {', '.join(names)}); "
                          "map the page with --html-field or --text-field")
