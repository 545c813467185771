"""Installed distributions' versions, read from the names of their `.dist-info` directories on sys.path.

Provenance records the versions that cleaned a page (newsclean's, trafilatura's) and language id checks
langdetect's. `importlib.metadata.version` reads them from each distribution's METADATA, but importing it and asking
three times cost ~0.12 G instructions of every start (a tenth of a one-page `newsclean clean`). A wheel's
`.dist-info` directory is named `{name}-{version}` (the name escaped with underscores), so one listing of each
sys.path directory gives the same versions. A distribution not found that way (an egg, a zip on sys.path) is asked
of importlib.metadata (installed_version).
"""
from __future__ import annotations

import functools
import os
import sys

_SUFFIX = ".dist-info"
_EGG = ".egg-info"


def _normal(name: str) -> str:
    """A distribution name as wheels escape it: runs of `-`, `_` and `.` as one underscore, lower case."""
    out: list[str] = []
    for ch in name.lower():
        if ch in "-_.":
            if not out or out[-1] != "_":
                out.append("_")
        else:
            out.append(ch)
    return "".join(out)


@functools.cache
def _listed() -> dict[str, str | None]:
    """{normalised name: version} of the `.dist-info` directories on sys.path, the first of each name winning (as
    importlib.metadata finds distributions in sys.path order). A name whose first metadata is an `.egg-info` maps
    to None: its version is left to importlib.metadata."""
    found: dict[str, str | None] = {}
    for entry in sys.path:
        try:
            listing = os.scandir(entry or ".")
        except OSError:  # a zip file, a missing directory
            continue
        with listing:
            for item in listing:
                if item.name.endswith(_EGG):
                    found.setdefault(_normal(item.name[: -len(_EGG)].split("-")[0]), None)
                    continue
                if not item.name.endswith(_SUFFIX):
                    continue
                name, _, version = item.name[: -len(_SUFFIX)].rpartition("-")
                if name and version[:1].isdigit():
                    found.setdefault(_normal(name), version)
    return found


def version(name: str) -> str | None:
    """The installed version of distribution `name`, or None when no `.dist-info` directory names it."""
    return _listed().get(_normal(name))


def installed_version(name: str, missing: str) -> str:
    """The installed version of `name` (from its `.dist-info` name, else importlib.metadata), or `missing`."""
    found = version(name)
    if found is not None:
        return found
    from importlib import metadata as importlib_metadata

    try:
        return importlib_metadata.version(name)
    except importlib_metadata.PackageNotFoundError:
        return missing
