"""Warming the cleaner up before forking workers: one small page cleaned and every text rule compiled, under the
collector's pause and freeze. `newsclean clean -j N` and the crawl's fork server share it."""
from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator

from cleaners import regexcache
from cleaners.text.rules import default_table

# a small Chinese article: cleaning it loads the extractors, the tables and the lazy imports a page needs
WARM_PAGE = ("<html><head><title>预热</title></head><body><article><p>"
             + "这是一段用于预热清洗器的中文正文，句子完整，标点齐全。" * 8 + "</p></article></body></html>")


@contextlib.contextmanager
def loading() -> Iterator[None]:
    """Around the first cleaning of a run, which loads rule tables, extractors and lazy imports: the cyclic
    collector is paused (loading creates ~100,000 long-lived objects, which would set off collections that walk
    them again and again: 40% of a warm-up), and what is loaded is then frozen: never collected, so full
    collections during the run skip it, and in a forked worker they do not touch (and copy) the pages it shares
    with the parent."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
    gc.freeze()


def warm_up_with(clean_page: Callable[[str], object]) -> None:
    """Clean WARM_PAGE with `clean_page` and compile every rule, inside loading(): what they load is then loaded
    once, before forking, and shared by every worker instead of each worker paying for it on its first page. The
    patterns compiled are written to the regex cache now: workers end without running exit handlers."""
    with loading():
        try:
            clean_page(WARM_PAGE)
            default_table().compile_all()  # the rules of every script, not only those the warm-up page tried
        except Exception:  # a warm-up that fails costs nothing but the warm-up
            pass
    regexcache.save()
