"""A backfill of 10 past days of the generated site, one daily window after the other, through the pipeline
stages (no Airflow), checked against the site's ground truth and its access log; then reruns."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest

from extract import article_id
from newsarchive.archive import keys
from newsarchive.demosite.generated import truth
from newsarchive.demosite.generated.corpus import GenArticle
from newsarchive.instants import Window
from newsarchive.pipeline.crawl_stage import ProgressEvent
from newsarchive.pipeline.raw import window_warc_keys

FIRST_DAY = date(2025, 2, 1)
DAYS = 10


def _expected(runner: Any, first: date = FIRST_DAY, days: int = DAYS) -> list[GenArticle]:
    window = runner.window(first, days)
    return truth.articles_between(window.start, window.end)


@pytest.fixture(scope="module")
def backfill(runner: Any) -> list[Any]:
    """Ten daily windows in a row, 1-10 February 2025 (Paris days)."""
    return [runner.run(runner.window(FIRST_DAY + timedelta(days=i))) for i in range(DAYS)]


def _article_objects(store: Any) -> list[str]:
    return sorted(k for k in store.list(keys.articles_prefix("gen")) if k.endswith(".json"))


def test_backfill_archives_exactly_the_days_articles(backfill: list[Any], runner: Any) -> None:
    expected = _expected(runner)
    assert len(expected) >= 30  # ten days of a site with 3-5 articles a day
    store = runner.store()
    written = [k for run in backfill for k in run.extract["article_keys"]]
    assert len(written) == len(set(written)), "an article was written by two windows"
    ids = {keys.parse_article_key(k).article_id for k in written}
    assert ids == {article_id(truth.url(a, runner.site.url)) for a in expected}
    assert _article_objects(store) == sorted(written)  # nothing else, nothing twice
    for article in expected[:5]:
        key = keys.article_key("gen", article.day, article_id(truth.url(article, runner.site.url)))
        record = json.loads(store.get(key))
        assert record["text"] == article.text and record["language"] == article.lang
        assert record["canonical_url"] == truth.url(article, runner.site.url)


def test_each_window_gets_its_own_days_articles(backfill: list[Any], runner: Any) -> None:
    for run in backfill:
        wanted = {article_id(truth.url(a, runner.site.url)) for a in truth.articles_between(run.window.start,
                                                                                             run.window.end)}
        got = {keys.parse_article_key(k).article_id for k in run.extract["article_keys"]}
        assert got == wanted, run.window
        # Sitemaps and date archives are what find a past day's articles (the feed only has the latest 30).
        assert run.crawl["counts"]["candidates"]["sitemap"] > 0
        assert run.crawl["counts"]["candidates"]["date_archive"] > 0


def test_disallowed_section_never_requested(backfill: list[Any], runner: Any) -> None:
    requested = [r.path for run in backfill for r in run.requests]
    assert not [p for p in requested if p.startswith("/partners/")]
    in_days = [a for a in truth.disallowed() if FIRST_DAY <= a.day < FIRST_DAY + timedelta(days=DAYS)]
    assert in_days, "the fixture must have sponsored articles in the backfilled days"
    assert sum(run.crawl["counts"]["skipped"]["robots"] for run in backfill) >= len(in_days)


def test_duplicate_urls_yield_one_article_and_one_fetch(backfill: list[Any], runner: Any) -> None:
    requested = Counter(runner.request_path(r.path) for run in backfill for r in run.requests)
    expected = _expected(runner)
    with_variants = [a for a in expected if a.variants()]
    assert {kind for a in with_variants for kind in a.variants()} == {"slash", "utm", "https"}
    for article in expected:
        assert requested[article.path] == 1, article.path
    assert not [r.path for run in backfill for r in run.requests if "utm_" in r.path]
    assert sum(run.crawl["counts"]["skipped"]["duplicate"] for run in backfill) > 0
    errors = Counter[str]()
    for run in backfill:
        errors.update(run.crawl["counts"]["errors"])
    assert sum(errors.values()) == 0, errors  # the https links were fetched as http, not as failures


def test_rerun_fetches_no_article_and_keeps_the_keys(backfill: list[Any], runner: Any) -> None:
    first = backfill[3]
    store = runner.store()
    first_warc = store.get(first.crawl["warc_key"])
    rerun = runner.run(first.window)
    assert rerun.article_requests() == []
    counts = rerun.crawl["counts"]
    archived = len(first.extract["article_keys"])
    assert counts["incremental"]["already_archived"] == archived and counts["incremental"]["refetched"] == 0
    # The spider knows the window's archived articles and those of the lookback before it (days 1-3).
    assert counts["incremental"]["archived_known"] == sum(len(run.extract["article_keys"]) for run in backfill[:4])
    assert counts["incremental"]["not_modified"] == counts["incremental"]["revisited"] == 0
    # The rerun wrote a WARC of its own; the first run's WARC, which the records point into, is unchanged.
    assert window_warc_keys(store, "gen", first.window) == [first.crawl["warc_key"], rerun.crawl["warc_key"]]
    assert store.get(first.crawl["warc_key"]) == first_warc
    assert rerun.extract["counts"]["warcs"] == 2
    assert sorted(rerun.extract["article_keys"]) == sorted(first.extract["article_keys"])
    assert rerun.extract["index_keys"] == first.extract["index_keys"]
    assert not list(runner.store().list("versions/"))


def test_overlapping_backfill_adds_nothing(backfill: list[Any], runner: Any) -> None:
    before = _article_objects(runner.store())
    # Days 7-9 as one window (other bounds than the daily runs, so a WARC of its own).
    events: list[ProgressEvent] = []
    overlap = runner.run(Window(runner.window(FIRST_DAY + timedelta(days=6)).start,
                                runner.window(FIRST_DAY + timedelta(days=8)).end), progress=events.append)
    assert overlap.article_requests() == []
    assert events and events[-1].final and events[-1].fetched == len(overlap.requests)  # what a progress bar shows
    expected = _expected(runner, FIRST_DAY + timedelta(days=6), 3)
    assert overlap.crawl["counts"]["incremental"]["already_archived"] == len(expected)
    assert window_warc_keys(runner.store(), "gen", overlap.window) == [overlap.crawl["warc_key"]]
    assert overlap.extract["article_keys"] == []  # nothing new to write: the earlier runs hold them
    assert _article_objects(runner.store()) == before
