"""The provenance of a cleaned document: the versions that cleaned it, its id, and what was removed.

Apart from the stages because it says how the record was made, not what the page says.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
from typing import Any

from cleaners import distversion, tuning
from cleaners.config import CleanerConfig
from cleaners.document.source import Source
from cleaners.record import Provenance, Span
from cleaners.schema import timestamp
from cleaners.text.rules import RuleTable

__version__ = distversion.installed_version("newsclean", "0.0.0+src")  # the fallback: running from a source tree


def versions(table: RuleTable) -> dict[str, str]:
    """The versions recorded in provenance; the rules' say so when the config overrides thresholds."""
    return {"newsclean": __version__, "trafilatura": _trafilatura_version(),
            "rules": table.version + tuning.version_suffix(tuning.active)}


@functools.cache
def _trafilatura_version() -> str:
    """From the installed metadata: importing trafilatura costs ~0.1 s that a Chinese page never needs."""
    return distversion.installed_version("trafilatura", "unknown")


def doc_id(source: Source, sha: str) -> str:
    """The record's id: from the URL (else the file name) and the input's hash."""
    key = source.url or os.path.basename(source.name.rstrip("/")) or source.name
    # a file name that is not UTF-8 holds lone surrogates once decoded: hashed as the bytes it was on disk
    return hashlib.sha256(f"{key}\n{sha}".encode("utf-8", "surrogateescape")).hexdigest()[:16]


def removal_counts(removed: list[Span]) -> list[dict[str, Any]]:
    """{rule, count, chars} per rule, in the order the rules first removed something."""
    counts: dict[str, dict[str, Any]] = {}
    for r in removed:
        entry = counts.get(r.rule)
        if entry is None:
            entry = counts[r.rule] = {"rule": r.rule, "count": 0, "chars": 0}
        entry["count"] += 1
        entry["chars"] += len(r.text)
    return list(counts.values())


def provenance(source: Source, *, sha256: str, fmt: str, encoding: str | None, script: str | None, extractor: str,
               input_chars: int, table: RuleTable, removed: list[Span], config: CleanerConfig) -> Provenance:
    """The record's provenance; the removed spans in full, counted per rule or not at all, as the config says."""
    return Provenance(
        source=source.name, sha256=sha256, input_format=fmt, encoding=encoding, fetched_at=timestamp(source.fetched_at),
        cleaned_at=dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"), url=source.url,
        final_url=source.final_url, http_status=source.http_status, http_charset=source.http_charset,
        script=script, extractor=extractor, input_chars=input_chars, versions=versions(table),
        removed=list(removed) if config.removed == "full" else None,
        removed_counts=removal_counts(removed) if config.removed != "none" else None,
    )
