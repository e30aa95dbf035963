"""Request routing of the generated site: (method, target, base URL, update version, size, edits) -> Response, pure.

| path | what |
| --- | --- |
| ``/`` | home: the latest 20 articles |
| ``/{section}/{yyyy}/{mm}/{dd}/{slug}-{n}`` | article (trailing slash too; query ignored), ETag, Last-Modified |
| ``/{section}/``, ``/{section}/page/{n}/`` | section listing, 10 per page, newest first, rel=next/prev |
| ``/archive/{yyyy}/{mm}/{dd}/`` | the day's articles, 100 a page (``.../page/{n}/``); 404 outside its days |
| ``/robots.txt`` | disallows ``/partners/``, announces the sitemap index |
| ``/rss.xml`` | RSS 2.0, latest 30 |
| ``/sitemap.xml`` | index -> ``/sitemaps/{yyyy-mm}[-p{n}].xml`` (December gzipped) and ``/sitemaps/news.xml`` |
| ``/about/`` | not an article |
"""

from __future__ import annotations

import functools
import re
from datetime import date
from email.utils import format_datetime
from urllib.parse import unquote, urlsplit

from newsarchive.demosite.generated import feeds, pages
from newsarchive.demosite.generated.catalog import Catalog, catalog
from newsarchive.demosite.generated.corpus import Size, as_size
from newsarchive.demosite.generated.edits import Edit, article_headers
from newsarchive.demosite.routes import Response

HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
GZIP = "application/x-gzip"
TEXT = "text/plain; charset=utf-8"
SECTION_RE = re.compile(r"^/([a-z]+)/(?:page/(\d+)/)?$")
DAY_RE = re.compile(r"^/archive/(\d{4})/(\d{2})/(\d{2})/(?:page/(\d+)/)?$")


def _ok(site: Catalog, body: bytes, content_type: str) -> Response:
    return Response(200, (("Content-Type", content_type), ("Last-Modified", format_datetime(site.size.site_now))),
                    body)


def _not_found(base_url: str) -> Response:
    return Response(404, (("Content-Type", HTML),), pages.not_found_page(base_url))


@functools.lru_cache(maxsize=4096)
def _render(path: str, base_url: str, version: int, crawl_delay: float | None, size: Size,
            edits: tuple[Edit, ...] = ()) -> Response:
    site = catalog(size, version, edits)
    if (article := site.by_path.get(path.rstrip("/"))) is not None and path != "/":
        return Response(200, article_headers(article, HTML), pages.article_page(article, base_url))
    fixed = {
        "/": lambda: _ok(site, pages.home_page(list(site.articles[:pages.HOME_SIZE]), base_url), HTML),
        "/about/": lambda: _ok(site, pages.about_page(base_url), HTML),
        "/robots.txt": lambda: _ok(site, feeds.robots_txt(base_url, crawl_delay), TEXT),
        "/rss.xml": lambda: _ok(site, feeds.rss(site, base_url), RSS),
        "/sitemap.xml": lambda: _ok(site, feeds.sitemap_index(site, base_url), XML),
        "/sitemaps/news.xml": lambda: _ok(site, feeds.news_sitemap(site, base_url), XML),
    }
    if path in fixed:
        return fixed[path]()
    if (part := site.sitemap_parts.get(path)) is not None:
        return _ok(site, feeds.month_sitemap(part, base_url), GZIP if part.gzipped else XML)
    if m := DAY_RE.match(path):
        day = _valid_day(m.groups()[:3])
        return _day(site, day, int(m.group(4) or 1), base_url)
    if m := SECTION_RE.match(path):
        return _section(site, m.group(1), int(m.group(2) or 1), base_url)
    if re.match(r"^/[a-z]+$", path) and path[1:] in pages.NAV_SECTIONS:
        return Response(301, (("Location", base_url.rstrip("/") + path + "/"), ("Content-Type", HTML)), b"")
    return _not_found(base_url)


def _valid_day(parts: tuple[str, ...]) -> date | None:
    try:
        return date(*map(int, parts))
    except ValueError:
        return None


def _day(site: Catalog, day: date | None, page: int, base_url: str) -> Response:
    if day is None or not site.size.first_day <= day <= site.size.last_day or page < 1:
        return _not_found(base_url)
    chosen, per_page = site.by_day.get(day, []), site.size.archive_page_size
    first = (page - 1) * per_page
    if page > 1 and first >= len(chosen):
        return _not_found(base_url)
    root = f"{base_url.rstrip('/')}/archive/{day:%Y/%m/%d}/"
    url = root if page == 1 else f"{root}page/{page}/"
    next_url = f"{root}page/{page + 1}/" if first + per_page < len(chosen) else None
    prev_url = None if page == 1 else (root if page == 2 else f"{root}page/{page - 1}/")
    body = pages.listing_page(pages.archive_title(day), url, chosen[first:first + per_page], base_url,
                              "archive", next_url, prev_url)
    return _ok(site, body, HTML)


def _section(site: Catalog, section: str, page: int, base_url: str) -> Response:
    if section not in pages.NAV_SECTIONS or page < 1:
        return _not_found(base_url)
    chosen = site.by_section.get(section, [])
    first = (page - 1) * pages.PAGE_SIZE
    if first >= len(chosen):
        return _not_found(base_url)
    root = f"{base_url.rstrip('/')}/{section}/"
    url = root if page == 1 else f"{root}page/{page}/"
    next_url = f"{root}page/{page + 1}/" if first + pages.PAGE_SIZE < len(chosen) else None
    prev_url = None if page == 1 else (root if page == 2 else f"{root}page/{page - 1}/")
    body = pages.listing_page(pages.section_title(section, page), url, chosen[first:first + pages.PAGE_SIZE],
                              base_url, "section", next_url, prev_url)
    return _ok(site, body, HTML)


def respond(method: str, target: str, base_url: str, version: int = 0, crawl_delay: float | None = None,
            size: Size | int | None = None, edits: tuple[Edit, ...] = ()) -> Response:
    """The response to ``target`` (path and query) on a site of that size (None = the default site) served
    at base_url, the updatable article being at its version-th revision and ``edits`` applied, robots.txt
    asking for crawl_delay if given. The query string never changes the page (tracking parameters)."""
    if method not in ("GET", "HEAD"):
        return Response(405, (("Allow", "GET, HEAD"), ("Content-Type", TEXT)), b"method not allowed\n")
    path = unquote(urlsplit(target).path) or "/"
    return _render(path, base_url.rstrip("/"), version, crawl_delay, as_size(size), edits)
