"""The URLs a sitemap or a feed (RSS or Atom) lists, read without entities or network access."""
from __future__ import annotations

from urllib.parse import urljoin

from lxml import etree
from scrapy.utils.sitemap import Sitemap

from ..spiders.news import declares_entities

XML_URLS = 200  # URLs read from one sitemap or feed


def xml_urls(body: bytes, role: str, base: str) -> list[str] | None:
    """The first XML_URLS URLs of a sitemap (`role` "sitemap") or feed, made absolute against `base`; None for
    XML that declares entities or cannot be read."""
    if declares_entities(body):
        return None
    try:
        if role == "sitemap":
            sitemap = Sitemap(body)
            return [urljoin(base, e["loc"]) for e in sitemap if e.get("loc")][:XML_URLS]
        parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
        root = etree.fromstring(body, parser=parser) if body.strip() else None
    except Exception:  # lxml errors on hopeless XML
        return None
    if root is None:
        return None
    links = [str(x).strip() for x in root.xpath("//*[local-name()='item']/*[local-name()='link']/text()")]
    links += [el.get("href") for el in root.xpath("//*[local-name()='entry']/*[local-name()='link']")
              if el.get("rel", "alternate") == "alternate" and el.get("href")]
    return [urljoin(base, u) for u in links][:XML_URLS]
