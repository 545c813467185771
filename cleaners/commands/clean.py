"""`newsclean clean INPUT... -o OUT.jsonl`"""
from __future__ import annotations

import argparse
import sys

from .common import add_config_flags, config_from_args, fail


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("clean", help="clean files and directories into JSON Lines")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="files or directories (.txt, .md, .html)")
    p.add_argument("-o", "--output", required=True, metavar="OUT.jsonl", help="output file, - for stdout")
    add_config_flags(p)
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no summary")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..batch import clean_paths
    from ..files import InputError, expand_inputs

    try:
        paths = list(expand_inputs(args.inputs))
    except InputError as exc:
        return fail(str(exc))
    summary = clean_paths(paths, args.output, config_from_args(args), progress=False if args.quiet else None)
    if not args.quiet:
        for line in summary.lines():
            print(line, file=sys.stderr)
    return 0
