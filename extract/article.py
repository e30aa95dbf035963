"""extract_article: one page's HTML + URL to an ArticleRecord, or a Rejected exception with a reason."""

from __future__ import annotations

from urllib.parse import urlsplit

import lxml.etree
import lxml.html
from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from extract.body import DEFAULT_BODY_OPTIONS, BodyOptions
from extract.decode import decode_html, sniff_binary
from extract.errors import NoContent, NotHTML, TooComplex
from extract.gates import check_article
from extract.hints import DEFAULT_HINTS, ExtractHints
from extract.language import choose_language
from extract.layers import clean_text
from extract.metadata import page_metadata
from extract.record import ArticleRecord, RawRef, article_id
from extract.version import EXTRACTOR_VERSIONS


def parse_html(text: str) -> HtmlElement:
    """Parse decoded text the way trafilatura does; NotHTML when it is not an HTML document."""
    head = text.lstrip()[:1024]
    if "<" not in head:
        raise NotHTML("no markup at the start of the document")
    tree = load_html(text)
    if tree is None:
        raise NotHTML("not parseable as an HTML document")
    return tree


def check_size(tree: HtmlElement, max_elements: int) -> None:
    """TooComplex when the tree has more than ``max_elements`` elements (counting stops there)."""
    for count, _ in enumerate(tree.iter(), start=1):
        if count > max_elements:
            raise TooComplex(f"more than {max_elements} elements")


# libxml2 drops everything nested deeper than 256 elements unless told the document is huge; that parse
# is only the fallback for pages the normal one finds empty, so ordinary pages parse exactly as trafilatura's.
DEEP_PARSER = lxml.html.HTMLParser(huge_tree=True, collect_ids=False, default_doctype=False,
                                   remove_comments=True, remove_pis=True)


def parse_deep_html(text: str) -> HtmlElement | None:
    """The page parsed without libxml2's depth limit, or None when that parse fails too."""
    try:
        return lxml.html.document_fromstring(text, parser=DEEP_PARSER)
    except (lxml.etree.ParserError, ValueError):
        return None


def _htmldate(tree: HtmlElement, url: str) -> str | None:
    """htmldate's publication date (a bare date), the last resort when metadata has none.

    Without extensive search: that mode hands free text to dateparser, which costs more than the
    whole rest of the extraction, for dates that are mostly wrong on pages without date markup.
    """
    try:
        found = find_date(tree, url=url, original_date=True, extensive_search=False, outputformat="%Y-%m-%d")
    except Exception:  # htmldate raises assorted errors on odd markup; a missing date is the answer
        return None
    return str(found) if found else None


def _site_id(site: str, url: str) -> str:
    return site or (urlsplit(url).hostname or "").removeprefix("www.")


def extract_article(
    html: str | bytes,
    url: str,
    *,
    site: str = "",
    hints: ExtractHints | None = None,
    fetched_at: str | None = None,
    raw: RawRef | None = None,
    content_type: str | None = None,
    body_options: BodyOptions = DEFAULT_BODY_OPTIONS,
) -> ArticleRecord:
    """Extract one article from a page.

    ``html`` may be bytes (decoded with the declared charset, BOM or detection) or text. ``site`` is
    the site id (the URL's host when empty). Raises a ``Rejected`` subclass (NotHTML, Undecodable,
    NotAnArticle, TooShort, NoContent, TooComplex) whose ``.reason`` says why there is no article; a
    paywalled or metered article is returned with the text it shows and its ``access``.
    Pure: no I/O, deterministic for the same input.
    """
    hints = hints or DEFAULT_HINTS
    if isinstance(html, bytes):
        sniff_binary(html)
    source = decode_html(html, content_type)
    tree = parse_html(source)
    check_size(tree, hints.max_elements)
    meta = page_metadata(tree, url, tz_name=hints.timezone)
    published = meta.published or _htmldate(tree, url)
    layers = clean_text(tree, url, meta, hints, body_options)
    try:
        access = check_article(meta, layers.text, layers.signals, hints.min_words, layers.dropped)
    except NoContent:
        deep = parse_deep_html(source)
        if deep is None:
            raise
        check_size(deep, hints.max_elements)
        layers = clean_text(deep, url, meta, hints, body_options)
        access = check_article(meta, layers.text, layers.signals, hints.min_words, layers.dropped)
    text = layers.text
    lang = choose_language(text, meta.declared_language, hints.languages)
    return ArticleRecord(
        id=article_id(meta.canonical_url),
        url=url,
        canonical_url=meta.canonical_url,
        site=_site_id(site, url),
        title=meta.title,
        text=text,
        authors=meta.authors,
        published=published,
        modified=meta.modified,
        language=lang.language,
        language_confidence=lang.confidence,
        language_source=lang.source,
        section=meta.section,
        tags=meta.tags,
        description=meta.description,
        image=meta.image,
        site_name=meta.site_name,
        raw=raw,
        fetched_at=fetched_at,
        extractor=dict(EXTRACTOR_VERSIONS),
        dropped=layers.dropped,
        access=access,
        positions=layers.positions,
    )
