"""`newsclean rules`: every rule and detector with its kind, what it matches and the case behind it."""
from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("rules", help="list every rule and detector with the case behind it")
    p.add_argument("-v", "--verbose", action="store_true", help="show each pattern")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..rules import default_table
    from ..structure import DETECTORS

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
