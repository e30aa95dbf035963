"""``python -m spiders.runner`` re-checking archived articles on the generated site: conditional requests
(If-None-Match / If-Modified-Since from the spec's archived copies), 304s recorded as WARC revisit records,
revisits by age within their budget, and politeness: robots.txt and the page budget apply to re-checks, and
the window's new articles get the budget first."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from newsarchive.demosite.generated import GeneratedSite, serve_generated, truth
from newsarchive.demosite.generated.corpus import TZ, GenArticle
from newsarchive.demosite.generated.edits import etag
from tests.support import run_spider

ROOT = Path(__file__).resolve().parents[2]
DAY = date(2025, 1, 20)
CHANGED_AT = datetime.combine(DAY, time(8, 0), tzinfo=TZ)  # the site's changes: in the crawled window


@pytest.fixture(scope="module")
def gen_site() -> Any:
    site = serve_generated("127.0.0.1", 0)
    yield site
    site.stop()


def public(day: date) -> list[GenArticle]:
    return sorted((a for a in truth.articles() if a.day == day), key=lambda a: a.published)


def copy(article: GenArticle, tag: str | None = None) -> dict[str, str]:
    """The archived copy of an article as first published (its ETag, when given, sent back)."""
    found = {"time": article.modified.isoformat(), "published": article.published.isoformat(),
             "id": f"{article.number:016x}", "fetched_at": "2025-01-19T06:00:00+00:00"}
    return {**found, "etag": tag} if tag else found


def spec(site: GeneratedSite, archived: dict[str, Any], **changes: Any) -> dict[str, Any]:
    start = datetime.combine(DAY, time(0), tzinfo=TZ)
    return {
        "site": "gen", "base_url": site.url, "start": start.isoformat(), "end": (start + timedelta(days=1)).isoformat(),
        "feeds": ["/rss.xml"], "sitemaps": ["/sitemap.xml"], "sections": [],
        "date_archive": "/archive/{yyyy}/{mm}/{dd}/", "article_allow": [r"^/[a-z]+/\d{4}/\d{2}/\d{2}/[a-z0-9-]+/?$"],
        "timezone": "Europe/Paris",
        "politeness": {"obey_robots": True, "download_delay": 0.0, "concurrency": 8, "autothrottle": False,
                       "allow_private_addresses": True},
        "archived": archived, **changes,
    }


def crawl(site: GeneratedSite, document: dict[str, Any], tmp: Path) -> dict[str, Any]:
    before = len(site.requests)
    stats = run_spider(document, tmp)
    requests = [r for r in site.requests[before:] if r.path.count("/") >= 5 and not r.path.startswith("/archive/")]
    return {"stats": stats, "warc": tmp / "out.warc.gz",
            "answers": {urlsplit(r.path).path.rstrip("/"): r.status for r in requests}}


@pytest.fixture(scope="module")
def rechecked(gen_site: GeneratedSite, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One crawl of 20 January with archived copies of earlier articles the site changed that day: one only
    touched (lastmod bumped, same ETag: 304), one updated (200), one behind robots.txt; a quiet one; and the
    articles of 19 January due for a revisit (age 1d) with a budget of 2."""
    url = gen_site.url.rstrip("/")
    cases = {"fresh": public(date(2025, 1, 14))[0], "changed": public(date(2025, 1, 15))[0],
             "quiet": public(date(2025, 1, 16))[0],
             "partner": next(a for a in truth.disallowed() if a.day < DAY)}
    archived = {url + cases["fresh"].path: copy(cases["fresh"], tag=etag(cases["fresh"])),
                url + cases["changed"].path: copy(cases["changed"], tag=etag(cases["changed"])),
                url + cases["quiet"].path: copy(cases["quiet"], tag=etag(cases["quiet"])),
                url + cases["partner"].path: copy(cases["partner"])}
    gen_site.edit([cases["fresh"], cases["partner"]], CHANGED_AT, "touch")
    gen_site.edit([cases["changed"]], CHANGED_AT, "update")
    due = public(DAY - timedelta(days=1))
    archived.update({url + a.path: copy(a, tag=etag(a)) for a in due})
    document = spec(gen_site, archived, updates={"revisit_after": ["1d"], "revisit_budget": 2})
    return {**crawl(gen_site, document, tmp_path_factory.mktemp("rechecks")), **cases, "due": due}


def test_conditional_requests_and_their_answers(rechecked: dict[str, Any]) -> None:
    answers = rechecked["answers"]
    assert answers[rechecked["fresh"].path] == 304  # the ETag sent back still matched
    assert answers[rechecked["changed"].path] == 200
    assert rechecked["quiet"].path not in answers  # no signal, no revisit age: not requested
    assert rechecked["partner"].path not in answers  # robots.txt disallows it, re-check or not
    revisited = [a for a in rechecked["due"] if a.path in answers]
    assert [answers[a.path] for a in revisited] == [304, 304]  # the budget: 2, the earliest published first
    assert revisited == rechecked["due"][:2]
    stats = rechecked["stats"]
    assert stats["incremental"]["revisited"] == 2 and stats["skipped"]["revisit_budget"] == len(rechecked["due"]) - 2
    assert stats["incremental"]["not_modified"] == 3 == stats["fetched"]["not_modified"]
    assert stats["incremental"]["conditional"] == 4  # fresh, changed and the two revisits carried an ETag
    assert stats["skipped"]["robots"] >= 1 and sum(stats["errors"].values()) == 0
    fetched = {urlsplit(a["url"]).path for a in stats["articles"]}
    assert rechecked["changed"].path in fetched and rechecked["fresh"].path not in fetched  # a 304 is no page


def test_304s_are_warc_revisit_records(rechecked: dict[str, Any]) -> None:
    revisits, requests = {}, {}
    with rechecked["warc"].open("rb") as stream:
        for record in ArchiveIterator(stream):
            path = urlsplit(record.rec_headers.get_header("WARC-Target-URI") or "").path
            if record.rec_type == "revisit":
                revisits[path] = record
            elif record.rec_type == "request":
                requests[path] = record.http_headers
    assert set(revisits) == {rechecked["fresh"].path, *(a.path for a in rechecked["due"][:2])}
    fresh = revisits[rechecked["fresh"].path]
    assert fresh.rec_headers.get_header("WARC-Profile") == (
        "http://netpreserve.org/warc/1.1/revisions/server-not-modified")
    assert fresh.rec_headers.get_header("WARC-Refers-To-Date") == "2025-01-19T06:00:00Z"
    assert fresh.rec_headers.get_header("NewsArchive-Recheck") == "update"
    assert revisits[rechecked["due"][0].path].rec_headers.get_header("NewsArchive-Recheck") == "revisit"
    assert fresh.http_headers.get_statuscode() == "304" and fresh.http_headers.get_header("ETag")
    assert requests[rechecked["fresh"].path].get_header("If-None-Match") == etag(rechecked["fresh"])
    assert requests[rechecked["changed"].path].get_header("If-None-Match") == etag(rechecked["changed"])


def test_new_articles_get_the_page_budget_first(gen_site: GeneratedSite, tmp_path: Path) -> None:
    url = gen_site.url.rstrip("/")
    stale = [public(date(2025, 1, d))[0] for d in (11, 12, 13)]
    archived = {url + a.path: copy(a, tag=etag(a)) for a in stale}
    gen_site.edit(stale, CHANGED_AT, "touch")
    today = [a for a in [*truth.articles(), *truth.disallowed()] if a.day == DAY]
    result = crawl(gen_site, spec(gen_site, archived, max_pages=len(today) + 1), tmp_path)
    answers = result["answers"]
    assert {a.path for a in truth.articles() if a.day == DAY} <= set(answers)
    assert len([a for a in stale if a.path in answers]) == 1  # the one page left after the window's own
    assert result["stats"]["skipped"]["max_pages"] == 2
