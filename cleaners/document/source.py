"""The two types every stage shares: where a document came from, and why it could not be cleaned.

A module of their own so that the stages import them without importing the public API; cleaners.core re-exports
both.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class CleanError(Exception):
    """A document that cannot be cleaned; `reason` is a short machine-readable word."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass
class Source:
    """Where a document came from, as far as it is known."""

    name: str  # path or URL as given
    url: str | None = None
    fetched_at: str | None = None
    final_url: str | None = None
    http_status: int | None = None
    http_charset: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
