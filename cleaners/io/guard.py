"""Checks on an output before a run starts: it never replaces an input, a directory or a device, and only one
run writes it at a time.

`newsclean clean same.jsonl -o same.jsonl` would replace its own input; `-o /dev/full` would replace a device
node with a regular file; two runs on the same `-o` would share one `.part` file and one of them would lose its
output while reporting success. All of this is decided here, before anything is read or written, so that it
ends in one clear line.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from cleaners.io.files import ARCHIVE_SUFFIXES, PAGE_SUFFIXES, errors_path
from cleaners.io.outputs import JSONL_OUTPUTS, PARQUET_OUTPUTS, PART, OutputError, existing_shards, split_output

# Paths under these are never replaced by a file: /dev/stdout, /dev/fd/N and /proc/self/fd/N are symbolic links
# to whatever the descriptor is (a pipe, a terminal, or a regular file the shell opened), /dev/null a device.
# /dev/shm is a file system for ordinary files.
DEVICE_DIRS = ("/dev/", "/proc/")
FILE_DIRS_UNDER_DEV = ("/dev/shm/",)
LOCK_SUFFIX = ".lock"
COMPRESSION_SUFFIXES = (".gz", ".bz2", ".xz", ".zst", ".lz4", ".zip", ".br")  # shown with the suffix before
OUTPUT_SUFFIXES = tuple(sorted(JSONL_OUTPUTS, key=len)) + PARQUET_OUTPUTS  # .jsonl, .jsonl.gz, .jsonl.zst, .parquet


@dataclass(frozen=True)
class OutputPlan:
    """How a run writes `output`: through `.part` files renamed into place, or as a stream (`-`, a device, a pipe),
    written through as it is, with the error entries on standard error."""

    output: str
    stream: bool


def plan_output(output: str, inputs: Iterable[str] = (), *, shard_size: int | None = None,
                resume: bool = False) -> OutputPlan:
    """The plan for `output`, or OutputError when writing it would replace an input, a directory or a special
    file other than a device or pipe, which are written through, never replaced."""
    if output == "-":
        return OutputPlan(output, stream=True)
    st = _stat(output)
    inputs = list(inputs)
    absolute = os.path.abspath(output)
    under_dev = absolute.startswith(DEVICE_DIRS) and not absolute.startswith(FILE_DIRS_UNDER_DEV)
    if st is None and under_dev:
        raise OutputError(f"-o {output}: no such device; files are not created under {os.path.dirname(output)}")
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputError(f"-o {output} is a directory; name a file in it")
    if st is not None and not (stat.S_ISREG(st.st_mode) or stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode)):
        raise OutputError(f"-o {output} is not a regular file ({_kind(st.st_mode)}); it is never written")
    stream = st is not None and (not stat.S_ISREG(st.st_mode) or under_dev)  # /dev/stdout may be a regular file
    if stream and (shard_size or resume):
        raise OutputError(f"-o {output} is a device or a pipe: --shard-size and --resume need a regular file")
    regular = st is not None and stat.S_ISREG(st.st_mode)
    for target in ([output] if regular else []) if stream else _targets(output, shard_size):
        if (clash := _input_clash(target, inputs)) is not None:
            raise OutputError(f"-o {output} would replace the input {clash}: write the output somewhere else")
    if not stream:
        check_output_suffix(output)
    return OutputPlan(output, stream=stream)


def check_output_suffix(output: str) -> None:
    """OutputError for a file name whose suffix names no format the writers have: `out.json`, `out.csv` or
    `out.jsonl.bz2` would otherwise be written as plain JSON Lines under a name that says something else."""
    if not split_output(output)[1]:
        suffixes = Path(output).suffixes
        shown = suffixes[-2:] if suffixes and suffixes[-1].lower() in COMPRESSION_SUFFIXES else suffixes[-1:]
        known = ", ".join(OUTPUT_SUFFIXES[:-1]) + " or " + OUTPUT_SUFFIXES[-1]
        raise OutputError(f"-o {output}: unknown output format ({''.join(shown) or 'no suffix'}); "
                          f"name it {known}, or use - for standard output")


def _targets(output: str, shard_size: int | None) -> list[str]:
    """Every file a run on `output` replaces or appends to."""
    errors = errors_path(output) or ""
    names = [output, output + PART, errors, errors + PART]
    if shard_size:
        names += existing_shards(output) + existing_shards(output, part=True)
    return names


def _input_clash(target: str, inputs: list[str]) -> str | None:
    """The input that `target` is (the same file under any name), or lies in as a file the run would read."""
    st = _stat(target)
    for p in inputs:
        pst = _stat(p)
        if pst is None:
            continue
        if stat.S_ISDIR(pst.st_mode):
            if _read_from_directory(p, target):
                return target
        elif st is not None and (st.st_dev, st.st_ino) == (pst.st_dev, pst.st_ino):
            return p
    return None


def _read_from_directory(directory: str, target: str) -> bool:
    """Whether walking `directory` (files.expand_inputs) would take `target`: a page file or web archive that is
    not hidden, under the directory."""
    top = os.path.realpath(directory)
    path = os.path.realpath(target)
    if os.path.commonpath([top, path]) != top or path == top:
        return False
    if any(part.startswith(".") for part in os.path.relpath(path, top).split(os.sep)):
        return False
    lower = os.path.basename(path).lower()
    return os.path.splitext(lower)[1] in PAGE_SUFFIXES or lower.endswith(ARCHIVE_SUFFIXES)


def _stat(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:  # a symlink loop, a path too long, no permission
        raise OutputError(f"-o {path}: {exc.strerror or exc}") from exc


def _kind(mode: int) -> str:
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "a special file"


def lock_path(output: str) -> str:
    """`out.jsonl`, `out.jsonl.gz` and `out.parquet` share one errors file (`out.errors.jsonl`), hence one lock:
    `out.lock`."""
    return split_output(output)[0] + LOCK_SUFFIX


@contextlib.contextmanager
def output_lock(plan: OutputPlan) -> Iterator[None]:
    """Hold the output's lock file for the run (fcntl.flock; the kernel releases it when the process dies), or
    raise OutputError when another run holds it or the directory cannot be written. A stream needs no lock."""
    if plan.stream:
        yield
        return
    path = lock_path(plan.output)
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        fd = _acquire(path, plan.output)
    except OSError as exc:  # a read-only directory, no permission, a full disk
        raise OutputError(f"cannot write {plan.output}: {exc.strerror or exc}") from exc
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)  # while it is held: a run waiting on this name opens a new one (see _acquire)
        fcntl.flock(fd, fcntl.LOCK_UN)  # forked workers share the lock: release it for them too
        os.close(fd)


def _acquire(path: str, output: str) -> int:
    """The locked descriptor of `path`. The run that held it unlinks it before it lets go, so the lock taken is
    checked to still be the file under that name; otherwise it is taken again on the new file."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise OutputError(f"another run is writing {output} (it holds {path}); wait for it to finish "
                                  "or choose another -o") from None
            raise
        held, now = os.fstat(fd), _stat(path)
        if now is not None and (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino):
            return fd
        os.close(fd)
