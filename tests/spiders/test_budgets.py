"""Page budgets: discovery pages (feeds, sitemaps, sections, date archives) and articles are budgeted apart,
so a flood of sitemaps cannot spend the budget before any article is fetched."""

from __future__ import annotations

from pathlib import Path

from newsarchive.demosite import hostile_pages as hp
from newsarchive.demosite.hostile_sites import FLOOD_ARTICLES, FLOOD_SITEMAP_ARTICLE, serve_sitemap_flood
from tests.support import run_spider

ROOT = Path(__file__).resolve().parents[2]


def test_a_sitemap_flood_does_not_spend_the_article_budget(tmp_path: Path) -> None:
    """A sitemap index of 3,000 undated children (and, last, one dated in the window) beside a feed of 5 in-window
    articles: discovery has a budget of its own, so the articles are fetched however many child sitemaps there are,
    and the budget goes to the dated child before the undated ones."""
    site = serve_sitemap_flood(children=3000)
    try:
        spec = {
            "site": "flood", "base_url": site.url, "start": hp.WINDOW[0], "end": hp.WINDOW[1],
            "timezone": "Europe/Paris", "sitemaps": ["/sitemap.xml"], "feeds": ["/rss.xml"],
            "article_allow": ["^/flood/"], "max_pages": 20, "max_discovery_pages": 100,
            "politeness": {"obey_robots": False, "download_delay": 0.0, "concurrency": 8, "autothrottle": False,
                           "allow_private_addresses": True},
        }
        stats = run_spider(spec, tmp_path)
        served = [r.path for r in site.requests]
    finally:
        site.stop()
    assert stats["fetched"]["article"] == len(FLOOD_ARTICLES) + 1, stats
    # Every feed article, and the one article of the index's last child: dated in the window, it came first.
    assert sorted(p for p in served if p.startswith("/flood/") and p.endswith(".html")) == sorted(
        [*FLOOD_ARTICLES, FLOOD_SITEMAP_ARTICLE[0]])
    assert "/flood/recent.xml" in served
    # 100 discovery pages: the index, the feed, the dated child and 97 undated children.
    assert len([p for p in served if p.startswith("/flood/child-")]) == 97
    assert stats["skipped"]["max_discovery_pages"] == 3000 - 97 and stats["skipped"]["max_pages"] == 0


def test_budgets_default_when_the_spec_omits_them() -> None:
    from spiders.spec import DEFAULT_MAX_DISCOVERY_PAGES, DEFAULT_MAX_PAGES, parse_spec

    spec = parse_spec({"site": "s", "base_url": "http://h.example/", "start": hp.WINDOW[0], "end": hp.WINDOW[1],
                       "article_allow": ["^/"]})
    assert (spec.max_pages, spec.max_discovery_pages) == (DEFAULT_MAX_PAGES, DEFAULT_MAX_DISCOVERY_PAGES)
    assert 100 <= DEFAULT_MAX_DISCOVERY_PAGES <= DEFAULT_MAX_PAGES
