"""Serve the demo site over HTTP: ``serve()`` in a daemon thread for tests, or ``python -m newsarchive.demosite``."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from newsarchive.demosite.markup import base_from_host
from newsarchive.demosite.routes import Response, respond


@dataclass(frozen=True)
class RequestRecord:
    """One request the site answered: method, path (with query), status, User-Agent, time (epoch s)."""

    method: str
    path: str
    status: int
    user_agent: str
    time: float


class _Handler(BaseHTTPRequestHandler):
    """Answers GET and HEAD through ``routes.respond``; records every request on the DemoSite."""

    server_version = "DemoNews/1.0"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    timeout = 30  # seconds an idle keep-alive connection may hold a handler thread
    site: DemoSite  # set on the subclass made per server

    label = "demo site"  # names the site in 500 answers

    def base_url(self) -> str:
        """The site's base URL as the client addressed it (Host header), else where the server listens."""
        return base_from_host(self.headers.get("Host"), f"http://{self.site.host}:{self.site.port}")

    def route(self, method: str) -> Response:
        """The response to this request: the one thing a site built on this handler changes."""
        return respond(method, self.path, self.base_url())

    def _answer(self, method: str) -> None:
        try:
            response = self.route(method)
        except Exception as exc:  # a bug in the site must show as a 500, not a dropped connection
            self.site.record(method, self.path, 500, self.headers.get("User-Agent", ""))
            self.send_error(500, f"{self.label} error: {type(exc).__name__}: {exc}")
            return
        # Logged before answering, so a client that got its response always finds it in the log.
        self.site.record(method, self.path, response.status, self.headers.get("User-Agent", ""))
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(response.body)

    def do_GET(self) -> None:
        """Answer a GET."""
        self._answer("GET")

    def do_HEAD(self) -> None:
        """Answer a HEAD (same headers as GET, no body)."""
        self._answer("HEAD")

    def _not_allowed(self) -> None:
        self._answer(self.command)

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _not_allowed

    def log_message(self, format: str, *args: object) -> None:
        """Quiet by default: the site's request log replaces the stderr access log."""


class DemoSite:
    """A running demo site: where it listens, what it was asked, and how to stop it."""

    def __init__(self, server: ThreadingHTTPServer, on_request: Callable[[RequestRecord], None] | None) -> None:
        self._server = server
        self._lock = threading.Lock()
        self._requests: list[RequestRecord] = []
        self._on_request = on_request
        self._thread = threading.Thread(target=server.serve_forever, name="demosite", daemon=True)
        address = server.server_address
        self.host: str = str(address[0])
        self.port: int = int(address[1])

    @property
    def url(self) -> str:
        """Base URL with a trailing slash, e.g. "http://127.0.0.1:8765/"."""
        return f"http://{self.host}:{self.port}/"

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of the requests answered so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def record(self, method: str, path: str, status: int, user_agent: str) -> None:
        """Add one request to the log (called by the handler threads)."""
        entry = RequestRecord(method, path, status, user_agent, time.time())
        with self._lock:
            self._requests.append(entry)
        if self._on_request is not None:
            self._on_request(entry)

    def clear_log(self) -> None:
        """Forget the requests logged so far."""
        with self._lock:
            self._requests.clear()

    def start(self) -> None:
        """Start serving in a daemon thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket (idempotent)."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=10)
        self._server.server_close()


def serve_handler(handler: type[_Handler], host: str = "127.0.0.1", port: int = 0,
                  on_request: Callable[[RequestRecord], None] | None = None) -> DemoSite:
    """Start a site answering with ``handler``'s routes on host:port (0 = a free port) in a daemon thread and
    return its handle (every fixture site is this server with its own handler class)."""

    class Handler(handler):  # type: ignore[valid-type,misc]
        """This server's handler class (its ``site`` is set once the DemoSite exists)."""

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    site = DemoSite(server, on_request)
    Handler.site = site
    site.start()
    return site


def serve(
    host: str = "127.0.0.1", port: int = 0, on_request: Callable[[RequestRecord], None] | None = None
) -> DemoSite:
    """Start the demo site on host:port (0 = a free port) in a daemon thread and return its handle.

    ``on_request`` is called with each RequestRecord (the CLI prints them); it runs on handler threads.
    """
    return serve_handler(_Handler, host, port, on_request)


def serve_until_stopped(argv: list[str] | None, *, prog: str, title: str, default_port: int,
                        start: Callable[[str, int], DemoSite]) -> int:
    """The fixture sites' ``python -m`` entry: parse --host/--port, serve until SIGINT/SIGTERM; 1 if the port
    cannot be bound."""
    import argparse
    import signal
    import sys

    parser = argparse.ArgumentParser(prog=f"python -m {prog}", description=f"Serve the {title} fixture site.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=default_port)
    args = parser.parse_args(argv)
    try:
        site = start(args.host, args.port)
    except OSError as exc:
        print(f"{prog}: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    print(f"{title} serving on {site.url}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    signal.signal(signal.SIGINT, lambda signum, frame: stop.set())
    stop.wait()
    site.stop()
    return 0
