"""Request routing of the demo site: (method, target, Host) -> Response, pure and testable without HTTP.

URL layout (all links absolute, built from the request's Host header):

| path | what |
| --- | --- |
| ``/`` | home: sections and latest articles |
| ``/{lang}/{yyyy}/{mm}/{dd}/{slug}.html`` | article (date = publication date in Europe/Paris) |
| ``/section/{name}/?page=N`` | section listing, 5 per page, newest first, rel=next/prev |
| ``/tag/{tag-slug}/`` | articles with a tag |
| ``/archive/{yyyy}/{mm}/{dd}/`` | articles of a day, 200 even if none (not linked; date-archive discovery) |
| ``/about.html`` | about page (not an article) |
| ``/robots.txt`` | disallows /private/, points at the sitemap index |
| ``/rss.xml`` | RSS 2.0, latest 20 articles |
| ``/sitemap.xml`` | sitemap index -> ``/sitemaps/{yyyy-mm}.xml``, ``/sitemaps/news.xml`` |
| ``/private/...`` | one article-like page disallowed by robots.txt |
| ``/broken/...`` and one article-shaped URL | see ``newsarchive.demosite.broken.BROKEN_CASES`` |
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import parse_qs, unquote, urlsplit

from newsarchive.demosite import broken, feeds, hostile, pages
from newsarchive.demosite.content import article_by_path, article_by_slug, load_articles
from newsarchive.demosite.markup import absolute
from newsarchive.demosite.render import render_article

HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
PRIVATE_MODIFIED = datetime(2024, 11, 14, 7, 0, tzinfo=UTC)
SECTION_RE = re.compile(r"^/section/([a-z]+)(/?)$")
TAG_RE = re.compile(r"^/tag/([a-z0-9-]+)/$")
DAY_RE = re.compile(r"^/archive/(\d{4})/(\d{2})/(\d{2})/$")
MONTH_SITEMAP_RE = re.compile(r"^/sitemaps/(\d{4}-\d{2})\.xml$")


@dataclass(frozen=True)
class Response:
    """A response: status, headers (name, value) and body bytes."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


def _gmt(when: datetime) -> str:
    return format_datetime(when.astimezone(UTC), usegmt=True)


def _site_modified() -> datetime:
    return max(a.modified for a in load_articles())


def ok(body: bytes, content_type: str, modified: datetime | None = None) -> Response:
    """A 200 response with Content-Type and, when known, Last-Modified."""
    headers = [("Content-Type", content_type)]
    if modified is not None:
        headers.append(("Last-Modified", _gmt(modified)))
    return Response(200, tuple(headers), body)


def not_found(base_url: str) -> Response:
    """The 404 response."""
    return Response(404, (("Content-Type", HTML),), pages.not_found(base_url))


def redirect(location: str, status: int = 301) -> Response:
    """A redirect to an absolute URL."""
    return Response(status, (("Location", location), ("Content-Type", HTML)), b"")


def _broken(case: broken.BrokenCase, base_url: str) -> Response:
    if case.location is not None:
        target = case.location
        if target.startswith("article:"):
            target = article_by_slug(target.removeprefix("article:")).path
        return redirect(absolute(base_url, target), case.status)
    if case.status == 404:
        return not_found(base_url)
    if case.content_type.startswith("application/pdf"):
        return Response(case.status, (("Content-Type", case.content_type),), broken.PDF_BYTES)
    if case.status == 200:
        return Response(200, (("Content-Type", case.content_type),), b"")
    message = f"<html><body><h1>{case.status}</h1><p>{case.behaviour}</p></body></html>".encode()
    return Response(case.status, (("Content-Type", case.content_type),), message)


def _page_number(query: str) -> int | None:
    values = parse_qs(query).get("page", ["1"])
    return int(values[0]) if values[0].isdigit() else None


def _listing(path: str, query: str, base_url: str) -> Response | None:
    """Section, tag and day-archive pages (None when the path is none of them)."""
    if m := SECTION_RE.match(path):
        if not m.group(2):
            return redirect(absolute(base_url, path + "/" + (f"?{query}" if query else "")))
        page = _page_number(query)
        body = pages.section(m.group(1), page, base_url) if page is not None else None
        return ok(body, HTML, _site_modified()) if body is not None else not_found(base_url)
    if m := TAG_RE.match(path):
        body = pages.tag(m.group(1), base_url)
        return ok(body, HTML, _site_modified()) if body is not None else not_found(base_url)
    if m := DAY_RE.match(path):
        body = pages.day_archive("-".join(m.groups()), base_url)
        return ok(body, HTML, _site_modified()) if body is not None else not_found(base_url)
    return None


def _feeds(path: str, base_url: str) -> Response | None:
    """robots.txt, RSS and sitemaps (None when the path is none of them)."""
    fixed: dict[str, tuple[Callable[[str], bytes], str]] = {
        "/robots.txt": (feeds.robots_txt, TEXT),
        "/rss.xml": (feeds.rss, RSS),
        "/sitemap.xml": (feeds.sitemap_index, XML),
        "/sitemaps/news.xml": (feeds.news_sitemap, XML),
    }
    if path in fixed:
        make, content_type = fixed[path]
        return ok(make(base_url), content_type, _site_modified())
    if m := MONTH_SITEMAP_RE.match(path):
        body = feeds.month_sitemap(m.group(1), base_url)
        return ok(body, XML, _site_modified()) if body is not None else not_found(base_url)
    return None


def respond(method: str, target: str, base_url: str) -> Response:
    """The response to a request for ``target`` (path and query) on a site served at ``base_url``."""
    if method not in ("GET", "HEAD"):
        return Response(405, (("Allow", "GET, HEAD"), ("Content-Type", TEXT)), b"method not allowed\n")
    parts = urlsplit(target)
    path = unquote(parts.path) or "/"
    if (case := broken.broken_case(path)) is not None:
        return _broken(case, base_url)
    if (hit := hostile.respond(path, base_url)) is not None:  # /hostile/: see newsarchive.demosite.hostile
        return Response(*hit)
    if (article := article_by_path(path)) is not None:
        return ok(render_article(article, base_url), HTML, article.modified)
    if path == "/":
        return ok(pages.home(base_url), HTML, _site_modified())
    if path == "/about.html":
        return ok(pages.about(base_url), HTML, _site_modified())
    if path == pages.PRIVATE_PATH:
        return ok(pages.private(base_url), HTML, PRIVATE_MODIFIED)
    found = _feeds(path, base_url) or _listing(path, parts.query, base_url)
    return found if found is not None else not_found(base_url)
