"""The `newsclean` command line: a thin dispatcher over cleaners.commands.*."""
from __future__ import annotations

import argparse
import importlib
import platform
import sys
from collections.abc import Sequence

from cleaners.extras import missing_extra

# Subcommand modules under cleaners.commands, in the order --help lists them.
COMMANDS = ("clean", "dedup", "explain", "rules", "crawl", "discover", "eval", "bench")


def version_line() -> str:
    """`newsclean 0.1.0 (trafilatura 2.3.1, Python 3.11.2)`: read from the installed metadata, so that
    `--version` imports neither the cleaner nor trafilatura."""
    from importlib import metadata

    def installed(name: str, fallback: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:  # a source tree that is not installed
            return fallback

    return (f"newsclean {installed('newsclean', '0.0.0+src')} (trafilatura {installed('trafilatura', 'missing')}, "
            f"Python {platform.python_version()})")


class _Version(argparse.Action):
    """--version, with the line built only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="print the versions of newsclean, trafilatura and Python, and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        print(version_line())
        parser.exit()


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, or with `only` that subcommand: a run of one command does not import the modules
    that build the others' flags (the crawl's limits, the discovery frontier)."""
    parser = argparse.ArgumentParser(prog="newsclean", description="Clean Chinese news pages into normalised text.")
    parser.add_argument("--version", action=_Version)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS if only is None else (only,):
        importlib.import_module(f"cleaners.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from cleaners.commands.common import fail

    argv = sys.argv[1:] if argv is None else list(argv)
    named = argv[0] if argv and argv[0] in COMMANDS else None  # otherwise --help, --version or a mistake: all
    args = build_parser(named).parse_args(argv)
    try:
        return args.func(args)
    except ValueError as exc:  # a ConfigError; cleaners.config is loaded only by the commands that use it
        config = sys.modules.get("cleaners.config")
        if config is None or not isinstance(exc, config.ConfigError):
            raise
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
