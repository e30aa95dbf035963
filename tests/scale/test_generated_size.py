"""The generated site takes a size: exactly N public articles, deterministic, spread over up to a year, with
sitemaps split and every discovery document bounded; the default size is today's site byte for byte."""

from __future__ import annotations

import gzip
import hashlib
import subprocess
import sys
import urllib.request
from collections import Counter
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from lxml import etree

from newsarchive.demosite.generated import Size, corpus, serve_generated, truth
from newsarchive.demosite.generated.catalog import NEWS_MAX_URLS, catalog
from newsarchive.demosite.generated.config import write_site_config
from newsarchive.demosite.generated.corpus import TZ
from newsarchive.demosite.generated.feeds import FEED_SIZE
from newsarchive.demosite.generated.routes import respond
from newsarchive.instants import Window
from newsarchive.pipeline import stages

ROOT = Path(__file__).resolve().parents[2]
BASE = "http://gen.example"
# sha256 over the default site's articles and discovery documents, taken before sizes existed: the
# default must stay today's site byte for byte (existing tests and archives rely on it).
DEFAULT_DIGEST = "5d4d94a9fb673c7dc15741bfd8f8df4c0b7d6c7a660adda8293fea177c16b7c1"


def default_digest() -> str:
    digest = hashlib.sha256()
    for a in corpus.all_articles():
        digest.update(repr((a.number, a.path, a.lang, a.title, a.authors, a.published.isoformat(),
                            a.modified.isoformat(), a.paragraphs)).encode())
    for path in ("/", "/rss.xml", "/sitemap.xml", "/sitemaps/news.xml", "/sitemaps/2024-12.xml.gz",
                 "/sitemaps/2025-01.xml", "/sitemaps/2025-02.xml", "/world/page/2/", "/archive/2025/01/15/"):
        response = respond("GET", path, BASE)
        digest.update(repr((path, response.status, response.headers)).encode() + response.body)
    return digest.hexdigest()


def locs(body: bytes) -> list[str]:
    if body.startswith(b"\x1f\x8b"):
        body = gzip.decompress(body)
    return [loc.text or "" for loc in etree.fromstring(body).iter("{*}loc")]


def test_default_size_is_todays_site() -> None:
    assert Size() == Size(None) and corpus.all_articles() is corpus.all_articles(None)
    assert (Size().days, Size().first_day, Size().last_day, Size().site_now) == (
        corpus.DAYS, corpus.FIRST_DAY, corpus.LAST_DAY, corpus.SITE_NOW)
    assert default_digest() == DEFAULT_DIGEST


@pytest.mark.parametrize("n", [1, 37, 1_000, 1_501])
def test_a_size_is_exactly_that_many_public_articles(n: int) -> None:
    articles = truth.articles(n)
    assert len(articles) == n
    size = Size(n)
    days = Counter(a.day for a in articles)
    assert min(days) >= size.first_day and max(days) <= size.last_day
    if n >= size.days:
        assert len(days) == size.days and max(days.values()) - min(days.values()) <= 1  # spread evenly
    every = corpus.all_articles(n)
    assert len({a.path for a in every}) == len(every) and len({a.text for a in every}) == len(every)
    assert truth.disallowed(n) and all(a.disallowed for a in truth.disallowed(n))


def test_sizes_are_deterministic_and_span_up_to_a_year() -> None:
    assert corpus.generate(Size(1_501)) == corpus.all_articles(1_501)  # built again: the same site
    assert corpus.all_articles(1_501) != corpus.all_articles(1_500)
    assert [Size(n).days for n in (10, 360, 1_000, 1_464, 5_000, 20_000)] == [90, 90, 250, 366, 366, 366]
    assert Size(20_000).last_day == corpus.FIRST_DAY + timedelta(days=365)
    for bad in (0, -5, corpus.MAX_ARTICLES + 1):
        with pytest.raises(ValueError, match="integer from 1"):
            Size(bad)


def test_documents_are_split_and_bounded() -> None:
    """Small page sizes show the splits a 20,000-article site gets with the defaults."""
    size = Size(1_501, sitemap_page_size=40, archive_page_size=2)
    site = catalog(size)
    index = respond("GET", "/sitemap.xml", BASE, size=size).body
    children = locs(index)
    assert any("-p2.xml" in c for c in children) and children[-1].endswith("/sitemaps/news.xml")
    listed: list[str] = []
    for child in children[:-1]:
        response = respond("GET", child.removeprefix(BASE), BASE, size=size)
        assert response.status == 200
        part = locs(response.body)
        assert 1 <= len(part) <= 40
        listed += part
    assert sorted(listed) == sorted(BASE + a.path for a in site.articles)  # every article exactly once
    assert len(locs(respond("GET", "/sitemaps/news.xml", BASE, size=size).body)) <= NEWS_MAX_URLS
    assert len(etree.fromstring(respond("GET", "/rss.xml", BASE, size=size).body).findall(".//item")) == FEED_SIZE
    day = max(site.by_day, key=lambda d: len(site.by_day[d]))
    path, seen = f"/archive/{day:%Y/%m/%d}/", []
    while path:
        body = respond("GET", path, BASE, size=size).body
        doc = etree.HTML(body)
        seen += [h for h in doc.xpath("//ul[@class='teasers']/li/a/@href")]
        nxt = doc.xpath("//link[@rel='next']/@href")
        path = nxt[0].removeprefix(BASE) if nxt else ""
    assert seen == [BASE + a.path for a in site.by_day[day]] and len(seen) > 2
    assert respond("GET", f"/archive/{day:%Y/%m/%d}/page/99/", BASE, size=size).status == 404


def test_a_sized_site_is_archived_whole_through_split_sitemaps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """crawl + extract of two days of a sized site whose sitemaps and date archives are split in pages."""
    size = Size(1_501, sitemap_page_size=40, archive_page_size=2)
    site = serve_generated("127.0.0.1", 0, size=size)
    try:
        write_site_config(tmp_path / "sites", site.url, "big", size=size.articles)
        monkeypatch.setenv("NEWSARCHIVE_SITES_DIR", str(tmp_path / "sites"))
        monkeypatch.setenv("NEWSARCHIVE_WORK_DIR", str(tmp_path / "work"))
        archive = (tmp_path / "archive").as_uri()
        start = datetime.combine(size.first_day + timedelta(days=200), time(0), tzinfo=TZ)
        window = Window(start, start + timedelta(days=2))
        crawl = stages.crawl("big", window, url=archive)
        extract = stages.extract("big", window, crawl.warc_key, url=archive)
    finally:
        site.stop()
    expected = truth.articles_between(window.start, window.end, size)
    assert expected and extract.counts.articles == len(expected)
    paths = [r.path for r in site.requests]
    assert any("-p" in p and p.startswith("/sitemaps/") for p in paths)
    assert any("/page/2/" in p and p.startswith("/archive/") for p in paths)


def test_cli_serves_a_size(tmp_path: Path) -> None:
    bad = subprocess.run([sys.executable, "-m", "newsarchive.demosite.generated", "--articles", "0"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60, check=False)
    assert bad.returncode == 2 and "integer from 1" in bad.stderr
    log = tmp_path / "access.log"
    proc = subprocess.Popen([sys.executable, "-m", "newsarchive.demosite.generated", "--articles", "120", "--port", "0",
                             "--access-log", str(log)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("serving http://127.0.0.1:") and "120 articles" in line
        url = line.split()[1]
        with urllib.request.urlopen(url + "sitemap.xml", timeout=10) as response:
            children = locs(response.read())
        total = 0
        for child in children[:-1]:
            with urllib.request.urlopen(child, timeout=10) as response:
                total += len(locs(response.read()))
        assert total == len(corpus.all_articles(120))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    lines = log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(children) and lines[0].split("\t")[1:] == ["GET", "/sitemap.xml", "200"]
