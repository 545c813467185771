"""What the discovery learns of each host it probes, and what that allows: the book's entries for a page, the
budget a request would break, whether a host's links count as coming from an on-topic site, and the verdicts.

Plain functions on a HostBook (scraper.discover.hostbook), so the spider only routes.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from .frontier import Budgets
from .hostbook import HostBook
from .judge import Sample, judge
from .output import Judged
from .pagework import PageReport

# A host whose scored articles are at least this share on topic links as an on-topic site does: the hosts it
# links start a new off-topic chain (frontier.next_chain). The share judge.ON_TOPIC_SHARE asks of a verdict.
LINKING_SHARE = 0.5
TITLE_CHARS = 120  # of an article's title kept in its host's sample
REASON_CHARS = 160  # of why a page is no article, kept for its host
ERROR_CHARS = 200  # of a request's error, kept for its host


def host_of(url: str) -> str:
    """A URL's host as the book keys it (with its port)."""
    return urlsplit(url).netloc.lower()


def record_page(book: HostBook, host: str, url: str, report: PageReport, budgets: Budgets) -> None:
    """Enter a fetched page in the book: its spam signal, and its sample (an article, within the host's K) or its
    URL (a list page)."""
    book.incr(host, "pages")
    if report.spam:
        book.incr(host, "spam_pages")
        book.put(host, "spam", report.spam)
    if report.kind == "article":
        if book.incr(host, "articles") <= budgets.pages_per_site:
            book.add_sample(host, Sample(url, report.score, report.on_topic, report.terms,
                                         report.title[:TITLE_CHARS]))
            if report.on_topic:
                book.incr(host, "on_topic")
    else:
        book.add_list_url(host, url)
        if report.reason:
            book.put(host, "list_reason", report.reason[:REASON_CHARS])


def budget_refusal(book: HostBook, budgets: Budgets, host: str, role: str, redirected: bool,
                   ) -> tuple[str, str] | None:
    """The budget a request to `host` would break, as (reason, detail), or None; a new host within max_sites is
    admitted on the way (the first budget broken decides, so a refused request admits no host after it)."""
    b = budgets
    total = book.add_requests(0)
    new = not book.admitted(host)
    if total + (2 if new else 1) > b.max_pages:  # a new host costs its robots.txt as well
        return "max_pages", f"the discovery made its {b.max_pages} requests"
    if new and not book.admit(host, b.max_sites):
        return "max_sites", f"{b.max_sites} hosts probed already"
    if book.get(host, "spam") is not None and role == "page":
        return "spam_host", f"{host} is a spam host"
    if book.count(host, "requests") >= b.host_requests:
        return "host_requests", f"{host} made its {b.host_requests} requests"
    if role == "page" and book.count(host, "articles") >= b.pages_per_site and not redirected:
        return "host_done", f"{host} has its {b.pages_per_site} articles"
    return None


def on_topic_share(book: HostBook, host: str) -> float | None:
    """The share of the host's scored articles that are on topic; None while none is scored."""
    articles = book.count(host, "articles")
    return book.count(host, "on_topic") / articles if articles else None


def links_on_topic(book: HostBook, host: str, page_on_topic: bool) -> bool:
    """Whether a page's links come from an on-topic site: the page is on topic, its host's articles are at least
    LINKING_SHARE on topic, or its host is a seed none of whose articles is scored yet."""
    share = on_topic_share(book, host)
    return page_on_topic or (share is not None and share >= LINKING_SHARE) or \
        (book.count(host, "articles") == 0 and bool(book.get(host, "seed")))


def judge_hosts(book: HostBook, threshold: float) -> list[Judged]:
    """The verdict on every host that was asked something (a request, or one robots.txt refused)."""
    judged = []
    for host in book.hosts():
        state = book.state(host)
        if state.n("requests") or state.n("robots_refused"):
            judged.append(Judged(state, judge(state, threshold)))
    return judged


def record_error(book: HostBook, host: str, reason: str, detail: str) -> None:
    """Enter a request that failed (not one refused by a budget or an address: those say nothing of the host)."""
    if reason == "robots":
        book.incr(host, "robots_refused")
    elif reason not in ("address", "budget"):
        book.incr(host, "errors")
        book.put(host, "error", f"{reason}: {detail}"[:ERROR_CHARS])
