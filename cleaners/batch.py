"""Cleaning many inputs: every input ends as a record or an error entry, with a summary of the run."""
from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from tqdm import tqdm

from .config import CleanerConfig
from .core import CleanError, clean_file
from .files import AtomicJsonl, errors_path


@dataclass
class RunSummary:
    documents: int = 0
    errors: int = 0
    chars_in: int = 0
    chars_out: int = 0
    removed_by_rule: Counter = field(default_factory=Counter)
    errors_by_reason: Counter = field(default_factory=Counter)

    def lines(self) -> list[str]:
        out = [
            f"documents: {self.documents}  errors: {self.errors}",
            f"characters in: {self.chars_in:,}  out: {self.chars_out:,}"
            + (f"  ({self.chars_out / self.chars_in:.1%} kept)" if self.chars_in else ""),
        ]
        if self.errors_by_reason:
            out.append("errors by reason: " + ", ".join(f"{k} {v}" for k, v in self.errors_by_reason.most_common()))
        if self.removed_by_rule:
            out.append("removals by rule:")
            out += [f"  {rule:<28} {n}" for rule, n in self.removed_by_rule.most_common()]
        return out


def clean_paths(paths: Iterable[str], output: str, config: CleanerConfig | None = None,
                progress: bool | None = None) -> RunSummary:
    """Clean files into `output` (JSON Lines) and its errors file; both are written atomically."""
    paths = list(paths)
    summary = RunSummary()
    err_target = errors_path(output)
    # a bar for more than a few files; None lets tqdm show it only when stderr is a terminal
    disable = (not progress) if progress is not None else (None if len(paths) > 3 else True)
    with AtomicJsonl(output) as out, AtomicJsonl(err_target or "-") if err_target else _StderrJsonl() as errs:
        for path in tqdm(paths, desc="cleaning", unit="doc", file=sys.stderr, disable=disable):
            try:
                doc = clean_file(path, config)
            except CleanError as exc:
                entry = {"source": path, "error": str(exc), "reason": exc.reason}
            except Exception as exc:  # a bug on one page must not cost the batch
                entry = {"source": path, "error": f"internal: {type(exc).__name__}: {exc}", "reason": "internal"}
            else:
                out.write(doc.to_dict())
                summary.documents += 1
                summary.chars_in += doc.provenance.input_chars or 0
                summary.chars_out += len(doc.text)
                summary.removed_by_rule.update(r["rule"] for r in doc.provenance.removed)
                continue
            errs.write(entry)
            summary.errors += 1
            summary.errors_by_reason[entry["reason"]] += 1
    return summary


class _StderrJsonl:
    def __enter__(self) -> _StderrJsonl:
        return self

    def write(self, record: dict) -> None:
        sys.stderr.write(json.dumps(record, ensure_ascii=False) + "\n")

    def __exit__(self, *exc: object) -> None:
        return None
