"""HTML listing pages (sections, date archives): their links and their "next page" link (pure)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

# Anchor texts (lower-cased, stripped) that mean "next page" when the page has no rel=next.
NEXT_TEXTS = frozenset({
    "next", "next page", "next »", "older", "older posts", "older articles", "more", "»", "›", ">",
    "suivant", "suivante", "page suivante", "suivant »", "plus", "weiter", "nächste seite", "siguiente",
})
NEXT_CLASS_WORDS = ("next", "pagination-next", "pager-next")
# <link rel="canonical" href="..."> in the first bytes of a page (attribute order and quoting vary).
_CANONICAL_TAG = re.compile(rb"<link\b[^>]*\brel=[\"']?canonical\b[^>]*>", re.IGNORECASE)
_HREF = re.compile(rb"\bhref=(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", re.IGNORECASE)
CANONICAL_SCAN_BYTES = 65536


@dataclass(frozen=True)
class ListingPage:
    """What a section or archive page offers: every http(s) link (absolute, in order) and the next page."""

    links: tuple[str, ...]
    next_url: str | None


def parse_listing(html: str | bytes, url: str) -> ListingPage:
    """Extract links and the next-page URL (rel=next first, then a link whose text or class says next)."""
    if not html.strip():
        return ListingPage(links=(), next_url=None)
    try:
        doc = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return ListingPage(links=(), next_url=None)
    base = url
    for href in doc.xpath("//base/@href"):
        base = urljoin(url, str(href).strip())
        break
    links: dict[str, None] = {}
    for href in doc.xpath("//a/@href"):
        absolute = _absolute(base, str(href))
        if absolute:
            links[absolute] = None
    return ListingPage(links=tuple(links), next_url=_next_url(doc, base, url))


def _absolute(base: str, href: str) -> str | None:
    href = href.strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
        return None
    absolute = urljoin(base, href)
    return absolute if urlsplit(absolute).scheme in ("http", "https") else None


def _next_url(doc: lxml.html.HtmlElement, base: str, page_url: str) -> str | None:
    rel_next = doc.xpath(
        "//link[contains(concat(' ', normalize-space(@rel), ' '), ' next ')]/@href"
        " | //a[contains(concat(' ', normalize-space(@rel), ' '), ' next ')]/@href")
    candidates = [str(h) for h in rel_next]
    for a in doc.xpath("//a[@href]"):
        text = " ".join(a.text_content().split()).lower()
        classes = (a.get("class") or "").lower().split()
        if text in NEXT_TEXTS or any(c in NEXT_CLASS_WORDS for c in classes):
            candidates.append(str(a.get("href")))
    for href in candidates:
        absolute = _absolute(base, href)
        # A "next" pointing back at this very page would loop.
        if absolute and absolute.split("#", 1)[0] != page_url.split("#", 1)[0]:
            return absolute
    return None


def canonical_href(body: bytes) -> str | None:
    """The href of the page's <link rel="canonical"> (entities unescaped), searched in the first
    CANONICAL_SCAN_BYTES with a regular expression: a full parse per article would cost more than the fetch."""
    tag = _CANONICAL_TAG.search(body[:CANONICAL_SCAN_BYTES])
    match = _HREF.search(tag.group(0)) if tag else None
    if match is None:
        return None
    raw = next(g for g in match.groups() if g is not None).decode("utf-8", "replace")
    href = html.unescape(raw).strip()
    return href or None
