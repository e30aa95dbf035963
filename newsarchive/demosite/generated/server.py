"""Serve the generated site over HTTP in a daemon thread: ``serve_generated(host, port) -> GeneratedSite``.

The handle has the same surface as ``newsarchive.demosite.server.DemoSite`` (``url``, ``requests``, ``clear_log``,
``stop``) plus run-time levers for tests: ``update_article()`` revises the updatable article (later
modified time and lastmod, new text), ``edit(articles, at, kind)`` edits any articles (see ``edits``:
updates, silent edits, touches), ``throttle(path, ...)`` makes the next requests for a path answer 429 with
a Retry-After header, and ``conditional = False`` makes it ignore conditional requests (a server that
always answers 200). Conditional GETs of article pages are answered 304 while their ETag (or, without
If-None-Match, their Last-Modified) still matches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from http.server import ThreadingHTTPServer

from newsarchive.demosite.generated.corpus import GenArticle, revise, updatable
from newsarchive.demosite.generated.edits import Edit, apply_edits, not_modified
from newsarchive.demosite.generated.routes import respond
from newsarchive.demosite.routes import Response
from newsarchive.demosite.server import DemoSite, RequestRecord, _Handler


class _GeneratedHandler(_Handler):
    """The demo site's handler answering from the generated site's routes, throttles first."""

    site: GeneratedSite
    label = "generated site"

    def route(self, method: str) -> Response:
        """A throttled path's 429, else the generated page at the site's current state (a 304 when the
        request's validators still match it)."""
        throttled = self.site.throttled(self.path.split("?", 1)[0])
        if throttled is not None:
            return throttled
        site = self.site
        response = respond(method, self.path, self.base_url(), site.version, site.crawl_delay, site.edits)
        if not site.conditional:
            return response
        return not_modified(response, self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since"))


class GeneratedSite(DemoSite):
    """A running generated site: the demo site's handle (where it listens, its access log, stop) plus the
    generated site's run-time state: throttled paths and the updatable article's revision."""

    def __init__(self, server: ThreadingHTTPServer, on_request: Callable[[RequestRecord], None] | None,
                 crawl_delay: float | None = None) -> None:
        super().__init__(server, on_request)
        self._thread.name = "generated-site"
        self._throttles: dict[str, tuple[int, str]] = {}
        self.version = 0
        self.crawl_delay = crawl_delay
        self.edits: tuple[Edit, ...] = ()
        self.conditional = True  # False: conditional requests are ignored (every answer a 200)

    def update_article(self) -> GenArticle:
        """Revise the updatable article once more (modified time +1 day, new first paragraph); its page,
        JSON-LD, month sitemap, sitemap index and feed entry follow. Returns the new revision."""
        with self._lock:
            self.version += 1
            return revise(updatable(), self.version)

    def edit(self, articles: Iterable[GenArticle], at: datetime, kind: str = "update") -> list[GenArticle]:
        """Edit articles at instant ``at``: "update" (new text and ETag, modified time and lastmod ``at``),
        "silent" (new text and ETag only) or "touch" (modified time and lastmod only). Their pages, sitemaps
        and feed entries follow. Returns the articles as the site now serves them."""
        numbers = [a.number for a in articles]
        with self._lock:
            self.edits = (*self.edits, *(Edit(n, at, kind) for n in numbers))
            edits = self.edits
        return [apply_edits(revise(a, self.version) if a.number == updatable().number else a, edits)
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
                    crawl_delay: float | None = None) -> GeneratedSite:
    """Start the generated site on host:port (0 = a free port) in a daemon thread and return its handle;
    ``crawl_delay`` adds a Crawl-delay line to its robots.txt."""

    class Handler(_GeneratedHandler):
        """This server's handler class."""

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    site = GeneratedSite(server, on_request, crawl_delay)
    Handler.site = site
    site.start()
    return site
