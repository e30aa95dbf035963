"""Retries with backoff that honour Retry-After (Scrapy's RetryMiddleware retries at once and ignores it).

A retried response (429, 5xx: RETRY_HTTP_CODES) waits before its retry is scheduled: the server's
Retry-After (delta-seconds or an HTTP date) when it sends one, else an exponential backoff
(NEWSARCHIVE_RETRY_BACKOFF_S x 2^(attempt-1)). A Retry-After beyond NEWSARCHIVE_RETRY_AFTER_MAX_S is not
waited for: the response is given up (counted as its http_<status> error) rather than holding the crawl.
The wait holds only the retried request; other requests go on.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.response import response_status_message
from twisted.internet.task import deferLater

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

log = logging.getLogger(__name__)

STAT_WAITS = "newsarchive/retry/waits"
STAT_WAITED_MS = "newsarchive/retry/waited_ms"
STAT_RETRY_AFTER = "newsarchive/retry/retry_after_honoured"
STAT_TOO_LONG = "newsarchive/retry/retry_after_too_long"
MAX_BACKOFF_S = 30.0


def parse_retry_after(value: str | bytes | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or HTTP date); None when absent or unusable."""
    if value is None:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def backoff_delay(attempt: int, base_s: float) -> float:
    """Exponential backoff before retry number ``attempt`` (1-based), capped at MAX_BACKOFF_S."""
    return min(MAX_BACKOFF_S, base_s * 2 ** max(0, attempt - 1))


class BackoffRetryMiddleware(RetryMiddleware):
    """RetryMiddleware that waits (Retry-After, else backoff) before handing back the retry request."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler.settings)
        self.crawler = crawler
        self.backoff_s = crawler.settings.getfloat("NEWSARCHIVE_RETRY_BACKOFF_S", 0.5)
        self.max_retry_after_s = crawler.settings.getfloat("NEWSARCHIVE_RETRY_AFTER_MAX_S", 120.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Built from the crawler's settings (NotConfigured when RETRY_ENABLED is false)."""
        return cls(crawler)

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        """Wait, then return the retry request; the response itself when retries are spent or refused."""
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        stats = self.crawler.stats
        assert stats is not None
        attempt = int(request.meta.get("retry_times", 0)) + 1
        retry_after = parse_retry_after(response.headers.get(b"Retry-After"), datetime.now(UTC))
        if retry_after is not None and retry_after > self.max_retry_after_s:
            stats.inc_value(STAT_TOO_LONG)
            log.warning("%s asks to retry after %.0fs (more than %.0fs): not retried", request.url, retry_after,
                        self.max_retry_after_s)
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        delay = retry_after if retry_after is not None else backoff_delay(attempt, self.backoff_s)
        if retry_after is not None:
            stats.inc_value(STAT_RETRY_AFTER)
        if delay > 0:
            stats.inc_value(STAT_WAITS)
            stats.inc_value(STAT_WAITED_MS, round(delay * 1000))
            log.info("HTTP %d for %s: retry %d in %.1fs", response.status, request.url, attempt, delay)
            from twisted.internet import reactor  # the installed one (importing it early would install a default)

            await maybe_deferred_to_future(deferLater(reactor, delay, lambda: None))
        return retry
