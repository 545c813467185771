"""`newsclean bench SETDIR`: CPU time per page against trafilatura with metadata, in the same run."""
from __future__ import annotations

import argparse
import json

from cleaners.commands.common import add_progress_flags, fail, progress_choice


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="CPU time per page against trafilatura with metadata (median ratio)")
    p.add_argument("setdir", metavar="SETDIR", help="a folder with gold.jsonl and html/ pages")
    p.add_argument("--limit", type=int, metavar="N", help="only the first N pages")
    p.add_argument("--repeat", type=int, default=1, metavar="K", help="best of K runs per page (default 1)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    add_progress_flags(p, "no progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from cleaners.run.progress import bar_wanted, make_bar
    from cleaners.tools.evaluate import SetError, bench

    if args.repeat < 1 or args.limit is not None and args.limit < 1:
        return fail("--repeat and --limit must be at least 1")
    try:
        with make_bar("timing", unit="page", enabled=bar_wanted(progress_choice(args))) as bar:
            result = bench(args.setdir, args.limit, args.repeat, progress=bar)
    except SetError as exc:
        return fail(str(exc))
    if args.json:
        print(json.dumps(asdict(result)))
        return 0
    print(f"pages: {result.pages}")
    print(f"newsclean (whole cleaning, metadata included): {result.newsclean_ms:.1f} ms CPU per page (median)")
    print(f"trafilatura with metadata:                     {result.baseline_ms:.1f} ms CPU per page (median)")
    print(f"ratio newsclean / trafilatura: median {result.median_ratio:.2f}, total {result.total_ratio:.2f}")
    return 0
