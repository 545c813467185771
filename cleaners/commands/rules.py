"""`newsclean rules`: every rule the cleaner can record as a removal, grouped by concept, with its kind, what it
matches and the case behind it (the catalogue is cleaners.tools.explain.all_rules).
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("rules", help="list every rule and detector with what it matches and the case behind it")
    p.add_argument("-v", "--verbose", action="store_true", help="show patterns in full (default: shortened)")
    p.add_argument("--json", action="store_true", help="one JSON array of {name, concept, kind, matches, case}")
    p.add_argument("--concept", metavar="NAME", help="only the rules of this concept")
    p.set_defaults(func=run)


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def run(args: argparse.Namespace) -> int:
    from cleaners.text.rules import default_table
    from cleaners.tools.explain import all_rules

    rules = all_rules()
    if args.concept:
        rules = [r for r in rules if r.concept == args.concept]
        if not rules:
            known = sorted({r.concept for r in all_rules()})
            print(f"newsclean: error: no rules of concept {args.concept!r} (known: {', '.join(known)})",
                  file=sys.stderr)
            return 2
    if args.json:
        json.dump([asdict(r) for r in rules], sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    kinds: dict[str, int] = {}
    for r in rules:
        key = "text rules" if r.source.endswith("text_rules.yaml") else (
            "detectors" if r.kind == "detector" else "DOM groups" if r.kind == "dom" else "front matter")
        kinds[key] = kinds.get(key, 0) + 1
    print(f"rule table {default_table().version}: " + ", ".join(f"{n} {k}" for k, n in kinds.items()))
    by_concept: dict[str, list] = {}
    for r in rules:
        by_concept.setdefault(r.concept, []).append(r)
    for concept in sorted(by_concept):
        print(f"\n{concept} ({len(by_concept[concept])})")
        for r in by_concept[concept]:
            print(f"  {r.name:<26} {r.kind}")
            print(f"      matches: {r.matches if args.verbose else _short(r.matches, 100)}")
            print(f"      case:    {r.case}")
    return 0
