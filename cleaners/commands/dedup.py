"""`newsclean dedup IN... -o OUT.jsonl`: mark (or drop) near-duplicate records."""
from __future__ import annotations

import argparse
import os
import signal
import sys

from cleaners.commands.common import fail


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("dedup", help="find near-duplicate records (MinHash) and mark or drop them")
    p.add_argument("inputs", nargs="+", metavar="IN", help="records: .jsonl[.gz|.zst] or .parquet (newsclean output)")
    p.add_argument("-o", "--output", required=True, metavar="OUT.jsonl",
                   help="output: .jsonl, .jsonl.gz, .jsonl.zst or .parquet; - for stdout")
    p.add_argument("--threshold", type=float, default=0.8, metavar="J",
                   help="estimated Jaccard similarity of 5-character shingles at which texts are duplicates (0.8)")
    p.add_argument("--shingle", type=int, default=5, metavar="K", help="characters per shingle (default 5)")
    p.add_argument("--num-perm", type=int, default=128, metavar="N", help="MinHash permutations (default 128)")
    p.add_argument("--drop", action="store_true", help="keep one record per cluster instead of marking them all")
    p.add_argument("--keep", choices=("earliest", "longest"), default="earliest",
                   help="which record --drop keeps: earliest published (then first in input) or longest text")
    g = p.add_argument_group("fields (as for clean)")
    g.add_argument("--text-field", default="text", metavar="NAME", help="the field holding the text (default text)")
    g.add_argument("--id-field", default="id", metavar="NAME",
                   help="the record id, which names its cluster in dup_cluster (default id)")
    g.add_argument("--published-field", default="published", metavar="NAME",
                   help="the publication date --keep earliest goes by (default published)")
    p.add_argument("-j", "--jobs", type=int, metavar="N", help="processes that hash texts (default: all cores)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no summary")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from cleaners.io.guard import plan_output
    from cleaners.io.items import ReaderError
    from cleaners.io.outputs import OutputError
    from cleaners.run.chunkpool import WorkerError, default_jobs
    from cleaners.tools.dedup.config import DedupConfig
    from cleaners.tools.dedup.read import DedupFields, check_fields
    from cleaners.tools.dedup.run import dedup_files

    for path in args.inputs:
        if not os.path.isfile(path):
            return fail(f"no such file: {path}")
    if args.jobs is not None and args.jobs < 1:
        return fail("--jobs must be at least 1")
    try:
        config = DedupConfig(threshold=args.threshold, shingle=args.shingle, num_perm=args.num_perm, keep=args.keep)
    except ValueError as exc:
        return fail(str(exc))
    fields = DedupFields(text=args.text_field, id=args.id_field, published=args.published_field)
    explicit = [name for name, default in (("id", "id"), ("published", "published"))
                if getattr(fields, name) != default]
    try:  # never over an input, a directory or a device; fields checked: all before anything is read
        plan = plan_output(args.output, args.inputs)
        if plan.stream and args.output != "-":
            return fail(f"-o {args.output} is a device or a pipe: dedup writes a regular file, or - for stdout")
        check_fields(args.inputs, fields, explicit)
        summary = dedup_files(args.inputs, args.output, config, fields=fields, jobs=args.jobs or default_jobs(),
                              drop=args.drop, progress=False if args.quiet else None)
    except (ReaderError, OutputError) as exc:
        return fail(str(exc))
    except WorkerError as exc:
        print(f"newsclean: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `newsclean dedup ... -o - | head`: handled by the dispatcher
        raise
    except OSError as exc:  # a full disk, an input that went away
        print(f"newsclean: error: dedup failed: {exc.strerror or exc}; nothing was written", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("newsclean: error: interrupted; nothing was written", file=sys.stderr)
        return 128 + signal.SIGINT
    if not args.quiet:
        for line in summary.lines():
            print(line, file=sys.stderr)
    return 0
