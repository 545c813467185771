"""`NewsCleaner`: the cleaner as a datatrove pipeline step (install with `pip install 'newsclean[datatrove]'`).

It takes the HTML responses `NewsWarcReader` yields (the body's bytes and HTTP charset, decoded here as
`newsclean clean` decodes them), or documents whose text is HTML (as datatrove's `WarcReader` and `JsonlReader`
yield them) or flattened page text, replaces the text with the cleaned text and merges our record into
`doc.metadata`: every field of the record schema but `text` and `id` (which becomes `newsclean_id`), null when
unknown, so that every document carries the same keys with the same types. datatrove's ParquetWriter types its file
from the first document, so give it the schema: `ParquetWriter(folder, schema=datatrove_schema())`
(cleaners.schema). Pages that cannot be cleaned (not an article, no text, timeout, ...) are dropped and counted
per reason (`dropped_<reason>`), and written with `metadata["filter_reason"]` to `exclusion_writer` when one is
given, like datatrove's own filters. The step holds only its config, so it pickles and runs unchanged under the
local, Slurm and Ray executors.
"""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

try:
    from datatrove.data import DocumentsPipeline
    from datatrove.pipeline.base import PipelineStep
except ImportError as exc:  # pragma: no cover - depends on the extra
    raise ImportError("cleaners.integrations.datatrove needs datatrove: pip install 'newsclean[datatrove]'") from exc

from cleaners.config import CleanerConfig
from cleaners.core import CleanError, Source, clean_bytes
from cleaners.document.entry import clean_decoded
from cleaners.integrations.datatrove_warc import NewsWarcReader, pop_http_body
from cleaners.record import Document
from cleaners.schema import datatrove_schema, metadata_fields

__all__ = ["NewsCleaner", "NewsWarcReader", "datatrove_schema"]

# The keys NewsCleaner sets in doc.metadata, every one of them, in the schema's order: the record's fields but text
# (it replaces doc.text) and id (the document keeps the input's; the record's is newsclean_id)
META_FIELDS = tuple(f.name for f in metadata_fields())


class NewsCleaner(PipelineStep):
    """Clean each document's text (HTML or flattened text) with newsclean; drop what is not an article.

    Args:
        config: a CleanerConfig, a dict of its keys, or the path of a YAML file (unknown keys are rejected).
        fmt: `html`, `text`, `markdown`, `flat` (text or Markdown), or None to sniff each document's text (a
            response body from NewsWarcReader is always read as HTML).
        exclusion_writer: an optional datatrove writer for dropped documents (with `filter_reason`).
        keep_provenance: merge the provenance (removed spans with their rules, versions, hashes) into
            `doc.metadata["provenance"]`; off, it is null. For a smaller output that keeps the rest of the
            provenance, set `removed: counts` or `none` in the config instead.
    """

    name = "📰 NewsCleaner"
    type = "🛢 - EXTRAC"
    _requires_dependencies = ["trafilatura", "lxml", "ftfy"]

    def __init__(self, config: CleanerConfig | dict[str, Any] | str | Path | None = None, fmt: str | None = None,
                 exclusion_writer: Any = None, keep_provenance: bool = True) -> None:
        super().__init__()
        if isinstance(config, str | Path):
            config = CleanerConfig.from_yaml(config)
        elif isinstance(config, dict):
            config = CleanerConfig.from_dict(config)
        self.config: CleanerConfig = config or CleanerConfig()
        self.fmt = fmt
        self.exclusion_writer = exclusion_writer
        self.keep_provenance = keep_provenance

    def clean(self, doc: Any) -> None:
        """Clean one datatrove Document in place; raises CleanError when it is not an article."""
        meta = doc.metadata
        cleaned = self._clean_input(doc)
        record = cleaned.to_dict()
        doc.text = record["text"]
        record["newsclean_id"] = record["id"]
        if not self.keep_provenance:
            record["provenance"] = None
        meta.update({k: record[k] for k in META_FIELDS})

    def _clean_input(self, doc: Any) -> Document:
        """The newsclean Document of one datatrove Document: from the response body NewsWarcReader passed on
        (decoded by newsclean, `input_format` warc), else from the document's text."""
        meta = doc.metadata
        source = Source(str(meta.get("file_path") and f"{meta['file_path']}#{doc.id}" or doc.id),
                        url=meta.get("url"), fetched_at=meta.get("date"))
        body = pop_http_body(doc)
        if body is None:
            return clean_decoded(doc.text or "", source, fmt=self.fmt, config=self.config)
        source.http_charset, source.http_status = body.http_charset, body.http_status
        try:
            cleaned = clean_bytes(body.raw, source, fmt="html", config=self.config)
        except Exception:
            if self.exclusion_writer is not None:  # a dropped page is written out as the HTML it decodes to
                doc.text = body.decoded()
            raise
        cleaned.provenance.input_format = "warc"
        return cleaned

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        writer = self.exclusion_writer if self.exclusion_writer is not None else contextlib.nullcontext()
        with writer as excluded:
            for doc in data:
                self.stat_update("total")
                reason = None
                with self.track_time():
                    try:
                        self.clean(doc)
                    except CleanError as exc:
                        reason = exc.reason
                    except Exception as exc:  # a bug on one page must not cost the shard
                        reason = "internal"
                        doc.metadata["filter_error"] = f"{type(exc).__name__}: {exc}"
                if reason is None:
                    self.stat_update("forwarded")
                    self.update_doc_stats(doc)
                    yield doc
                    continue
                self.stat_update("dropped", f"dropped_{reason}")
                if excluded is not None:
                    doc.metadata["filter_reason"] = reason
                    excluded.write(doc, rank)
