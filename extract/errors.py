"""Rejections: why a page did not become an ArticleRecord (each carries a snake_case reason code)."""

from __future__ import annotations

# Every reason code a rejection can carry, in one place, so the run report can count pages by reason.
# Keys are the codes; values say what each means (for the report's legend).
REJECTION_REASONS: dict[str, str] = {
    "not_html": "the response is not an HTML document (content type or content)",
    "undecodable": "the bytes could not be decoded to text in any plausible charset",
    "not_an_article": "a section front, tag page, gallery, video-only page or live-blog shell",
    "too_short": "the extracted body has fewer words than the site's minimum",
    "paywalled": "the page marks the article as paywalled and only a teaser is visible",
    "no_content": "no main text could be extracted at all",
    "too_complex": "the page has more HTML elements than the site's max_elements (a bound on extraction time)",
}


class Rejected(Exception):
    """A page that does not yield an article; ``reason`` is a code from ``REJECTION_REASONS``."""

    reason: str = "rejected"

    def __init__(self, detail: str = "", *, reason: str | None = None) -> None:
        if reason is not None:
            self.reason = reason
        if self.reason not in REJECTION_REASONS:
            raise ValueError(f"unknown rejection reason {self.reason!r}")
        self.detail = detail
        super().__init__(f"{self.reason}: {detail}" if detail else self.reason)


class NotHTML(Rejected):
    """The content is not HTML (declared content type or what the bytes look like)."""

    reason = "not_html"


class Undecodable(Rejected):
    """No charset turns the bytes into plausible text."""

    reason = "undecodable"


class NotAnArticle(Rejected):
    """The page is a listing, gallery, video or live shell rather than an article."""

    reason = "not_an_article"


class TooShort(Rejected):
    """The extracted body is below the minimum word count."""

    reason = "too_short"


class Paywalled(Rejected):
    """The article is behind a paywall: only a teaser was served."""

    reason = "paywalled"


class TooComplex(Rejected):
    """The parsed page has more elements than the extractor will process (its WARC record is kept)."""

    reason = "too_complex"


class NoContent(Rejected):
    """Extraction found no main text."""

    reason = "no_content"
