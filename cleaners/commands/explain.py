"""`newsclean explain INPUT... [--html REPORT.html]`: what was removed from each page, and by which rule."""
from __future__ import annotations

import argparse
import os
import sys

from .common import add_config_flags, config_from_args, fail


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "explain", help="show each page's text with every removed span marked with its rule",
        description="Print each page's text with every removed span marked with the rule that removed it "
        "(colours on a terminal, [-rule: text-] markers when piped), then the metadata found and a count per "
        "rule; or write all of it as one self-contained HTML report with --html. Exits 1 when an input could "
        "not be cleaned (it is still shown, with its reason).",
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="files or directories (.txt, .md, .html)")
    p.add_argument("--html", metavar="REPORT.html", help="write a self-contained HTML report instead")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                   help="colour removed spans (default: auto, when standard output is a terminal)")
    add_config_flags(p)
    p.set_defaults(func=run)


def use_color(choice: str, stream=None) -> bool:
    stream = stream or sys.stdout
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def run(args: argparse.Namespace) -> int:
    from ..explain import explain_file, render_text
    from ..files import InputError, expand_inputs
    from ..report import render_report

    try:
        paths = list(expand_inputs(args.inputs))
    except InputError as exc:
        return fail(str(exc))
    if not paths:
        return fail("no page files (.txt, .md, .html) in the inputs")
    config = config_from_args(args)
    if args.html:
        explained = [explain_file(p, config) for p in paths]
        tmp = args.html + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(render_report(explained))
        os.replace(tmp, args.html)
        ok = sum(1 for ex in explained if ex.ok)
        print(f"wrote {args.html}: {len(explained)} documents, {ok} cleaned, {len(explained) - ok} errors",
              file=sys.stderr)
        return 0 if ok == len(explained) else 1
    color = use_color(args.color)
    failed = 0
    for i, path in enumerate(paths):
        ex = explain_file(path, config)  # one at a time: the first page shows while the next is cleaned
        failed += not ex.ok
        if i:
            sys.stdout.write("\n")
        sys.stdout.write(render_text(ex, color=color))
        sys.stdout.flush()
    return 1 if failed else 0
