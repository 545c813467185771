"""The results of cleaning items: records and error entries by chunk, with the run-summary figures they add up to.

Workers build these (cleaners.run.parallel.clean_chunk) and the writer consumes them; a chunk whose worker died is
put together again from its items, cleaned one by one (`joined`), and an item that killed its worker alone
becomes an error entry (`died`).
"""
from __future__ import annotations

import signal
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from cleaners.io.items import InputItem
from cleaners.io.jsonl_out import encode_line

Result = tuple[str, dict[str, Any]]  # ("record", record) or ("error", {source, error, reason})


def error_entry(item: InputItem, message: str, reason: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"source": item.key, "error": message, "reason": reason}
    if item.id is not None:
        entry["id"] = item.id
    if item.source.url:
        entry["url"] = item.source.url
    return entry


def internal_entry(item: InputItem, exc: Exception) -> dict[str, Any]:
    return error_entry(item, f"internal: {type(exc).__name__}: {exc}", "internal")


@dataclass
class Tally:
    """The run-summary figures of some results. Workers count their own chunks, so that the process that
    writes never decodes a record it receives as an encoded line."""

    documents: int = 0
    errors: int = 0
    chars_in: int = 0
    chars_out: int = 0
    removed_by_rule: Counter = field(default_factory=Counter)
    errors_by_reason: Counter = field(default_factory=Counter)

    def add_record(self, record: dict[str, Any]) -> None:
        prov = record.get("provenance") or {}
        self.documents += 1
        self.chars_in += prov.get("input_chars") or 0
        self.chars_out += len(record.get("text") or "")
        for r in prov.get("removed_counts") or ():  # none with `removed: none`
            self.removed_by_rule[r["rule"]] += r["count"]

    def add_error(self, entry: dict[str, Any]) -> None:
        self.errors += 1
        self.errors_by_reason[entry["reason"]] += 1

    def add(self, other: Tally) -> None:
        self.documents += other.documents
        self.errors += other.errors
        self.chars_in += other.chars_in
        self.chars_out += other.chars_out
        self.removed_by_rule.update(other.removed_by_rule)
        self.errors_by_reason.update(other.errors_by_reason)


@dataclass
class Chunk:
    """The results of consecutive items, in input order: records and error entries, each either encoded JSON
    lines (`encode=True`, for JSON Lines outputs) or dicts (for Parquet), and their tally."""

    records: list[Any] = field(default_factory=list)
    errors: list[Any] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)

    def __len__(self) -> int:
        return len(self.records) + len(self.errors)


def joined(parts: list[Chunk | None]) -> Chunk:
    """One chunk of the results of its items, cleaned one by one: what the chunk would have given."""
    out = Chunk()
    for part in parts:
        assert part is not None
        out.records += part.records
        out.errors += part.errors
        out.tally.add(part.tally)
    return out


def died(item: InputItem, code: int | None, encode: bool) -> Chunk:
    """The error entry of an item whose worker died while cleaning it alone."""
    try:
        resolved = item.resolve()  # the id and URL of a JSON line, for the entry; the key is the same
    except Exception:
        resolved = item
    entry = error_entry(resolved if resolved.error is None else item,
                   f"the worker process died ({how_it_ended(code)}) while cleaning this item", "worker_died")
    out = Chunk()
    out.errors.append(encode_line(entry) if encode else entry)
    out.tally.add_error(entry)
    return out


def how_it_ended(code: int | None) -> str:
    """How a process ended, from its exit code: negative is the signal that killed it."""
    if code is None:
        return "exit code unknown"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"
