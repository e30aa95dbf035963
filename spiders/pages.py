"""HTML listing pages (sections, date archives): their links and their "next page" link (pure)."""

from __future__ import annotations

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
