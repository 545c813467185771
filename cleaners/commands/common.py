"""Helpers shared by subcommands: config from flags, one-line usage errors."""
from __future__ import annotations

import argparse
import sys

from ..config import CleanerConfig


def add_config_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--to-simplified", action="store_true", help="convert Traditional to Simplified (OpenCC)")
    p.add_argument("--config", metavar="FILE.yaml", help="cleaner config (keys of CleanerConfig)")
    p.add_argument("--timeout", type=float, metavar="SECONDS", help="time limit per document (default 10)")
    p.add_argument("--site-rules", metavar="FILE.yaml", help="per-site prune/body selectors and text rules")


def config_from_args(args: argparse.Namespace) -> CleanerConfig:
    """The config file (if any) with command-line flags on top; unknown keys raise ConfigError."""
    config = CleanerConfig.from_yaml(args.config) if getattr(args, "config", None) else CleanerConfig()
    overrides: dict = {}
    if getattr(args, "to_simplified", False):
        overrides["to_simplified"] = True
    if getattr(args, "timeout", None) is not None:
        overrides["timeout"] = args.timeout
    if getattr(args, "site_rules", None):
        from ..siterules import load_site_rules

        load_site_rules(args.site_rules)  # a malformed file is a usage error, before any page is read
        overrides["site_rules"] = args.site_rules
    return CleanerConfig.from_dict({**config.to_dict(), **overrides}) if overrides else config


def fail(message: str) -> int:
    """Print one clear line and return the usage-error exit code."""
    print(f"newsclean: error: {message}", file=sys.stderr)
    return 2
