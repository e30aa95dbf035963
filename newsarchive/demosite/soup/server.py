"""Serve the soup site over HTTP in a daemon thread: ``serve_soup(host, port) -> DemoSite``."""

from __future__ import annotations

from collections.abc import Callable

from newsarchive.demosite.routes import Response
from newsarchive.demosite.server import DemoSite, RequestRecord, _Handler, serve_handler
from newsarchive.demosite.soup.routes import respond


class _SoupHandler(_Handler):
    """The demo site's handler answering from the soup site's routes."""

    label = "soup site"

    def route(self, method: str) -> Response:
        """The soup site's page for this request."""
        return respond(method, self.path, self.base_url())


def serve_soup(host: str = "127.0.0.1", port: int = 0,
               on_request: Callable[[RequestRecord], None] | None = None) -> DemoSite:
    """Start the soup site on host:port (0 = a free port) in a daemon thread and return its handle."""
    return serve_handler(_SoupHandler, host, port, on_request)
