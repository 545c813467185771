"""The cache directory of newsclean's start-up caches (compiled patterns, parsed tables), and its files: marshal
data behind a name line and a SHA-256 of the data, written atomically, read only when whole and unaltered.

`NEWSCLEAN_CACHE_DIR` names the directory (default `$XDG_CACHE_HOME/newsclean`, or `~/.cache/newsclean`); set to an
empty string, nothing is read or written. A cache only saves time: a file that is missing, damaged, too large or
not ours reads as nothing, and a directory that cannot be written is skipped.
"""
from __future__ import annotations

import hashlib
import marshal
import os
import sys
from pathlib import Path
from typing import Any

CACHE_ENV = "NEWSCLEAN_CACHE_DIR"
MAX_FILE_BYTES = 32 * 1024 * 1024  # a larger file (another program's, a pathological table) is not read
_DIGEST_HEX = 64
# marshal's format is Python's own: files are per Python version
PY_TAG = f"py{sys.version_info[0]}{sys.version_info[1]}"


def cache_dir() -> Path | None:
    """The cache directory, or None when caching is off."""
    base = os.environ.get(CACHE_ENV)
    if base is None:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = os.path.join(xdg, "newsclean") if xdg else os.path.join(os.path.expanduser("~"), ".cache",
                                                                            "newsclean")
    return Path(base) if base else None


def read(path: Path, magic: bytes) -> Any:
    """The data of a file `write` made with this `magic` line, or None."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    head = len(magic)
    if not data.startswith(magic) or len(data) < head + _DIGEST_HEX + 1:
        return None
    digest, payload = data[head:head + _DIGEST_HEX], data[head + _DIGEST_HEX + 1:]
    if hashlib.sha256(payload).hexdigest().encode() != digest:
        return None
    try:
        return marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None


def write(path: Path, magic: bytes, value: Any) -> bool:
    """Replace the file with `value` (plain data marshal can write); False when it could not be written."""
    import tempfile  # only a start that writes needs it

    try:
        payload = marshal.dumps(value)
        if len(payload) > MAX_FILE_BYTES:
            return False
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(magic + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except (OSError, ValueError):
        return False
    return True
