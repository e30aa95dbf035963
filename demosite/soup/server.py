"""Serve the soup site over HTTP in a daemon thread: ``serve_soup(host, port) -> DemoSite``."""

from __future__ import annotations

from collections.abc import Callable
from http.server import ThreadingHTTPServer

from demosite.routes import Response
from demosite.server import DemoSite, RequestRecord, _Handler
from demosite.soup.routes import respond


class _SoupHandler(_Handler):
    """The demo site's handler answering from the soup site's routes."""

    label = "soup site"

    def route(self, method: str) -> Response:
        """The soup site's page for this request."""
        return respond(method, self.path, self.base_url())


def serve_soup(host: str = "127.0.0.1", port: int = 0,
               on_request: Callable[[RequestRecord], None] | None = None) -> DemoSite:
    """Start the soup site on host:port (0 = a free port) in a daemon thread and return its handle."""

    class Handler(_SoupHandler):
        """This server's handler class."""

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    site = DemoSite(server, on_request)
    Handler.site = site
    site.start()
    return site
