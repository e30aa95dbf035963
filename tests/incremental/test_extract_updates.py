"""The extract stage's side of updates: what a WARC says about re-checks (validators, re-checked responses,
304 revisit records) and which articles published outside the window are written as updates."""

from __future__ import annotations

import tomllib
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import Request
from scrapy.http import HtmlResponse, Response

from extract import ArticleRecord, RawRef
from newsarchive.archive.local import LocalStore
from newsarchive.archive.warc import iter_responses
from newsarchive.demosite.generated.config import site_toml
from newsarchive.instants import parse_window
from newsarchive.pipeline.extract_stage import write_records
from newsarchive.pipeline.incremental import archived_updates, response_validators, warc_updates
from newsarchive.pipeline.sites import parse_site
from spiders.meta import META_RECHECK, META_REFERS_TO_DATE, META_ROLE, META_SOURCE
from spiders.warc import WarcRecorder

BASE = "http://gen.example"
WARC = "raw/site=gen/date=2025-01-19/20250119T230000Z_20250120T230000Z/20250121T060000Z-0123456789ab.warc.gz"


def site() -> Any:
    return parse_site(Path("gen.toml"), tomllib.loads(site_toml(BASE + "/")))


def request(path: str, role: str = "article", recheck: str | None = None) -> Request:
    meta = {META_ROLE: role, META_SOURCE: "sitemap", META_RECHECK: recheck,
            META_REFERS_TO_DATE: "2025-01-14T06:00:00+00:00"}
    return Request(BASE + path, meta=meta, headers={"If-None-Match": '"v1"'} if recheck else {})


def test_what_a_warc_says_about_rechecks(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    recorder = WarcRecorder(path, {"software": "test"})
    now = datetime(2025, 1, 20, 9, 0, tzinfo=UTC)
    page = b"<html><body><p>text</p></body></html>"
    exchanges: list[tuple[Request, Response]] = [
        (request("/a", recheck="update"), HtmlResponse(BASE + "/a", status=200, body=page, headers={
            "ETag": '"v2"', "Last-Modified": "Mon, 20 Jan 2025 09:00:00 +0100", "Content-Type": "text/html"})),
        (request("/b"), HtmlResponse(BASE + "/b", status=200, body=page, headers={
            "ETag": "bad\x01tag", "Content-Type": "text/html"})),
        (request("/c", recheck="revisit"), Response(BASE + "/c", status=304, headers={"ETag": '"v1"'})),
        (request("/sitemap.xml", role="sitemap"), Response(BASE + "/sitemap.xml", status=200, body=b"<urlset/>",
                                                           headers={"ETag": '"s"'})),
    ]
    for req, resp in exchanges:
        recorder.write_exchange(req, resp, now)
    recorder.close()
    found = warc_updates(path)
    assert found.not_modified == 1
    with path.open("rb") as stream:
        articles = {r.offset: response_validators(r.headers) for r in iter_responses(stream)
                    if r.role == "article" and r.status == 200}
    assert sorted(articles.values(), key=str) == [
        {"etag": '"v2"', "last_modified": "Mon, 20 Jan 2025 08:00:00 GMT"},
        {"etag": None, "last_modified": None},  # an ETag that cannot be sent back is not kept
    ]
    (rechecked,) = found.rechecked
    assert articles[rechecked]["etag"] == '"v2"'


def record(n: int, published: str, offset: int, fetched_at: str = "2025-01-20T08:00:00+00:00") -> ArticleRecord:
    path = f"/world/{published[:10].replace('-', '/')}/a-{n}"
    return ArticleRecord(id=f"{n:016x}", url=BASE + path, canonical_url=BASE + path, site="gen", title="t",
                         text=f"text {n} at {fetched_at}", published=published, fetched_at=fetched_at,
                         raw=RawRef(warc_key=WARC, offset=offset))


def test_updates_are_rechecked_archived_articles(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    archived = [record(1, "2025-01-14T10:00:00+01:00", 1), record(2, "2025-01-15T10:00:00+01:00", 2)]
    write_records(site(), parse_window("2025-01-13T23:00:00+00:00", "2025-01-15T23:00:00+00:00"), archived, store)
    outside = [
        record(1, "2025-01-14T10:00:00+01:00", 100, "2025-01-20T08:00:00+00:00"),  # re-checked: an update
        record(1, "2025-01-14T10:00:00+01:00", 200, "2025-01-20T07:00:00+00:00"),  # an older fetch of it
        record(2, "2025-01-15T10:00:00+01:00", 300),  # archived, but no re-check brought it: out of window
        record(3, "2025-01-16T10:00:00+01:00", 400),  # re-checked, but its date moved: nothing archived there
    ]
    counts: Counter[str] = Counter()
    kept = archived_updates(store, site(), outside, {(WARC, 100), (WARC, 200), (WARC, 400)}, counts)
    assert [r.raw.offset for r in kept if r.raw] == [100]
    assert counts == {"out_of_window": 1, "updates.moved": 1, "updates.fetched": 1}
