"""Decide whether an extracted page is an article (the rejections other than decoding ones) and its access."""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract.access import FREE, NO_MARKUP, AccessMarkup, page_access
from extract.errors import NoContent, NotAnArticle, TooShort
from extract.jsonld import ARTICLE_TYPES
from extract.metadata import PageMeta
from extract.textnorm import norm_key

# og:type prefixes that name something other than an article ("website" proves nothing: many
# article pages carry it).
NON_ARTICLE_OG_PREFIXES = ("video", "profile", "music", "book")
# JSON-LD types that, without an article type beside them, mean a listing, gallery or video page.
LISTING_TYPES = frozenset({"collectionpage", "itemlist", "searchresultspage", "profilepage"})
GALLERY_TYPES = frozenset({"imagegallery", "mediagallery", "videogallery", "videoobject"})
LIVE_TYPES = frozenset({"liveblogposting"})
# A page without an article type and with fewer words than this is a section front, tag page or
# gallery when it says so (listing/gallery type, og:type) or when its candidate text is mostly teasers:
# at least LISTING_MIN_TEASERS lines that are links to other pages, making LISTING_TEASER_SHARE of
# the characters.
LISTING_MAX_WORDS = 250
# With an explicit listing type (CollectionPage...) or a gallery/video type, fewer words than these:
# a tag page's intro or a video's blurb is short; an article set in such a page is not.
TYPED_LISTING_MAX_WORDS = 150
TYPED_MEDIA_MAX_WORDS = 80
LISTING_MIN_TEASERS = 5
LISTING_TEASER_SHARE = 0.5
# A live blog with fewer words than this is the shell (the posts load later).
LIVE_SHELL_MAX_WORDS = 120
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


@dataclass(frozen=True)
class PageSignals:
    """What the gates look at besides metadata and text: paywall/meter markup, and teasers (links to other
    pages: link-only paragraphs dropped before extraction plus extracted lines that are a link's text)."""

    markup: AccessMarkup = NO_MARKUP
    teaser_lines: int = 0
    teaser_chars: int = 0
    candidate_chars: int = 0


def word_count(text: str) -> int:
    """Whitespace words, counting two CJK characters as a word (those scripts have no spaces)."""
    return max(len(text.split()), len(_CJK.findall(text)) // 2)


def teaser_signals(
    lines: list[str], link_keys: set[str], dropped_teasers: int, dropped_chars: int, markup: AccessMarkup
) -> PageSignals:
    """Count teasers among the candidate text: dropped link-only paragraphs plus kept lines that
    are the whole text of a link."""
    linked = [line for line in lines if norm_key(line) in link_keys]
    return PageSignals(
        markup=markup,
        teaser_lines=len(linked) + dropped_teasers,
        teaser_chars=sum(len(line) for line in linked) + dropped_chars,
        candidate_chars=sum(len(line) for line in lines) + dropped_chars,
    )


def check_listing(meta: PageMeta, words: int, signals: PageSignals) -> None:
    """Raise NotAnArticle for live-blog shells, section fronts, tag pages, galleries and video pages."""
    types = meta.jsonld_types
    if types & LIVE_TYPES and words < LIVE_SHELL_MAX_WORDS:
        raise NotAnArticle(f"live blog shell ({words} words)")
    is_article = bool(types & (ARTICLE_TYPES - LIVE_TYPES)) or meta.og_type == "article"
    if is_article or words >= LISTING_MAX_WORDS:
        return
    if types & LISTING_TYPES and words < TYPED_LISTING_MAX_WORDS:
        raise NotAnArticle(f"page type {sorted(types & LISTING_TYPES)} and {words} words")
    if types & GALLERY_TYPES and words < TYPED_MEDIA_MAX_WORDS:
        raise NotAnArticle(f"page type {sorted(types & GALLERY_TYPES)} and {words} words")
    if (meta.og_type or "").startswith(NON_ARTICLE_OG_PREFIXES) and words < TYPED_MEDIA_MAX_WORDS:
        raise NotAnArticle(f"og:type {meta.og_type} and {words} words")
    if (
        signals.teaser_lines >= LISTING_MIN_TEASERS
        and signals.teaser_chars >= LISTING_TEASER_SHARE * signals.candidate_chars
    ):
        raise NotAnArticle(f"{signals.teaser_lines} teaser links make most of the text")


def check_article(meta: PageMeta, text: str, signals: PageSignals, min_words: int, dropped: dict[str, int]) -> str:
    """Raise the first rejection that applies (no content, not an article, too short); else return the
    article's access (free, paywalled, metered). A paywalled teaser is an article, never a rejection."""
    words = word_count(text)
    if words == 0:
        raise NoContent("no main text found")
    access = page_access(declared_free=meta.accessible_for_free, content_tier=meta.content_tier,
                         markup=signals.markup, text=text, words=words, dropped=dropped)
    check_listing(meta, words, signals)
    # A paywalled or metered page keeps the text it shows however short (a teaser is short by design).
    if access == FREE and words < min_words:
        raise TooShort(f"{words} words < {min_words}")
    return access
