"""Request routing of the generated site: (method, target, base URL, update version) -> Response, pure.

| path | what |
| --- | --- |
| ``/`` | home: the latest 20 articles |
| ``/{section}/{yyyy}/{mm}/{dd}/{slug}-{n}`` | article (trailing slash too; query ignored), ETag, Last-Modified |
| ``/{section}/``, ``/{section}/page/{n}/`` | section listing, 10 per page, newest first, rel=next/prev |
| ``/archive/{yyyy}/{mm}/{dd}/`` | the day's articles (404 outside the site's 90 days) |
| ``/robots.txt`` | disallows ``/partners/``, announces the sitemap index |
| ``/rss.xml`` | RSS 2.0, latest 30 |
| ``/sitemap.xml`` | index -> ``/sitemaps/{yyyy-mm}.xml`` (December gzipped) and ``/sitemaps/news.xml`` |
| ``/about/`` | not an article |
"""

from __future__ import annotations

import functools
import re
from datetime import date
from email.utils import format_datetime
from urllib.parse import unquote, urlsplit

from newsarchive.demosite.generated import feeds, pages
from newsarchive.demosite.generated.corpus import (
    FIRST_DAY,
    LAST_DAY,
    SITE_NOW,
    GenArticle,
    all_articles,
    revise,
    updatable,
)
from newsarchive.demosite.generated.edits import Edit, apply_edits, article_headers
from newsarchive.demosite.routes import Response

HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
GZIP = "application/x-gzip"
TEXT = "text/plain; charset=utf-8"
SECTION_RE = re.compile(r"^/([a-z]+)/(?:page/(\d+)/)?$")
DAY_RE = re.compile(r"^/archive/(\d{4})/(\d{2})/(\d{2})/$")
MONTH_RE = re.compile(r"^/sitemaps/(\d{4}-\d{2})\.xml(\.gz)?$")


@functools.lru_cache(maxsize=8)
def articles_at(version: int, edits: tuple[Edit, ...] = ()) -> tuple[GenArticle, ...]:
    """Every article (newest first) with the updatable one at its version-th revision, and ``edits`` applied
    (see ``edits``)."""
    target = updatable()
    edited = {e.number for e in edits}
    return tuple(apply_edits(a, edits) if a.number in edited else a
                 for a in (revise(a, version) if a.number == target.number else a for a in all_articles()))


@functools.lru_cache(maxsize=8)
def _paths(version: int, edits: tuple[Edit, ...] = ()) -> dict[str, GenArticle]:
    return {a.path: a for a in articles_at(version, edits)}


def _ok(body: bytes, content_type: str) -> Response:
    return Response(200, (("Content-Type", content_type), ("Last-Modified", format_datetime(SITE_NOW))), body)


def _not_found(base_url: str) -> Response:
    return Response(404, (("Content-Type", HTML),), pages.not_found_page(base_url))


@functools.lru_cache(maxsize=4096)
def _render(path: str, base_url: str, version: int, crawl_delay: float | None,
            edits: tuple[Edit, ...] = ()) -> Response:
    articles = articles_at(version, edits)
    if (article := _paths(version, edits).get(path.rstrip("/"))) is not None and path != "/":
        return Response(200, article_headers(article, HTML), pages.article_page(article, base_url))
    fixed = {
        "/": lambda: _ok(pages.home_page(list(articles[:pages.HOME_SIZE]), base_url), HTML),
        "/about/": lambda: _ok(pages.about_page(base_url), HTML),
        "/robots.txt": lambda: _ok(feeds.robots_txt(base_url, crawl_delay), TEXT),
        "/rss.xml": lambda: _ok(feeds.rss(articles, base_url), RSS),
        "/sitemap.xml": lambda: _ok(feeds.sitemap_index(articles, base_url), XML),
        "/sitemaps/news.xml": lambda: _ok(feeds.news_sitemap(articles, base_url), XML),
    }
    if path in fixed:
        return fixed[path]()
    if m := MONTH_RE.match(path):
        if bool(m.group(2)) != (m.group(1) in feeds.GZIP_MONTHS):
            return _not_found(base_url)
        body = feeds.month_sitemap(articles, m.group(1), base_url)
        return _ok(body, GZIP if m.group(2) else XML) if body is not None else _not_found(base_url)
    if m := DAY_RE.match(path):
        return _day(date(*map(int, m.groups())) if _valid_day(m.groups()) else None, articles, base_url)
    if m := SECTION_RE.match(path):
        return _section(m.group(1), int(m.group(2) or 1), articles, base_url)
    if re.match(r"^/[a-z]+$", path) and path[1:] in pages.NAV_SECTIONS:
        return Response(301, (("Location", base_url.rstrip("/") + path + "/"), ("Content-Type", HTML)), b"")
    return _not_found(base_url)


def _valid_day(parts: tuple[str, ...]) -> bool:
    try:
        date(*map(int, parts))
    except ValueError:
        return False
    return True


def _day(day: date | None, articles: tuple[GenArticle, ...], base_url: str) -> Response:
    if day is None or not FIRST_DAY <= day <= LAST_DAY:
        return _not_found(base_url)
    chosen = sorted((a for a in articles if a.day == day), key=lambda a: a.published, reverse=True)
    canonical = f"{base_url.rstrip('/')}/archive/{day:%Y/%m/%d}/"
    return _ok(pages.listing_page(pages.archive_title(day), canonical, chosen, base_url, "archive"), HTML)


def _section(section: str, page: int, articles: tuple[GenArticle, ...], base_url: str) -> Response:
    if section not in pages.NAV_SECTIONS or page < 1:
        return _not_found(base_url)
    chosen = [a for a in articles if a.section == section]
    first = (page - 1) * pages.PAGE_SIZE
    if first >= len(chosen):
        return _not_found(base_url)
    root = f"{base_url.rstrip('/')}/{section}/"
    url = root if page == 1 else f"{root}page/{page}/"
    next_url = f"{root}page/{page + 1}/" if first + pages.PAGE_SIZE < len(chosen) else None
    prev_url = None if page == 1 else (root if page == 2 else f"{root}page/{page - 1}/")
    body = pages.listing_page(pages.section_title(section, page), url, chosen[first:first + pages.PAGE_SIZE],
                              base_url, "section", next_url, prev_url)
    return _ok(body, HTML)


def respond(method: str, target: str, base_url: str, version: int = 0, crawl_delay: float | None = None,
            edits: tuple[Edit, ...] = ()) -> Response:
    """The response to ``target`` (path and query) on a site served at base_url, the updatable article
    being at its version-th revision and ``edits`` applied, robots.txt asking for crawl_delay if given. The
    query string never changes the page (tracking parameters)."""
    if method not in ("GET", "HEAD"):
        return Response(405, (("Allow", "GET, HEAD"), ("Content-Type", TEXT)), b"method not allowed\n")
    path = unquote(urlsplit(target).path) or "/"
    return _render(path, base_url.rstrip("/"), version, crawl_delay, edits)
