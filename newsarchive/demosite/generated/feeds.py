"""robots.txt, the RSS feed (latest 30), the sitemap index with monthly children, and the news sitemap.

The December child is served gzipped (``.xml.gz``), as large sites do. Lastmods follow the articles'
modified times, so an update shows in the month's sitemap, in the index and in the feed.
"""

from __future__ import annotations

import gzip
from collections.abc import Sequence
from datetime import datetime, timedelta
from email.utils import format_datetime

from newsarchive.demosite.generated.corpus import DISALLOWED_SECTION, SITE_NOW, GenArticle
from newsarchive.demosite.generated.pages import SITE_NAME, article_url
from newsarchive.demosite.markup import esc

FEED_SIZE = 30
NEWS_DAYS = 2
GZIP_MONTHS = frozenset({"2024-12"})
FEED_UTM = "?utm_source=rss&utm_medium=feed"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n'


def robots_txt(base_url: str, crawl_delay: float | None = None) -> bytes:
    """Everything allowed but the sponsored section (and a Crawl-delay if given); the sitemap index announced."""
    delay = f"Crawl-delay: {crawl_delay:g}\n" if crawl_delay else ""
    return (f"User-agent: *\nDisallow: /{DISALLOWED_SECTION}/\n{delay}\n"
            f"Sitemap: {base_url.rstrip('/')}/sitemap.xml\n").encode()


def rss(articles: Sequence[GenArticle], base_url: str) -> bytes:
    """RSS 2.0 of the latest FEED_SIZE articles (links carry utm_* parameters, as feeds often do)."""
    items = []
    for a in list(articles)[:FEED_SIZE]:
        url = article_url(base_url, a)
        items.append(
            f"<item><title>{esc(a.title)}</title><link>{esc(url + FEED_UTM)}</link>"
            f'<guid isPermaLink="false">gen-{a.number}</guid><pubDate>{format_datetime(a.published)}</pubDate>'
            f"<dcterms:modified>{a.modified.isoformat()}</dcterms:modified>"
            f"<description>{esc(a.description)}</description><category>{a.section}</category></item>")
    body = (f'{XML_DECL}<rss version="2.0" xmlns:dcterms="http://purl.org/dc/terms/">\n<channel>\n'
            f"<title>{SITE_NAME}</title><link>{esc(base_url)}</link><description>Latest news</description>\n"
            f"<lastBuildDate>{format_datetime(SITE_NOW)}</lastBuildDate>\n" + "\n".join(items)
            + "\n</channel>\n</rss>\n")
    return body.encode("utf-8")


def month_of(article: GenArticle) -> str:
    """The YYYY-MM of an article's monthly sitemap (local publication month)."""
    return f"{article.published:%Y-%m}"


def month_path(month: str) -> str:
    """The path of a month's sitemap."""
    return f"/sitemaps/{month}.xml" + (".gz" if month in GZIP_MONTHS else "")


def news_articles(articles: Sequence[GenArticle]) -> list[GenArticle]:
    """Articles of the last NEWS_DAYS days before the site's now."""
    since = SITE_NOW - timedelta(days=NEWS_DAYS)
    return [a for a in articles if a.published >= since]


def sitemap_index(articles: Sequence[GenArticle], base_url: str) -> bytes:
    """The index: one child per month and the news sitemap, each with the latest modified time inside."""
    latest: dict[str, datetime] = {}
    for a in articles:
        latest[month_of(a)] = max(latest.get(month_of(a), a.modified), a.modified)
    entries = [(month_path(m), latest[m]) for m in sorted(latest)]
    news = news_articles(articles)
    if news:
        entries.append(("/sitemaps/news.xml", max(a.modified for a in news)))
    rows = "".join(f"<sitemap><loc>{esc(base_url.rstrip('/') + path)}</loc><lastmod>{when.isoformat()}</lastmod>"
                   "</sitemap>\n" for path, when in entries)
    return f'{XML_DECL}<sitemapindex xmlns="{SITEMAP_NS}">\n{rows}</sitemapindex>\n'.encode()


def month_sitemap(articles: Sequence[GenArticle], month: str, base_url: str) -> bytes | None:
    """A month's urlset (lastmod = modified time), gzipped for GZIP_MONTHS; None for an unknown month."""
    chosen = [a for a in articles if month_of(a) == month]
    if not chosen:
        return None
    rows = "".join(f"<url><loc>{esc(article_url(base_url, a))}</loc><lastmod>{a.modified.isoformat()}</lastmod>"
                   "</url>\n" for a in chosen)
    body = f'{XML_DECL}<urlset xmlns="{SITEMAP_NS}">\n{rows}</urlset>\n'.encode()
    return gzip.compress(body, mtime=0) if month in GZIP_MONTHS else body


def news_sitemap(articles: Sequence[GenArticle], base_url: str) -> bytes:
    """Google News sitemap of the last NEWS_DAYS days."""
    rows = "".join(
        f"<url><loc>{esc(article_url(base_url, a))}</loc><news:news><news:publication><news:name>{SITE_NAME}"
        f"</news:name><news:language>{a.lang}</news:language></news:publication>"
        f"<news:publication_date>{a.published.isoformat()}</news:publication_date>"
        f"<news:title>{esc(a.title)}</news:title></news:news></url>\n"
        for a in news_articles(articles))
    return f'{XML_DECL}<urlset xmlns="{SITEMAP_NS}" xmlns:news="{NEWS_NS}">\n{rows}</urlset>\n'.encode()
