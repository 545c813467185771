"""What the crawler process and its cleaning workers share about a page: its outcome (PageOutcome, which a
worker sends back) and how libxml2 reads its bytes (bytes_tree, for the links of a page whose worker died).

Kept apart from scraper.cleanwork, whose imports are the whole cleaner: the crawler process imports this module
only, and leaves the cleaner to the workers (~0.1 s less of every crawl's start-up)."""
from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree
from lxml import html as lxml_html

from cleaners.decode.charset import canonical_codec, declared_charset


@dataclass
class PageOutcome:
    """What became of a page: a record (an article) or a skip reason, and the page's links."""

    line: bytes = b""  # an article's record as its JSON line (store.encode_line)
    key: str | None = None  # the record's key in articles.jsonl (its `url`)
    reason: str = ""  # why there is no record: not_article, off_topic, no_text, internal ...
    detail: str = ""
    links: list[str] | None = None  # new canonical URLs linked from the page; None when it could not be parsed
    links_on_page: int = 0  # set when the page has more links than were read (max_links): how many it has
    worker_died: bool = False  # set by the crawler's side when the worker died on the page
    parsed: bool = field(default=False, repr=False)

    def skip(self, reason: str, detail: str = "") -> PageOutcome:
        self.line, self.key, self.reason, self.detail = b"", None, reason, detail
        return self


def bytes_tree(body: bytes, http_charset: str | None) -> lxml_html.HtmlElement:
    """The page's tree with libxml2 decoding the bytes (the header's or the page's charset when declared)."""
    codec = canonical_codec(http_charset or declared_charset(body))
    if codec:
        try:
            return lxml_html.document_fromstring(body, parser=_parser(codec))
        except (LookupError, etree.ParserError, ValueError):  # a codec Python knows and libxml2 not (euc_jp)
            pass
    return lxml_html.document_fromstring(body, parser=_parser(None))


_parsers: dict[str | None, lxml_html.HTMLParser] = {}


def _parser(codec: str | None) -> lxml_html.HTMLParser:
    if codec not in _parsers:
        _parsers[codec] = lxml_html.HTMLParser(encoding=codec, remove_comments=True, no_network=True)
    return _parsers[codec]
