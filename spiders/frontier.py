"""The spider's frontier: article requests it has admitted (window, dedup, budget and robots-independent
checks all done) but not yet handed to Scrapy, kept compact and mostly on disk, and handed to Scrapy's
scheduler a batch at a time.

Why: a year's sitemaps list 20,000 articles at once, and as ``scrapy.Request`` objects (headers, meta
dicts) in Scrapy's in-memory scheduler they were most of the spider's memory growth with the window. Here
each waits as one JSON line (``spiders.spill.SpillFifo``: a few hundred in memory, the rest in an anonymous
file in the crawl's scratch folder), and becomes a Request only when the scheduler holds fewer than
``batch`` requests (Scrapy's ``CONCURRENT_REQUESTS``): when an article is admitted, when the engine finds the
scheduler empty (``scheduler_empty``), and when the spider goes idle.

Nothing about what is fetched changes: every decision (claim, budget, counters) is taken at admission, as
before; discovery documents still go to the scheduler at once, with their higher priority, so they are
fetched before the waiting articles; per-host concurrency and delays are the downloader's, as before.
Articles are handed out first in, first out (new articles before the re-checks admitted after them).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sized
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.spidermiddlewares.referer import RefererMiddleware

from spiders.meta import META_DATE_HINT, META_DATE_HINT_KIND, META_RECHECK, META_REFERS_TO_DATE, META_ROLE, META_SOURCE
from spiders.spill import SpillFifo

if TYPE_CHECKING:
    from scrapy.core.scheduler import BaseScheduler
    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)

STAT_SCRATCH_ERROR = "newsarchive/scratch_error"
CLOSE_REASON = "scratch_error"


@dataclass(frozen=True, slots=True)
class FrontierEntry:
    """An admitted article request, as compact as its request's own strings: the URL, where it was found,
    its date hint, the headers the spider sets (Referer; a re-check's If-None-Match, If-Modified-Since),
    and for a re-check of an archived copy the kind ("update" or "revisit") and the copy's fetch time."""

    url: str
    source: str
    date_hint: str | None = None
    date_hint_kind: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    recheck: str | None = None
    refers_to_date: str | None = None

    def to_line(self) -> str:
        """One line of JSON (no newline: JSON escapes them)."""
        return json.dumps(astuple(self), separators=(",", ":"))

    @classmethod
    def from_line(cls, line: str) -> FrontierEntry:
        """The entry of a to_line() line."""
        url, source, hint, kind, headers, recheck, refers_to = json.loads(line)
        return cls(url, source, hint, kind, tuple((name, value) for name, value in headers), recheck, refers_to)

    def request(self, callback: Callable[..., Any], errback: Callable[..., Any], priority: int) -> Request:
        """The article request (role "article"; a re-check's 304 reaches the callback, not the errback)."""
        meta: dict[str, Any] = {META_ROLE: "article", META_SOURCE: self.source, META_DATE_HINT: self.date_hint,
                                META_DATE_HINT_KIND: self.date_hint_kind}
        if self.recheck is not None:
            meta.update({META_RECHECK: self.recheck, META_REFERS_TO_DATE: self.refers_to_date,
                         "handle_httpstatus_list": [304]})
        return Request(self.url, headers=dict(self.headers) or None, callback=callback, errback=errback,
                       meta=meta, priority=priority)


class Referrers:
    """The Referer an article request gets: what Scrapy's RefererMiddleware would have set had the request
    been yielded by the callback of the page that listed it (REFERRER_POLICY, the page's Referrer-Policy
    header). Requests handed over from the frontier do not pass the spider middlewares."""

    def __init__(self, crawler: Crawler) -> None:
        try:
            middleware = RefererMiddleware.from_crawler(crawler)
        except NotConfigured:  # REFERER_ENABLED is off
            middleware = None
        self._middleware = middleware

    def of_page(self, response: Response) -> Callable[[str], str | None]:
        """For links listed by ``response``: the Referer value for a link's URL (None: no header)."""
        if self._middleware is None:
            return lambda url: None
        policy = self._middleware.policy(response, Request(response.url))
        return lambda url: policy.referrer(response.url, url)


class Frontier:
    """The admitted article requests waiting for Scrapy's scheduler (see the module's docstring)."""

    def __init__(self, crawler: Crawler, build: Callable[[FrontierEntry], Request], folder: Path | None,
                 batch: int) -> None:
        self.crawler = crawler
        self.build = build
        self.batch = max(1, batch)
        self.waiting = SpillFifo(folder)
        self.most_in_scheduler = 0  # the most requests Scrapy's scheduler held at once (every role)
        self.most_waiting = 0
        self.handed_out = 0
        self.failed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler, build: Callable[[FrontierEntry], Request]) -> Frontier:
        """Spill folder NEWSARCHIVE_SCRATCH_DIR (the system's temporary folder when unset), batch
        CONCURRENT_REQUESTS; tops up on scheduler_empty, counts the scheduler on request_scheduled."""
        folder = crawler.settings.get("NEWSARCHIVE_SCRATCH_DIR")
        frontier = cls(crawler, build, Path(folder) if folder else None,
                       crawler.settings.getint("CONCURRENT_REQUESTS"))
        crawler.signals.connect(frontier.top_up, signal=signals.scheduler_empty)
        crawler.signals.connect(frontier.on_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(frontier.close, signal=signals.spider_closed)
        return frontier

    def __len__(self) -> int:
        return len(self.waiting)

    def add(self, entry: FrontierEntry) -> None:
        """Admit a request: it waits its turn (handed out at once while the scheduler holds less than a batch)."""
        if self.failed:
            return
        try:
            self.waiting.push(entry.to_line())
        except OSError as exc:
            self.fail(exc)
            return
        self.most_waiting = max(self.most_waiting, len(self.waiting))
        self.top_up()

    def top_up(self) -> int:
        """Hand waiting requests to the scheduler until it holds a batch; how many were handed out."""
        engine = self.crawler.engine
        if engine is None or engine.scheduler is None or not len(self.waiting) or self.failed:
            return 0
        room = self.batch - _scheduled(engine.scheduler)
        if room <= 0:
            return 0
        try:
            lines = self.waiting.pop(room)
        except OSError as exc:
            self.fail(exc)
            return 0
        for line in lines:
            engine.crawl(self.build(FrontierEntry.from_line(line)))
        self.handed_out += len(lines)
        return len(lines)

    def on_scheduled(self) -> None:
        """Keep the most requests the scheduler held (this one included: the signal comes before it is queued)."""
        engine = self.crawler.engine
        if engine is not None and engine.scheduler is not None:
            self.most_in_scheduler = max(self.most_in_scheduler, _scheduled(engine.scheduler) + 1)

    def numbers(self) -> dict[str, int]:
        """STATS.json's ``frontier``: the most requests in Scrapy's scheduler at once, the most waiting here,
        and how many of them waited on disk."""
        return {"most_in_scheduler": self.most_in_scheduler, "most_waiting": self.most_waiting,
                "spilled": self.waiting.spilled}

    def close(self) -> None:
        """Drop what is still waiting (the crawl is over) and the spill file."""
        self.waiting.close()

    def fail(self, exc: OSError) -> None:
        """The scratch folder failed (this frontier's spill file, or the list of kept pages): admitted requests
        or kept pages would be lost, so the crawl stops and fails visibly (the runner exits non-zero)."""
        if self.failed:
            return
        self.failed = True
        stats, engine = self.crawler.stats, self.crawler.engine
        message = f"cannot write the crawl's scratch files: {exc.strerror or exc}"
        log.error("%s; stopping the crawl", message)
        if stats is not None:
            stats.set_value(STAT_SCRATCH_ERROR, message)
        if engine is not None:
            from scrapy.utils.defer import deferred_from_coro

            deferred_from_coro(engine.close_spider_async(reason=CLOSE_REASON))


def _scheduled(scheduler: BaseScheduler) -> int:
    """How many requests a scheduler holds (Scrapy's counts them; one without a length counts 1 when it has
    any, so the frontier still hands over one batch at a time)."""
    if isinstance(scheduler, Sized):
        return len(scheduler)
    return int(scheduler.has_pending_requests())
