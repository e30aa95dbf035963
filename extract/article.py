"""extract_article: one page's HTML + URL to an ArticleRecord, or a Rejected exception with a reason."""

from __future__ import annotations

from urllib.parse import urlsplit

from htmldate import find_date
from lxml.html import HtmlElement

from extract.body import DEFAULT_BODY_OPTIONS, BodyOptions
from extract.decode import decode_html, sniff_binary
from extract.errors import TooLarge
from extract.gates import check_article
from extract.hints import DEFAULT_HINTS, ExtractHints
from extract.language import choose_language
from extract.layers import clean_text
from extract.metadata import page_metadata
from extract.parse import check_size, parse_html
from extract.record import ArticleRecord, RawRef, article_id
from extract.safetext import without_surrogates
from extract.version import EXTRACTOR_VERSIONS


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
    the site id (the URL's host when empty). Raises a ``Rejected`` subclass (NotHTML, TooLarge, Undecodable,
    TooComplex, NotAnArticle, TooShort, NoContent) whose ``.reason`` says why there is no article, and
    nothing else for any input (see tests/extract/test_robust_properties.py); a paywalled or metered article
    is returned with the text it shows and its ``access``. The work per page is bounded (size, attributes,
    elements, metadata) but not timed: the extract stage runs it in worker processes it can kill
    (newsarchive.pipeline.extract_pool). Pure: no I/O, deterministic for the same input.
    """
    hints = hints or DEFAULT_HINTS
    if len(html) > hints.max_bytes:
        raise TooLarge(f"{len(html)} bytes > {hints.max_bytes}")
    if isinstance(html, bytes):
        sniff_binary(html)
    url = without_surrogates(url)
    # One parse per page, bounded (attributes per element, elements per page): every layer shares the tree.
    source = decode_html(html, content_type, max_bytes=hints.max_bytes)
    tree = parse_html(source, hints.max_attributes)
    del source  # the tree holds the page now: a large body is not kept twice
    check_size(tree, hints.max_elements)
    meta = page_metadata(tree, url, tz_name=hints.timezone)
    published = meta.published or _htmldate(tree, url)
    layers = clean_text(tree, url, meta, hints, body_options)
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
