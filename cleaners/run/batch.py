"""Cleaning many inputs: every input ends as a record or an error entry, with a summary of the run.

Inputs are read as a stream of items (`readers`), cleaned in order by one or more processes (`parallel`)
and written through `.part` files renamed into place when complete (`writers`). Records and error entries
are flushed after every chunk, so a killed run can be continued with `resume=True`: items whose key
(`provenance.source` of a record, `source` of an error entry) is already on disk are skipped.
"""
from __future__ import annotations

import contextlib
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from typing import IO

from cleaners.config import CleanerConfig
from cleaners.core import Source, clean_file
from cleaners.io.files import errors_path
from cleaners.io.guard import OutputPlan, output_lock, plan_output
from cleaners.io.items import FieldMap, InputItem, KeyResolver
from cleaners.io.writers import RecordWriter, StdoutWriter, error_key
from cleaners.record import Document
from cleaners.run.chunks import Chunk, Tally
from cleaners.run.parallel import clean_items
from cleaners.run.progress import RunProgress, bar_wanted

# names that carried input fields (--keep-fields) may not take: they would overwrite the record's own
RESERVED_FIELDS = frozenset(f.name for f in fields(Document)) | {"dup_cluster"}
QUIET_UP_TO = 3  # page files `clean_paths` cleans without a progress bar unless asked: a bar for so few is noise


@dataclass
class RunSummary(Tally):
    """The figures of a run: the tallies of every chunk (counted where the chunk was cleaned) and the skips."""

    skipped: int = 0  # already in the output (--resume)
    outputs: list[str] = field(default_factory=list)
    # WARC records that hold no page to clean, by kind: request, revisit, resource, not_http, not_html, ...
    records_skipped: Counter = field(default_factory=Counter)

    def lines(self) -> list[str]:
        out = [
            f"documents: {self.documents}  errors: {self.errors}"
            + (f"  skipped (already written): {self.skipped}" if self.skipped else ""),
            # what is counted is said on the line: a page's markup is not text in
            f"text in: {self.chars_in:,} characters (of HTML, the visible text, not the markup)"
            f"  out: {self.chars_out:,}" + (f" ({self.chars_out / self.chars_in:.1%} kept)" if self.chars_in else ""),
        ]
        if self.records_skipped:
            out.append(f"WARC records skipped: {sum(self.records_skipped.values())} ("
                       + ", ".join(f"{k} {v}" for k, v in self.records_skipped.most_common()) + ")")
        if self.errors_by_reason:
            out.append("errors by reason: " + ", ".join(f"{k} {v}" for k, v in self.errors_by_reason.most_common()))
        if self.removed_by_rule:
            out.append("removals by rule:")
            out += [f"  {rule:<28} {n}" for rule, n in self.removed_by_rule.most_common()]
        return out


def clean_inputs(
    inputs: Iterable[str], output: str, config: CleanerConfig | None = None, *, field_map: FieldMap | None = None,
    jobs: int = 1, shard_size: int | None = None, resume: bool = False, progress: bool | None = None,
    chunk_size: int = 8,
) -> RunSummary:
    """Clean files, directories, JSON Lines, Parquet and WARC inputs into `output` and its errors file.

    `output` is JSON Lines (`.jsonl`, `.jsonl.gz`, `.jsonl.zst`) or Parquet (`.parquet`), `-` for stdout, or a
    device or pipe written through. OutputError, before anything is read, for an output that is an input.
    """
    inputs = list(inputs)
    plan = plan_output(output, inputs, shard_size=shard_size, resume=resume)
    tracker = RunProgress.for_inputs(inputs, "cleaning", progress)
    return clean_item_stream(tracker.read(inputs, field_map), output, config, jobs=jobs, shard_size=shard_size,
                             resume=resume, chunk_size=chunk_size, plan=plan, tracker=tracker)


def clean_paths(paths: Iterable[str], output: str, config: CleanerConfig | None = None,
                progress: bool | None = None, jobs: int = 1) -> RunSummary:
    """Clean page files (each cleaned as a page, whatever its suffix) into `output` and its errors file."""
    paths = list(paths)
    if progress is None and len(paths) <= QUIET_UP_TO:
        progress = False
    items = (InputItem(Source(p), path=p) for p in paths)
    plan = plan_output(output, paths)
    tracker = RunProgress(None, "cleaning", enabled=bar_wanted(progress), documents=len(paths))
    return clean_item_stream(items, output, config, jobs=jobs, plan=plan, tracker=tracker)


def clean_item_stream(
    items: Iterable[InputItem], output: str, config: CleanerConfig | None = None, *, jobs: int = 1,
    shard_size: int | None = None, resume: bool = False, progress: bool | None = None, chunk_size: int = 8,
    plan: OutputPlan | None = None, tracker: RunProgress | None = None,
) -> RunSummary:
    """Clean `items` into `output`, holding the output's lock for the run (OutputError when another run holds it).

    `progress`: a bar counting documents (None: on a terminal); `tracker`: the bar of the inputs `items` are read
    from (RunProgress.read), with a total."""
    plan = plan or plan_output(output, shard_size=shard_size, resume=resume)
    tracker = tracker or RunProgress(None, "cleaning", enabled=bar_wanted(progress))
    with tracker, output_lock(plan), _open_stream(plan) as stream:
        return _clean_into(items, plan, config or CleanerConfig(), stream, jobs=jobs, shard_size=shard_size,
                           resume=resume, tracker=tracker, chunk_size=chunk_size)


def _open_stream(plan: OutputPlan) -> contextlib.AbstractContextManager[IO[str] | None]:
    """The stream a device or pipe output is written through (appending: `>>` stays an append)."""
    if not plan.stream:
        return contextlib.nullcontext()
    if plan.output == "-":
        return contextlib.nullcontext(sys.stdout)
    return open(plan.output, "a", encoding="utf-8")


def _clean_into(items: Iterable[InputItem], plan: OutputPlan, config: CleanerConfig, stream: IO[str] | None, *,
                jobs: int, shard_size: int | None, resume: bool, tracker: RunProgress,
                chunk_size: int) -> RunSummary:
    summary = RunSummary()
    if plan.stream:
        records_out: RecordWriter | StdoutWriter = StdoutWriter(stream)
        errors_out: RecordWriter | StdoutWriter = StdoutWriter(sys.stderr)
    else:
        records_out = RecordWriter(plan.output, shard_size=shard_size, resume=resume)
        errors_out = RecordWriter(errors_path(plan.output) or "-", resume=resume, key=error_key)
    with records_out as out, errors_out as errs:
        # keys as written, with their file part resolved: a run on `in.jsonl` resumed as `./in.jsonl` skips them
        resolve = KeyResolver()
        done = {resolve(k) for k in out.done | errs.done}

        def todo() -> Iterator[InputItem]:
            for item in items:
                if item.skip is not None:
                    summary.records_skipped[item.skip] += 1
                    tracker.passed()
                    continue
                if done and resolve(item.key) in done:
                    summary.skipped += 1
                    tracker.passed()
                    continue
                tracker.sent()
                yield item

        # clean_file is looked up when called, so that it can be replaced for in-process runs (tests do)
        in_process_file_cleaner = lambda path, cfg: clean_file(path, cfg)  # noqa: E731
        # records come encoded as JSON lines unless the output needs dicts (Parquet): this process then only
        # writes bytes, which matters when it shares the cores with the workers
        encode = out.takes_lines and errs.takes_lines
        for chunk in clean_items(todo(), config, jobs=jobs, chunk_size=chunk_size, encode=encode,
                                 file_cleaner=in_process_file_cleaner):
            _write(chunk, out, errs, encode)
            summary.add(chunk.tally)
            tracker.written(len(chunk))
        tracker.finish()
    summary.outputs = list(getattr(out, "paths", []))
    return summary


def _write(chunk: Chunk, out: RecordWriter | StdoutWriter, errs: RecordWriter | StdoutWriter, encoded: bool) -> None:
    """A chunk's records and error entries, flushed: a killed run loses at most the chunk being written."""
    if encoded:
        for line in chunk.records:
            out.write_line(line)
        for line in chunk.errors:
            errs.write_line(line)
    else:
        for rec in chunk.records:
            out.write(rec)
        for entry in chunk.errors:
            errs.write(entry)
    out.flush()
    errs.flush()
