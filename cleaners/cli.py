"""The `newsclean` command line."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .config import CleanerConfig, ConfigError


def _config(args: argparse.Namespace) -> CleanerConfig:
    config = CleanerConfig.from_yaml(args.config) if getattr(args, "config", None) else CleanerConfig()
    overrides = {}
    if getattr(args, "to_simplified", False):
        overrides["to_simplified"] = True
    if getattr(args, "timeout", None) is not None:
        overrides["timeout"] = args.timeout
    return CleanerConfig.from_dict({**config.to_dict(), **overrides}) if overrides else config


def cmd_clean(args: argparse.Namespace) -> int:
    from .batch import clean_paths
    from .files import InputError, expand_inputs

    try:
        paths = list(expand_inputs(args.inputs))
    except InputError as exc:
        return _fail(str(exc))
    summary = clean_paths(paths, args.output, _config(args), progress=False if args.quiet else None)
    if not args.quiet:
        for line in summary.lines():
            print(line, file=sys.stderr)
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    from .rules import default_table
    from .structure import DETECTORS

    table = default_table()
    print(f"rule table {table.version}")
    for rule in table.rules:
        extra = f" block={rule.block}" if rule.block else ""
        print(f"{rule.name:<24} {rule.concept:<12} {rule.scope}{extra}")
        if args.verbose:
            print(f"    matches: {rule.pattern}")
        print(f"    case: {rule.case}")
    for name, (concept, case) in DETECTORS.items():
        print(f"{name:<24} {concept:<12} detector")
        print(f"    case: {case}")
    return 0


def _fail(message: str) -> int:
    print(f"newsclean: error: {message}", file=sys.stderr)
    return 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsclean", description="Clean Chinese news pages into normalised text.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("clean", help="clean files and directories into JSON Lines")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="files or directories (.txt, .md, .html)")
    p.add_argument("-o", "--output", required=True, metavar="OUT.jsonl", help="output file, - for stdout")
    p.add_argument("--to-simplified", action="store_true", help="convert Traditional to Simplified (OpenCC)")
    p.add_argument("--config", metavar="FILE.yaml", help="cleaner config (keys of CleanerConfig)")
    p.add_argument("--timeout", type=float, metavar="SECONDS", help="time limit per document (default 10)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no summary")
    p.set_defaults(func=cmd_clean)

    p = sub.add_parser("rules", help="list every rule and detector with the case behind it")
    p.add_argument("-v", "--verbose", action="store_true", help="show each pattern")
    p.set_defaults(func=cmd_rules)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ConfigError as exc:
        return _fail(str(exc))


if __name__ == "__main__":
    sys.exit(main())
