"""Allowed origins are scheme + host + port: the policy itself, then a real crawl of a site whose links,
redirects, robots.txt, feed and sitemaps all lead to a neighbour service on another port of the same host
(and to https on the site's own http port): the neighbour is never asked anything, each refusal is counted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from newsarchive.demosite import hostile_pages as hp
from newsarchive.demosite.hostile_sites import GOOD, OFFSITE, serve_origins
from newsarchive.demosite.server import serve
from spiders.urls import SiteUrls
from tests.support import run_spider

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("base", "url", "allowed"), [
    # An http site on another port: exactly that scheme and port, on the allowed hosts and their subdomains.
    ("http://127.0.0.1:8765/", "http://127.0.0.1:8765/a", True),
    ("http://127.0.0.1:8765/", "http://127.0.0.1:2375/v1.40/containers/json", False),
    ("http://127.0.0.1:8765/", "http://127.0.0.1/a", False),  # port 80
    ("http://127.0.0.1:8765/", "https://127.0.0.1:8765/a", False),  # https on the site's http port
    ("http://127.0.0.1:8765/", "http://localhost:8765/a", False),  # another host name
    ("http://127.0.0.1:8765/", "ftp://127.0.0.1:8765/a", False),
    ("http://127.0.0.1:8765/", "http://127.0.0.1:99999/a", False),  # not a port
    # An http site on the default port may be reached over https on the default port (an upgrade).
    ("http://news.example/", "https://news.example/a", True),
    ("http://news.example/", "https://www.news.example:443/a", True),
    ("http://news.example/", "https://news.example:8443/a", False),
    ("http://news.example/", "http://news.example:8080/a", False),
    # An https site: https on 443 only; http would be a downgrade (fetch URLs are upgraded, see below).
    ("https://news.example/", "https://cdn.news.example/a", True),
    ("https://news.example/", "http://news.example/a", False),
    ("https://news.example/", "https://news.example:8443/a", False),
    ("https://news.example:8443/", "https://news.example:8443/a", True),
    ("https://news.example:8443/", "https://news.example/a", False),
])
def test_allowed_origins(base: str, url: str, allowed: bool) -> None:
    assert SiteUrls(base).in_scope(url) is allowed


def test_allowed_domains_keep_the_sites_scheme_and_port() -> None:
    urls = SiteUrls("http://127.0.0.1:8765/", ["127.0.0.1", "feeds.example"])
    assert urls.in_scope("http://feeds.example:8765/rss.xml")
    assert not urls.in_scope("http://feeds.example/rss.xml")
    assert not urls.in_scope("https://feeds.example:8765/rss.xml")


def test_fetch_urls_never_downgrade_and_keys_fold_only_equivalent_origins() -> None:
    secure = SiteUrls("https://news.example/")
    assert secure.fetch_url("http://news.example/a#x") == "https://news.example/a"  # upgraded
    assert secure.fetch_url("http://news.example:8080/a") == "http://news.example:8080/a"  # not an upgrade: refused
    assert not secure.in_scope(secure.fetch_url("http://news.example:8080/a"))
    assert secure.fetch_url("http://other.example/a") == "http://other.example/a"
    plain = SiteUrls("http://news.example/")
    assert plain.fetch_url("https://news.example/a") == "https://news.example/a"  # fetched as linked
    assert plain.key("https://news.example/a/") == plain.key("http://news.example/a")  # one page, one fetch
    assert plain.key("https://other.example/a") != plain.key("http://other.example/a")
    local = SiteUrls("http://127.0.0.1:8765/")
    assert local.fetch_url("https://127.0.0.1:8765/a") == "https://127.0.0.1:8765/a"  # never moved to http
    assert local.key("https://127.0.0.1:8765/a") != local.key("http://127.0.0.1:8765/a")


@pytest.fixture()
def neighbour() -> Iterator[Any]:
    """A second service on another port of the same host: it must never see a request."""
    site = serve()
    yield site
    site.stop()


def test_crawl_never_leaves_the_sites_origin(neighbour: Any, tmp_path: Path) -> None:
    site = serve_origins(neighbour.url)
    try:
        spec = {
            "site": "origins", "base_url": site.url, "allowed_domains": ["127.0.0.1"],
            "start": hp.WINDOW[0], "end": hp.WINDOW[1], "timezone": "Europe/Paris",
            "feeds": ["/rss.xml", neighbour.url + "rss.xml"], "sitemaps": ["/sitemap.xml"], "sections": ["/section/"],
            "article_allow": ["^/origins/", "^/v1"],
            "politeness": {"obey_robots": True, "download_delay": 0.0, "concurrency": 4, "autothrottle": False,
                           "allow_private_addresses": True},
            "timeout_s": 5,
        }
        stats = run_spider(spec, tmp_path)
        served = [r.path for r in site.requests]
    finally:
        site.stop()
    assert neighbour.requests == [], "the crawl reached another port of the site's host"
    assert stats["skipped"]["offsite"] == OFFSITE, (stats["skipped"], served)
    assert stats["fetched"]["article"] == len(GOOD) and sorted(a["url"].removeprefix(site.url.rstrip("/"))
                                                               for a in stats["articles"]) == sorted(GOOD)
    origin = urlsplit(site.url).netloc
    with (tmp_path / "out.warc.gz").open("rb") as fh:
        targets = [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(fh) if r.rec_type == "request"]
    assert targets and all(t.startswith(f"http://{origin}/") for t in targets), targets

