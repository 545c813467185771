"""`newsclean clean INPUT... -o OUT.jsonl`"""
from __future__ import annotations

import argparse
import atexit
import contextlib
import gc
import signal
import sys
from collections.abc import Iterator

from cleaners.commands.common import (
    add_config_flags,
    add_field_flags,
    add_progress_flags,
    config_from_args,
    fail,
    field_map,
    progress_choice,
    unusable_field_flags,
)
from cleaners.record import REMOVED_MODES


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("clean", help="clean pages, JSON Lines, Parquet or WARC into JSON Lines or Parquet")
    p.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="files or directories (.txt, .md, .html), .jsonl[.gz|.zst], .parquet, .warc[.gz]")
    p.add_argument("-o", "--output", required=True, metavar="OUT.jsonl",
                   help="output: .jsonl, .jsonl.gz, .jsonl.zst or .parquet; - for stdout")
    add_config_flags(p)
    add_field_flags(p)
    p.add_argument("--removed", choices=REMOVED_MODES, metavar="{full,counts,none}",
                   help="what provenance keeps of removed spans: full (each span's rule and text; the default), "
                   "counts (spans and characters per rule) or none")
    r = p.add_argument_group("running at scale")
    r.add_argument("-j", "--jobs", type=int, metavar="N", help="worker processes (default: all cores)")
    r.add_argument("--shard-size", type=int, metavar="N", help="records per output file: OUT-00000.jsonl, ...")
    r.add_argument("--resume", action="store_true",
                   help="continue a killed or finished run: skip inputs already in the output or its errors file")
    add_progress_flags(p, "no progress bar and no summary")
    p.set_defaults(func=run)


class Terminated(BaseException):
    """SIGTERM, raised in the main thread like KeyboardInterrupt: the outputs are closed and kept for --resume."""


def run(args: argparse.Namespace) -> int:
    from cleaners.io.guard import plan_output
    from cleaners.io.items import ReaderError
    from cleaners.io.outputs import OutputError
    from cleaners.io.readers import check_inputs
    from cleaners.run.batch import RESERVED_FIELDS, clean_inputs
    from cleaners.run.parallel import WorkerError, default_jobs

    if (unusable := unusable_field_flags(args, args.inputs)) is not None:
        return fail(unusable)
    fields = field_map(args)
    clash = sorted(set(fields.keep_fields) & RESERVED_FIELDS)
    if clash:
        return fail(f"--keep-fields: {', '.join(clash)} would overwrite record fields of the same name")
    if args.jobs is not None and args.jobs < 1:
        return fail("--jobs must be at least 1")
    if args.shard_size is not None and args.shard_size < 1:
        return fail("--shard-size must be at least 1")
    if args.output == "-" and (args.shard_size or args.resume):
        return fail("--shard-size and --resume need an output file, not -")
    config = config_from_args(args)
    _exit_without_collecting()
    try:
        plan_output(args.output, args.inputs, shard_size=args.shard_size, resume=args.resume)  # before any reading
        check_inputs(args.inputs, fields)
        with _sigterm_raises():
            summary = clean_inputs(args.inputs, args.output, config, field_map=fields,
                                   jobs=args.jobs or default_jobs(), shard_size=args.shard_size, resume=args.resume,
                                   progress=progress_choice(args))
    except (ReaderError, OutputError) as exc:
        return fail(str(exc))
    except WorkerError as exc:  # not a usage error: the run failed, and can be resumed
        print(f"newsclean: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `-o - | head`: the reader has all it wants (the dispatcher ends quietly)
        raise
    except OSError as exc:  # a full disk, an output that went away: what was written is kept
        what = f"writing {exc.filename}" if exc.filename else "the run"
        return _stopped(f"{what} failed: {exc.strerror or exc}", args, 1)
    except KeyboardInterrupt:
        return _stopped("interrupted", args, 128 + signal.SIGINT)
    except Terminated:
        return _stopped("terminated (SIGTERM)", args, 128 + signal.SIGTERM)
    if not args.quiet:
        for line in summary.lines():
            print(line, file=sys.stderr)
    return 0


def _stopped(what: str, args: argparse.Namespace, code: int) -> int:
    """One line for a run that stopped before its end, saying how to go on."""
    import glob

    from cleaners.io.guard import plan_output
    from cleaners.io.outputs import PART, existing_shards

    try:
        stream = plan_output(args.output).stream
    except ValueError:
        stream = True
    parts = [] if stream else glob.glob(glob.escape(args.output) + PART) + existing_shards(args.output, part=True)
    if stream:
        hint = "the output was a stream: run the command again"
    elif parts:
        where = f"in {parts[0]}" if len(parts) == 1 else f"in .part files beside {args.output}"
        hint = f"what was written is kept {where}: run the same command with --resume to continue"
    else:
        hint = "nothing was written yet: run the command again"
    print(f"newsclean: error: {what}; {hint}", file=sys.stderr)
    return code


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """SIGTERM ends the run as Ctrl-C does (outputs flushed and kept), not by killing it mid-write."""
    def _raise(signum: int, frame: object) -> None:
        raise Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, _raise)
    except ValueError:  # not the main thread: leave SIGTERM alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _exit_without_collecting() -> None:
    """Freeze the heap when the interpreter exits (not before: an in-process caller goes on collecting).

    Finalisation runs full garbage collections over everything the cleaner loaded (langdetect profiles, rule
    tables, trafilatura): about 0.3 s of CPU after the run is over, for memory the process is about to hand
    back whole. Frozen, it is skipped; objects are still released by reference counting, and the outputs are
    closed (and renamed into place) before this runs.
    """
    global _exit_hook
    if not _exit_hook:
        atexit.register(gc.freeze)
        _exit_hook = True


_exit_hook = False
