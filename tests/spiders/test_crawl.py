"""Integration: ``python -m spiders.runner`` against the demo site, checked against its ground truth."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from warcio.archiveiterator import ArchiveIterator

from newsarchive.demosite import truth

ROOT = Path(__file__).resolve().parents[2]
USER_AGENT = "newsarchive-test/0.1 (+https://github.com/newsarchive/newsarchive)"


def demo_spec(base_url: str, **changes: Any) -> dict[str, Any]:
    """A crawl spec for the demo site at base_url (window 1-15 Nov 2024 UTC), with changes applied."""
    spec: dict[str, Any] = {
        "site": "demo", "base_url": base_url, "allowed_domains": ["127.0.0.1"],
        "start": "2024-11-01T00:00:00+00:00", "end": "2024-11-15T00:00:00+00:00",
        "feeds": ["/rss.xml"], "sitemaps": ["/sitemap.xml"],
        "sections": ["/section/world/", "/section/politics/", "/section/economy/", "/section/culture/"],
        "date_archive": None,
        "article_allow": [r"^/(fr|en)/\d{4}/\d{2}/\d{2}/[\w-]+\.html$"], "article_deny": [],
        "max_section_pages": 5, "timezone": "Europe/Paris",
        "politeness": {"obey_robots": True, "download_delay": 0.0, "concurrency": 8, "autothrottle": False,
                       "allow_private_addresses": True},
        "user_agent": USER_AGENT, "skip_urls": [], "max_response_bytes": 10485760, "timeout_s": 10,
        "max_pages": 5000,
    }
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(spec.get(key), dict):
            spec[key] = {**spec[key], **value}
        else:
            spec[key] = copy.deepcopy(value)
    return spec


@dataclass(frozen=True)
class WarcResponse:
    """A response record of the crawl's WARC."""

    url: str
    status: int
    role: str | None
    source: str | None
    date_hint: str | None
    body: bytes


@dataclass(frozen=True)
class CrawlRun:
    """One finished ``python -m spiders.runner`` process and what it produced."""

    returncode: int
    stdout: str
    stderr: str
    stats: dict[str, Any]
    warc: Path
    requests: list[Any]  # the demo site's access log entries made during this crawl
    seconds: float

    def responses(self) -> list[WarcResponse]:
        """Every response record of the WARC, in file order."""
        found = []
        with self.warc.open("rb") as fh:
            for rec in ArchiveIterator(fh):
                if rec.rec_type != "response":
                    continue
                h = rec.rec_headers
                found.append(WarcResponse(
                    url=h.get_header("WARC-Target-URI"), status=int(rec.http_headers.get_statuscode()),
                    role=h.get_header("NewsArchive-Role"), source=h.get_header("NewsArchive-Source"),
                    date_hint=h.get_header("NewsArchive-Date-Hint"), body=rec.content_stream().read()))
        return found


def run_crawl(site: Any, workdir: Path, spec: dict[str, Any], timeout: float = 120) -> CrawlRun:
    """Write spec, run the crawl as a subprocess, and collect stats, WARC path and the site's access log."""
    workdir.mkdir(parents=True, exist_ok=True)
    spec_path, warc, stats_path = workdir / "spec.json", workdir / "out.warc.gz", workdir / "stats.json"
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    before = len(site.requests) if site is not None else 0
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "spiders.runner", "--spec", str(spec_path), "--warc-out", str(warc),
         "--stats-out", str(stats_path)],
        capture_output=True, text=True, timeout=timeout, cwd=ROOT, check=False,
    )
    seconds = time.monotonic() - started
    stats = json.loads(stats_path.read_text(encoding="utf-8")) if stats_path.exists() and proc.returncode == 0 else {}
    requests = site.requests[before:] if site is not None else []
    return CrawlRun(proc.returncode, proc.stdout, proc.stderr, stats, warc, requests, seconds)


PARIS = ZoneInfo("Europe/Paris")
START = datetime.fromisoformat("2024-11-01T00:00:00+00:00")
END = datetime.fromisoformat("2024-11-15T00:00:00+00:00")
# Unanchored, so the robots-disallowed /private/fr/... page is a candidate; /broken/ pages too.
ALLOW = [r"/(fr|en)/\d{4}/\d{2}/\d{2}/[\w-]+\.html$", r"^/broken/"]
RETRIED_STATUSES = {500, 502, 503, 504, 429}
MAX_ATTEMPTS = 3  # 1 + RETRY_TIMES


def _paths(run: CrawlRun) -> Counter[str]:
    return Counter(r.path for r in run.requests)


def _day_overlaps(day_iso: str, start: datetime, end: datetime) -> bool:
    first = datetime.combine(date.fromisoformat(day_iso), datetime.min.time(), tzinfo=PARIS)
    return first < end and first + timedelta(days=1) > start


@pytest.fixture(scope="module")
def skipped_article() -> truth.TruthArticle:
    """An in-window article given in skip_urls (already archived)."""
    return truth.articles_between(START, END)[-1]


@pytest.fixture(scope="module")
def full_crawl(demo_site: Any, tmp_path_factory: pytest.TempPathFactory,
               skipped_article: truth.TruthArticle) -> CrawlRun:
    """One crawl of the whole demo site for 1-15 Nov 2024, shared by the tests below."""
    spec = demo_spec(demo_site.url, article_allow=ALLOW,
                     skip_urls=[truth.url(skipped_article, demo_site.url) + "?utm_source=newsletter#top"])
    run = run_crawl(demo_site, tmp_path_factory.mktemp("crawl"), spec)
    assert run.returncode == 0, run.stderr + run.stdout[-3000:]
    return run


def test_exit_zero_logs_on_stdout_only(full_crawl: CrawlRun) -> None:
    assert full_crawl.stderr == ""
    lines = [line for line in full_crawl.stdout.splitlines() if line and not line.startswith((" ", "{", "[", "'"))]
    assert all(line.split(" ", 1)[0] in {"DEBUG", "INFO", "WARNING", "ERROR"} for line in lines), lines[:5]
    assert "INFO spiders.summary: crawl summary for demo" in full_crawl.stdout
    assert "DEBUG" not in full_crawl.stdout and "Crawled (200)" not in full_crawl.stdout


def test_every_window_article_archived_as_200(full_crawl: CrawlRun, demo_site: Any,
                                              skipped_article: truth.TruthArticle) -> None:
    expected = {truth.url(a, demo_site.url) for a in truth.articles_between(START, END)} - {
        truth.url(skipped_article, demo_site.url)}
    assert len(expected) >= 3
    archived = {r.url for r in full_crawl.responses() if r.status == 200 and r.role == "article"}
    assert expected <= archived, sorted(expected - archived)
    listed = {a["url"] for a in full_crawl.stats["articles"]}
    assert expected <= listed
    assert full_crawl.stats["fetched"]["article"] == len(full_crawl.stats["articles"])


def test_no_article_outside_window_without_a_reason(full_crawl: CrawlRun, demo_site: Any) -> None:
    by_url = {truth.url(a, demo_site.url): a for a in truth.articles()}
    for entry in full_crawl.stats["articles"]:
        article = by_url.get(entry["url"])
        if article is None or START <= article.published_at < END:
            continue
        hint = entry["date_hint"]
        # Only a missing or day-precision hint (a URL date on the window's edge) may let one through.
        assert hint is None or (len(hint) == 10 and _day_overlaps(hint, START, END)), entry
    out_of_window = [a for a in truth.articles() if not START - timedelta(days=1) <= a.published_at < END
                     + timedelta(days=1)]
    fetched_paths = _paths(full_crawl)
    assert out_of_window and not any(a.path in fetched_paths for a in out_of_window)
    assert full_crawl.stats["skipped"]["out_of_window"] > 0


def test_robots_obeyed_and_user_agent_sent(full_crawl: CrawlRun) -> None:
    paths = _paths(full_crawl)
    assert paths["/robots.txt"] == 1
    assert not [p for p in paths if p.startswith("/private/")]
    assert full_crawl.stats["skipped"]["robots"] >= 1
    assert {r.user_agent for r in full_crawl.requests} == {USER_AGENT}


def test_sections_paginated_within_limit(full_crawl: CrawlRun) -> None:
    pages = [p for p in _paths(full_crawl) if p.startswith("/section/")]
    numbers = [int(p.rsplit("page=", 1)[1]) for p in pages if "page=" in p]
    assert len(pages) == full_crawl.stats["fetched"]["section"] and 2 in numbers
    assert max(numbers) <= 5
    assert {r.method for r in full_crawl.requests} == {"GET"}


def test_broken_cases_counted_by_reason(full_crawl: CrawlRun) -> None:
    errors = full_crawl.stats["errors"]
    assert errors["http_404"] == 2  # /broken/article-supprime.html and the article-shaped 404
    assert errors["http_500"] == 1
    assert errors["http_410"] == 1
    assert errors["not_html"] == 1
    assert errors["empty"] == 1
    assert errors["redirect_loop"] == 1
    statuses = {urlsplit(r.url).path: r.status for r in full_crawl.responses()}
    assert statuses["/broken/ancienne-adresse.html"] == 301  # the redirect itself is archived
    assert statuses["/broken/boucle-a.html"] == statuses["/broken/boucle-b.html"] == 301


def test_no_url_fetched_twice_and_skip_urls_respected(full_crawl: CrawlRun,
                                                      skipped_article: truth.TruthArticle) -> None:
    statuses = {r.path: r.status for r in full_crawl.requests}
    repeated = {p: n for p, n in _paths(full_crawl).items() if n > 1}
    assert all(statuses[p] in RETRIED_STATUSES and n == MAX_ATTEMPTS for p, n in repeated.items()), repeated
    assert skipped_article.path not in statuses
    assert full_crawl.stats["skipped"]["already_archived"] == 1
    assert full_crawl.stats["skipped"]["duplicate"] > 0


def test_warc_valid_complete_and_labelled(full_crawl: CrawlRun) -> None:
    warcio = Path(sys.executable).with_name("warcio")
    index = subprocess.run([str(warcio), "index", str(full_crawl.warc)], capture_output=True, text=True,
                           check=False)
    assert index.returncode == 0, index.stderr
    assert len(index.stdout.splitlines()) == full_crawl.stats["warc_records"]
    responses = full_crawl.responses()
    # Every request the site answered is in the WARC as a response (retries and redirects included).
    assert len(responses) == len(full_crawl.requests)
    assert {r.role for r in responses} == {"article", "feed", "sitemap", "section", "robots"}
    feed = next(r for r in responses if r.role == "feed")
    assert feed.source == "feed" and feed.body.lstrip().startswith(b"<?xml")
    hinted = [r for r in responses if r.role == "article" and r.status == 200]
    assert all(r.source in {"feed", "sitemap", "section"} for r in hinted)
    assert all(r.date_hint for r in hinted if "/20" in r.url)


def test_stats_schema(full_crawl: CrawlRun) -> None:
    stats = full_crawl.stats
    assert set(stats) >= {"candidates", "in_window", "skipped", "fetched", "errors", "articles",
                          "warc_records", "bytes_received", "duration_s", "scrapy"}
    assert set(stats["candidates"]) == {"feed", "sitemap", "section", "date_archive"}
    assert stats["candidates"]["feed"] > 0 and stats["candidates"]["sitemap"] > 0
    assert stats["fetched"]["feed"] == 1 and stats["fetched"]["robots"] == 1 and stats["fetched"]["section"] >= 4
    assert stats["in_window"] >= stats["fetched"]["article"]
    assert stats["bytes_received"] > 0 and stats["scrapy"]["finish_reason"] == "finished"
    json.dumps(stats)


@pytest.mark.parametrize("obey_robots", [True, False])
def test_date_archive_and_sitemaps_from_robots(demo_site: Any, tmp_path: Path, obey_robots: bool) -> None:
    # Obeying, Scrapy fetches robots.txt itself; otherwise the spider does: once either way.
    start, end = "2024-11-13T00:00:00+00:00", "2024-11-15T00:00:00+00:00"
    spec = demo_spec(demo_site.url, start=start, end=end, sitemaps=[], sections=[],
                     date_archive="/archive/{yyyy}/{mm}/{dd}/", politeness={"obey_robots": obey_robots})
    run = run_crawl(demo_site, tmp_path, spec)
    assert run.returncode == 0, run.stderr
    paths = _paths(run)
    assert paths["/robots.txt"] == 1 and paths["/sitemap.xml"] == 1  # announced in robots.txt
    assert "/archive/2024/11/14/" in paths
    assert run.stats["candidates"]["date_archive"] > 0
    wanted = truth.articles_between(datetime.fromisoformat(start), datetime.fromisoformat(end))
    assert wanted and all(paths[a.path] == 1 for a in wanted)
    sources = {r.source for r in run.responses() if r.role == "section"}
    assert sources == {"date_archive"}
    # Listed on the 15 Nov (Paris) archive page, which starts inside the window, but the feed dates it
    # after the window end: the URL day must not win over the feed's exact time.
    edge = [a for a in truth.articles() if a.path.startswith("/en/2024/11/15/")]
    assert edge and not any(a.path in paths for a in edge)
    assert run.stats["skipped"]["out_of_window"] > 0


def test_private_addresses_refused_by_default(demo_site: Any, tmp_path: Path) -> None:
    run = run_crawl(demo_site, tmp_path, demo_spec(demo_site.url, politeness={"allow_private_addresses": False}))
    assert run.returncode == 0, run.stderr
    assert run.requests == []
    assert run.stats["skipped"]["private_address"] == 6  # 4 sections, feed, sitemap
    assert run.stats["warc_records"] == 1  # warcinfo only


def test_bad_spec_and_unwritable_output(tmp_path: Path) -> None:
    spec = demo_spec("http://127.0.0.1:9/")
    del spec["start"]
    run = run_crawl(None, tmp_path / "a", spec)
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "'start'" in run.stderr
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where a directory should be")
    spec = demo_spec("http://127.0.0.1:9/")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "spec.json").write_text(json.dumps(spec))
    proc = subprocess.run(
        [sys.executable, "-m", "spiders.runner", "--spec", str(tmp_path / "b" / "spec.json"),
         "--warc-out", str(blocked / "out.warc.gz"), "--stats-out", str(tmp_path / "b" / "stats.json")],
        capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 3
    assert proc.stderr.count("\n") == 1 and "cannot write WARC" in proc.stderr


def test_network_failures_counted(demo_site: Any, tmp_path: Path) -> None:
    # A site on a closed port of loopback (connection refused) with a feed on a name that does not resolve.
    spec = demo_spec(
        "http://127.0.0.1:1/", feeds=["http://news.nonexistent.invalid:1/rss.xml"], sitemaps=[],
        sections=["/section/"], allowed_domains=["127.0.0.1", "nonexistent.invalid"],
        politeness={"obey_robots": False})
    run = run_crawl(None, tmp_path / "net", spec)
    assert run.returncode == 0, run.stderr
    errors = run.stats["errors"]
    assert (errors["connection"], errors["dns"]) == (2, 1), errors  # robots.txt, the section; the feed
    big = run_crawl(demo_site, tmp_path / "big", demo_spec(demo_site.url, feeds=[], sections=[],
                                                            max_response_bytes=300))
    assert big.returncode == 0, big.stderr
    assert big.stats["errors"]["too_large"] == 1 and big.stats["fetched"]["sitemap"] == 0


def test_max_pages_budgets_articles_and_discovery_apart(demo_site: Any, tmp_path: Path) -> None:
    run = run_crawl(demo_site, tmp_path / "articles", demo_spec(demo_site.url, max_pages=5))
    assert run.returncode == 0, run.stderr
    articles = [r for r in run.requests if r.path.startswith(("/fr/", "/en/"))]
    assert len(articles) == 5 and run.stats["in_window"] == 5
    assert run.stats["skipped"]["max_pages"] > 0 and run.stats["skipped"]["max_discovery_pages"] == 0
    # Two discovery pages (the sitemap and the feed come first): the article budget is untouched by them.
    run = run_crawl(demo_site, tmp_path / "discovery", demo_spec(demo_site.url, max_discovery_pages=2))
    assert run.returncode == 0, run.stderr
    discovery = [r for r in run.requests if not r.path.startswith(("/fr/", "/en/", "/robots.txt"))]
    assert sorted(r.path for r in discovery) == ["/rss.xml", "/sitemap.xml"]
    assert run.stats["skipped"]["max_discovery_pages"] >= 4 and run.stats["fetched"]["article"] > 5
