"""The discovery's state in JOBDIR: the host book, the URLs seen and the requests not answered yet.

After a graceful stop Scrapy's own queue holds the unanswered requests too (and its seen-set drops the copies);
after a kill it was dropped (scraper.jobdir), and they are issued again from here. With Redis the book lives
there and nothing is saved here.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .hostbook import HostBook, save_json

STATE_FILE = "discover.state.json"  # in JOBDIR
SAVE_EVERY_S = 2.0  # the state is saved at most this often while the crawl runs (and at its end)


@dataclass
class Requests:
    """The requests of the discovery, by canonical URL."""

    seen: set[str] = field(default_factory=set)  # issued (or refused by robots.txt): not issued again
    pending: dict[str, dict[str, Any]] = field(default_factory=dict)  # issued, not answered: how to issue again
    in_flight: dict[str, str] = field(default_factory=dict)  # of which counted against the budgets: URL -> host

    def answered(self, canon: str) -> None:
        self.pending.pop(canon, None)
        self.in_flight.pop(canon, None)


def state_path(jobdir: str | None, redis_url: str | None) -> Path | None:
    return Path(jobdir) / STATE_FILE if jobdir and not redis_url else None


def load_state(path: Path | None) -> tuple[HostBook, Requests] | None:
    """The book and the requests of an earlier run, its unanswered requests out of `seen` (to be issued again);
    None when there was none."""
    if path is None or not path.exists():
        return None
    data = json.loads(path.read_text("utf-8"))
    requests = Requests(set(data.get("seen", [])), dict(data.get("pending", {})))
    requests.seen -= set(requests.pending)
    return HostBook.from_dict(data.get("book", {})), requests


def save_state(path: Path, book: HostBook, requests: Requests) -> None:
    """Save atomically; requests handed out but not answered are not counted, as they are issued (and counted)
    again on resume."""
    data = book.to_dict()
    for host in requests.in_flight.values():
        data["counts"][host]["requests"] -= 1
        data["requests"] -= 1
    save_json(path, {"book": data, "seen": sorted(requests.seen), "pending": requests.pending})
