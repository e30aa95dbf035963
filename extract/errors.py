"""Rejections: why a page did not become an ArticleRecord (each carries a snake_case reason code).

``REJECTION_REASONS`` is the one registry of every reason a page is counted under (``rejected.<reason>`` in
the run report): the extractor's own rejections and the extract stage's (HTTP status, dates, schema, the
per-page time limit). The stage counts only registered reasons and the run report's legend is built from it.
"""

from __future__ import annotations

import re

# Reason codes and what each means (the run report's legend). ``http_<status>`` stands for every status.
REJECTION_REASONS: dict[str, str] = {
    # Decided by the extract stage before the extractor sees the page.
    "http_<status>": "the archived response had this HTTP status instead of 200 (e.g. http_404)",
    # The extractor's rejections (extract_article raises a Rejected subclass with the code).
    "not_html": "the response is not an HTML document (content type or content)",
    "too_large": "the body is over the size limit (max_response_bytes), or inflates beyond it once decompressed",
    "undecodable": "the bytes could not be decoded to text in any plausible charset",
    "too_complex": "the page has more HTML elements than the site's max_elements (a bound on extraction time)",
    "not_an_article": "a section front, tag page, gallery, video-only page or live-blog shell",
    "too_short": "the extracted body has fewer words than the site's minimum",
    "no_content": "no main text could be extracted at all",
    # Decided by the extract stage around the extractor.
    "too_slow": "extraction took longer than the per-page time limit (page_timeout_s); its worker was killed",
    "extractor_error": "the extractor raised an unexpected error or its worker process died (a bug: logged)",
    "no_publication_date": "the page gives no publication date, so it has no place in the archive",
    "bad_publication_date": "the publication date the page gives cannot be read as a date",
    "invalid_record": "the extracted record breaks the published ArticleRecord schema (a bug: logged)",
}
_HTTP_REASON = re.compile(r"^http_[0-9]{3}$")


def is_rejection_reason(code: str) -> bool:
    """Whether ``code`` is a registered reason (``http_404`` matches ``http_<status>``)."""
    return code in REJECTION_REASONS or bool(_HTTP_REASON.match(code))


def reason_meaning(code: str) -> str:
    """What a reason code means (ValueError for an unregistered code)."""
    if _HTTP_REASON.match(code):
        return f"the archived response had HTTP status {code.removeprefix('http_')} instead of 200"
    if code not in REJECTION_REASONS:
        raise ValueError(f"unknown rejection reason {code!r}")
    return REJECTION_REASONS[code]


class Rejected(Exception):
    """A page that does not yield an article; ``reason`` is a code from ``REJECTION_REASONS``."""

    reason: str = "rejected"

    def __init__(self, detail: str = "", *, reason: str | None = None) -> None:
        if reason is not None:
            self.reason = reason
        if not is_rejection_reason(self.reason):
            raise ValueError(f"unknown rejection reason {self.reason!r}")
        self.detail = detail
        super().__init__(f"{self.reason}: {detail}" if detail else self.reason)

    def __reduce__(self) -> tuple[object, ...]:
        # Rejections cross process boundaries (the extract stage's workers): keep reason and detail.
        return (_rebuild, (type(self), self.detail, self.reason))


def _rebuild(cls: type[Rejected], detail: str, reason: str) -> Rejected:
    return cls(detail, reason=reason)


class NotHTML(Rejected):
    """The content is not HTML (declared content type or what the bytes look like)."""

    reason = "not_html"


class TooLarge(Rejected):
    """The body, or what it inflates to, is over the size limit."""

    reason = "too_large"


class Undecodable(Rejected):
    """No charset turns the bytes into plausible text."""

    reason = "undecodable"


class NotAnArticle(Rejected):
    """The page is a listing, gallery, video or live shell rather than an article."""

    reason = "not_an_article"


class TooShort(Rejected):
    """The extracted body is below the minimum word count."""

    reason = "too_short"


class TooComplex(Rejected):
    """The parsed page has more elements than the extractor will process (its WARC record is kept)."""

    reason = "too_complex"


class TooSlow(Rejected):
    """Extraction of the page overran the per-page time limit (raised by the stage's worker pool)."""

    reason = "too_slow"


class NoContent(Rejected):
    """Extraction found no main text."""

    reason = "no_content"
