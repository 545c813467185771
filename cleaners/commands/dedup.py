"""`newsclean dedup IN... -o OUT.jsonl`: mark (or drop) near-duplicate records."""
from __future__ import annotations

import argparse
import os
import sys

from .common import fail


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
    p.add_argument("-q", "--quiet", action="store_true", help="no summary")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..dedup import DedupConfig, find_clusters, iter_inputs
    from ..guard import plan_output
    from ..writers import OutputError, RecordWriter, StdoutWriter

    for path in args.inputs:
        if not os.path.isfile(path):
            return fail(f"no such file: {path}")
    try:
        config = DedupConfig(threshold=args.threshold, shingle=args.shingle, num_perm=args.num_perm, keep=args.keep)
    except ValueError as exc:
        return fail(str(exc))
    try:  # never over an input, a directory or a device: checked before anything is read
        plan = plan_output(args.output, args.inputs)
    except OutputError as exc:
        return fail(str(exc))
    if plan.stream and args.output != "-":
        return fail(f"-o {args.output} is a device or a pipe: dedup writes a regular file, or - for stdout")
    try:
        clusters = find_clusters(iter_inputs(args.inputs), config)
        writer = StdoutWriter() if args.output == "-" else RecordWriter(args.output)
        written = 0
        with writer as out:
            for i, rec in enumerate(iter_inputs(args.inputs)):
                if args.drop and not clusters.keep[i]:
                    continue
                rec["dup_cluster"] = clusters.cluster[i]
                out.write(rec)
                written += 1
    except BrokenPipeError:  # `newsclean dedup ... -o - | head`: handled by the dispatcher
        raise
    except (ValueError, OSError) as exc:
        return fail(f"cannot read or write: {exc}")
    if not args.quiet:
        n = len(clusters.cluster)
        print(f"records: {n}  clusters: {len(set(clusters.cluster))}  near-duplicates: {clusters.duplicates}"
              f"  written: {written}", file=sys.stderr)
    return 0
