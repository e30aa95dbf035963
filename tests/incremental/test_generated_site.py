"""The generated fixture site: scale, determinism, discovery documents, duplicates, robots, updates, text."""

from __future__ import annotations

import gzip
import urllib.error
import urllib.request
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from lxml import etree

from extract import ExtractHints, extract_article
from newsarchive.demosite.generated import corpus, truth
from newsarchive.demosite.generated.routes import respond

BASE = "http://gen.example"


def get(site: Any, path: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(site.url.rstrip("/") + path, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_scale_and_determinism() -> None:
    articles = truth.articles()
    assert len(articles) >= 300 and truth.disallowed()
    days = {a.day for a in corpus.all_articles()}
    assert len(days) == corpus.DAYS and min(days) == corpus.FIRST_DAY and max(days) == corpus.LAST_DAY
    assert Counter(a.lang for a in articles).keys() == {"fr", "en"}
    assert len({a.path for a in corpus.all_articles()}) == len(corpus.all_articles())
    assert len({a.text for a in corpus.all_articles()}) == len(corpus.all_articles())
    assert [a.published for a in articles] == sorted((a.published for a in articles), reverse=True)
    corpus.all_articles.cache_clear()
    assert [(a.path, a.text) for a in truth.articles()] == [(a.path, a.text) for a in articles]  # same seed, same site
    edges = [a for a in articles if a.published.hour == 0 or (a.published.hour, a.published.minute) >= (23, 30)]
    assert edges, "some articles sit in the first or last half hour of a day"


def test_articles_extract_in_their_language() -> None:
    hints = ExtractHints(languages=("fr", "en"), timezone="Europe/Paris")
    for article in truth.articles()[::6]:  # a spread sample; the whole site was checked when it was built
        page = respond("GET", article.path + "/?utm_source=x", BASE).body
        record = extract_article(page, BASE + article.path + "/", site="gen", hints=hints)
        assert record.word_count >= 80 and record.language == article.lang, article.path
        assert record.text == article.text and record.canonical_url == BASE + article.path
        assert record.published == article.published.isoformat()


def test_discovery_documents(gen_site: Any) -> None:
    status, _, robots = get(gen_site, "/robots.txt")
    assert status == 200 and b"Disallow: /partners/" in robots and b"Sitemap: " in robots
    _, _, rss = get(gen_site, "/rss.xml")
    items = etree.fromstring(rss).findall(".//item")
    assert len(items) == 30 and all("utm_source=rss" in (i.findtext("link") or "") for i in items)
    _, _, index = get(gen_site, "/sitemap.xml")
    children = [loc.text or "" for loc in etree.fromstring(index).iter("{*}loc")]
    assert [c.rsplit("/", 1)[1] for c in children] == ["2024-12.xml.gz", "2025-01.xml", "2025-02.xml", "news.xml"]
    status, headers, december = get(gen_site, "/sitemaps/2024-12.xml.gz")
    assert status == 200 and headers["Content-Type"] == "application/x-gzip"
    locs = list(etree.fromstring(gzip.decompress(december)).iter("{*}loc"))
    assert len(locs) == len([a for a in corpus.all_articles() if a.published.month == 12])
    _, _, news = get(gen_site, "/sitemaps/news.xml")
    dates = [d.text or "" for d in etree.fromstring(news).iter("{*}publication_date")]
    assert dates and min(dates) >= (corpus.SITE_NOW - timedelta(days=2)).isoformat()[:10]
    status, _, archive = get(gen_site, "/archive/2025/02/03/")
    assert status == 200 and b'rel="canonical"' in archive
    assert get(gen_site, "/archive/2025/06/01/")[0] == 404
    status, _, page2 = get(gen_site, "/world/page/2/")
    assert status == 200 and b'rel="next"' in page2 and b'rel="prev"' in page2


def test_duplicates_serve_the_canonical_page(gen_site: Any) -> None:
    article = next(a for a in truth.articles() if set(a.variants()) >= {"slash", "utm"})
    canonical = truth.url(article, gen_site.url)
    variants = truth.duplicate_urls(article, gen_site.url)
    assert canonical + "/" in variants and any("utm_" in v for v in variants)
    for path in (article.path, article.path + "/", article.path + "?utm_source=x&utm_medium=y"):
        status, _, body = get(gen_site, path)
        assert status == 200 and f'<link rel="canonical" href="{canonical}">'.encode() in body


def test_update_and_throttle(fresh_site: Any) -> None:
    article = truth.updated(0)
    _, _, before = get(fresh_site, article.path)
    revised = fresh_site.update_article()
    _, _, after = get(fresh_site, article.path)
    assert before != after and revised.modified.isoformat().encode() in after
    _, _, month = get(fresh_site, f"/sitemaps/{article.published:%Y-%m}.xml")
    assert revised.modified.isoformat().encode() in month
    fresh_site.throttle("/about/", times=1, retry_after="3")
    status, headers, _ = get(fresh_site, "/about/")
    assert status == 429 and headers["Retry-After"] == "3"
    assert get(fresh_site, "/about/")[0] == 200


def test_truth_requires_aware_bounds() -> None:
    naive = corpus.SITE_NOW.replace(tzinfo=None)
    with pytest.raises(ValueError, match="timezone-aware"):
        truth.articles_between(naive, naive)
