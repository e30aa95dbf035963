"""Request routing of the soup site: (method, target, base URL) -> Response, pure.

| path | what |
| --- | --- |
| ``/`` | home: the latest 30 articles |
| ``/{yyyy}/{mm}/{dd}/{slug}`` | article (query ignored) |
| ``/robots.txt`` | everything allowed, the sitemap announced |
| ``/rss.xml`` | RSS 2.0, latest 30 |
| ``/sitemap.xml`` | every article with its lastmod |
"""

from __future__ import annotations

import functools
from email.utils import format_datetime
from urllib.parse import unquote, urlsplit

from newsarchive.demosite.markup import esc
from newsarchive.demosite.routes import Response
from newsarchive.demosite.soup.corpus import all_articles, by_path
from newsarchive.demosite.soup.page import SITE_NAME, article_page, article_url

HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
FEED_SIZE = 30
XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n'


def _ok(body: bytes, content_type: str) -> Response:
    return Response(200, (("Content-Type", content_type),), body)


def home(base_url: str) -> bytes:
    """The home page: links to the latest articles."""
    items = "".join(f'<li><a href="{esc(article_url(base_url, a))}">{esc(a.title)}</a></li>'
                    for a in all_articles()[:FEED_SIZE])
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{SITE_NAME}</title></head>'
            f"<body><h1>{SITE_NAME}</h1><ul>{items}</ul></body></html>").encode()


def rss(base_url: str) -> bytes:
    """RSS 2.0 of the latest FEED_SIZE articles."""
    items = "".join(
        f"<item><title>{esc(a.title)}</title><link>{esc(article_url(base_url, a))}</link>"
        f"<pubDate>{format_datetime(a.published)}</pubDate><description>{esc(a.description)}</description></item>\n"
        for a in all_articles()[:FEED_SIZE])
    return (f'{XML_DECL}<rss version="2.0"><channel><title>{SITE_NAME}</title><link>{esc(base_url)}</link>'
            f"<description>Latest news</description>\n{items}</channel></rss>\n").encode()


def sitemap(base_url: str) -> bytes:
    """Every article, with its modified time as lastmod."""
    rows = "".join(f"<url><loc>{esc(article_url(base_url, a))}</loc><lastmod>{a.modified.isoformat()}</lastmod></url>\n"
                   for a in all_articles())
    return f'{XML_DECL}<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{rows}</urlset>\n'.encode()


@functools.lru_cache(maxsize=1024)
def _render(path: str, base_url: str) -> Response:
    article = by_path().get(path.rstrip("/"))
    if article is not None:
        headers = (("Content-Type", HTML), ("Last-Modified", format_datetime(article.modified)))
        return Response(200, headers, article_page(article, base_url))
    fixed = {
        "/": lambda: _ok(home(base_url), HTML),
        "/robots.txt": lambda: _ok(f"User-agent: *\nAllow: /\n\nSitemap: {base_url}/sitemap.xml\n".encode(), TEXT),
        "/rss.xml": lambda: _ok(rss(base_url), RSS),
        "/sitemap.xml": lambda: _ok(sitemap(base_url), XML),
    }
    if path in fixed:
        return fixed[path]()
    return Response(404, (("Content-Type", HTML),), b"<html><body><h1>Not found</h1></body></html>")


def respond(method: str, target: str, base_url: str) -> Response:
    """The response to ``target`` (path and query) on a soup site served at base_url."""
    if method not in ("GET", "HEAD"):
        return Response(405, (("Allow", "GET, HEAD"), ("Content-Type", TEXT)), b"method not allowed\n")
    return _render(unquote(urlsplit(target).path) or "/", base_url.rstrip("/"))
