"""`newsclean explain INPUT... [--html REPORT.html]`: what was removed from each page, and by which rule."""
from __future__ import annotations

import argparse
import os
import sys

from cleaners.commands.common import (
    add_config_flags,
    add_field_flags,
    config_from_args,
    fail,
    field_map,
    unusable_field_flags,
)

REPORT_SUFFIXES = (".html", ".htm")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "explain", help="show each page's text with every removed span marked with its rule",
        description="Print each page's text with every removed span marked with the rule that removed it "
        "(colours on a terminal, [-rule: text-] markers when piped), then the metadata found and a count per "
        "rule; or write all of it as one self-contained HTML report with --html. Exits 1 when an input could "
        "not be cleaned (it is still shown, with its reason).",
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="what `clean` reads: files or directories (.txt, .md, .html), .jsonl[.gz|.zst], .parquet, "
                   ".warc[.gz]")
    p.add_argument("--html", metavar="REPORT.html", help="write a self-contained HTML report instead")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                   help="colour removed spans (default: auto, when standard output is a terminal)")
    add_config_flags(p)
    add_field_flags(p, keep=False)
    p.set_defaults(func=run)


def use_color(choice: str, stream=None) -> bool:
    stream = stream or sys.stdout
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def run(args: argparse.Namespace) -> int:
    from cleaners.io.items import ReaderError
    from cleaners.io.readers import check_inputs, read_inputs
    from cleaners.tools.explain import explain_item
    from cleaners.tools.report import render_report

    if (unusable := unusable_field_flags(args, args.inputs)) is not None:
        return fail(unusable)
    if args.html and (refusal := check_report(args.html, args.inputs)) is not None:
        return fail(refusal)
    fields = field_map(args)
    try:
        check_inputs(args.inputs, fields)  # missing inputs, a field mapping the data lacks: before any output
    except ReaderError as exc:
        return fail(str(exc))
    config = config_from_args(args)
    items = read_inputs(args.inputs, fields)
    if args.html:
        explained = [explain_item(item, config) for item in items]
        if not explained:
            return fail(NOTHING)
        tmp = args.html + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(render_report(explained))
        os.replace(tmp, args.html)
        ok = sum(1 for ex in explained if ex.ok)
        print(f"wrote {args.html}: {len(explained)} documents, {ok} cleaned, {len(explained) - ok} errors",
              file=sys.stderr)
        return 0 if ok == len(explained) else 1
    from cleaners.tools.explain import render_text

    color = use_color(args.color)
    shown = failed = 0
    for item in items:
        ex = explain_item(item, config)  # one at a time: the first page shows while the next is cleaned
        failed += not ex.ok
        if shown:
            sys.stdout.write("\n")
        sys.stdout.write(render_text(ex, color=color))
        sys.stdout.flush()
        shown += 1
    if not shown:
        return fail(NOTHING)
    return 1 if failed else 0


NOTHING = "nothing to explain in the inputs (no page files, JSON Lines or Parquet records, or WARC HTML responses)"


def check_report(report: str, inputs: list[str]) -> str | None:
    """Why --html REPORT cannot be written, decided before anything is read: a directory, a name that is not
    .html, or one of the inputs; None when it can."""
    if os.path.isdir(report):
        return f"--html {report} is a directory; name a file in it"
    if not report.lower().endswith(REPORT_SUFFIXES):
        return f"--html {report}: the report is an HTML file; name it .html"
    if os.path.exists(report):
        for p in inputs:
            if os.path.isfile(p) and os.path.samefile(p, report):
                return f"--html {report} would replace the input {p}: write the report somewhere else"
    return None
