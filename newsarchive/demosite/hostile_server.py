"""The demo site with its hostile cases misbehaving for real, at the transport level.

``serve()`` runs the regular demo site (every page, /hostile/ included) and adds what a plain HTTP server
never does: stalls, slow drips, bodies shorter than their Content-Length, close-delimited bodies, dropped
connections, answers that change with the attempt, a broken robots.txt (``robots=`` a key of
``hostile.ROBOTS_VARIANTS``) and, for fault tests, a delay on every answer (``delay_s``).
"""

from __future__ import annotations

import sys
import time
from http.server import ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from newsarchive.demosite import hostile
from newsarchive.demosite.markup import base_from_host
from newsarchive.demosite.server import DemoSite, _Handler

DRIP_PIECE = 64


class _Server(ThreadingHTTPServer):
    """Clients that hang up mid-request are the point here: no traceback on stderr for them."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Ignore connection resets; report anything else as usual."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class _HostileHandler(_Handler):
    """The demo site's handler, with hostile replies sent byte by byte as their case says."""

    robots: str | None = None
    delay_s: float = 0.0

    def _answer(self, method: str) -> None:
        if self.delay_s:
            time.sleep(self.delay_s)
        path = unquote(urlsplit(self.path).path) or "/"
        reply = self._hostile_reply(path)
        if reply is None:
            super()._answer(method)
            return
        try:
            self._send(method, reply)
        except OSError:  # the client gave up (timeout) or the connection broke: nothing left to do
            self.close_connection = True

    def _hostile_reply(self, path: str) -> hostile.Reply | None:
        if path == "/robots.txt" and self.robots is not None:
            return hostile.ROBOTS_VARIANTS[self.robots]
        # Earlier requests for this exact target: cases that answer differently on a retry use it.
        attempt = sum(1 for entry in self.site.requests if entry.path == self.path)
        base = base_from_host(self.headers.get("Host"), f"http://{self.site.host}:{self.site.port}")
        return hostile.reply_for(path, base, attempt)

    def _send(self, method: str, reply: hostile.Reply) -> None:
        self.site.record(method, self.path, reply.status, self.headers.get("User-Agent", ""))
        if reply.delay_s:
            time.sleep(reply.delay_s)
        if reply.drop:
            self.close_connection = True
            return
        self.send_response(reply.status)
        for name, value in reply.headers:
            self.send_header(name, value)
        if reply.close_delimited:
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(reply.declared_length or len(reply.body)))
            if reply.declared_length is not None:
                self.close_connection = True  # the promised bytes never come: hang up after the short body
        self.end_headers()
        if method == "HEAD":
            return
        if not reply.drip_s:
            self.wfile.write(reply.body)
            return
        for start in range(0, len(reply.body), DRIP_PIECE):
            self.wfile.write(reply.body[start:start + DRIP_PIECE])
            self.wfile.flush()
            time.sleep(reply.drip_s)


def serve(host: str = "127.0.0.1", port: int = 0, *, robots: str | None = None, delay_s: float = 0.0) -> DemoSite:
    """Start the hostile demo site on host:port (0 = a free port) in a daemon thread; stop it with .stop()."""
    if robots is not None and robots not in hostile.ROBOTS_VARIANTS:
        raise ValueError(f"unknown robots variant {robots!r} (known: {', '.join(hostile.ROBOTS_VARIANTS)})")

    class Handler(_HostileHandler):
        """This server's handler class (its ``site`` is set once the DemoSite exists)."""

    Handler.robots = robots
    Handler.delay_s = delay_s
    server = _Server((host, port), Handler)
    site = DemoSite(server, None)
    Handler.site = site
    site.start()
    return site
