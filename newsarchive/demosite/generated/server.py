"""Serve the generated site over HTTP in a daemon thread: ``serve_generated(host, port) -> GeneratedSite``.

The handle has the same surface as ``newsarchive.demosite.server.DemoSite`` (``url``, ``requests``, ``clear_log``,
``stop``) plus run-time levers for tests: ``update_article()`` revises the updatable article (later
modified time and lastmod, new text), ``edit(articles, at, kind)`` edits any articles (see ``edits``:
updates, silent edits, touches), ``throttle(path, ...)`` makes the next requests for a path answer 429 with
a Retry-After header, and ``conditional = False`` makes it ignore conditional requests (a server that
always answers 200). Conditional GETs of article pages are answered 304 while their ETag (or, without
If-None-Match, their Last-Modified) still matches. ``latency`` makes every answer take that long (so
concurrent requests overlap, as on a real network), and ``exchanges`` records when each request was being
served (what a politeness check counts: requests in flight at once, gaps between their starts).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from http.server import ThreadingHTTPServer

from newsarchive.demosite.generated.corpus import GenArticle, Size, as_size, revise, updatable
from newsarchive.demosite.generated.edits import Edit, apply_edits, not_modified
from newsarchive.demosite.generated.routes import respond
from newsarchive.demosite.routes import Response
from newsarchive.demosite.server import DemoSite, RequestRecord, _Handler


@dataclass(frozen=True)
class Exchange:
    """One request as the server saw it: path, when it arrived and when its answer was sent (monotonic s)."""

    path: str
    start: float
    end: float


class _GeneratedHandler(_Handler):
    """The demo site's handler answering from the generated site's routes, throttles first."""

    site: GeneratedSite
    label = "generated site"

    def _answer(self, method: str) -> None:
        start = time.monotonic()
        if self.site.latency:
            time.sleep(self.site.latency)
        try:
            super()._answer(method)
        finally:
            self.site.exchanged(Exchange(self.path, start, time.monotonic()))

    def route(self, method: str) -> Response:
        """A throttled path's 429, else the generated page at the site's current state (a 304 when the
        request's validators still match it)."""
        throttled = self.site.throttled(self.path.split("?", 1)[0])
        if throttled is not None:
            return throttled
        site = self.site
        response = respond(method, self.path, self.base_url(), site.version, site.crawl_delay, site.size,
                           site.edits)
        if not site.conditional:
            return response
        return not_modified(response, self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since"))


class GeneratedSite(DemoSite):
    """A running generated site: the demo site's handle (where it listens, its access log, stop) plus the
    generated site's run-time state: throttled paths and the updatable article's revision."""

    def __init__(self, server: ThreadingHTTPServer, on_request: Callable[[RequestRecord], None] | None,
                 crawl_delay: float | None = None, size: Size | int | None = None, latency: float = 0.0) -> None:
        super().__init__(server, on_request)
        self._thread.name = "generated-site"
        self._throttles: dict[str, tuple[int, str]] = {}
        self._exchanges: list[Exchange] = []
        self.version = 0
        self.crawl_delay = crawl_delay
        self.size = as_size(size)
        self.latency = latency
        self.edits: tuple[Edit, ...] = ()
        self.conditional = True  # False: conditional requests are ignored (every answer a 200)

    @property
    def exchanges(self) -> list[Exchange]:
        """A snapshot of the requests served so far with their start and end times, by end time."""
        with self._lock:
            return list(self._exchanges)

    def exchanged(self, exchange: Exchange) -> None:
        """Record a served request (called by the handler threads once the answer is sent)."""
        with self._lock:
            self._exchanges.append(exchange)

    def update_article(self) -> GenArticle:
        """Revise the updatable article once more (modified time +1 day, new first paragraph); its page,
        JSON-LD, month sitemap, sitemap index and feed entry follow. Returns the new revision."""
        with self._lock:
            self.version += 1
            return revise(updatable(self.size), self.version)

    def edit(self, articles: Iterable[GenArticle], at: datetime, kind: str = "update") -> list[GenArticle]:
        """Edit articles at instant ``at``: "update" (new text and ETag, modified time and lastmod ``at``),
        "silent" (new text and ETag only) or "touch" (modified time and lastmod only). Their pages, sitemaps
        and feed entries follow. Returns the articles as the site now serves them."""
        numbers = [a.number for a in articles]
        with self._lock:
            self.edits = (*self.edits, *(Edit(n, at, kind) for n in numbers))
            edits = self.edits
        target = updatable(self.size)
        return [apply_edits(revise(a, self.version) if a.number == target.number else a, edits)
                for a in articles]

    def throttle(self, path: str, times: int = 1, retry_after: str = "1") -> None:
        """Answer the next ``times`` requests for ``path`` with 429 and ``Retry-After: retry_after``."""
        with self._lock:
            self._throttles[path] = (times, retry_after)

    def throttled(self, path: str) -> Response | None:
        """The 429 response for path if it is throttled now (consuming one), else None."""
        with self._lock:
            times, retry_after = self._throttles.get(path, (0, ""))
            if times <= 0:
                return None
            self._throttles[path] = (times - 1, retry_after)
        headers = (("Content-Type", "text/plain; charset=utf-8"), ("Retry-After", retry_after))
        return Response(429, headers, b"too many requests\n")


def serve_generated(host: str = "127.0.0.1", port: int = 0, on_request: Callable[[RequestRecord], None] | None = None,
                    crawl_delay: float | None = None, size: Size | int | None = None,
                    latency: float = 0.0) -> GeneratedSite:
    """Start the generated site on host:port (0 = a free port) in a daemon thread and return its handle;
    ``crawl_delay`` adds a Crawl-delay line to its robots.txt; ``size`` is its number of public articles
    (None: the default site); ``latency`` seconds pass before each answer."""

    class Handler(_GeneratedHandler):
        """This server's handler class."""

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    site = GeneratedSite(server, on_request, crawl_delay, size, latency)
    Handler.site = site
    site.start()
    return site
