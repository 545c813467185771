"""The crawler against hostile sites: redirects and refreshes that leave the allowed domains, spider traps,
robots.txt files that are huge, failing or slow, a gzip bomb and an entity-bomb sitemap.

Every server runs on 127.0.0.1 (what the crawl may visit) or 127.0.0.2 (what it must never reach), started and
stopped here; each logs the requests it gets, and the tests assert on those logs.
"""
from __future__ import annotations

import contextlib
import functools
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import psutil
import pytest
from hostile_site import (
    HostileServer,
    Reply,
    article_pages,
    entity_bomb_sitemap,
    filler_lines,
    gzip_bomb,
    link_page,
    serve,
    write_sources,
)
from test_crawl_helpers import ROOT, read_lines
from warcio.archiveiterator import ArchiveIterator

# Politeness off, one retry after a short back-off, short timeouts; DOWNLOAD_MAXSIZE stays at its default.
HOSTILE = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "RETRY_TIMES=1",
           "-s", "RETRY_BACKOFF_BASE=0.05", "-s", "LOG_LEVEL=WARNING", "-s", "DOWNLOAD_TIMEOUT=2",
           "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "--workers", "1"]
ARTICLES = article_pages(6)
ROBOTS_DISALLOW_PRIVATE = b"User-agent: *\nDisallow: /private/\n"


class Crawl:
    """A `newsclean crawl` subprocess whose peak memory (resident set of the crawler process) is sampled."""

    def __init__(self, sources: Path, outdir: Path, *extra: str, timeout: float = 60) -> None:
        cmd = [sys.executable, "-m", "cleaners.cli", "crawl", "--sources", str(sources), "-o", str(outdir),
               *HOSTILE, *extra]
        self.outdir = outdir
        started = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=dict(os.environ, PYTHONUNBUFFERED="1"))
        self.peak_rss = 0
        watched = psutil.Process(proc.pid)
        while proc.poll() is None and time.monotonic() - started < timeout:
            try:
                self.peak_rss = max(self.peak_rss, watched.memory_info().rss)
            except psutil.Error:
                pass
            time.sleep(0.05)
        if proc.poll() is None:  # a crawl that does not end fails the test, and is not left running
            proc.kill()
            proc.communicate()
            pytest.fail(f"the crawl did not end within {timeout} s")
        _, self.stderr = proc.communicate()
        self.returncode = proc.returncode
        self.seconds = time.monotonic() - started

    def articles(self) -> list[dict]:
        return read_lines(self.outdir / "articles.jsonl")

    def skipped(self) -> list[dict]:
        return read_lines(self.outdir / "skipped.jsonl")

    def skip_reasons(self) -> dict[str, str]:
        """path (with query) -> reason, for every skip (a path skipped for two reasons keeps the last)."""
        return {_path(r["url"]): r["reason"] for r in self.skipped()}

    def summary(self) -> dict:
        return json.loads((self.outdir / "summary.json").read_text("utf-8"))

    def warc_record(self, uri: str) -> tuple[dict[str, str], bytes]:
        """The WARC headers and the (decoded) body of the first record for `uri`."""
        for file in sorted((self.outdir / "warc").glob("*.warc.gz")):
            with open(file, "rb") as fh:
                for record in ArchiveIterator(fh):
                    if record.rec_headers.get_header("WARC-Target-URI") == uri:
                        return dict(record.rec_headers.headers), record.content_stream().read()
        raise AssertionError(f"no WARC record for {uri}")

    def warc_uris(self) -> list[str]:
        uris = []
        for file in sorted((self.outdir / "warc").glob("*.warc.gz")):
            with open(file, "rb") as fh:
                uris += [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(fh)]
        return uris


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _source(name: str, server: HostileServer, **more: object) -> dict:
    return {"name": name, "start_urls": [server.base + "/"], "allowed_domains": ["127.0.0.1"], **more}


def _only_own_host(server: HostileServer) -> None:
    """Every request this server got was addressed to it (not to `localhost`, which reaches it too)."""
    assert {h.host for h in server.hits} == {server.netloc}, {h.host for h in server.hits}


# ---- 1. redirects and refreshes stay inside allowed_domains ------------------------------------------------


def _offsite_route(other: str):
    def route(path: str, base: str) -> Reply:
        port = urlsplit(base).port
        pages = {
            "/": link_page(["/to-localhost.html", "/to-other.html", "/to-other-root.html", "/refresh.html",
                            "/chain.html", "/moved.html", "/bomb.html"]),
            "/a/1.html": ARTICLES[0],
            "/a/2.html": ARTICLES[1],
            "/refresh.html": (f'<html><head><meta http-equiv="refresh" content="0; url={other}/a/3.html">'
                              "</head><body>跳转中</body></html>").encode(),
            "/sitemap.xml": ('<?xml version="1.0" encoding="UTF-8"?>\n'
                             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                             f"<url><loc>{base}/a/2.html</loc></url><url><loc>{other}/a/4.html</loc></url>"
                             "</urlset>").encode(),
            "/bomb-sitemap.xml": entity_bomb_sitemap(f"{base}/a/5.html"),
        }
        redirects = {
            "/to-localhost.html": f"http://localhost:{port}/a/1.html",
            "/to-other.html": f"{other}/a/2.html",
            "/to-other-root.html": f"{other}/",
            "/chain.html": "/chain-2.html",  # one hop on the site, the next one off it
            "/chain-2.html": f"{other}/a/5.html",
            "/moved.html": "/a/1.html",  # an ordinary redirect on the site still works
            "/moved-sitemap.xml": f"{other}/sitemap.xml",
        }
        if path == "/robots.txt":
            return Reply(body=b"User-agent: *\nAllow: /\n", ctype="text/plain")
        if path in redirects:
            return Reply(302, headers={"Location": redirects[path]})
        if path == "/bomb.html":  # 64 MiB of spaces behind 64 KiB of gzip
            return Reply(body=_bomb(), headers={"Content-Encoding": "gzip"})
        if path in pages:
            ctype = "application/xml" if path.endswith(".xml") else "text/html; charset=utf-8"
            return Reply(body=pages[path], ctype=ctype)
        return Reply(404, b"not found")
    return route


def _other_route(path: str, base: str) -> Reply:
    """The site the crawl must never reach: it would give articles and sitemaps to anyone who asks."""
    if path == "/robots.txt":
        return Reply(body=b"", ctype="text/plain")
    if path == "/sitemap.xml":
        return Reply(body=(f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{base}/a/6.html'
                           "</loc></url></urlset>").encode(), ctype="application/xml")
    return Reply(body=ARTICLES[int(path[3]) % len(ARTICLES)] if path.startswith("/a/") else link_page(["/a/1.html"]))


@functools.cache
def _bomb() -> bytes:
    return gzip_bomb(64 << 20)


@pytest.fixture(scope="module")
def offsite_crawl(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("offsite")
    with serve(_other_route, "127.0.0.2") as other, serve(_offsite_route(other.base)) as site:
        sources = write_sources(tmp / "sources.yaml", [_source(
            "hostile", site, sitemaps=[site.base + "/sitemap.xml", site.base + "/moved-sitemap.xml",
                                       site.base + "/bomb-sitemap.xml"])])
        crawl = Crawl(sources, tmp / "out")
        yield crawl, site, other


def test_redirects_and_refreshes_never_leave_the_allowed_domains(offsite_crawl):
    crawl, site, other = offsite_crawl
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert other.hits == []  # 127.0.0.2 was never asked for anything, robots.txt included
    _only_own_host(site)  # nor was localhost, which is this very server
    reasons = crawl.skip_reasons()
    for path in ("/to-localhost.html", "/to-other.html", "/to-other-root.html", "/refresh.html", "/chain.html",
                 "/moved-sitemap.xml"):
        assert reasons.get(path) == "offsite", (path, reasons.get(path))
    offsite = [r for r in crawl.skipped() if r["reason"] == "offsite"]
    assert all("127.0.0.2" in r["detail"] or "localhost" in r["detail"] for r in offsite), offsite
    # what was stored and archived is the allowed host's only
    netlocs = {urlsplit(u).netloc for r in crawl.articles()
               for u in (r["url"], r["provenance"]["url"], r["provenance"]["final_url"])}
    assert netlocs == {site.netloc}
    assert {urlsplit(u).netloc for u in crawl.warc_uris()} == {site.netloc}
    # and an ordinary redirect on the site still leads to its article
    assert {_path(r["url"]) for r in crawl.articles()} == {"/a/1.html", "/a/2.html"}
    by_path = {_path(r["url"]): r for r in crawl.articles()}
    assert _path(by_path["/a/1.html"]["provenance"]["url"]) == "/moved.html"


# ---- 4. a gzip bomb is too large; an entity-bomb sitemap is a bad sitemap ----------------------------------


def test_a_gzip_bomb_is_too_large(offsite_crawl):
    crawl, site, _ = offsite_crawl
    assert "/bomb.html" in site.paths()
    skips = [r for r in crawl.skipped() if _path(r["url"]) == "/bomb.html"]
    assert [r["reason"] for r in skips] == ["too_large"], skips


def test_an_entity_bomb_sitemap_is_a_bad_sitemap(offsite_crawl):
    crawl, _, _ = offsite_crawl
    skips = [r for r in crawl.skipped() if _path(r["url"]) == "/bomb-sitemap.xml"]
    assert [r["reason"] for r in skips] == ["bad_sitemap"], skips
    assert "entit" in skips[0]["detail"]


# ---- 3. robots.txt: huge, failing, slow or gone --------------------------------------------------------------

ROBOTS_SIZE = 10 << 20  # over DOWNLOAD_MAXSIZE (8 MiB)
# What each site's robots.txt does, and whether its pages may then be fetched (RFC 9309: a 4xx but 429 means
# there are no rules; a 5xx, 429, timeout or unreadable file means the site could not say, so nothing is fetched).
ROBOTS_CASES = {
    "huge": (Reply(body=filler_lines(ROBOTS_SIZE, first=ROBOTS_DISALLOW_PRIVATE), ctype="text/plain",
                   length=ROBOTS_SIZE), "rules"),
    "huge_unsized": (Reply(body=filler_lines(ROBOTS_SIZE, first=ROBOTS_DISALLOW_PRIVATE), ctype="text/plain"),
                     "rules"),
    "gone": (Reply(404, b"not found"), "allowed"),
    "forbidden": (Reply(403, b"forbidden"), "allowed"),
    "failing": (Reply(503, "服务暂时不可用".encode()), "disallowed"),
    "throttled": (Reply(429, b"slow down"), "disallowed"),
    "slow": (Reply(body=ROBOTS_DISALLOW_PRIVATE, ctype="text/plain", delay=3.0), "disallowed"),  # > timeout
}


def _robots_route(robots: Reply, other: str):
    def route(path: str, base: str) -> Reply:
        if path == "/robots.txt":
            return robots
        if path == "/":
            return Reply(body=link_page(["/private/a.html", "/open.html"]))
        if path in ("/private/a.html", "/open.html"):
            return Reply(body=ARTICLES[2 if path == "/open.html" else 3])
        return Reply(404, b"not found")
    return route


@pytest.fixture(scope="module")
def robots_crawl(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("robots")
    with serve(_other_route, "127.0.0.2") as other, contextlib.ExitStack() as stack:
        sites = {name: stack.enter_context(serve(_robots_route(reply, other.base)))
                 for name, (reply, _) in ROBOTS_CASES.items()}
        # a robots.txt that redirects off the allowed domains is not followed: the site could not say
        sites["offsite"] = stack.enter_context(serve(_robots_route(
            Reply(302, headers={"Location": f"{other.base}/robots.txt"}), other.base)))
        sources = write_sources(tmp / "sources.yaml", [_source(name, site) for name, site in sites.items()])
        crawl = Crawl(sources, tmp / "out")
        yield crawl, sites, other


def test_robots_txt_that_is_huge_failing_or_slow_allows_nothing_it_did_not_say(robots_crawl):
    crawl, sites, other = robots_crawl
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    expect = {name: verdict for name, (_, verdict) in ROBOTS_CASES.items()} | {"offsite": "disallowed"}
    stored = {(urlsplit(r["url"]).netloc, _path(r["url"])) for r in crawl.articles()}
    skipped = {(urlsplit(r["url"]).netloc, _path(r["url"])): r for r in crawl.skipped()}
    wrong = {}  # case -> what went wrong: every case is checked, all wrong ones named
    for name, site in sites.items():
        _only_own_host(site)
        asked = set(site.paths())
        verdict = expect[name]
        if verdict == "allowed":  # no rules: the whole site is crawled
            if not {(site.netloc, "/open.html"), (site.netloc, "/private/a.html")} <= stored:
                wrong[name] = f"not every page stored; asked {sorted(asked)}"
        elif verdict == "rules":  # the rules in the first 500 KiB hold
            skip = skipped.get((site.netloc, "/private/a.html"), {})
            if "/private/a.html" in asked or skip.get("reason") != "robots":
                wrong[name] = f"the disallowed page was fetched or not skipped as robots: {skip}"
            elif (site.netloc, "/open.html") not in stored:
                wrong[name] = "the allowed page was not stored"
        else:  # the host is disallowed: nothing but robots.txt is requested
            skip = skipped.get((site.netloc, "/"), {})
            if not asked <= {"/robots.txt"} or skip.get("reason") != "robots":
                wrong[name] = f"asked {sorted(asked)}, the start page skipped as {skip.get('reason')}"
    assert not wrong, wrong
    assert other.hits == []  # the robots.txt redirected there was not followed
    # a huge robots.txt is read up to 500 KiB, not to its end, and archived as what was read
    assert crawl.seconds < 40
    for name in ("huge", "huge_unsized"):
        headers, body = crawl.warc_record(sites[name].base + "/robots.txt")
        assert headers.get("WARC-Truncated") == "length", name
        assert body.startswith(ROBOTS_DISALLOW_PRIVATE) and 500 * 1024 <= len(body) < 2 << 20


# ---- 2. spider traps end, within limits the user can change ------------------------------------------------

WIDE_LINKS = 6000  # over the default cap of links read per page (5,000)


def _trap_route(path: str, base: str) -> Reply:
    """Pages that always link further: ever deeper paths, ever longer paths, endless pagination, a calendar
    without end, a page with a link too long to request and one with more links than a page should have."""
    parts = urlsplit(path)
    if path == "/robots.txt":  # the wide page's links are disallowed: counted and refused, never requested
        return Reply(body=b"User-agent: *\nDisallow: /w/\n", ctype="text/plain")
    if path == "/":
        return Reply(body=link_page(["/deep/1/", "/grow/" + "g" * 100 + "/", "/list?page=1", "/cal/2024-06/",
                                     "/long.html", "/wide.html"]))
    if parts.path.startswith("/deep/"):
        n = parts.path.rstrip("/").rsplit("/", 1)[-1]
        return Reply(body=link_page([f"{parts.path}{int(n) + 1}/"]))
    if parts.path.startswith("/grow/"):
        return Reply(body=link_page([f"{parts.path}{'g' * 100}/"]))
    if parts.path == "/list":
        return Reply(body=link_page([f"/list?page={int(parts.query.split('=')[1]) + 1}"]))
    if parts.path.startswith("/cal/"):
        year, month = map(int, parts.path.split("/")[2].split("-"))
        prev = f"{year - (month == 1)}-{(month - 2) % 12 + 1:02d}"
        following = f"{year + (month == 12)}-{month % 12 + 1:02d}"
        return Reply(body=link_page([f"/cal/{prev}/", f"/cal/{following}/"]))
    if path == "/long.html":
        return Reply(body=link_page(["/x/" + "y" * 3000 + ".html", "/a/1.html"]))
    if path == "/wide.html":
        return Reply(body=link_page(f"/w/{i}.html" for i in range(WIDE_LINKS)))
    if path == "/a/1.html":
        return Reply(body=ARTICLES[4])
    return Reply(404, b"not found")


@pytest.fixture
def trap_site():
    with serve(_trap_route) as site:
        yield site


def _tree_route(path: str, base: str) -> Reply:
    """A tree of pages, each linking four more: 4^depth of them, so that only a cap on pages ends it soon."""
    if path == "/robots.txt":
        return Reply(404, b"not found")
    if path == "/":
        return Reply(body=link_page(["/tree/"]))
    return Reply(body=link_page([f"{path}{i}/" for i in range(4)]))


@pytest.fixture
def tree_site():
    with serve(_tree_route) as site:
        yield site


def _depth(path: str, prefix: str) -> int:
    return len([p for p in urlsplit(path).path[len(prefix):].split("/") if p])


def test_spider_traps_end_with_the_default_limits(trap_site, tmp_path):
    """No --max-pages, no limit given: the traps end by depth, URL length and links per page, each cut
    recorded. (A tree of pages would take 4^25 requests: the per-source cap ends it, tested below.)"""
    site = trap_site
    sources = write_sources(tmp_path / "s.yaml", [_source("traps", site)])
    crawl = Crawl(sources, tmp_path / "out")
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    _only_own_host(site)
    paths = site.paths()
    deep = [p for p in paths if p.startswith("/deep/")]
    assert max(_depth(p, "/deep/") for p in deep) == 25  # "/" is depth 0, /deep/1/ depth 1 ...
    assert max(int(p.split("=")[1]) for p in paths if p.startswith("/list?")) == 25  # /list?page=1 is depth 1
    assert max(len(site.base + p) for p in paths) <= 2083  # the URL length limit
    assert not [p for p in paths if p.startswith(("/x/", "/w/"))]
    reasons = crawl.skip_reasons()
    assert reasons["/deep/" + "".join(f"{i}/" for i in range(1, 27))] == "too_deep"
    assert reasons["/list?page=26"] == "too_deep"
    assert reasons["/x/" + "y" * 3000 + ".html"] == "url_too_long"
    cut = {r["reason"]: r for r in crawl.skipped() if r["reason"] in ("too_deep", "url_too_long")}
    assert cut["too_deep"]["source"] == "traps" and "over 25" in cut["too_deep"]["detail"]
    assert cut["url_too_long"]["source"] == "traps" and "over 2083" in cut["url_too_long"]["detail"]
    assert any(r == "url_too_long" for p, r in reasons.items() if p.startswith("/grow/"))
    wide = [r for r in crawl.skipped() if _path(r["url"]) == "/wide.html" and r["reason"] == "too_many_links"]
    assert wide and str(WIDE_LINKS) in wide[0]["detail"], wide
    assert sum(1 for p in reasons if p.startswith("/w/")) == 5000  # links past the cap are not even refused
    assert "/a/1.html" in {_path(r["url"]) for r in crawl.articles()}
    summary = crawl.summary()
    assert summary["cut"]["too_deep"] >= 2 and summary["cut"]["url_too_long"] >= 2
    assert len(paths) < 200


def test_trap_limits_are_flags(trap_site, tree_site, tmp_path):
    """Every limit can be set; a source's own max_pages overrides --max-pages-per-source."""
    sources = write_sources(tmp_path / "s.yaml", [_source("traps", trap_site, max_pages=1000),
                                                  _source("tree", tree_site)])
    crawl = Crawl(sources, tmp_path / "out", "--max-depth", "4", "--max-url-length", "150",
                  "--max-links-per-page", "100", "--max-pages-per-source", "40")
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    _only_own_host(trap_site)
    _only_own_host(tree_site)
    paths = trap_site.paths()
    assert max(_depth(p, "/deep/") for p in paths if p.startswith("/deep/")) == 4
    assert max(int(p.split("=")[1]) for p in paths if p.startswith("/list?")) == 4
    assert max(len(trap_site.base + p) for p in paths) <= 150
    skips = crawl.skipped()
    reasons = {(urlsplit(r["url"]).netloc, r["reason"]) for r in skips}
    for reason in ("too_deep", "url_too_long", "too_many_links"):
        assert (trap_site.netloc, reason) in reasons, reason
    assert sum(1 for r in skips if r["reason"] == "robots") == 100  # the wide page's first 100 links
    # the tree: 40 requests, then cut (its depth limit alone allows 1 + 1 + 4 + 16 + 64 pages)
    assert len([p for p in tree_site.paths() if p != "/robots.txt"]) == 40
    assert (tree_site.netloc, "source_cap") in reasons
    assert (trap_site.netloc, "source_cap") not in reasons  # its own max_pages: 1000


def test_a_page_of_200000_links_costs_little_memory(tmp_path):
    """The page's links are read up to the cap and the rest only counted: the crawler neither holds 200,000
    URLs nor makes 200,000 requests (or refusals). Before the cap it peaked at ~630 MiB."""
    n = 200_000
    page = link_page(f"/p{i}" for i in range(n))  # ~5.9 MB: under DOWNLOAD_MAXSIZE

    def route(path: str, base: str) -> Reply:
        if path == "/robots.txt":
            return Reply(body=b"User-agent: *\nDisallow: /p\n", ctype="text/plain")
        return Reply(body=page) if path == "/" else Reply(404, b"not found")

    with serve(route) as site:
        crawl = Crawl(write_sources(tmp_path / "s.yaml", [_source("wide", site)]), tmp_path / "out")
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert crawl.peak_rss < 200 << 20, crawl.peak_rss >> 20
    assert site.paths() == ["/robots.txt", "/"]
    _only_own_host(site)
    skips = crawl.skipped()
    wide = [r for r in skips if r["reason"] == "too_many_links"]
    assert len(wide) == 1 and str(n) in wide[0]["detail"]
    assert sum(1 for r in skips if r["reason"] == "robots") == 5000
