"""One spelling per page: canonical URLs, so that an article is fetched and emitted once."""
from __future__ import annotations

from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import regex
from w3lib.url import safe_url_string

from cleaners import regexcache

# Query parameters that identify a campaign or a click, never the page.
_TRACKING = regexcache.compile(
    r"^(utm_\w+|spm|from|fromsource|share_?from|share_?token|shareid|sharesource|wxshare_count|fbclid|gclid|"
    r"dclid|msclkid|yclid|mc_cid|mc_eid|_hsenc|_hsmsa|ref_src|isappinstalled|scene|clicktime|enterid)$", regex.I)
_DEFAULT_PORTS = {"http": 80, "https": 443}
# File types never worth fetching as pages (checked before the request is made).
BINARY_EXTENSIONS = frozenset(
    "7z apk avi bmp bz2 css csv dmg doc docx exe flv gif gz ico iso jpeg jpg js m4a mov mp3 mp4 mpeg ogg pdf "
    "png ppt pptx rar rss svg tar tif tiff wav webm webp wma wmv woff woff2 xls xlsx zip".split())


@lru_cache(maxsize=200_000)  # navigation links repeat on every page of a site
def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no default port, no fragment, tracking parameters dropped, the rest of the
    query kept in order (sites use it for ids), an empty path as `/`."""
    parts = urlsplit(safe_url_string(url.strip()))  # percent-encoded, as Scrapy will request it
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if parts.port and parts.port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{parts.port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    return urlunsplit((scheme, host, parts.path or "/", urlencode(query), ""))


def has_binary_extension(url: str) -> bool:
    path = urlsplit(url).path.lower()
    return "." in path.rsplit("/", 1)[-1] and path.rsplit(".", 1)[-1] in BINARY_EXTENSIONS
