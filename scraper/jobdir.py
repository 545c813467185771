"""Resuming after a kill. Scrapy's JOBDIR keeps its queue and seen-set consistent only when a crawl stops
gracefully; after SIGKILL they are stale (the queue's index is written at close, the seen-set is buffered), and
trusting them would lose every page that was queued but not fetched. So a marker file says a crawl is running:
if it is still there at start, the previous run died, Scrapy's state is dropped, and the site is walked again
from the entry points, skipping what OUTDIR already holds (see store.done_urls)."""
from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

logger = logging.getLogger(__name__)
MARKER = "newsclean.running"
_SCRAPY_STATE = ("requests.seen", "requests.queue", "spider.state")


def begin(jobdir: str | Path | None) -> bool:
    """Mark the job running; return True when the previous run died and its Scrapy state was dropped."""
    if not jobdir:
        return False
    jobdir = Path(jobdir)
    jobdir.mkdir(parents=True, exist_ok=True)
    marker = jobdir / MARKER
    crashed = marker.exists()
    if crashed:
        logger.warning("the previous crawl in %s did not stop cleanly (pid %s): walking the site again, "
                       "skipping the articles already stored", jobdir, marker.read_text().strip() or "?")
        for name in _SCRAPY_STATE:
            path = jobdir / name
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
    marker.write_text(f"{os.getpid()}\n")
    return crashed


def end(jobdir: str | Path | None) -> None:
    """The crawl stopped cleanly (finished or shut down gracefully): Scrapy's state can be trusted."""
    if jobdir:
        (Path(jobdir) / MARKER).unlink(missing_ok=True)
