"""Date hints and the window test."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from newsarchive.instants import Window
from spiders.dates import DateHint, admits, best_hint, date_from_url, day_hint, parse_date

PARIS = ZoneInfo("Europe/Paris")
WINDOW = Window(datetime(2024, 11, 1, tzinfo=UTC), datetime(2024, 11, 15, tzinfo=UTC))


def test_parse_rfc822_iso_and_bare_dates() -> None:
    rfc = parse_date("Tue, 05 Nov 2024 09:30:00 +0100", "published", PARIS)
    assert rfc is not None and rfc.value == datetime(2024, 11, 5, 8, 30, tzinfo=UTC)
    gmt = parse_date("Tue, 05 Nov 2024 09:30:00 GMT", "published", PARIS)
    assert gmt is not None and gmt.value == datetime(2024, 11, 5, 9, 30, tzinfo=UTC)
    iso = parse_date("2024-11-05T09:30:00Z", "news", PARIS)
    assert iso is not None and iso.value == datetime(2024, 11, 5, 9, 30, tzinfo=UTC) and not iso.day_precision
    naive = parse_date("2024-11-05T09:30:00", "lastmod", PARIS)
    assert naive is not None and naive.value.utcoffset() == PARIS.utcoffset(datetime(2024, 11, 5))
    day = parse_date(" 2024-11-05 ", "lastmod", PARIS)
    assert day is not None and day.day_precision and day.iso() == "2024-11-05"
    assert day.earliest == datetime(2024, 11, 4, 23, 0, tzinfo=UTC)
    assert day.latest == datetime(2024, 11, 5, 23, 0, tzinfo=UTC)


def test_parse_date_returns_none_for_junk() -> None:
    for text in (None, "", "yesterday", "2024-13-45", "Tue, 99 Foo 2024"):
        assert parse_date(text, "published", PARIS) is None


def test_date_from_url() -> None:
    hint = date_from_url("http://h/fr/2024/11/05/slug.html", PARIS)
    assert hint == day_hint("url", date(2024, 11, 5), PARIS)
    assert date_from_url("http://h/archive/2024/11/05/", PARIS) is not None
    assert date_from_url("http://h/fr/2024/13/05/slug.html", PARIS) is None
    assert date_from_url("http://h/item/1234/56/78/x", PARIS) is None
    assert date_from_url("http://h/about.html", PARIS) is None


def test_best_hint_prefers_news_then_published_then_url_then_lastmod() -> None:
    lastmod = DateHint("lastmod", datetime(2024, 11, 20, tzinfo=UTC))
    url = day_hint("url", date(2024, 11, 5), PARIS)
    published = DateHint("published", datetime(2024, 11, 5, 10, tzinfo=UTC))
    news = DateHint("news", datetime(2024, 11, 5, 11, tzinfo=UTC))
    assert best_hint([lastmod, url, None, published, news]) is news
    assert best_hint([lastmod, url, published]) is published
    assert best_hint([lastmod, url]) is url
    assert best_hint([lastmod]) is lastmod
    assert best_hint([None]) is None


def test_window_admits_by_best_publication_hint() -> None:
    inside = DateHint("published", datetime(2024, 11, 14, 23, 59, tzinfo=UTC))
    at_end = DateHint("published", datetime(2024, 11, 15, tzinfo=UTC))
    at_start = DateHint("news", datetime(2024, 11, 1, tzinfo=UTC))
    assert admits(WINDOW, [inside]) and admits(WINDOW, [at_start])
    assert not admits(WINDOW, [at_end])
    # The precise feed date wins over the URL day.
    assert not admits(WINDOW, [day_hint("url", date(2024, 11, 5), PARIS),
                              DateHint("published", datetime(2024, 10, 30, tzinfo=UTC))])


def test_window_day_hints_overlap_in_site_timezone() -> None:
    # 1 Nov in Paris starts at 31 Oct 23:00 UTC: it overlaps a window starting 1 Nov 00:00 UTC.
    assert admits(WINDOW, [day_hint("url", date(2024, 11, 1), PARIS)])
    assert not admits(WINDOW, [day_hint("url", date(2024, 10, 31), PARIS)])
    # 15 Nov in Paris starts at 14 Nov 23:00 UTC: inside a window ending 15 Nov 00:00 UTC.
    assert admits(WINDOW, [day_hint("url", date(2024, 11, 15), PARIS)])
    assert not admits(WINDOW, [day_hint("url", date(2024, 11, 16), PARIS)])


def test_window_lastmod_excludes_only_before_start() -> None:
    before = DateHint("lastmod", datetime(2024, 10, 31, 22, tzinfo=UTC))
    after = DateHint("lastmod", datetime(2024, 12, 20, tzinfo=UTC))
    assert not admits(WINDOW, [before])
    assert not admits(WINDOW, [before, day_hint("url", date(2024, 11, 2), PARIS)])
    assert admits(WINDOW, [after])  # modified later: may still be published in the window
    assert admits(WINDOW, [after, day_hint("url", date(2024, 11, 2), PARIS)])
    assert not admits(WINDOW, [after, day_hint("url", date(2024, 10, 2), PARIS)])
    assert admits(WINDOW, [])  # no date at all: fetch, the extractor decides
    assert before.before(WINDOW) and not after.before(WINDOW)
    assert not day_hint("lastmod", date(2024, 11, 1), PARIS).before(WINDOW)
    assert day_hint("lastmod", date(2024, 10, 31), PARIS).before(WINDOW)
