"""Why a candidate was dropped or a fetch failed: reason codes as data, and the exceptions that carry them.

Drops inside Scrapy's machinery are signalled the Scrapy way, by raising IgnoreRequest subclasses that
carry a reason; the spider's errback maps any failure to (category, reason) with ``classify_failure``.
"""

from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as tx_error

SKIPPED = "skipped"
ERRORS = "errors"
STAT_PREFIX = "newsarchive"  # our counters in Scrapy's stats: newsarchive/<category>/<reason>

# Every skip reason the stats always report (zeros included), with its meaning.
SKIP_REASONS: dict[str, str] = {
    "out_of_window": "the best date hint puts the candidate outside the window (and it is no archived article "
                     "the site reports modified)",
    "duplicate": "the canonical URL was already a candidate (or a redirect reached a known URL)",
    "denied_pattern": "the URL path matches no article_allow or some article_deny pattern",
    "robots": "robots.txt disallows the URL",
    "offsite": "the URL's origin (scheme, host, port) is not one of the site's (link, redirect, robots.txt, feed)",
    "already_archived": "in skip_urls, or archived (in the window) with no modification signal after the copy",
    "private_address": "the host is or resolves to a loopback/private/link-local address",
    "stale_sitemap": "a sitemap index child whose lastmod is before the window start",
    "max_pages": "the spec's max_pages budget of article requests was spent",
    "max_discovery_pages": "the spec's max_discovery_pages budget (feeds, sitemaps, sections, archives) was spent",
    "revisit_budget": "an archived article due for a revisit ([updates] revisit_after) beyond revisit_budget",
    "bad_url": "the link is not a usable http(s) URL",
    "ignored": "dropped by one of Scrapy's own filters (see the log)",
    "empty_archive_day": "a date-archive page answered 404 (usually nothing was published that day)",
}
# Every error reason the stats always report (zeros included); http_<status> appear as they occur.
ERROR_REASONS: dict[str, str] = {
    "http_404": "not found",
    "http_410": "gone",
    "http_429": "too many requests (after retries honouring Retry-After, or a Retry-After too long to wait)",
    "http_500": "server error (after retries)",
    "timeout": "no complete response within timeout_s (after retries)",
    "dns": "the host name does not resolve",
    "connection": "connection refused, reset or lost",
    "redirect_loop": "a redirect chain revisits a URL or is too long",
    "not_html": "an article URL answered with a non-HTML content type",
    "empty": "an article URL answered 200 with an empty body",
    "too_large": "the response exceeds max_response_bytes",
    "bad_feed": "a feed URL answered with something that is not RSS or Atom",
    "bad_sitemap": "a sitemap URL answered with something that is not a sitemap",
    "other": "any other failure (see the log)",
}


class Skip(IgnoreRequest):
    """A request deliberately not made (or not followed); ``reason`` is a key of SKIP_REASONS."""

    reason = "other"

    def __init__(self, detail: str = "") -> None:
        super().__init__(f"{self.reason}: {detail}" if detail else self.reason)


class RobotsDisallowed(Skip):
    """robots.txt forbids the URL for our user agent."""

    reason = "robots"


class PrivateAddress(Skip):
    """The host is, or resolves to, an address we must not reach."""

    reason = "private_address"


class OffsiteRedirect(Skip):
    """A redirect leaves the site's allowed origins."""

    reason = "offsite"


class OffsiteRequest(Skip):
    """A request (of any kind, Scrapy's own robots.txt fetch included) to an origin that is not the site's."""

    reason = "offsite"


class DuplicateRedirect(Skip):
    """A redirect reaches a URL that is already fetched or queued."""

    reason = "duplicate"


class FetchFailed(IgnoreRequest):
    """A fetch that happened but yields nothing usable; ``reason`` is a key of ERROR_REASONS."""

    reason = "other"

    def __init__(self, detail: str = "") -> None:
        super().__init__(f"{self.reason}: {detail}" if detail else self.reason)


class RedirectLoop(FetchFailed):
    """A redirect chain revisits a URL or exceeds the redirect limit."""

    reason = "redirect_loop"


# Exception types (Scrapy's wrapped ones and Twisted's raw ones) -> error reason, checked in order.
EXCEPTION_REASONS: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((DownloadTimeoutError, tx_error.TimeoutError, TimeoutError), "timeout"),
    ((CannotResolveHostError, tx_error.DNSLookupError), "dns"),
    ((DownloadCancelledError,), "too_large"),
    ((DownloadConnectionRefusedError, DownloadFailedError, ResponseDataLossError, tx_error.ConnectError,
      tx_error.ConnectionLost, tx_error.ConnectionDone, ConnectionError), "connection"),
)

# Bare IgnoreRequest raised by Scrapy from a private exception, by the cause's class name (Scrapy 2.19:
# HttpCompressionMiddleware refuses a body that inflates beyond DOWNLOAD_MAXSIZE).
IGNORE_CAUSE_REASONS = {"_DecompressionMaxSizeExceeded": "too_large"}


def stat_key(category: str, reason: str) -> str:
    """The Scrapy stats key a (category, reason) count lives under."""
    return f"{STAT_PREFIX}/{category}/{reason}"


def classify_failure(exc: BaseException) -> tuple[str, str]:
    """Map a request failure to (category, reason): ("skipped", ...) or ("errors", ...)."""
    if isinstance(exc, Skip):
        return SKIPPED, exc.reason
    if isinstance(exc, FetchFailed):
        return ERRORS, exc.reason
    if isinstance(exc, HttpError):
        return ERRORS, f"http_{exc.response.status}"
    for types, reason in EXCEPTION_REASONS:
        if isinstance(exc, types):
            return ERRORS, reason
    if isinstance(exc, IgnoreRequest):
        cause = type(exc.__cause__).__name__ if exc.__cause__ is not None else ""
        if cause in IGNORE_CAUSE_REASONS:
            return ERRORS, IGNORE_CAUSE_REASONS[cause]
        # Scrapy's own filters (e.g. its offsite middleware) raise the bare class.
        return SKIPPED, "ignored"
    return ERRORS, "other"
