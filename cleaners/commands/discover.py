"""`newsclean discover --sources FILE.yaml --like PAGES... -o OUTDIR [--max-sites N] [--pages-per-site K]
[--max-pages N] [--keywords FILE] [--jobdir DIR] [--redis-url URL] [-s NAME=VALUE ...]`"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cleaners.commands.common import add_crawl_flags, fail, run_settings, set_flags

LIKE_SUFFIXES = (".txt", ".html", ".htm", ".md")
MAX_LIKE_FILES = 10_000  # example pages read (the profile needs tens, not thousands)
OUTPUTS = ("articles.jsonl", "skipped.jsonl", "hosts.jsonl", "sources.yaml", "summary.json")


def register(sub: argparse._SubParsersAction) -> None:
    from scraper.discover.frontier import Budgets

    p = sub.add_parser("discover", help="find new sites that publish articles like the examples (a focused crawl)")
    p.add_argument("--sources", required=True, metavar="FILE.yaml", help="where to start (see seeds/sources.yaml)")
    p.add_argument("--like", required=True, nargs="+", metavar="PAGE",
                   help="example pages (files or directories: .txt, .html, .md) that define the topic")
    p.add_argument("-o", "--output", required=True, metavar="OUTDIR",
                   help="sources.yaml, hosts.jsonl, articles.jsonl, warc/, profile.json, summary.json go here")
    p.add_argument("--max-sites", type=int, metavar="N", help=f"hosts probed (default {Budgets.max_sites})")
    p.add_argument("--pages-per-site", type=int, metavar="K",
                   help=f"article pages scored per host (default {Budgets.pages_per_site})")
    p.add_argument("--max-pages", type=int, metavar="N",
                   help=f"requests in all, robots.txt included (default {Budgets.max_pages})")
    p.add_argument("--keywords", metavar="FILE", help="words that widen the topic, one a line (# comments)")
    add_crawl_flags(p, frontier="discovery (and the hosts)",
                    quiet="Scrapy logs warnings only; the summary still prints")
    p.set_defaults(func=run)


def like_files(paths: list[str]) -> list[Path]:
    """The example files: the paths given, and the page files inside directories (sorted, bounded)."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in LIKE_SUFFIXES)
        elif path.is_file():
            out.append(path)
        else:
            raise ValueError(f"--like: {raw}: no such file or directory")
        if len(out) > MAX_LIKE_FILES:
            raise ValueError(f"--like: more than {MAX_LIKE_FILES} files")
    return out


def read_keywords(path: str) -> list[str]:
    try:
        text = Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"--keywords: {path}: {exc}") from exc
    return [w for line in text.splitlines() if (w := line.split("#", 1)[0].strip())]


def build_topic(args: argparse.Namespace) -> tuple[object, list[str]]:
    """The topic profile of the --like pages (cleaned by the cleaner), and a note per page that was skipped."""
    from cleaners.core import CleanError, clean_file
    from scraper.discover.profile import build_profile

    texts, skipped = [], []
    for path in like_files(args.like):
        try:
            doc = clean_file(path)
        except CleanError as exc:
            skipped.append(f"{path}: {exc.reason}")
            continue
        texts.append(f"{doc.title or ''}\n{doc.text}")
    keywords = read_keywords(args.keywords) if args.keywords else []
    return build_profile(texts, keywords), skipped


def discover_settings(args: argparse.Namespace, profile_path: Path) -> dict[str, object]:
    values: dict[str, object] = {"NEWSCLEAN_SOURCES": args.sources, "NEWSCLEAN_OUTDIR": args.output,
                                 "NEWSCLEAN_PROFILE": str(profile_path)}
    for flag, name in (("max_sites", "MAX_SITES"), ("pages_per_site", "PAGES_PER_SITE"), ("max_pages", "MAX_PAGES")):
        if getattr(args, flag) is not None:
            values[f"NEWSCLEAN_{name}"] = getattr(args, flag)
    run_settings(args, values)
    if args.quiet:
        values["LOG_LEVEL"] = "WARNING"
    return set_flags(args, values)


def run(args: argparse.Namespace) -> int:
    from cleaners.config import CleanerConfig
    from scraper.discover.addresses import parse_networks
    from scraper.discover.hostbook import save_json
    from scraper.discover.profile import ProfileError
    from scraper.sources import SourcesError, load_sources

    numbers = [args.max_sites, args.pages_per_site, args.max_pages]
    if any(n is not None and n < 1 for n in numbers) or args.workers is not None and args.workers < 1:
        return fail("--max-sites, --pages-per-site, --max-pages and --workers must be >= 1")
    out = Path(args.output)
    if out.exists() and not out.is_dir():
        return fail(f"-o {args.output}: not a directory")
    try:
        load_sources(args.sources)
        if args.config:
            CleanerConfig.from_yaml(args.config)
        profile, skipped = build_topic(args)
        values = discover_settings(args, out / "profile.json")
        parse_networks(values.get("NEWSCLEAN_LOCAL_WEB"))  # type: ignore[arg-type]
    except (SourcesError, ProfileError, ValueError) as exc:
        return fail(str(exc))
    for note in skipped:
        print(f"--like page skipped: {note}", file=sys.stderr)
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").unlink(missing_ok=True)  # written again at the end: its presence says the run ended
    if not args.jobdir:  # a run without --jobdir starts over
        for name in OUTPUTS:
            (out / name).unlink(missing_ok=True)
    save_json(out / "profile.json", profile.to_dict())
    print(f"topic: {profile.examples} example pages, threshold {profile.threshold:.3f} (half the median of their "
          f"leave-one-out scores {', '.join(f'{s:.3f}' for s in profile.example_scores)}); top terms "
          f"{' '.join(profile.top_terms[:10])}", file=sys.stderr)

    from cleaners.commands.scrapyrun import run_spider

    run_spider("scraper.spiders.discover.DiscoverSpider", values)
    summary_file = out / "summary.json"
    if not summary_file.exists():
        return fail("the discovery did not finish (see the log above)")
    summary = json.loads(summary_file.read_text("utf-8"))
    from scraper.discover.output import summary_lines

    for line in summary_lines(summary):
        print(line, file=sys.stderr)
    return 0 if summary.get("finish_reason") in ("finished", "shutdown") else 1
