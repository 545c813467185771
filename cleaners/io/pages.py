"""Page files: a file named as an input, or a directory walked in sorted order for pages and a crawl's WARC files.

A page file becomes an item holding only its path: the worker reads and decodes it.
"""
from __future__ import annotations

from collections.abc import Iterator

from cleaners.core import Source
from cleaners.io.files import expand_inputs
from cleaners.io.items import InputItem
from cleaners.io.warc_items import WARC_SUFFIXES, read_warc


def read_pages(path: str) -> Iterator[InputItem]:
    """One item per page file under `path`; the WARC files a directory holds are read record by record."""
    for page in expand_inputs([path]):
        if page.lower().endswith(WARC_SUFFIXES):  # a crawl's OUTDIR/warc/, walked as a directory
            yield from read_warc(page)
        else:
            yield InputItem(Source(page), path=page)
