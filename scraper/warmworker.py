"""Importing this module warms the cleaner up (scraper.cleanwork.warm_up).

The cleaning pool's fork server imports it (multiprocessing's forkserver preload, which takes module names), so
that every worker forked from the server starts with the rule tables and language profiles loaded and shared,
instead of each spawned worker loading them again. Nothing else should import it.
"""
from __future__ import annotations

from .cleanwork import warm_up

warm_up()
