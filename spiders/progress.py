"""Progress lines for whoever runs the crawl (the pipeline's progress callback parses them).

Every NEWSARCHIVE_PROGRESS_INTERVAL seconds (0 = off) and once at the end, the logger ``spiders.progress``
writes one INFO line of ``name=value`` counters::

    INFO spiders.progress: fetched=120 queued=34 articles=80 errors=1 final=0

``fetched``: responses downloaded (every role, retries included); ``queued``: requests admitted and not
answered yet (waiting in the spider's frontier, scheduled, or in the downloader); ``articles``: article
pages kept; ``errors``: failed requests counted by reason; ``final``: 1 on the closing line.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

log = logging.getLogger("spiders.progress")

PROGRESS_FIELDS = ("fetched", "queued", "articles", "errors", "final")


def format_progress(counts: dict[str, int]) -> str:
    """The message of a progress line (fields in PROGRESS_FIELDS order)."""
    return " ".join(f"{name}={int(counts.get(name, 0))}" for name in PROGRESS_FIELDS)


def parse_progress(message: str) -> dict[str, int] | None:
    """The counters of a progress message, or None when it is not one."""
    counts: dict[str, int] = {}
    for part in message.split():
        name, sep, value = part.partition("=")
        if not sep or name not in PROGRESS_FIELDS or not value.isdigit():
            return None
        counts[name] = int(value)
    return counts if set(counts) == set(PROGRESS_FIELDS) else None


class ProgressLogger:
    """A Scrapy extension logging progress lines periodically and when the spider closes."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self._loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Enabled when NEWSARCHIVE_PROGRESS_INTERVAL > 0."""
        interval = crawler.settings.getfloat("NEWSARCHIVE_PROGRESS_INTERVAL", 0.0)
        if interval <= 0:
            raise NotConfigured
        ext = cls(crawler, interval)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def counts(self, final: bool = False) -> dict[str, int]:
        """The current counters from the crawl's stats and the downloader."""
        stats = self.crawler.stats
        assert stats is not None
        values = stats.get_stats()
        enqueued = int(values.get("scheduler/enqueued", 0))
        dequeued = int(values.get("scheduler/dequeued", 0))
        engine = self.crawler.engine
        active = len(engine.downloader.active) if engine is not None else 0
        waiting = len(getattr(self.crawler.spider, "frontier", ()))  # admitted, not yet handed to Scrapy
        errors = sum(int(v) for k, v in values.items() if k.startswith("newsarchive/errors/"))
        return {"fetched": int(values.get("downloader/response_count", 0)),
                "queued": enqueued - dequeued + active + waiting,
                "articles": int(values.get("newsarchive/fetched/article", 0)), "errors": errors, "final": int(final)}

    def log_progress(self, final: bool = False) -> None:
        """Write one progress line."""
        log.info("%s", format_progress(self.counts(final)))

    def spider_opened(self) -> None:
        """Start the periodic lines."""
        self._loop = task.LoopingCall(self.log_progress)
        self._loop.start(self.interval, now=False)

    def spider_closed(self) -> None:
        """Stop the periodic lines and write the final one."""
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self.log_progress(final=True)
