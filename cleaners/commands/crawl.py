"""`newsclean crawl --sources FILE.yaml -o OUTDIR [--max-pages N] [--max-depth N] ... [--redis-url URL] [-s K=V]`"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from cleaners.commands.common import add_crawl_flags, fail, run_settings, set_flags

# The limits that end spider traps: flag -> (CrawlLimits field, help). Defaults and reasons: scraper/limits.py.
LIMIT_FLAGS = {
    "--max-depth": ("max_depth", "links followed from an entry point (start URL, sitemap, feed)"),
    "--max-url-length": ("max_url_length", "characters of a URL (canonical, percent-encoded)"),
    "--max-links-per-page": ("max_links_per_page", "distinct link targets read from one page"),
    "--max-pages-per-source": ("max_pages_per_source",
                               "requests (and robots.txt refusals) per source; its own max_pages overrides it"),
}


QUIET_LOG = "crawl.log"  # where -q sends Scrapy's log (warnings and errors: DNS failures, refused connections ...)


def register(sub: argparse._SubParsersAction) -> None:
    from scraper.limits import CrawlLimits

    p = sub.add_parser("crawl", help="crawl news sites with Scrapy, clean the articles, keep the raw pages (WARC)")
    p.add_argument("--sources", required=True, metavar="FILE.yaml", help="sites to crawl (see seeds/sources.yaml)")
    p.add_argument("-o", "--output", required=True, metavar="OUTDIR",
                   help="articles.jsonl, skipped.jsonl, warc/ and summary.json go here")
    p.add_argument("--max-pages", type=int, metavar="N", help="at most N requests for this crawler process")
    for flag, (name, text) in LIMIT_FLAGS.items():
        p.add_argument(flag, type=int, metavar="N", dest=name,
                       help=f"at most N {text} (default {getattr(CrawlLimits, name)}; 0: no limit)")
    add_crawl_flags(p, frontier="crawl state",
                    quiet=f"print nothing but an error that stops the crawl: Scrapy's warnings and errors go to "
                    f"OUTDIR/{QUIET_LOG}, the summary to OUTDIR/summary.json")
    p.set_defaults(func=run)


def crawl_settings(args: argparse.Namespace) -> dict[str, object]:
    """The command line as Scrapy settings (applied above the project's at `cmdline` priority)."""
    values: dict[str, object] = {"NEWSCLEAN_SOURCES": args.sources, "NEWSCLEAN_OUTDIR": args.output}
    if args.max_pages is not None:
        values["NEWSCLEAN_MAX_PAGES"] = args.max_pages
    for name, _ in LIMIT_FLAGS.values():
        if getattr(args, name, None) is not None:
            values[f"NEWSCLEAN_{name.upper()}"] = getattr(args, name)
    run_settings(args, values)
    if args.quiet:  # the log goes to a file, not the terminal (-s LOG_FILE=... or LOG_LEVEL=... still win)
        values["LOG_LEVEL"] = "WARNING"
        values["LOG_FILE"] = str(Path(args.output) / QUIET_LOG)
    return set_flags(args, values)


def run(args: argparse.Namespace) -> int:
    from scraper.cleaning import cleaner_config
    from scraper.sources import SourcesError, load_sources

    try:
        load_sources(args.sources)  # fail early, with the file's own message
        values = crawl_settings(args)
        cleaner_config(args.config, values.get("NEWSCLEAN_REMOVED"))  # a bad config is one line, before the crawl
    except (SourcesError, ValueError) as exc:
        return fail(str(exc))
    limits = [args.max_pages] + [getattr(args, name) for name, _ in LIMIT_FLAGS.values()]
    if any(n is not None and n < 0 for n in limits) or args.workers is not None and args.workers < 1:
        return fail("--max-pages and the other limits must be >= 0, --workers >= 1")
    for flag, directory in (("-o", args.output), ("--jobdir", args.jobdir)):
        if directory and (refusal := unusable_directory(flag, directory)) is not None:
            return fail(refusal)

    from cleaners.commands.scrapyrun import run_spider

    summary_file = Path(args.output) / "summary.json"
    summary_file.parent.mkdir(parents=True, exist_ok=True)  # the log file may go there
    summary_file.unlink(missing_ok=True)
    settings = run_spider("scraper.spiders.news.NewsSpider", values)
    log = settings.get("LOG_FILE")
    where = f"see {log}" if log else "see the log above"
    if not summary_file.exists():
        return fail(f"the crawl did not finish ({where})")
    summary = json.loads(summary_file.read_text("utf-8"))
    finished = summary.get("finish_reason") in ("finished", "shutdown", "closespider_pagecount")
    if not args.quiet:
        from scraper.extensions import summary_lines

        for line in summary_lines(summary):
            print(line, file=sys.stderr)
    elif not finished:
        print(f"newsclean: error: the crawl stopped: {summary.get('finish_reason')} ({where})", file=sys.stderr)
    return 0 if finished else 1


def unusable_directory(flag: str, directory: str) -> str | None:
    """Why DIR cannot be the crawl's output (or job) directory, decided before anything starts: a file that is
    not a directory, or a place where it cannot be made; None when it can be used."""
    path = Path(directory)
    if path.exists():
        if not path.is_dir():
            return f"{flag} {directory} is not a directory: the crawl writes its files in a directory"
        return None if os.access(path, os.W_OK | os.X_OK) else f"{flag} {directory}: the directory is not writable"
    parent = path.absolute().parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        return f"{flag} {directory}: {parent} is not a directory"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"{flag} {directory}: cannot create it in {parent} (not writable)"
    return None
