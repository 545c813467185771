"""Helpers shared by subcommands: config from flags, one-line usage errors."""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cleaners.config import CleanerConfig
    from cleaners.io.items import FieldMap

# The flags that say how to read a tabular input (JSON Lines, Parquet), by the name of their argparse dest.
FIELD_FLAGS = {"html_field": "--html-field", "text_field": "--text-field", "id_field": "--id-field",
               "url_field": "--url-field", "keep_fields": "--keep-fields"}


def add_config_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--to-simplified", action="store_true", help="convert Traditional to Simplified (OpenCC)")
    p.add_argument("--config", metavar="FILE.yaml", help="cleaner config (keys of CleanerConfig)")
    p.add_argument("--timeout", type=float, metavar="SECONDS", help="time limit per document (default 10)")
    p.add_argument("--site-rules", metavar="FILE.yaml", help="per-site prune/body selectors and text rules")


def add_crawl_flags(p: argparse.ArgumentParser, *, frontier: str, quiet: str) -> None:
    """The flags `crawl` and `discover` share: resume, the shared frontier, the cleaning workers, Scrapy settings."""
    p.add_argument("--jobdir", metavar="DIR", help=f"persist the {frontier} here, to resume after a stop or kill")
    p.add_argument("--redis-url", metavar="URL", help="share the frontier with other crawlers (scrapy-redis)")
    p.add_argument("--idle-close", type=float, metavar="SECONDS",
                   help="close after this long with nothing to do (default 30 with --redis-url, else 0)")
    p.add_argument("--workers", type=int, metavar="N", help="cleaning processes (default: cores - 1, at least 1)")
    p.add_argument("--config", metavar="FILE.yaml", help="cleaner config (keys of CleanerConfig)")
    p.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                   help="a Scrapy setting, as with `scrapy crawl -s` (repeatable)")
    p.add_argument("-q", "--quiet", action="store_true", help=quiet)


def config_from_args(args: argparse.Namespace) -> CleanerConfig:
    """The config file (if any) with command-line flags on top; unknown keys raise ConfigError."""
    from cleaners.config import CleanerConfig  # imported by the commands that clean: dedup starts without it

    config = CleanerConfig.from_yaml(args.config) if getattr(args, "config", None) else CleanerConfig()
    overrides: dict = {}
    if getattr(args, "to_simplified", False):
        overrides["to_simplified"] = True
    if getattr(args, "timeout", None) is not None:
        overrides["timeout"] = args.timeout
    if getattr(args, "removed", None):
        overrides["removed"] = args.removed
    if getattr(args, "site_rules", None):
        from cleaners.text.siterules import load_site_rules

        load_site_rules(args.site_rules)  # a malformed file is a usage error, before any page is read
        overrides["site_rules"] = args.site_rules
    return CleanerConfig.from_dict({**config.to_dict(), **overrides}) if overrides else config


def fail(message: str) -> int:
    """Print one clear line and return the usage-error exit code."""
    print(f"newsclean: error: {message}", file=sys.stderr)
    return 2


def add_field_flags(p: argparse.ArgumentParser, *, keep: bool = True) -> None:
    """--html-field/--text-field, --id-field, --url-field (and --keep-fields): how to read JSON Lines and Parquet.

    Defaults are None here and filled in by field_map(), so that a flag given can be told from one left out."""
    g = p.add_argument_group("tabular inputs (JSON Lines, Parquet)")
    page = g.add_mutually_exclusive_group()
    page.add_argument("--html-field", metavar="NAME", help="the field holding the page's HTML")
    page.add_argument("--text-field", metavar="NAME",
                      help="the field holding flattened page text (default: 'text', HTML or text sniffed)")
    g.add_argument("--id-field", metavar="NAME", help="the input's id, kept as the record id (default id)")
    g.add_argument("--url-field", metavar="NAME", help="the page's URL (default url)")
    if keep:
        g.add_argument("--keep-fields", metavar="A,B", help="comma-separated input fields copied into each record")


def field_map(args: argparse.Namespace) -> FieldMap:
    from cleaners.io.items import FieldMap

    keep = tuple(f.strip() for f in (getattr(args, "keep_fields", None) or "").split(",") if f.strip())
    return FieldMap(html_field=args.html_field, text_field=args.text_field, id_field=args.id_field or "id",
                    url_field=args.url_field or "url", keep_fields=keep)


def unusable_field_flags(args: argparse.Namespace, inputs: Sequence[str]) -> str | None:
    """The one-line refusal of field flags when no input is JSON Lines or Parquet (page files, directories of
    them and WARC files have no fields), decided from the names alone, before anything is read; else None."""
    from cleaners.io.readers import input_kind

    given = [flag for dest, flag in FIELD_FLAGS.items() if getattr(args, dest, None)]
    if not given or any(input_kind(p) in ("jsonl", "parquet") and not os.path.isdir(p) for p in inputs):
        return None
    return (f"{', '.join(given)}: no input is JSON Lines or Parquet (page files, directories and WARC files have "
            "no fields); these flags apply to .jsonl[.gz|.zst] and .parquet inputs")


def add_progress_flags(p: argparse.ArgumentParser, quiet: str) -> None:
    """-q (what it silences) and --progress: the bar is shown on a terminal, or always with --progress."""
    p.add_argument("-q", "--quiet", action="store_true", help=quiet)
    p.add_argument("--progress", action="store_true",
                   help="show the progress bar on standard error even when it is not a terminal")


def progress_choice(args: argparse.Namespace) -> bool | None:
    """False under -q, True with --progress, None (on a terminal only) otherwise."""
    return False if getattr(args, "quiet", False) else True if getattr(args, "progress", False) else None


def run_settings(args: argparse.Namespace, values: dict) -> dict:
    """The settings `crawl` and `discover` share, added to `values`: job directory, redis, idle close, workers,
    cleaner config, then each `-s NAME=VALUE` (last, so that it wins)."""
    for attr, name in (("jobdir", "JOBDIR"), ("redis_url", "REDIS_URL"), ("idle_close", "NEWSCLEAN_IDLE_CLOSE"),
                       ("workers", "NEWSCLEAN_WORKERS"), ("config", "NEWSCLEAN_CLEANER_CONFIG")):
        value = getattr(args, attr)
        if value is not None and (value or attr in ("idle_close", "workers")):
            values[name] = value
    return values


def set_flags(args: argparse.Namespace, values: dict) -> dict:
    """Each `-s NAME=VALUE` on top of `values`; ValueError for one without `=` or a name."""
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"-s expects NAME=VALUE, got {item!r}")
        values[name.strip()] = value
    return values
