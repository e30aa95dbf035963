"""robots.txt, the RSS feed, the sitemap index, monthly sitemaps and the Google News sitemap."""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime

from newsarchive.demosite.content import Article, load_articles
from newsarchive.demosite.markup import absolute, esc
from newsarchive.demosite.wording import SITE_NAME

FEED_SIZE = 20
NEWS_DAYS = 2  # the news sitemap lists the articles of the site's last two publication days
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n'


def robots_txt(base_url: str) -> bytes:
    """robots.txt: everything allowed but /private/, and the sitemap index."""
    return f"User-agent: *\nDisallow: /private/\n\nSitemap: {absolute(base_url, '/sitemap.xml')}\n".encode()


def rss(base_url: str) -> bytes:
    """RSS 2.0 feed of the latest ``FEED_SIZE`` articles, newest first."""
    items = []
    for a in load_articles()[:FEED_SIZE]:
        link = esc(absolute(base_url, a.path))
        items.append(
            f"<item>\n<title>{esc(a.title)}</title>\n<link>{link}</link>\n"
            f'<guid isPermaLink="true">{link}</guid>\n<pubDate>{format_datetime(a.published)}</pubDate>\n'
            f"<description>{esc(a.description)}</description>\n<category>{a.section}</category>\n"
            f"<dc:creator>{esc(', '.join(a.authors))}</dc:creator>\n</item>"
        )
    latest = format_datetime(max(a.modified for a in load_articles()))
    body = (
        f'{XML_DECL}<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        f'xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n<title>{SITE_NAME}</title>\n'
        f"<link>{esc(absolute(base_url, '/'))}</link>\n"
        f'<atom:link href="{esc(absolute(base_url, "/rss.xml"))}" rel="self" type="application/rss+xml"/>\n'
        f"<description>Demo News: actualité / news</description>\n<language>fr</language>\n"
        f"<lastBuildDate>{latest}</lastBuildDate>\n" + "\n".join(items) + "\n</channel>\n</rss>\n"
    )
    return body.encode("utf-8")


def months() -> list[str]:
    """The months (YYYY-MM) that have a monthly sitemap, oldest first."""
    return sorted({f"{a.published:%Y-%m}" for a in load_articles()})


def month_articles(month: str) -> list[Article]:
    """Articles published in a month (Paris time), newest first."""
    return [a for a in load_articles() if f"{a.published:%Y-%m}" == month]


def news_articles() -> list[Article]:
    """Articles of the last ``NEWS_DAYS`` publication dates of the site (Paris dates), newest first."""
    last = load_articles()[0].published.date()
    first = last - timedelta(days=NEWS_DAYS - 1)
    return [a for a in load_articles() if a.published.date() >= first]


def sitemap_index(base_url: str) -> bytes:
    """The sitemap index: monthly sitemaps and the news sitemap, each with its lastmod."""
    entries = [(f"/sitemaps/{m}.xml", max(a.modified for a in month_articles(m))) for m in months()]
    entries.append(("/sitemaps/news.xml", max(a.modified for a in news_articles())))
    rows = "".join(
        f"<sitemap><loc>{esc(absolute(base_url, path))}</loc><lastmod>{when.isoformat()}</lastmod></sitemap>\n"
        for path, when in entries
    )
    return f'{XML_DECL}<sitemapindex xmlns="{SITEMAP_NS}">\n{rows}</sitemapindex>\n'.encode()


def month_sitemap(month: str, base_url: str) -> bytes | None:
    """The urlset of a month (lastmod = modified time), or None if the month has no articles."""
    chosen = month_articles(month)
    if not chosen:
        return None
    rows = "".join(
        f"<url><loc>{esc(absolute(base_url, a.path))}</loc><lastmod>{a.modified.isoformat()}</lastmod></url>\n"
        for a in chosen
    )
    return f'{XML_DECL}<urlset xmlns="{SITEMAP_NS}">\n{rows}</urlset>\n'.encode()


def news_sitemap(base_url: str) -> bytes:
    """Google News sitemap of the last two publication days."""
    rows = "".join(
        f"<url><loc>{esc(absolute(base_url, a.path))}</loc><news:news><news:publication>"
        f"<news:name>{SITE_NAME}</news:name><news:language>{a.lang}</news:language></news:publication>"
        f"<news:publication_date>{a.published.isoformat()}</news:publication_date>"
        f"<news:title>{esc(a.title)}</news:title></news:news></url>\n"
        for a in news_articles()
    )
    return f'{XML_DECL}<urlset xmlns="{SITEMAP_NS}" xmlns:news="{NEWS_NS}">\n{rows}</urlset>\n'.encode()
