"""Compiled regular expressions kept across processes: the `regex` module's compiler, which is Python, runs once
per pattern per machine instead of once per pattern per process.

`regex` parses and optimises a pattern in Python, then hands the engine a list of opcodes (`regex._main` calls
`_regex.compile` with the pattern, its flags, the opcodes and its group tables: a private hand-off, so this module
checks its shape and compiles as usual whenever it differs). The cleaner's patterns (its module patterns and the
rule tables) took ~70 ms of that at every start, a fifth of a one-page `newsclean clean`. `compile()` records those
opcodes the first time a pattern is compiled and keeps them in a cache file; the next process rebuilds the same
pattern object from them in microseconds.

The file (cleaners.cachefile: checked, bounded, replaced atomically) is keyed by the `regex` release and the
Python version: another release compiles afresh and writes its own file. Any failure to read or write it only means
compiling as usual; `NEWSCLEAN_CACHE_DIR=` (empty) turns it off.
"""
from __future__ import annotations

import atexit
import marshal
import threading
from pathlib import Path
from typing import Any

import regex

from cleaners import cachefile

try:  # regex's compiler and the engine it hands patterns to: what this cache relies on, checked at each use
    import regex._main as _regex_main
except ImportError:  # pragma: no cover - another layout of the regex package: plain regex.compile
    _regex_main = None

CACHE_ENV = cachefile.CACHE_ENV
_MAGIC = b"newsclean-regex-1\n"
# Bounds: the cleaner compiles about 150 patterns (~0.25 MB of opcodes); a config or site rules add a few.
# A file with more entries is ignored, and no more are added.
MAX_ENTRIES = 4_096
_KEY = 2  # an entry's key: (pattern, flags)
_ARGS = 11  # what regex's compiler hands the engine (regex._main._compile): pattern, flags, code, groups, ...

_lock = threading.Lock()
_entries: dict[tuple[str, int], tuple] | None = None  # read from the file on first use
# no cache directory, or a regex release without the engine hand-off this module records: plain regex.compile
_off = _regex_main is None or not hasattr(getattr(_regex_main, "_regex", None), "compile")
_new: dict[tuple[str, int], tuple] = {}  # compiled by this process, not in the file yet
_save_registered = False


def cache_file() -> Path | None:
    """The cache file for this `regex` release and Python version, or None when caching is off."""
    base = cachefile.cache_dir()
    version = getattr(regex, "__version__", "unknown")
    return None if base is None else base / f"regex-{version}-{cachefile.PY_TAG}.bin"


def compile(pattern: str, flags: int = 0) -> regex.Pattern:  # noqa: A001 - regex.compile's own name
    """`regex.compile(pattern, flags)`, rebuilt from the cache when this pattern was compiled before."""
    entries = _cached()
    if entries is None:
        return regex.compile(pattern, flags)
    key = (pattern, int(flags))
    args = entries.get(key)
    if args is not None:
        try:
            compiled = _regex_main._regex.compile(*args)
            if compiled.pattern == pattern:
                return compiled
        except Exception:  # noqa: BLE001 - an entry this engine refuses: compiled afresh below
            pass
    compiled, args = _compile_recording(pattern, flags)
    if args is not None and len(_new) < MAX_ENTRIES:
        _new[key] = args
        _register_save()
    return compiled


class _Recorder:
    """The `_regex` extension as regex's compiler sees it, with its final `compile` call recorded."""

    def __init__(self, real: Any) -> None:
        self._real = real
        self.args: tuple | None = None

    def compile(self, *args: Any) -> Any:
        self.args = args
        return self._real.compile(*args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def _compile_recording(pattern: str, flags: int) -> tuple[regex.Pattern, tuple | None]:
    """Compile (not from regex's own in-memory cache, so that the compiler runs) and keep what it handed the
    engine, as plain values marshal can write; None when they cannot be kept."""
    with _lock:
        real = _regex_main._regex
        recorder = _Recorder(real)
        _regex_main._regex = recorder
        try:
            compiled = regex.compile(pattern, flags, cache_pattern=False)
        finally:
            _regex_main._regex = real
    args = recorder.args
    if args is None or len(args) != _ARGS or args[0] != pattern:
        return compiled, None
    plain = (args[0], int(args[1]), *args[2:9], int(args[9]), args[10])
    try:
        marshal.dumps(plain)
    except ValueError:
        return compiled, None
    return compiled, plain


def _cached() -> dict[tuple[str, int], tuple] | None:
    """The entries of the cache file (read once), or None when caching is off."""
    global _entries, _off
    if _entries is None and not _off:
        path = cache_file()
        _off = path is None
        _entries = None if _off else _read(path)
    return _entries


def _read(path: Path) -> dict[tuple[str, int], tuple]:
    """The file's entries, or none when it is missing, damaged, too large or not what this module writes."""
    entries = cachefile.read(path, _MAGIC)
    if not isinstance(entries, dict) or len(entries) > MAX_ENTRIES:
        return {}
    return {k: v for k, v in entries.items() if isinstance(k, tuple) and len(k) == _KEY and isinstance(k[0], str)
            and isinstance(v, tuple) and len(v) == _ARGS and v[0] == k[0]}


def _register_save() -> None:
    global _save_registered
    if not _save_registered:
        _save_registered = True
        atexit.register(save)


def save() -> None:
    """Add the patterns this process compiled to the cache file (merged with what other processes wrote since),
    replacing it atomically. Called at exit, and by the warm-up of worker pools, whose workers never exit
    normally. Errors are ignored: the cache only saves time."""
    path = cache_file()
    if not _new or path is None:
        return
    entries = _read(path)
    for key, args in _new.items():
        if len(entries) >= MAX_ENTRIES:
            break
        entries.setdefault(key, args)
    if not cachefile.write(path, _MAGIC, entries):
        return
    if _entries is not None:
        _entries.update(_new)
    _new.clear()
