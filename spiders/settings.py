"""Scrapy settings for one crawl, derived from the spec (politeness, limits, our middlewares)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import scrapy

from spiders.spec import CrawlSpec

RETRY_TIMES = 2  # 1 + 2 attempts for 429/5xx and transient network errors
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
REDIRECT_MAX_TIMES = 5
# Only encodings that both Scrapy and warcio's content_stream() decode (no br/zstd libraries installed).
ACCEPT_ENCODING = "gzip, deflate"
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,application/rss+xml,*/*;q=0.8"

DOWNLOADER_MIDDLEWARES: dict[str, int | None] = {
    "spiders.middlewares.PrivateAddressMiddleware": 60,  # before robots.txt: never even ask a private host
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "spiders.middlewares.ReasonedRobotsTxtMiddleware": 100,
    "spiders.middlewares.RedirectGuardMiddleware": 610,  # sees 3xx before RedirectMiddleware (600)
    "spiders.warc.WarcCaptureMiddleware": 950,  # next to the downloader: raw responses, every attempt
}


def build_settings(spec: CrawlSpec, warc_path: Path, log_level: str = "INFO") -> dict[str, Any]:
    """The Scrapy settings dict for crawling spec into warc_path."""
    polite = spec.politeness
    return {
        "BOT_NAME": "newsarchive",
        "USER_AGENT": spec.user_agent,
        "ROBOTSTXT_OBEY": polite.obey_robots,
        "DOWNLOAD_DELAY": polite.download_delay,
        "CONCURRENT_REQUESTS": max(16, polite.concurrency),
        "CONCURRENT_REQUESTS_PER_DOMAIN": polite.concurrency,
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
        "REDIRECT_MAX_TIMES": REDIRECT_MAX_TIMES,
        # A meta refresh would bypass the redirect guard; articles that use one are archived as they are.
        "METAREFRESH_ENABLED": False,
        # The spider dedups on canonical URLs itself; Scrapy's filter would drop requests silently.
        "DUPEFILTER_CLASS": "scrapy.dupefilters.BaseDupeFilter",
        "COOKIES_ENABLED": False,
        "DEFAULT_REQUEST_HEADERS": {"Accept": ACCEPT, "Accept-Encoding": ACCEPT_ENCODING},
        "DOWNLOADER_MIDDLEWARES": DOWNLOADER_MIDDLEWARES,
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,  # Scrapy 2.19 would open a control HTTP port otherwise
        "LOG_INSTALL_ROOT_HANDLER": False,  # the runner logs to stdout itself
        "LOG_LEVEL": log_level,
        "STATS_DUMP": False,  # the runner logs its own summary
        "LOGSTATS_INTERVAL": 30.0,
        "NEWSARCHIVE_WARC_PATH": str(warc_path),
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
