"""`newsclean eval SETDIR [--baselines …] [--json]`: precision, recall, F1, empty pages, seconds per page; and where
the gold states them, title, author, date and language as matched / gold pages that state the field."""
from __future__ import annotations

import argparse
import json

from cleaners.commands.common import add_config_flags, add_progress_flags, config_from_args, fail, progress_choice

# The columns of metadata and language accuracy in the text table, in the order of SystemScore's fields.
_FIELD_COLUMNS = ("title", "title_exact", "author", "date", "lang")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="score newsclean (and baselines) on a gold set")
    p.add_argument("setdir", metavar="SETDIR", help="a folder with gold.jsonl and html/ or txt/ pages")
    p.add_argument("--baselines", default="", metavar="A,B",
                   help="comma-separated: trafilatura, trafilatura-precision-metadata, readability, keep-all")
    p.add_argument("--json", action="store_true", help="one JSON object per system")
    add_config_flags(p)
    add_progress_flags(p, "no progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from cleaners.run.progress import bar_wanted, make_bar
    from cleaners.tools.evaluate import evaluate

    baselines = [b.strip() for b in args.baselines.split(",") if b.strip()]
    config = config_from_args(args)
    try:
        with make_bar("scoring", unit="page", enabled=bar_wanted(progress_choice(args))) as bar:
            scores = evaluate(args.setdir, baselines, config, progress=bar)
    except ValueError as exc:  # SetError, an unknown baseline
        return fail(str(exc))
    if args.json:
        for s in scores:
            print(json.dumps(s.row(), ensure_ascii=False))
        return 0
    counted = {s.name: {**s.metadata, **({"lang": s.language} if s.language else {})} for s in scores}
    columns = [c for c in _FIELD_COLUMNS if any(c in fields for fields in counted.values())]
    print(f"{'system':<32} {'pages':>5} {'P':>6} {'R':>6} {'F1':>6} {'empty':>5} {'s/page':>7}"
          + "".join(f" {c:>11}" for c in columns))
    for s in scores:
        cells = "".join(f" {_fraction(counted[s.name].get(c)):>11}" for c in columns)
        print(f"{s.name:<32} {s.pages:>5} {s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f} {s.empty:>5} "
              f"{s.seconds_per_page:>7.3f}{cells}")
    return 0


def _fraction(counts: list[int] | None) -> str:
    """`114/151`, or `-` where the system reports no such field."""
    return f"{counts[0]}/{counts[1]}" if counts else "-"
