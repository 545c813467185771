"""Crash-safe JSON Lines: append, flush and fsync one whole line per record; on reopen, cut a half-written last
line and remember what is already there, so a crawl killed at any instant resumes with no loss and no duplicate.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cleaners.io.jsonl_out import encode_line, truncate_torn_line

from .writer import AppendFile, BackgroundWriter, write_all

# Skip reasons that are final: such a URL is not fetched again when a crawl resumes or is run again.
# List pages (not_article) are always fetched again, since they are how new articles are found.
FINAL_SKIPS = frozenset({"off_topic", "robots", "not_html", "too_large", "http_404", "http_410", "redirect_loop",
                         "too_many_redirects", "empty", "no_text", "undecodable", "unparsable"})


def repair_jsonl(path: str | Path) -> int:
    """Truncate a trailing partial line (a write cut by a kill); return the bytes removed (none: no file)."""
    return truncate_torn_line(path) if Path(path).exists() else 0


def read_jsonl(path: str | Path) -> Iterator[dict[str, Any]]:
    """The well-formed records of a file (a broken line is skipped, never fatal)."""
    path = Path(path)
    if not path.exists():
        return
    with open(path, "rb") as fh:
        for line in fh:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict):
                yield record


def done_urls(outdir: str | Path) -> set[str]:
    """URLs a previous run settled for good: articles stored (by canonical and requested URL) and final skips."""
    outdir = Path(outdir)
    done: set[str] = set()
    for record in read_jsonl(outdir / "articles.jsonl"):
        done.add(record.get("url") or "")
        prov = record.get("provenance") or {}
        done.update(u for u in (prov.get("url"), prov.get("final_url")) if u)
    for record in read_jsonl(outdir / "skipped.jsonl"):
        if record.get("reason") in FINAL_SKIPS:
            done.add(record.get("url") or "")
    done.discard("")
    return done


def record_key(record: dict[str, Any], key: str) -> str | None:
    """A record's key in an AppendLog whose key is `key` ("url", or fields joined by +, as "url+reason")."""
    parts = key.split("+")
    if any(p not in record for p in parts):
        return None
    return "\t".join(str(record[p]) for p in parts)


class AppendLog(AppendFile):
    """An append-only JSON Lines file with a key per record; a key already in the file is not written again."""

    def __init__(self, path: str | Path, key: str, fsync: bool = True, writer: BackgroundWriter | None = None,
                 ) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.repaired = repair_jsonl(self.path)
        self.key = key
        self.keys = {k for r in read_jsonl(self.path) if (k := self._key(r, key))}
        self.fsync = fsync
        super().__init__(self.path, writer)

    @staticmethod
    def _key(record: dict[str, Any], key: str) -> str | None:
        return record_key(record, key)

    def __contains__(self, key: str) -> bool:
        return key in self.keys

    def append(self, record: dict[str, Any]) -> bool:
        """Write one record as one line; False when its key is already in the file."""
        return bool(self.append_many([record]))

    def append_line(self, key: str | None, line: bytes) -> bool:
        """Write a record already encoded as one JSON line (encode_line()) whose key is `key`; False when the key
        is already in the file."""
        if key is not None and key in self.keys:
            return False
        self._write(line)
        if key is not None:
            self.keys.add(key)
        return True

    def append_many(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Write the records whose key is new (once each) with one write; return those written. One write per
        batch because each queued write wakes the writer thread, which then competes with the reactor for the
        GIL: a page's dozens of robots skips cost a dozen times less this way."""
        lines: list[str] = []
        written: list[dict[str, Any]] = []
        new_keys: set[str] = set()
        for record in records:
            k = self._key(record, self.key)
            if k is not None:
                if k in self.keys or k in new_keys:
                    continue
                new_keys.add(k)
            lines.append(encode_line(record))
            written.append(record)
        if lines:
            self._write(b"".join(lines))
            self.keys |= new_keys
        return written

    def _write(self, data: bytes) -> None:
        if self.writer is not None:
            self.writer.write(self._fd, data, self.fsync)
        else:
            write_all(self._fd, data)
            if self.fsync:
                os.fsync(self._fd)


