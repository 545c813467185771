"""Bytes to text: BOM, then a declared charset, then detection.

Chinese legacy charsets are decoded by their supersets: gb2312/gbk as gb18030 (pages labelled gb2312 routinely
contain GBK-only characters) and big5 as big5hkscs.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Superset codecs for labels that real pages under-declare.
_SUPERSETS = {
    "gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "cp936": "gb18030", "euc-cn": "gb18030",
    "x-gbk": "gb18030", "hz": "gb18030", "big5": "big5hkscs", "big5-tw": "big5hkscs", "cp950": "big5hkscs",
    "big5hkscs": "big5hkscs", "x-big5": "big5hkscs", "ascii": "utf-8", "us-ascii": "utf-8",
    "iso-8859-1": "cp1252", "latin-1": "cp1252", "latin1": "cp1252",
}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-]+)""", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_\-]+)""", re.I)


class DecodeError(ValueError):
    """The bytes are not text in any charset we can recognise."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # the codec actually used, e.g. "utf-8", "gb18030", "big5hkscs"
    method: str  # "bom", "declared", "http", "utf-8" or "detected"


def canonical_codec(label: str | None) -> str | None:
    """Map a charset label to the codec we decode it with, or None when Python does not know it."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _SUPERSETS.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return _SUPERSETS.get(name, name)


def declared_charset(raw: bytes) -> str | None:
    """The charset a page declares in a meta tag or XML declaration (first 4 KiB only)."""
    head = raw[:4096]
    m = _XML_DECL.search(head) or _META_CHARSET.search(head)
    return m.group(1).decode("ascii", "ignore") if m else None


def _strict(raw: bytes, codec: str) -> str | None:
    try:
        return raw.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_bytes(raw: bytes, http_charset: str | None = None) -> Decoded:
    """Decode page bytes: BOM, then the HTTP charset, then the page's own declaration, then detection.

    A declaration that does not decode cleanly is ignored (pages lie about their charset); detection runs
    on what is left. Raises DecodeError for binary data.
    """
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            return Decoded(raw[len(bom):].decode(codec, "replace"), _SUPERSETS.get(codec, codec), "bom")
    if b"\x00" in raw[:4096] and not _looks_utf16(raw):
        raise DecodeError("binary content (NUL bytes)")
    for label, method in ((http_charset, "http"), (declared_charset(raw), "declared")):
        codec = canonical_codec(label)
        if codec and codec != "utf-8" and (text := _strict(raw, codec)) is not None and _plausible(text):
            return Decoded(text, codec, method)
        if codec == "utf-8" and (text := _strict(raw, "utf-8")) is not None:
            return Decoded(text, "utf-8", method)
    if (text := _strict(raw, "utf-8")) is not None:
        return Decoded(text, "utf-8", "utf-8")
    return _detect(raw)


def _looks_utf16(raw: bytes) -> bool:
    head = raw[:200]
    return head[1::2].count(0) > len(head) // 4 or head[0::2].count(0) > len(head) // 4


def _plausible(text: str) -> bool:
    """A legacy decode is plausible when it yields few private-use or control characters."""
    sample = text[:20000]
    bad = sum(1 for c in sample if "\ue000" <= c <= "\uf8ff" or (c < " " and c not in "\t\n\r\f"))
    return bad <= max(2, len(sample) // 500)


def _detect(raw: bytes) -> Decoded:
    best = from_bytes(raw[:200_000], cp_isolation=None).best()
    if best is None:
        # charset-normalizer gives up on some short or mixed pages: try the Chinese legacy codecs in turn
        for codec in ("gb18030", "big5hkscs"):
            if (text := _strict(raw, codec)) is not None and _plausible(text):
                return Decoded(text, codec, "detected")
        raise DecodeError("undecodable bytes: no charset fits")
    codec = canonical_codec(best.encoding) or best.encoding
    text = raw.decode(codec, "replace")
    if not _plausible(text):
        raise DecodeError(f"binary content (detected {codec} yields control characters)")
    return Decoded(text, codec, "detected")
