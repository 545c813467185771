"""The cleaning done in worker processes, off the Twisted reactor: raw page in, record or skip reason out."""
from __future__ import annotations

from typing import Any

from cleaners.config import CleanerConfig
from cleaners.core import CleanError, Source, clean_bytes

_config: CleanerConfig | None = None


def init_worker(config: dict[str, Any]) -> None:
    """Process-pool initializer: build the cleaner config once per worker."""
    global _config
    _config = CleanerConfig.from_dict(config)


def clean_page(body: bytes, source: dict[str, Any], keywords: tuple[str, ...] = ()) -> tuple[str, Any]:
    """("ok", record dict) or ("skip", reason); never raises, so one bad page cannot break the pool."""
    try:
        doc = clean_bytes(body, Source(**source), fmt="html", config=_config or CleanerConfig())
    except CleanError as exc:
        return "skip", exc.reason
    except Exception as exc:  # a bug on one page must not cost the crawl
        return "skip", f"internal: {type(exc).__name__}: {exc}"[:200]
    if keywords and not any(k in doc.text or k in (doc.title or "") for k in keywords):
        return "skip", "off_topic"
    return "ok", doc.to_dict()
