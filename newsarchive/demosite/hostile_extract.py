"""Bodies of the hostile cases aimed at the extract stage (``newsarchive.demosite.hostile``): pages that once stopped a
window (a lone surrogate in JSON-LD, 100,000-level JSON-LD), took a minute to parse (100,000 attributes on
one element), came out as mojibake (a few invalid bytes in UTF-8) or run past the per-page time limit.
Each good one is a ``hostile_pages.GoodArticle`` that must come out word for word beside the bad part."""

from __future__ import annotations

from newsarchive.demosite import hostile_pages as hp

# One element's attributes: libxml2 checks each against all the earlier ones (quadratic), ~7 bytes each.
ATTRIBUTES = 100_000
# JSON-LD nesting: Python's json module raises RecursionError long before this.
JSONLD_DEPTH = 100_000
# Short paragraphs that make an under-1-MiB page take seconds of CPU (a 1 s limit in the test site).
SLOW_PARAGRAPHS = 30_000


def surrogate_jsonld(slug: str) -> bytes:
    """The article with lone surrogate escapes ("\\udfff") in its JSON-LD author and keywords: valid JSON, and
    text no UTF-8 encoder accepts once decoded."""
    html = hp.article_html(hp.GOOD_BY_SLUG[slug])
    bad = '"author": {"@type": "Person", "name": "Jane \\udfff Doe"}, "keywords": ["seals", "\\ud800"], '
    return html.replace('{"@context"', "{" + bad + '"@context"', 1).encode("utf-8")


def deep_jsonld(slug: str) -> bytes:
    """The article with a first JSON-LD block nested JSONLD_DEPTH levels deep, before its real one."""
    block = '<script type="application/ld+json">' + "[" * JSONLD_DEPTH + "]" * JSONLD_DEPTH + "</script>\n"
    return hp.article_html(hp.GOOD_BY_SLUG[slug]).replace("<title>", block + "<title>", 1).encode("utf-8")


def many_attributes(slug: str) -> bytes:
    """The article with one empty <div> carrying ATTRIBUTES distinct attributes before its paragraphs."""
    div = "<div " + " ".join(f"a{i}" for i in range(ATTRIBUTES)) + "></div>\n"
    return hp.article_html(hp.GOOD_BY_SLUG[slug]).replace("<article>", "<article>" + div, 1).encode("utf-8")


def bad_utf8_bytes(slug: str) -> bytes:
    """The article in UTF-8, with invalid bytes (a windows-1252 "é" and "’", a lone 0xFF, a cut 3-byte
    sequence) in a footer outside the article: the rest of the page must not turn into mojibake."""
    html = hp.article_html(hp.GOOD_BY_SLUG[slug]).encode("utf-8")
    footer = b"<footer><p>Caf\xe9 du march\xe9 \x92 ouvert \xff \xe2\x82</p></footer>\n"
    return html.replace(b"</body>", footer + b"</body>", 1)


def slow_page(slug: str) -> bytes:
    """The article followed by SLOW_PARAGRAPHS short paragraphs: legal, bounded, and seconds of CPU."""
    filler = "<p>Lorem ipsum dolor sit.</p>" * SLOW_PARAGRAPHS
    return hp.article_html(hp.GOOD_BY_SLUG[slug]).replace("</article>", filler + "</article>", 1).encode("utf-8")
