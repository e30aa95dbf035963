"""Feed, sitemap and robots.txt parsers (pure), including hostile XML."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from spiders.discovery import DiscoveryError, gunzip_limited, parse_feed, parse_sitemap, robots_sitemaps

PARIS = ZoneInfo("Europe/Paris")
BASE = "http://news.example/"

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel><title>T</title><atom:link href="http://news.example/rss.xml" rel="self"/>
<item><title>A</title><link>http://news.example/fr/2024/11/05/a.html</link>
  <pubDate>Tue, 05 Nov 2024 09:30:00 +0100</pubDate></item>
<item><title>B</title><guid isPermaLink="true">http://news.example/en/2024/11/06/b.html</guid>
  <dc:date>2024-11-06T10:00:00+01:00</dc:date></item>
<item><title>C</title><link>/fr/relative.html</link></item>
<item><title>no link</title><guid isPermaLink="false">123</guid></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
<entry><title>A</title><link rel="alternate" href="http://news.example/a.html"/>
  <link rel="edit" href="http://news.example/edit/a"/>
  <published>2024-11-05T09:30:00Z</published><updated>2024-11-07T09:30:00Z</updated></entry>
<entry><title>B</title><link href="http://news.example/b.html"/><updated>2024-11-07T09:30:00Z</updated></entry>
</feed>"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>http://news.example/sitemaps/2024-10.xml</loc><lastmod>2024-10-31T18:00:00+01:00</lastmod></sitemap>
<sitemap><loc>http://news.example/sitemaps/2024-11.xml</loc></sitemap>
</sitemapindex>"""

NEWS = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>http://news.example/fr/2024/11/29/x.html</loc><lastmod>2024-11-30</lastmod>
  <news:news><news:publication><news:name>N</news:name><news:language>fr</news:language></news:publication>
  <news:publication_date>2024-11-29T19:20:00+01:00</news:publication_date><news:title>X</news:title></news:news>
</url>
<url><loc>http://news.example/about.html</loc></url>
</urlset>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://news.example/&lol3;</loc></url></urlset>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://news.example/&xxe;</loc></url></urlset>"""


def test_rss_items_links_and_dates() -> None:
    items = parse_feed(RSS, BASE + "rss.xml", PARIS)
    assert [i.url for i in items] == [
        "http://news.example/fr/2024/11/05/a.html",
        "http://news.example/en/2024/11/06/b.html",
        "http://news.example/fr/relative.html",
    ]
    kinds = {h.kind: h for h in items[0].hints}
    assert kinds["published"].value == datetime(2024, 11, 5, 8, 30, tzinfo=UTC)
    assert kinds["url"].iso() == "2024-11-05"
    assert {h.kind for h in items[1].hints} == {"published", "url"}
    assert items[2].hints == ()


def test_atom_entries() -> None:
    items = parse_feed(ATOM, BASE, PARIS)
    assert [i.url for i in items] == ["http://news.example/a.html", "http://news.example/b.html"]
    assert {h.kind for h in items[0].hints} == {"published", "lastmod"}
    assert [h.kind for h in items[1].hints] == ["lastmod"]  # Atom <updated> is a modification date


def test_feed_rejects_non_feeds() -> None:
    with pytest.raises(DiscoveryError) as info:
        parse_feed(b"<html><body>not a feed</body></html>", BASE, PARIS)
    assert info.value.reason == "bad_feed"
    with pytest.raises(DiscoveryError):
        parse_feed(b"", BASE, PARIS)
    with pytest.raises(DiscoveryError):
        parse_feed(b"\x00\x01 binary junk", BASE, PARIS)


def test_sitemap_index_with_lastmod() -> None:
    sitemap = parse_sitemap(INDEX, BASE, PARIS, 1 << 20)
    assert sitemap.kind == "index"
    assert [e.url for e in sitemap.entries] == [
        "http://news.example/sitemaps/2024-10.xml", "http://news.example/sitemaps/2024-11.xml"]
    assert [h.kind for h in sitemap.entries[0].hints] == ["lastmod"]
    assert sitemap.entries[1].hints == ()


def test_news_sitemap_publication_date() -> None:
    sitemap = parse_sitemap(NEWS, BASE, PARIS, 1 << 20)
    assert sitemap.kind == "urlset" and len(sitemap.entries) == 2
    kinds = {h.kind: h for h in sitemap.entries[0].hints}
    assert kinds["news"].value == datetime(2024, 11, 29, 18, 20, tzinfo=UTC)
    assert kinds["lastmod"].day_precision and kinds["url"].day_precision
    assert sitemap.entries[1].hints == ()


def test_gzip_sitemap_and_size_limit() -> None:
    packed = gzip.compress(NEWS)
    assert parse_sitemap(packed, BASE, PARIS, 1 << 20).entries[0].url.endswith("/x.html")
    with pytest.raises(DiscoveryError) as info:
        gunzip_limited(gzip.compress(b" " * 10_000), 1000)
    assert info.value.reason == "too_large"
    with pytest.raises(DiscoveryError):
        gunzip_limited(b"\x1f\x8bnot really gzip", 1000)
    assert gunzip_limited(b"<plain/>", 10) == b"<plain/>"


def test_entities_are_never_expanded() -> None:
    # Documents declaring entities are refused outright (discovery.parse_xml): never expanded, never used.
    for doc in (BILLION_LAUGHS, XXE):
        with pytest.raises(DiscoveryError) as info:
            parse_sitemap(doc, BASE, PARIS, 1 << 20)
        assert info.value.reason == "bad_sitemap" and "entity" in str(info.value)


def test_sitemap_rejects_other_xml() -> None:
    with pytest.raises(DiscoveryError) as info:
        parse_sitemap(RSS, BASE, PARIS, 1 << 20)
    assert info.value.reason == "bad_sitemap"


def test_robots_sitemaps() -> None:
    text = ("User-agent: *\nDisallow: /private/\n# Sitemap: http://commented.out/\n"
            "sitemap: /sitemap.xml\nSITEMAP: http://news.example/news.xml # trailing\nSitemap: /sitemap.xml\n")
    assert robots_sitemaps(text, BASE + "robots.txt") == (
        "http://news.example/sitemap.xml", "http://news.example/news.xml")
    assert robots_sitemaps("User-agent: *\nDisallow:\n", BASE) == ()
