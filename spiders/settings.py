"""Scrapy settings for one crawl, derived from the spec (politeness, limits, our middlewares)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import scrapy
from scrapy.settings import default_settings

from spiders.spec import CrawlSpec

# Twisted's own reactor, not Scrapy's default asyncio one (see build_settings): epoll on Linux.
TWISTED_REACTOR = ("twisted.internet.epollreactor.EPollReactor" if sys.platform.startswith("linux")
                   else "twisted.internet.selectreactor.SelectReactor")
RETRY_TIMES = 2  # 1 + 2 attempts for 429/5xx and transient network errors
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
REDIRECT_MAX_TIMES = 5
RETRY_BACKOFF_S = 0.5  # first retry after 0.5 s, then 1 s (when the server sends no Retry-After)
RETRY_AFTER_MAX_S = 120.0  # a longer Retry-After is not waited for: the page is given up
DEFAULT_PROGRESS_INTERVAL_S = 10.0
CONCURRENT_ITEMS = 4
# Only encodings that both Scrapy and warcio's content_stream() decode (no br/zstd libraries installed).
ACCEPT_ENCODING = "gzip, deflate"
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,application/rss+xml,*/*;q=0.8"

DOWNLOADER_MIDDLEWARES: dict[str, int | None] = {
    # Origins (scheme + host + port) instead of Scrapy's host-only offsite filter, first of all.
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "spiders.middlewares.OriginGuardMiddleware": 50,
    "spiders.middlewares.PrivateAddressMiddleware": 60,  # before robots.txt: never even ask a private host
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "spiders.middlewares.ReasonedRobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "spiders.retry.BackoffRetryMiddleware": 550,  # Scrapy's retry slot, plus Retry-After and backoff
    "spiders.middlewares.RedirectGuardMiddleware": 610,  # sees 3xx before RedirectMiddleware (600)
    "spiders.warc.WarcCaptureMiddleware": 950,  # next to the downloader: raw responses, every attempt
}


# Components disabled by our settings anyway (cookies off, remote control off): left out of the base lists,
# because Scrapy imports every listed component (even one set to None), and these two pull in tldextract
# and aiohttp, about a second of start-up on a busy machine for each crawl.
UNUSED_COMPONENTS = frozenset({
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware",
    "scrapy.extensions.remote_control.RemoteControl",
})


def _without(base: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in base.items() if k not in UNUSED_COMPONENTS}


def build_settings(spec: CrawlSpec, warc_path: Path, log_level: str = "INFO",
                   progress_interval: float = DEFAULT_PROGRESS_INTERVAL_S) -> dict[str, Any]:
    """The Scrapy settings dict for crawling spec into warc_path (progress lines every progress_interval s)."""
    polite = spec.politeness
    return {
        "BOT_NAME": "newsarchive",
        "USER_AGENT": spec.user_agent,
        "ROBOTSTXT_OBEY": polite.obey_robots,
        "DOWNLOAD_DELAY": polite.download_delay,
        "CONCURRENT_REQUESTS": max(16, polite.concurrency),
        "CONCURRENT_REQUESTS_PER_DOMAIN": polite.concurrency,
        # Scrapy 2.19 on its default asyncio reactor starts every request queued for a host at once when
        # there is no delay (the downloader counts a request as transferring only once its task runs), so
        # the per-site concurrency did not hold: 9 requests in flight for a limit of 2. Twisted's own
        # reactor starts them in the loop that checks the limit (tests/scale/test_politeness.py).
        "TWISTED_REACTOR": TWISTED_REACTOR,
        # Callbacks yield a few requests and no items: Scrapy starts CONCURRENT_ITEMS asyncio workers for
        # every callback's output, and its default (100) made that the crawl's main CPU cost.
        "CONCURRENT_ITEMS": CONCURRENT_ITEMS,
        "AUTOTHROTTLE_ENABLED": polite.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(polite.download_delay, 1.0),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(min(polite.concurrency, 2)),
        "DOWNLOAD_MAXSIZE": spec.max_response_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "DOWNLOAD_TIMEOUT": spec.timeout_s,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": RETRY_TIMES,
        "RETRY_HTTP_CODES": RETRY_HTTP_CODES,
        "RETRY_GIVE_UP_LOG_LEVEL": "WARNING",  # counted in the stats; not an error of the crawl itself
        "NEWSARCHIVE_RETRY_BACKOFF_S": RETRY_BACKOFF_S,
        "NEWSARCHIVE_RETRY_AFTER_MAX_S": RETRY_AFTER_MAX_S,
        "REDIRECT_MAX_TIMES": REDIRECT_MAX_TIMES,
        # A meta refresh would bypass the redirect guard; articles that use one are archived as they are.
        "METAREFRESH_ENABLED": False,
        # The spider dedups on canonical URLs itself; Scrapy's filter would drop requests silently.
        "DUPEFILTER_CLASS": "scrapy.dupefilters.BaseDupeFilter",
        "COOKIES_ENABLED": False,
        "DEFAULT_REQUEST_HEADERS": {"Accept": ACCEPT, "Accept-Encoding": ACCEPT_ENCODING},
        "DOWNLOADER_MIDDLEWARES": DOWNLOADER_MIDDLEWARES,
        "EXTENSIONS": {"spiders.progress.ProgressLogger": 500},
        "EXTENSIONS_BASE": _without(default_settings.EXTENSIONS_BASE),
        "DOWNLOADER_MIDDLEWARES_BASE": _without(default_settings.DOWNLOADER_MIDDLEWARES_BASE),
        "NEWSARCHIVE_PROGRESS_INTERVAL": progress_interval,
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,  # Scrapy 2.19 would open a control HTTP port otherwise
        "LOG_INSTALL_ROOT_HANDLER": False,  # the runner logs to stdout itself
        "LOG_LEVEL": log_level,
        "STATS_DUMP": False,  # the runner logs its own summary
        "LOGSTATS_INTERVAL": 30.0,
        "NEWSARCHIVE_WARC_PATH": str(warc_path),
        # The frontier's and the kept-pages list's spill files (anonymous): the crawl's scratch folder.
        "NEWSARCHIVE_SCRATCH_DIR": str(warc_path.parent),
        "NEWSARCHIVE_BASE_URL": spec.base_url,
        "NEWSARCHIVE_ALLOWED_DOMAINS": list(spec.allowed_domains),
        "NEWSARCHIVE_ALLOW_PRIVATE_ADDRESSES": polite.allow_private_addresses,
        "NEWSARCHIVE_WARC_INFO": warcinfo(spec),
    }


def warcinfo(spec: CrawlSpec) -> dict[str, str]:
    """The warcinfo record's fields: what produced the file, for which site and window, how politely."""
    polite = spec.politeness
    return {
        "software": f"newsarchive spiders (Scrapy {scrapy.__version__}, warcio)",
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        "http-header-user-agent": spec.user_agent,
        "robots": "obey" if polite.obey_robots else "ignore",
        "isPartOf": spec.site,
        "description": f"{spec.site} window {spec.start.isoformat()} .. {spec.end.isoformat()}",
    }
