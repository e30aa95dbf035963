"""robots.txt, the RSS feed (latest 30), the sitemap index with its monthly children, and the news sitemap.

The December child is served gzipped (``.xml.gz``), as large sites do; a large month is split in parts
(see ``catalog``). Lastmods follow the articles' modified times, so an update shows in the month's
sitemap, in the index and in the feed. Every document is bounded whatever the site's size.
"""

from __future__ import annotations

import gzip
from email.utils import format_datetime

from newsarchive.demosite.generated.catalog import Catalog, SitemapPart, month_of
from newsarchive.demosite.generated.corpus import DISALLOWED_SECTION
from newsarchive.demosite.generated.pages import SITE_NAME, article_url
from newsarchive.demosite.markup import esc

FEED_SIZE = 30
FEED_UTM = "?utm_source=rss&utm_medium=feed"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n'

__all__ = ["month_of", "month_path", "month_sitemap", "news_sitemap", "robots_txt", "rss", "sitemap_index"]


def month_path(month: str) -> str:
    """The path of a month's sitemap (its first part: the whole month unless it is split)."""
    return SitemapPart(month, 1, ()).path


def robots_txt(base_url: str, crawl_delay: float | None = None) -> bytes:
    """Everything allowed but the sponsored section (and a Crawl-delay if given); the sitemap index announced."""
    delay = f"Crawl-delay: {crawl_delay:g}\n" if crawl_delay else ""
    return (f"User-agent: *\nDisallow: /{DISALLOWED_SECTION}/\n{delay}\n"
            f"Sitemap: {base_url.rstrip('/')}/sitemap.xml\n").encode()


def rss(site: Catalog, base_url: str) -> bytes:
    """RSS 2.0 of the latest FEED_SIZE articles (links carry utm_* parameters, as feeds often do)."""
    items = []
    for a in site.articles[:FEED_SIZE]:
        url = article_url(base_url, a)
        items.append(
            f"<item><title>{esc(a.title)}</title><link>{esc(url + FEED_UTM)}</link>"
            f'<guid isPermaLink="false">gen-{a.number}</guid><pubDate>{format_datetime(a.published)}</pubDate>'
            f"<dcterms:modified>{a.modified.isoformat()}</dcterms:modified>"
            f"<description>{esc(a.description)}</description><category>{a.section}</category></item>")
    body = (f'{XML_DECL}<rss version="2.0" xmlns:dcterms="http://purl.org/dc/terms/">\n<channel>\n'
            f"<title>{SITE_NAME}</title><link>{esc(base_url)}</link><description>Latest news</description>\n"
            f"<lastBuildDate>{format_datetime(site.size.site_now)}</lastBuildDate>\n" + "\n".join(items)
            + "\n</channel>\n</rss>\n")
    return body.encode("utf-8")


def sitemap_index(site: Catalog, base_url: str) -> bytes:
    """The index: one child per month (or month part) and the news sitemap, each with the latest modified
    time inside."""
    entries = [(part.path, part.lastmod) for part in site.sitemap_parts.values()]
    news = site.news()
    if news:
        entries.append(("/sitemaps/news.xml", max(a.modified for a in news)))
    rows = "".join(f"<sitemap><loc>{esc(base_url.rstrip('/') + path)}</loc><lastmod>{when.isoformat()}</lastmod>"
                   "</sitemap>\n" for path, when in entries)
    return f'{XML_DECL}<sitemapindex xmlns="{SITEMAP_NS}">\n{rows}</sitemapindex>\n'.encode()


def month_sitemap(part: SitemapPart, base_url: str) -> bytes:
    """A month's (or month part's) urlset, lastmod = modified time; gzipped for the gzipped months."""
    rows = "".join(f"<url><loc>{esc(article_url(base_url, a))}</loc><lastmod>{a.modified.isoformat()}</lastmod>"
                   "</url>\n" for a in part.articles)
    body = f'{XML_DECL}<urlset xmlns="{SITEMAP_NS}">\n{rows}</urlset>\n'.encode()
    return gzip.compress(body, mtime=0) if part.gzipped else body


def news_sitemap(site: Catalog, base_url: str) -> bytes:
    """Google News sitemap of the last NEWS_DAYS days (at most NEWS_MAX_URLS entries)."""
    rows = "".join(
        f"<url><loc>{esc(article_url(base_url, a))}</loc><news:news><news:publication><news:name>{SITE_NAME}"
        f"</news:name><news:language>{a.lang}</news:language></news:publication>"
        f"<news:publication_date>{a.published.isoformat()}</news:publication_date>"
        f"<news:title>{esc(a.title)}</news:title></news:news></url>\n"
        for a in site.news())
    return f'{XML_DECL}<urlset xmlns="{SITEMAP_NS}" xmlns:news="{NEWS_NS}">\n{rows}</urlset>\n'.encode()
