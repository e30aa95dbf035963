"""Discovery parsers (pure): RSS/Atom feeds, sitemaps and sitemap indexes, robots.txt Sitemap lines.

XML is parsed with a locked-down lxml parser: no entity expansion, no network, no huge trees.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import tzinfo
from urllib.parse import urljoin

from lxml import etree

from spiders.dates import DateHint, date_from_url, parse_date

GZIP_MAGIC = b"\x1f\x8b"
# Element local names, namespace-agnostic: feeds and sitemaps in the wild mix namespaces freely.
FEED_ITEM_NAMES = frozenset({"item", "entry"})
FEED_PUBLISHED_NAMES = ("published", "pubDate", "date", "issued")  # Atom, RSS 2.0, Dublin Core, Atom 0.3
FEED_UPDATED_NAMES = ("updated", "modified")
NEWS_DATE_NAME = "publication_date"


class DiscoveryError(ValueError):
    """A feed or sitemap document could not be used; ``reason`` is the error code to count."""

    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason
        super().__init__(f"{reason}: {detail}")


@dataclass(frozen=True)
class Discovered:
    """A link found by a discovery document, with whatever date hints the document gave."""

    url: str
    hints: tuple[DateHint, ...] = ()


@dataclass(frozen=True)
class Sitemap:
    """A parsed sitemap: kind "index" (entries are child sitemaps) or "urlset" (entries are pages)."""

    kind: str
    entries: tuple[Discovered, ...]


def safe_parser() -> etree.XMLParser:
    """An lxml XML parser that never expands entities, loads DTDs, uses the network or builds huge trees."""
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                           recover=True, remove_comments=True, remove_pis=True)


def parse_xml(body: bytes, reason: str) -> etree._Element:
    """Parse an XML document safely; raise DiscoveryError(reason) when nothing usable comes out."""
    text = body.lstrip()
    if not text:
        raise DiscoveryError(reason, "empty document")
    try:
        root = etree.fromstring(text, parser=safe_parser())
    except etree.XMLSyntaxError as exc:
        raise DiscoveryError(reason, f"not XML ({exc})") from exc
    if root is None:
        raise DiscoveryError(reason, "not XML")
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        # Feeds and sitemaps never need entities; declaring some is an XXE or entity-expansion attempt.
        raise DiscoveryError(reason, "entity declarations refused (XXE / entity expansion)")
    return root


def gunzip_limited(body: bytes, max_bytes: int) -> bytes:
    """Decompress a gzip body (a .xml.gz sitemap), refusing output beyond max_bytes; other bodies pass."""
    if not body.startswith(GZIP_MAGIC):
        return body
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, max_bytes + 1)
    except zlib.error as exc:
        raise DiscoveryError("bad_sitemap", f"corrupt gzip ({exc})") from exc
    if len(out) > max_bytes or inflater.unconsumed_tail:
        raise DiscoveryError("too_large", f"gzip sitemap inflates beyond {max_bytes} bytes")
    return out


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _child_text(el: etree._Element, name: str) -> str | None:
    for child in el:
        if _local(child) == name and child.text and child.text.strip():
            return str(child.text.strip())
    return None


def parse_sitemap(body: bytes, base_url: str, tz: tzinfo, max_bytes: int) -> Sitemap:
    """Parse a sitemap or sitemap index (gzip or not). URL entries carry lastmod, news:publication_date and
    URL-path hints; index entries carry their lastmod. Raise DiscoveryError for anything else."""
    root = parse_xml(gunzip_limited(body, max_bytes), "bad_sitemap")
    kind = _local(root)
    if kind not in ("sitemapindex", "urlset"):
        raise DiscoveryError("bad_sitemap", f"root element is <{kind}>, not <urlset> or <sitemapindex>")
    child_name = "sitemap" if kind == "sitemapindex" else "url"
    entries = []
    for node in root:
        if _local(node) != child_name:
            continue
        loc = _child_text(node, "loc")
        if not loc:
            continue
        url = urljoin(base_url, loc)
        hints = [parse_date(_child_text(node, "lastmod"), "lastmod", tz)]
        if kind == "urlset":
            hints.append(_news_date(node, tz))
            hints.append(date_from_url(url, tz))
        entries.append(Discovered(url=url, hints=tuple(h for h in hints if h is not None)))
    return Sitemap(kind="index" if kind == "sitemapindex" else "urlset", entries=tuple(entries))


def _news_date(node: etree._Element, tz: tzinfo) -> DateHint | None:
    for el in node.iter():
        if _local(el) == NEWS_DATE_NAME and el.text:
            return parse_date(el.text, "news", tz)
    return None


def parse_feed(body: bytes, base_url: str, tz: tzinfo) -> tuple[Discovered, ...]:
    """Parse RSS 2.0 / RSS 1.0 / Atom: each item's link with its published, updated and URL-path hints."""
    root = parse_xml(body, "bad_feed")
    if _local(root) not in ("rss", "RDF", "feed"):
        raise DiscoveryError("bad_feed", f"root element is <{_local(root)}>, not a feed")
    found = []
    for item in root.iter():
        if _local(item) not in FEED_ITEM_NAMES:
            continue
        link = _item_link(item)
        if not link:
            continue
        url = urljoin(base_url, link)
        hints = [_first_date(item, FEED_PUBLISHED_NAMES, "published", tz),
                 _first_date(item, FEED_UPDATED_NAMES, "lastmod", tz),
                 date_from_url(url, tz)]
        found.append(Discovered(url=url, hints=tuple(h for h in hints if h is not None)))
    return tuple(found)


def _item_link(item: etree._Element) -> str | None:
    """RSS <link>text</link>, else Atom <link rel="alternate" href>, else a permalink <guid>."""
    atom_href = None
    for child in item:
        if _local(child) != "link":
            continue
        if child.text and child.text.strip():
            return str(child.text.strip())
        href = child.get("href")
        if href and child.get("rel", "alternate") == "alternate" and atom_href is None:
            atom_href = str(href).strip()
    if atom_href:
        return atom_href
    for child in item:
        if _local(child) == "guid" and child.get("isPermaLink", "true") != "false" and child.text:
            guid = str(child.text.strip())
            if guid.startswith(("http://", "https://")):
                return guid
    return None


def _first_date(item: etree._Element, names: tuple[str, ...], kind: str, tz: tzinfo) -> DateHint | None:
    for name in names:
        hint = parse_date(_child_text(item, name), kind, tz)
        if hint is not None:
            return hint
    return None


def children_first_useful(children: Iterable[Discovered]) -> list[Discovered]:
    """A sitemap index's children, those with a lastmod first, oldest lastmod first (the stale ones are skipped
    anyway, so the first are those nearest the window), then the undated ones in document order: when the
    discovery budget cannot cover a huge index, it goes to the children most likely to list the window."""
    def order(item: tuple[int, Discovered]) -> tuple[int, float, int]:
        lastmod = next((h for h in item[1].hints if h.kind == "lastmod"), None)
        return (0, lastmod.value.timestamp(), item[0]) if lastmod is not None else (1, 0.0, item[0])

    return [child for _, child in sorted(enumerate(children), key=order)]


def robots_sitemaps(text: str, base_url: str) -> tuple[str, ...]:
    """The Sitemap: URLs announced in a robots.txt (order kept, duplicates dropped)."""
    urls: dict[str, None] = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        name, sep, value = line.partition(":")
        if sep and name.strip().lower() == "sitemap" and value.strip():
            urls[urljoin(base_url, value.strip())] = None
    return tuple(urls)
