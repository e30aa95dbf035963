"""Pure parts of incremental crawling, URL keys, canonical links, Retry-After and progress lines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from newsarchive.instants import Window
from newsarchive.pipeline.crawl_stage import progress_event
from spiders.dates import parse_date
from spiders.incremental import ArchivedCopies, ArchivedCopy, clean_etag, clean_http_date
from spiders.pages import canonical_href
from spiders.progress import format_progress, parse_progress
from spiders.retry import backoff_delay, parse_retry_after
from spiders.spec import SpecError, parse_spec
from spiders.spider import NewsSpider
from spiders.urls import SiteUrls, strip_trailing_slash

PARIS = ZoneInfo("Europe/Paris")


def spec(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"site": "gen", "base_url": "http://127.0.0.1:8080/", "start": "2025-01-15T00:00:00+01:00",
                            "end": "2025-01-16T00:00:00+01:00", "article_allow": [r"^/[a-z]+/\d{4}/"],
                            "timezone": "Europe/Paris"}
    return {**base, **changes}


def test_spec_archived_field() -> None:
    copy = {"time": "2025-01-15T18:00:00+01:00", "published": "2025-01-15T10:00:00+01:00", "id": "ab" * 8,
            "fetched_at": "2025-01-16T06:00:00+00:00", "etag": 'W/"r42"',
            "last_modified": "Wed, 15 Jan 2025 17:00:00 GMT"}
    parsed = parse_spec(spec(archived={"http://127.0.0.1:8080/world/2025/01/15/a": "2025-01-15T10:00:00+01:00",
                                       "http://127.0.0.1:8080/world/2025/01/15/b": "2025-01-15",
                                       "http://127.0.0.1:8080/world/2025/01/15/c": copy}))
    copies = dict(parsed.archived)
    assert copies["http://127.0.0.1:8080/world/2025/01/15/b"].time.day_precision
    full = copies["http://127.0.0.1:8080/world/2025/01/15/c"]
    assert full.etag == 'W/"r42"' and full.article_id == "ab" * 8 and full.published is not None
    assert full.conditional_headers() == {"If-None-Match": 'W/"r42"',
                                          "If-Modified-Since": "Wed, 15 Jan 2025 17:00:00 GMT"}
    assert copies["http://127.0.0.1:8080/world/2025/01/15/a"].conditional_headers() == {}
    # The spec's JSON form reads back the same (the pipeline writes it, the spider reads it).
    again = parse_spec(spec(archived=parsed.model_dump(mode="json")["archived"]))
    assert again.archived == parsed.archived
    assert parse_spec(spec()).archived == ()
    with pytest.raises(SpecError, match="archived"):
        parse_spec(spec(archived=["http://x/"]))
    with pytest.raises(SpecError, match=r"archived\['/relative'\]"):
        parse_spec(spec(archived={"/relative": "2025-01-15"}))
    with pytest.raises(SpecError, match="ISO 8601"):
        parse_spec(spec(archived={"http://x.example/a": "last tuesday"}))
    for bad, problem in [({**copy, "etag": "a\r\nX-Injected: 1"}, "etag"), ({**copy, "size": 3}, "unknown key"),
                         ({**copy, "last_modified": "yesterday"}, "HTTP date"), ({**copy, "id": "../x"}, "hex")]:
        with pytest.raises(SpecError, match=problem):
            parse_spec(spec(archived={"http://x.example/a": bad}))


def test_response_validators_are_cleaned() -> None:
    assert clean_etag(' "abc" ') == '"abc"' and clean_etag('W/"v1"') == 'W/"v1"'
    assert clean_etag('"a\r\nSet-Cookie: x"') is None and clean_etag("x" * 300) is None
    assert clean_etag("") is None and clean_etag(None) is None and clean_etag('"caf\u00e9"') is None
    assert clean_http_date("Wed, 15 Jan 2025 10:00:00 GMT") == "Wed, 15 Jan 2025 10:00:00 GMT"
    assert clean_http_date("Wed, 15 Jan 2025 11:00:00 +0100") == "Wed, 15 Jan 2025 10:00:00 GMT"
    assert clean_http_date("soon") is None and clean_http_date(None) is None


def _hint(text: str, kind: str = "lastmod") -> Any:
    return parse_date(text, kind, PARIS)


def test_modified_since_rules() -> None:
    copies = ArchivedCopies([("http://s/a", _hint("2025-01-15T10:00:00+01:00", "archived")),
                             ("http://s/a/", _hint("2025-01-15T09:00:00+01:00", "archived")),
                             ("http://s/day", _hint("2025-01-15", "archived"))], strip_trailing_slash)
    assert len(copies) == 2 and "http://s/a" in copies
    assert not copies.modified_since("http://s/a", [_hint("2025-01-15T10:00:00+01:00")])  # same time
    assert copies.modified_since("http://s/a", [_hint("2025-01-15T10:00:01+01:00")])
    assert not copies.modified_since("http://s/a", [_hint("2025-01-15T11:00:00+01:00", "published")])
    assert not copies.modified_since("http://s/a", [_hint("2025-01-15T11:00:00+01:00", "url")])
    assert copies.modified_since("http://s/a", [_hint("2025-01-16T08:00:00+01:00", "news")])  # re-dated
    assert not copies.modified_since("http://s/a", [_hint("2025-01-15")])  # a day lastmod: same day is not later
    assert copies.modified_since("http://s/a", [_hint("2025-01-16")])
    assert not copies.modified_since("http://s/day", [_hint("2025-01-15T20:00:00+01:00")])
    assert copies.modified_since("http://s/day", [_hint("2025-01-16T00:00:00+01:00")])


def test_signals_of_earlier_articles_count_from_the_window() -> None:
    """An article published before the window is re-checked for a signal in the window or after it, once:
    the next day's run does not re-check it for the same signal (a 304 wrote nothing to say it was seen)."""
    window = Window(datetime(2025, 1, 20, tzinfo=PARIS), datetime(2025, 1, 21, tzinfo=PARIS))
    earlier = ArchivedCopy(time=_hint("2025-01-14T10:00:00+01:00", "archived"),
                           published=_hint("2025-01-14T10:00:00+01:00", "archived"))
    today = ArchivedCopy(time=_hint("2025-01-20T09:00:00+01:00", "archived"),
                         published=_hint("2025-01-20T09:00:00+01:00", "archived"))
    copies = ArchivedCopies([("http://s/e", earlier), ("http://s/t", today)], strip_trailing_slash)
    assert not copies.modified_since("http://s/e", [_hint("2025-01-18T12:00:00+01:00")], window)
    assert copies.modified_since("http://s/e", [_hint("2025-01-18T12:00:00+01:00")])  # no window: any later
    assert copies.modified_since("http://s/e", [_hint("2025-01-20T12:00:00+01:00")], window)
    assert copies.modified_since("http://s/e", [_hint("2025-01-20")], window)  # a day signal: that day
    assert copies.modified_since("http://s/e", [_hint("2025-02-02")], window)  # after: a backfill re-checks
    assert not copies.modified_since("http://s/e", [_hint("2025-01-19")], window)
    assert copies.modified_since("http://s/t", [_hint("2025-01-20T10:00:00+01:00")], window)


def test_due_for_revisit_by_age() -> None:
    def copy(published: str, n: int) -> ArchivedCopy:
        return ArchivedCopy(time=_hint(published, "archived"), published=_hint(published, "archived"),
                            article_id=f"{n:016x}")

    start = datetime(2025, 1, 20, tzinfo=PARIS)
    archived = [("http://s/19a", copy("2025-01-19T23:00:00+01:00", 1)),
                ("http://s/19a/", copy("2025-01-19T23:00:00+01:00", 1)),  # the same article under another URL
                ("http://s/19b", copy("2025-01-19T08:00:00+01:00", 2)),
                ("http://s/18", copy("2025-01-18T12:00:00+01:00", 3)),  # no age matches
                ("http://s/13", copy("2025-01-13T00:00:00+01:00", 4)),
                ("http://s/20", copy("2025-01-20T09:00:00+01:00", 5)),  # of the window itself
                ("http://s/old", ArchivedCopy(time=_hint("2025-01-13T10:00:00+01:00", "archived")))]  # no date
    copies = ArchivedCopies(archived, strip_trailing_slash)
    assert len(copies) == 6
    due = copies.due_for_revisit(start, start + timedelta(days=1), [timedelta(days=7), timedelta(days=1)])
    assert [d.url for d in due] == ["http://s/19b", "http://s/19a", "http://s/13"]  # youngest age first
    assert copies.due_for_revisit(start, start + timedelta(days=1), []) == []


def test_fetch_urls_and_keys() -> None:
    spider = NewsSpider(parse_spec(spec()))
    urls = spider.urls
    assert urls.fetch_url("http://127.0.0.1:8080/a/b/?utm_source=x#top") == "http://127.0.0.1:8080/a/b/"
    assert urls.key("http://127.0.0.1:8080/a/b/") == urls.key("http://127.0.0.1:8080/a/b")
    # Never moved to another scheme (that would change the origin, or downgrade https to http).
    assert urls.fetch_url("https://127.0.0.1:8080/a") == "https://127.0.0.1:8080/a"
    assert urls.fetch_url("https://other.example/a") == "https://other.example/a"
    assert spider.key_or_none("not a url") is None and urls.fetch_url_or_none("/relative") is None
    secure = SiteUrls("https://news.example/")
    assert secure.fetch_url("http://news.example:80/a") == "https://news.example/a"  # upgraded
    assert strip_trailing_slash("http://h/") == "http://h/" and strip_trailing_slash("http://h/a//?q=1") == "http://h/a?q=1"


@pytest.mark.parametrize(("page", "href"), [
    (b'<head><link rel="canonical" href="http://s/a?x=1&amp;y=2"></head>', "http://s/a?x=1&y=2"),
    (b"<LINK href='/rel' REL=canonical>", "/rel"),
    (b'<link rel="alternate" href="http://s/feed"><link rel="stylesheet" href="x.css">', None),
    (b"<link rel=canonical href=http://s/b>", "http://s/b"),
])
def test_canonical_href(page: bytes, href: str | None) -> None:
    assert canonical_href(page) == href


def test_retry_after_and_backoff() -> None:
    now = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)
    assert parse_retry_after(b"7", now) == 7.0
    assert parse_retry_after("Wed, 15 Jan 2025 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("Wed, 15 Jan 2025 11:00:00 GMT", now) == 0.0
    assert parse_retry_after(b"soon", now) is None and parse_retry_after(None, now) is None
    assert [backoff_delay(n, 0.5) for n in (1, 2, 3)] == [0.5, 1.0, 2.0]
    assert backoff_delay(20, 0.5) == 30.0


def test_progress_lines() -> None:
    message = format_progress({"fetched": 12, "queued": 3, "articles": 5, "errors": 1, "final": 0})
    assert parse_progress(message) == {"fetched": 12, "queued": 3, "articles": 5, "errors": 1, "final": 0}
    assert parse_progress("fetched=1 queued=x") is None
    event = progress_event(f"INFO spiders.progress: {message}")
    assert event is not None and event.total == 15 and not event.final
    assert progress_event("INFO spiders.summary: fetched=1") is None
