"""Output names: the suffixes a record output may have, its shards on disk, and its records read back.

A run's output is named once (`out.jsonl.zst`, `out.parquet`) and everything else follows from the name: the
format, the shard names (`out-00000.jsonl.zst`), the `.part` each is written as. Resume, the output guard and
dedup read records back through `iter_records`, whatever the format.
"""
from __future__ import annotations

import glob
import json
import os
import re
from collections.abc import Iterator
from typing import Any

from cleaners.io.jsonl_out import TORN, open_jsonl
from cleaners.io.parquet_out import iter_parquet

JSONL_OUTPUTS = (".jsonl.gz", ".jsonl.zst", ".jsonl")
PARQUET_OUTPUTS = (".parquet",)
PART = ".part"


class OutputError(ValueError):
    """An output name we cannot write (unknown suffix, or a shard/format combination we do not support)."""


def split_output(output: str) -> tuple[str, str]:
    """`out.jsonl.gz` -> (`out`, `.jsonl.gz`); a name without a known suffix is JSON Lines as it is."""
    lower = output.lower()
    for suffix in (*JSONL_OUTPUTS, *PARQUET_OUTPUTS):
        if lower.endswith(suffix):
            return output[: -len(suffix)], output[-len(suffix):]
    return output, ""


def output_kind(output: str) -> str:
    """`parquet`, `gz`, `zst` or `plain` (JSON Lines)."""
    suffix = split_output(output)[1].lower()
    if suffix == ".parquet":
        return "parquet"
    return {".jsonl.gz": "gz", ".jsonl.zst": "zst"}.get(suffix, "plain")


def shard_name(output: str, index: int) -> str:
    stem, suffix = split_output(output)
    return f"{stem}-{index:05d}{suffix}"


def existing_shards(output: str, part: bool = False) -> list[str]:
    """Complete shards of `output` on disk (or their `.part` files), in index order."""
    stem, suffix = split_output(output)
    suffix += PART if part else ""
    pattern = re.compile(re.escape(os.path.basename(stem)) + r"-\d{5}" + re.escape(suffix) + "$")
    found = [p for p in glob.glob(glob.escape(stem) + "-[0-9]*" + glob.escape(suffix))
             if pattern.fullmatch(os.path.basename(p))]
    return sorted(found)


def iter_records(path: str, strict: bool = False) -> Iterator[dict[str, Any]]:
    """Records of a JSON Lines (plain, .gz, .zst) or Parquet file.

    By default it stops quietly at a torn or truncated tail (what a kill leaves, for resume); `strict`
    raises instead (for files given as input).
    """
    if output_kind(path.removesuffix(".old").removesuffix(PART)) == "parquet":
        yield from iter_parquet(path, strict)
        return
    try:
        with open_jsonl(path, output_kind(path.removesuffix(PART).removesuffix(".old").removesuffix(PART))) as fh:
            for line in fh:
                if not line.endswith("\n") and not strict:
                    return
                if line.strip():
                    yield json.loads(line)
    except TORN:
        if strict:
            raise
        return
