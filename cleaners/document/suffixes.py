"""The file suffixes that name a page's format: a leaf module, so that what only sorts paths by suffix (finding
inputs, guarding outputs) does not import the cleaner that reads the pages."""
from __future__ import annotations

HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
TEXT_SUFFIXES = {".txt", ".text"}
