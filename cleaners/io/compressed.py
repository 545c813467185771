"""Plain, gzip and zstandard files opened as one stream, with a zstandard file cut short reported as gzip's is.

JSON Lines inputs come compressed or not, chosen by suffix; the zstandard library reports a file that ends inside
a frame as a normal end of file, so the frames are walked here to tell a truncated file from a complete one.
"""
from __future__ import annotations

import gzip
import io
import os
from typing import IO, Any


def open_binary(path: str) -> IO[bytes]:
    """A buffered binary stream over a plain, gzip or zstandard file (chosen by suffix)."""
    lower = path.lower()
    if lower.endswith(".gz"):
        return gzip.open(path, "rb")
    if lower.endswith(".zst"):
        return io.BufferedReader(ZstdFrames(path))
    return open(path, "rb")


def zstd_error() -> type[Exception]:
    try:
        import zstandard
    except ImportError:  # pragma: no cover - zstandard is a dependency
        return OSError
    return zstandard.ZstdError


class ZstdFrames(io.RawIOBase):
    """A zstandard file, frame after frame, read through the library's bounded stream reader. That reader reports a
    file that ends inside a frame as a normal end of file, so at the end the frames are walked (headers and block
    sizes only, nothing decompressed): a file cut short raises EOFError there, as a truncated gzip file does."""

    def __init__(self, path: str) -> None:
        import zstandard

        self._path = path
        self.source = open(path, "rb")  # the compressed file: its position is how far reading has got
        self._reader = zstandard.ZstdDecompressor().stream_reader(self.source, closefd=True, read_across_frames=True)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self._reader.readinto(buffer)
        if n == 0 and (problem := zstd_truncation(self._path)):
            raise EOFError(problem)
        return n

    def close(self) -> None:
        self._reader.close()
        super().close()


ZSTD_MAGIC = 0xFD2FB528


ZSTD_SKIPPABLE = 0x184D2A50  # to 0x184D2A5F: a skippable frame (4-byte size, then data)
ZSTD_MAGIC_BYTES = 4  # every frame starts with a 4-byte magic number
ZSTD_SKIPPABLE_HEADER = 8  # a skippable frame: its magic number, then the 4-byte size of its data
ZSTD_FRAME_HEADER_MAX = 18  # the longest frame header
ZSTD_BLOCK_HEADER = 3  # each block of a frame starts with a 3-byte header


def zstd_truncation(path: str) -> str | None:
    """Why a zstandard file is incomplete (its last frame cut short), or None: frame headers and block headers
    are read, blocks are skipped by their sizes (RFC 8878)."""
    import zstandard

    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        pos = 0
        while pos < size:
            fh.seek(pos)
            head = fh.read(ZSTD_FRAME_HEADER_MAX)
            magic = int.from_bytes(head[:ZSTD_MAGIC_BYTES], "little") if len(head) >= ZSTD_MAGIC_BYTES else None
            if magic is not None and magic & 0xFFFFFFF0 == ZSTD_SKIPPABLE:
                if len(head) < ZSTD_SKIPPABLE_HEADER:
                    return f"a skippable frame at byte {pos} is cut short"
                pos += ZSTD_SKIPPABLE_HEADER + int.from_bytes(head[ZSTD_MAGIC_BYTES:ZSTD_SKIPPABLE_HEADER], "little")
                continue
            if magic is None:
                return f"the file ends inside a frame header, at byte {size:,} (truncated)"
            if magic != ZSTD_MAGIC:
                return None  # not a frame: the decompressor reports what it is
            try:
                header = zstandard.frame_header_size(head)
                checksum = 4 if zstandard.get_frame_parameters(head).has_checksum else 0
            except zstandard.ZstdError:
                return f"the file ends inside a frame header, at byte {size:,} (truncated)"
            pos += header
            while True:  # blocks: a 3-byte header, then the block (one byte for an RLE block)
                fh.seek(pos)
                block = fh.read(ZSTD_BLOCK_HEADER)
                if len(block) < ZSTD_BLOCK_HEADER:
                    return f"the file ends inside a frame, at byte {size:,} (truncated)"
                value = int.from_bytes(block, "little")
                pos += ZSTD_BLOCK_HEADER + (1 if (value >> 1) & 3 == 1 else value >> 3)
                if value & 1:
                    break
            pos += checksum
        if pos > size:
            return f"the file ends inside a frame, at byte {size:,} (truncated)"
    return None
