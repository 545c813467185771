"""newsclean: clean Chinese news pages (HTML or flattened text) into normalised text with provenance.

    from cleaners import clean_text, clean_html, clean_file
    doc = clean_file("seeds/003_eb5bf98bd8c8b1df.txt")
    doc.title, doc.text, doc.to_dict()
"""
from .config import CleanerConfig, ConfigError
from .core import CleanError, Source, __version__, clean_bytes, clean_file, clean_html, clean_text
from .record import Document, Provenance

__all__ = [
    "CleanError", "CleanerConfig", "ConfigError", "Document", "Provenance", "Source", "__version__",
    "clean_bytes", "clean_file", "clean_html", "clean_text",
]
