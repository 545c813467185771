"""Which optional extra brings which module, so a command that needs one says what to install.

`pip install newsclean` is the cleaner (and dedup) alone; crawling, Parquet and datatrove come as extras. A
module of an extra that is missing surfaces as ModuleNotFoundError wherever it is first imported; the CLI
turns it into one line naming the extra.
"""
from __future__ import annotations

# top-level module -> the extra that installs it
EXTRA_OF_MODULE = {
    "scrapy": "crawl",
    "scrapy_redis": "crawl",
    "twisted": "crawl",
    "redis": "crawl",
    "isal": "crawl",
    "pyarrow": "parquet",
    "datatrove": "datatrove",
}

# our package -> the extra its imports come from: a module that only an extra's own dependencies bring (Scrapy's
# w3lib, parsel, itemadapter ...) is not in the table above, but it is missing while importing `scraper`
EXTRA_OF_PACKAGE = {
    "scraper": "crawl",
    "cleaners.integrations": "datatrove",
}


def missing_extra(exc: ModuleNotFoundError) -> str | None:
    """The install hint for a missing module of one of our extras, or None when it is not one of theirs."""
    top = (exc.name or "").split(".")[0]
    extra = EXTRA_OF_MODULE.get(top) or _importing_package(exc)
    if extra is None:
        return None
    return f"this needs {top}, from the [{extra}] extra: pip install 'newsclean[{extra}]' (or newsclean[all])"


def _importing_package(exc: ModuleNotFoundError) -> str | None:
    """The extra of the innermost of our packages that was importing when the module was found missing."""
    found = None
    tb = exc.__traceback__
    while tb is not None:
        module = tb.tb_frame.f_globals.get("__name__", "")
        for package, extra in EXTRA_OF_PACKAGE.items():
            if module == package or module.startswith(package + "."):
                found = extra
        tb = tb.tb_next
    return found
