"""Small hostile sites for cases that need a whole site of their own (served like the demo site, request log
included), each reached through ``/section/``, ``/rss.xml`` and ``/sitemap.xml``:

- ``serve_origins(neighbour_url)``: every discovery path leads to another origin of the site's own host: a
  neighbour service on another port (a second service on loopback, a Docker API on :2375) and https on the
  site's own http port; ``/robots.txt`` redirects to the neighbour. A correct crawler requests none of them
  (the neighbour's log proves it): ``OFFSITE`` refusals, the ``GOOD`` articles archived.
- ``serve_sitemap_flood(children)``: a sitemap index of thousands of undated child sitemaps (and, last, one
  dated child listing ``FLOOD_SITEMAP_ARTICLE``) beside a feed of ``FLOOD_ARTICLES``: discovery must not spend
  the articles' page budget, and a limited discovery budget goes to the dated child first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape
from urllib.parse import urlsplit

from newsarchive.demosite import hostile_pages as hp
from newsarchive.demosite.routes import Response
from newsarchive.demosite.server import DemoSite, _Handler, serve_handler

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


def origin_reply(base: str, path: str, neighbour: str) -> Response | None:
    """The origins site's reply for a path (None: 404); ``base`` has no trailing slash."""
    parts = urlsplit(base)
    https_self = f"https://{parts.hostname}:{parts.port}"
    if path in GOOD:
        return _article(GOOD[path])
    replies: dict[str, Callable[[], Response]] = {
        "/robots.txt": lambda: _redirect(f"{neighbour}/robots.txt"),
        "/section/": lambda: _section(base, neighbour, https_self),
        "/origins/redirect-port.html": lambda: _redirect(f"{neighbour}/v1.40/containers/json"),
        "/origins/redirect-https.html": lambda: _redirect(f"{https_self}/origins/good.html"),
        "/rss.xml": lambda: _feed(neighbour),
        "/sitemap.xml": lambda: _sitemap("sitemapindex", [f"{neighbour}/sitemap-child.xml", f"{base}/sitemap-own.xml"]),
        "/sitemap-own.xml": lambda: _sitemap("urlset", [f"{neighbour}/origins/sitemap-entry.html",
                                                        f"{base}/origins/good-from-sitemap.html"]),
    }
    make = replies.get(path)
    return make() if make is not None else None


def _article(slug: str) -> Response:
    return _html(hp.article_html(hp.GOOD_BY_SLUG[slug]))


Router = Callable[[str, str], Response | None]  # (base URL without trailing slash, path) -> reply, None = 404


def serve_routes(router: Router, host: str = "127.0.0.1", port: int = 0) -> DemoSite:
    """Serve a router in a daemon thread (stop it with .stop()); a path it does not know answers 404."""

    class Handler(_Handler):
        """This server's handler: the router's replies."""

        label = "hostile site"

        def route(self, method: str) -> Response:
            reply = router(self.base_url().rstrip("/"), urlsplit(self.path).path)
            return reply if reply is not None else Response(404, (("Content-Type", HTML),), b"<h1>404</h1>")

    return serve_handler(Handler, host, port)


def serve_origins(neighbour_url: str, host: str = "127.0.0.1", port: int = 0) -> DemoSite:
    """The origins site (see the module docstring) with its neighbour at ``neighbour_url``."""
    neighbour = neighbour_url.rstrip("/")
    return serve_routes(lambda base, path: origin_reply(base, path, neighbour), host, port)


# The flood site's feed: in-window articles (the good articles' pages), beside its sitemap index.
FLOOD_ARTICLES = {f"/flood/{slug}.html": slug for slug in ("latin-1", "undeclared", "gzip", "odd-url", "long-url")}
# The one article only a sitemap lists: in the index's last child, the only one with a lastmod (in the window).
FLOOD_SITEMAP_ARTICLE = ("/flood/from-sitemap.html", "utf-8-bom")
_FLOOD_CHILD = re.compile(r"^/flood/child-(\d+)\.xml$")


def flood_reply(base: str, path: str, children: int) -> Response | None:
    """The flood site's reply: a sitemap index of ``children`` undated child sitemaps (each listing one page
    outside the window) and, last, one dated child listing FLOOD_SITEMAP_ARTICLE; a feed of the FLOOD_ARTICLES."""
    if path in FLOOD_ARTICLES:
        return _article(FLOOD_ARTICLES[path])
    if path == FLOOD_SITEMAP_ARTICLE[0]:
        return _article(FLOOD_SITEMAP_ARTICLE[1])
    if path == "/flood/recent.xml":
        return _sitemap("urlset", [base + FLOOD_SITEMAP_ARTICLE[0]])
    if path == "/rss.xml":
        items = "".join(f"<item><title>{slug}</title><link>{base}{article}</link>"
                        f"<pubDate>Thu, 21 Nov 2024 09:30:00 +0100</pubDate></item>"
                        for article, slug in FLOOD_ARTICLES.items())
        feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>{items}</channel></rss>'
        return Response(200, (("Content-Type", RSS),), feed.encode("utf-8"))
    if path == "/sitemap.xml":
        undated = "".join(f"<sitemap><loc>{base}/flood/child-{i}.xml</loc></sitemap>" for i in range(children))
        dated = f"<sitemap><loc>{base}/flood/recent.xml</loc><lastmod>2024-11-21T10:00:00+01:00</lastmod></sitemap>"
        body = f'<?xml version="1.0"?><sitemapindex xmlns="{hp.SITEMAP_NS}">{undated}{dated}</sitemapindex>'
        return Response(200, (("Content-Type", XML),), body.encode("utf-8"))
    match = _FLOOD_CHILD.match(path)
    if match and int(match[1]) < children:
        return _sitemap("urlset", [f"{base}/flood/old/2019/03/04/{match[1]}.html"])
    return None


def serve_sitemap_flood(children: int = 3000, host: str = "127.0.0.1", port: int = 0) -> DemoSite:
    """The flood site (see the module docstring)."""
    return serve_routes(lambda base, path: flood_reply(base, path, children), host, port)
