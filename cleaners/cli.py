"""The `newsclean` command line: a thin dispatcher over cleaners.commands.*."""
from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from .config import ConfigError
from .extras import missing_extra

# Subcommand modules under cleaners.commands, in the order --help lists them.
COMMANDS = ("clean", "dedup", "explain", "rules", "crawl", "discover", "eval", "bench")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsclean", description="Clean Chinese news pages into normalised text.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        importlib.import_module(f"cleaners.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from .commands.common import fail

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ConfigError as exc:
        return fail(str(exc))
    except ModuleNotFoundError as exc:  # an optional extra that is not installed: say which one
        hint = missing_extra(exc)
        if hint is None:
            raise
        return fail(hint)
    except BrokenPipeError:  # `newsclean rules | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
