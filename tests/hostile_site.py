"""Hostile web servers for the crawler's tests: each one answers from a routing function and logs every request
it gets (the Host header and the path), so that a test can assert what the crawler asked for and from whom.

They bind to loopback addresses only (127.0.0.1 for the sites a crawl may visit, 127.0.0.2 for the one it must
never reach) and stop when their context ends; a reply can stream a long body, hold the answer back, or send
bytes that are not what their headers say.
"""
from __future__ import annotations

import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from test_crawl_helpers import SITE, gold

LOOPBACK_HOSTS = ("127.0.0.1", "127.0.0.2")


@dataclass
class Reply:
    status: int = 200
    body: bytes | Callable[[], Iterable[bytes]] = b""  # bytes, or a function giving the body's chunks
    ctype: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    length: int | None = None  # Content-Length for a streamed body (None: the connection's end marks it)
    delay: float = 0.0  # seconds before the answer


@dataclass
class Hit:
    host: str  # the Host header as sent
    path: str  # path and query


Route = Callable[[str, str], Reply]  # (path with query, base URL of this server) -> reply


@dataclass
class HostileServer:
    base: str  # http://HOST:PORT
    hits: list[Hit]

    @property
    def netloc(self) -> str:
        return urlsplit(self.base).netloc

    def paths(self) -> list[str]:
        return [h.path for h in self.hits]


class _Handler(BaseHTTPRequestHandler):
    route: Route
    base: str
    hits: list[Hit]
    lock: threading.Lock
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:  # quiet
        return

    def do_GET(self) -> None:  # noqa: N802
        with self.lock:
            self.hits.append(Hit(self.headers.get("Host", ""), self.path))
        reply = self.route(self.path, self.base)
        if reply.delay:
            time.sleep(reply.delay)
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.ctype)
        for k, v in reply.headers.items():
            self.send_header(k, v)
        try:
            if isinstance(reply.body, bytes):
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)
                return
            if reply.length is not None:
                self.send_header("Content-Length", str(reply.length))
            else:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            for chunk in reply.body():
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):  # the crawler stopped reading: what it should do
            self.close_connection = True


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        return  # a client that hangs up mid-body is expected here


@contextmanager
def serve(route: Route, host: str = "127.0.0.1") -> Iterator[HostileServer]:
    """Serve `route` on a free port of a loopback address, in a background thread, until the context ends."""
    if host not in LOOPBACK_HOSTS:
        raise ValueError(f"test servers bind to {LOOPBACK_HOSTS} only, not {host}")
    hits: list[Hit] = []
    handler = type("Handler", (_Handler,), {"route": staticmethod(route), "hits": hits, "lock": threading.Lock()})
    httpd = _QuietServer((host, 0), handler)
    handler.base = f"http://{host}:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield HostileServer(handler.base, hits)
    finally:
        httpd.shutdown()
        httpd.server_close()


# ---- bodies --------------------------------------------------------------------------------------------------


def article_pages(n: int) -> list[bytes]:
    """The bytes of n on-topic UTF-8 articles of the fixture site (real pages the cleaner keeps)."""
    paths = [p for p, r in gold().items() if r["on_topic"] and r["encoding"] == "utf-8" and r["linked"]]
    return [(SITE / p.lstrip("/")).read_bytes() for p in paths[:n]]


def link_page(hrefs: Iterable[str], title: str = "列表") -> bytes:
    """A list page linking each href (one short link a line: 200,000 of them fit in DOWNLOAD_MAXSIZE)."""
    items = "\n".join(f'<a href="{h}">条目</a>' for h in hrefs)
    return f"<html><head><title>{title}</title></head><body>\n{items}\n</body></html>".encode()


def gzip_bomb(size: int) -> bytes:
    """A gzip member of `size` bytes of spaces after an HTML start tag (~1/1000 of that compressed)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    out = [comp.compress(b"<html><body>")]
    block = b" " * (1 << 20)
    for _ in range(size // len(block)):
        out.append(comp.compress(block))
    out.append(comp.flush())
    return b"".join(out)


def entity_bomb_sitemap(url: str) -> bytes:
    """A sitemap whose one <loc> is a billion-laughs entity (10^9 copies of the URL if it were expanded)."""
    decls = [f'<!ENTITY e0 "{url}">']
    decls += [f'<!ENTITY e{i} "' + f"&e{i - 1};" * 10 + '">' for i in range(1, 10)]
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE urlset [\n' + "\n".join(decls) + "\n]>\n"
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&e9;</loc></url></urlset>\n'
            ).encode()


def filler_lines(total: int, first: bytes = b"", line: bytes = b"# a comment line of a huge robots.txt\n",
                 ) -> Callable[[], Iterator[bytes]]:
    """A streamed body of `total` bytes: `first`, then the same line again and again."""
    def chunks() -> Iterator[bytes]:
        block = line * ((1 << 16) // len(line))
        yield first
        sent = len(first)
        while sent < total:
            piece = block[: total - sent]
            sent += len(piece)
            yield piece
    return chunks


def write_sources(path: Path, sources: list[dict]) -> Path:
    import json

    path.write_text(json.dumps({"sources": sources}, ensure_ascii=False), "utf-8")  # JSON is YAML
    return path
