"""Decide whether an extracted page is an article: the rejections other than decoding ones."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml.etree import XPath
from lxml.html import HtmlElement

from extract.errors import NoContent, NotAnArticle, Paywalled, TooShort
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
# Paywalled: the page says the article is not free and the text is short; or a subscription prompt
# was dropped from a short text; or paywall markup is present and the short text ends mid-sentence.
PAYWALL_MAX_WORDS = 200
PAYWALL_PROMPT_MAX_WORDS = 150
# Class/id words of paywall markup (whole words of the attribute value).
PAYWALL_CLASS_WORDS = ("paywall", "paywalled", "premium", "subscriber", "subscribers", "abonne", "abonnes", "paid")

_CLASS_AND_ID = XPath("//@class | //@id", smart_strings=False)
# A paywall word as a whole word of a class/id value ("-", "_" or a space around it).
_PAYWALL_WORD = re.compile(r"(?<![a-z])(?:" + "|".join(PAYWALL_CLASS_WORDS) + r")(?![a-z])", re.I)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
# A text that stops like a cut teaser: no closing punctuation, or an ellipsis.
_COMPLETE_END = re.compile(r"[.!?:;»\"”)\]]\s*$")


@dataclass(frozen=True)
class PageSignals:
    """What the gates look at besides metadata and text: paywall markup, and teasers (links to other
    pages: link-only paragraphs dropped before extraction plus extracted lines that are a link's text)."""

    paywall_markup: bool = False
    teaser_lines: int = 0
    teaser_chars: int = 0
    candidate_chars: int = 0


def word_count(text: str) -> int:
    """Whitespace words, counting two CJK characters as a word (those scripts have no spaces)."""
    return max(len(text.split()), len(_CJK.findall(text)) // 2)


def paywall_markup(root: HtmlElement) -> bool:
    """Whether a class or id of the page names a paywall."""
    return _PAYWALL_WORD.search(" ".join(_CLASS_AND_ID(root))) is not None


def teaser_signals(
    lines: list[str], link_keys: set[str], dropped_teasers: int, dropped_chars: int, paywall: bool
) -> PageSignals:
    """Count teasers among the candidate text: dropped link-only paragraphs plus kept lines that
    are the whole text of a link."""
    linked = [line for line in lines if norm_key(line) in link_keys]
    return PageSignals(
        paywall_markup=paywall,
        teaser_lines=len(linked) + dropped_teasers,
        teaser_chars=sum(len(line) for line in linked) + dropped_chars,
        candidate_chars=sum(len(line) for line in lines) + dropped_chars,
    )


def _truncated(text: str) -> bool:
    return text.rstrip().endswith(("…", "...")) or not _COMPLETE_END.search(text)


def check_paywall(meta: PageMeta, text: str, words: int, signals: PageSignals, dropped: dict[str, int]) -> None:
    """Raise Paywalled when only a teaser of a paywalled article was served."""
    if meta.accessible_for_free is False and words < PAYWALL_MAX_WORDS:
        raise Paywalled(f"isAccessibleForFree false and {words} words")
    if dropped.get("subscription", 0) and words < PAYWALL_PROMPT_MAX_WORDS:
        raise Paywalled(f"subscription prompt and {words} words")
    if signals.paywall_markup and words < PAYWALL_PROMPT_MAX_WORDS and _truncated(text):
        raise Paywalled(f"paywall markup and a cut text of {words} words")


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


def check_article(meta: PageMeta, text: str, signals: PageSignals, min_words: int, dropped: dict[str, int]) -> None:
    """Raise the first rejection that applies (no content, paywall, not an article, too short)."""
    words = word_count(text)
    if words == 0:
        raise NoContent("no main text found")
    check_paywall(meta, text, words, signals, dropped)
    check_listing(meta, words, signals)
    if words < min_words:
        raise TooShort(f"{words} words < {min_words}")
