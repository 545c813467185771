"""`newsclean eval SETDIR [--baselines …] [--json]`: precision, recall, F1, empty pages, seconds per page."""
from __future__ import annotations

import argparse
import json

from .common import add_config_flags, config_from_args, fail


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="score newsclean (and baselines) on a gold set")
    p.add_argument("setdir", metavar="SETDIR", help="a folder with gold.jsonl and html/ or txt/ pages")
    p.add_argument("--baselines", default="", metavar="A,B",
                   help="comma-separated: trafilatura, trafilatura-precision-metadata, readability, keep-all")
    p.add_argument("--json", action="store_true", help="one JSON object per system")
    add_config_flags(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..evaluate import evaluate

    baselines = [b.strip() for b in args.baselines.split(",") if b.strip()]
    try:
        scores = evaluate(args.setdir, baselines, config_from_args(args))
    except (ValueError, FileNotFoundError) as exc:
        return fail(str(exc))
    if args.json:
        for s in scores:
            print(json.dumps(s.row(), ensure_ascii=False))
        return 0
    print(f"{'system':<32} {'pages':>5} {'P':>6} {'R':>6} {'F1':>6} {'empty':>5} {'s/page':>7}")
    for s in scores:
        print(f"{s.name:<32} {s.pages:>5} {s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f} {s.empty:>5} "
              f"{s.seconds_per_page:>7.3f}")
    return 0
