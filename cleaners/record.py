"""The output record: one cleaned document with its metadata and provenance."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Provenance:
    source: str  # the input path or URL as given
    sha256: str  # of the raw input bytes
    input_format: str  # text, markdown, html, warc, jsonl, ...
    encoding: str | None  # the codec the bytes were decoded with
    cleaned_at: str  # ISO 8601, UTC
    versions: dict[str, str]  # newsclean, trafilatura, rules
    removed: list[dict[str, str]] = field(default_factory=list)  # {rule, text} for every removed span
    fetched_at: str | None = None
    url: str | None = None
    final_url: str | None = None
    http_status: int | None = None
    http_charset: str | None = None
    script: str | None = None  # OpenCC conversion applied to the text, if any
    extractor: str | None = None  # which extraction path produced the text
    # characters of text in the input, for the run summary: an HTML page's text (htmlextract.text_chars), not its
    # markup; the decoded text of other inputs
    input_chars: int | None = None


@dataclass
class Document:
    id: str
    title: str | None
    text: str
    published: str | None
    author: str | None
    site: str | None
    url: str | None
    language: str | None
    language_score: float | None
    categories: list[str]
    tags: list[str]
    provenance: Provenance
    editor: str | None = None
    source_name: str | None = None  # the outlet a page credits (来源: …), not the input path

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
