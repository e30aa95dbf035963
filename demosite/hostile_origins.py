"""A site whose every discovery path leads to another origin of its own host: a neighbour service on another
port of the same host (as a second service on loopback, or a Docker API on :2375), and https on the site's
own http port. A correct crawler requests none of them; the neighbour's request log proves it.

``serve_origins(neighbour_url)`` serves it; ``OFFSITE`` says how many requests a correct crawl refuses and
``GOOD`` the articles it archives. Reached through ``/section/``, ``/rss.xml`` and ``/sitemap.xml``
(configure them as the site's discovery); ``/robots.txt`` redirects to the neighbour.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from http.server import ThreadingHTTPServer
from urllib.parse import urlsplit

from demosite import hostile_pages as hp
from demosite.routes import Response
from demosite.server import DemoSite, _Handler

HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
# The good articles (reached on the site's own origin) and where they live.
GOOD = {"/origins/good.html": "undeclared", "/origins/good-from-sitemap.html": "latin-1"}
# Requests a correct crawl refuses as skipped.offsite: the robots.txt redirect; two links (another port, https
# on the site's port); two redirects (another port, https); a feed item; the configured neighbour feed; a
# sitemap index child and a sitemap entry on the neighbour.
OFFSITE = 9


def _html(body: str) -> Response:
    return Response(200, (("Content-Type", HTML),), body.encode("utf-8"))


def _redirect(location: str) -> Response:
    return Response(302, (("Location", location), ("Content-Type", HTML)), b"")


def _section(base: str, neighbour: str, https_self: str) -> Response:
    links = [f"{base}/origins/good.html", f"{neighbour}/origins/other-port.html",
             f"{https_self}/origins/https-link.html", f"{base}/origins/redirect-port.html",
             f"{base}/origins/redirect-https.html"]
    items = "\n".join(f'<li><a href="{escape(u)}">{escape(u)}</a></li>' for u in links)
    return _html(f"<!DOCTYPE html><html><body><h1>Origins</h1><ul>\n{items}\n</ul></body></html>")


def _feed(neighbour: str) -> Response:
    item = (f"<item><title>Elsewhere</title><link>{escape(neighbour)}/origins/feed-item.html</link>"
            f"<pubDate>Thu, 21 Nov 2024 09:30:00 +0100</pubDate></item>")
    body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>o</title>{item}</channel></rss>'
    return Response(200, (("Content-Type", RSS),), body.encode("utf-8"))


def _sitemap(kind: str, entries: list[str]) -> Response:
    child = "sitemap" if kind == "sitemapindex" else "url"
    locs = "".join(f"<{child}><loc>{escape(u)}</loc></{child}>" for u in entries)
    body = f'<?xml version="1.0"?><{kind} xmlns="{hp.SITEMAP_NS}">{locs}</{kind}>'
    return Response(200, (("Content-Type", XML),), body.encode("utf-8"))


def routes(base: str, neighbour: str) -> dict[str, Callable[[], Response]]:
    """Path -> reply of the site at ``base`` (no trailing slash) with its neighbour at ``neighbour``."""
    parts = urlsplit(base)
    https_self = f"https://{parts.hostname}:{parts.port}"
    table: dict[str, Callable[[], Response]] = {
        "/robots.txt": lambda: _redirect(f"{neighbour}/robots.txt"),
        "/section/": lambda: _section(base, neighbour, https_self),
        "/origins/redirect-port.html": lambda: _redirect(f"{neighbour}/v1.40/containers/json"),
        "/origins/redirect-https.html": lambda: _redirect(f"{https_self}/origins/good.html"),
        "/rss.xml": lambda: _feed(neighbour),
        "/sitemap.xml": lambda: _sitemap("sitemapindex", [f"{neighbour}/sitemap-child.xml", f"{base}/sitemap-own.xml"]),
        "/sitemap-own.xml": lambda: _sitemap("urlset", [f"{neighbour}/origins/sitemap-entry.html",
                                                        f"{base}/origins/good-from-sitemap.html"]),
    }
    for path, slug in GOOD.items():
        table[path] = _article(slug)
    return table


def _article(slug: str) -> Callable[[], Response]:
    return lambda: _html(hp.article_html(hp.GOOD_BY_SLUG[slug]))


def serve_origins(neighbour_url: str, host: str = "127.0.0.1", port: int = 0) -> DemoSite:
    """Start the site in a daemon thread (stop it with .stop()); every other path answers 404."""
    neighbour = neighbour_url.rstrip("/")

    class Handler(_Handler):
        """This server's handler: the origin-trick routes."""

        label = "origins site"

        def route(self, method: str) -> Response:
            reply = routes(self.base_url().rstrip("/"), neighbour).get(urlsplit(self.path).path)
            return reply() if reply is not None else Response(404, (("Content-Type", HTML),), b"<h1>404</h1>")

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    site = DemoSite(server, None)
    Handler.site = site
    site.start()
    return site
