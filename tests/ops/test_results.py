"""The stages' typed results: one XCom form each, JSON-able, read back equal (through a real JSON round trip),
and the run reports written before the typed results still read by the gates' history."""

from __future__ import annotations

import json
from typing import Any

import pytest

from newsarchive.instants import parse_window
from newsarchive.pipeline.gates import Gate, metrics_from_report
from newsarchive.pipeline.reextract import ReextractedCrawl, ReextractResult
from newsarchive.pipeline.report import CrawlSection, ExtractSection, RunReport
from newsarchive.pipeline.results import (
    CrawlCounts,
    CrawlResult,
    ExtractCounts,
    ExtractResult,
    IncrementalCounts,
    RetryCounts,
)

WINDOW = parse_window("2024-11-01", "2024-11-02")
CRAWL_COUNTS = CrawlCounts(
    candidates={"feed": 20, "sitemap": 30}, in_window=42, fetched={"article": 40, "feed": 1, "not_modified": 2},
    skipped={"already_archived": 3, "robots": 1}, errors={"http_404": 2, "timeout": 0},
    incremental=IncrementalCounts(archived_known=9, already_archived=3, refetched=1, revisited=2, conditional=3,
                                  not_modified=2),
    retries=RetryCounts(count=2, waits=1, waited_s=1.5, retry_after_honoured=1), canonical_aliases=1,
    robots_crawl_delay_s=0.5, warc_records=88, bytes_received=123456, warc_bytes=65432, spider_duration_s=3.25)
CRAWL = CrawlResult(site="demo", window=WINDOW, warc_key="raw/site=demo/x.warc.gz", stats_key="raw/site=demo/x.json",
                    counts=CRAWL_COUNTS, attempt="20241102T000000Z-abcdef01", duration_s=4.5)
EXTRACT_COUNTS = ExtractCounts(
    responses=50, redirects=2, rejected={"http_404": 2, "http_301": 1, "too_short": 3}, duplicate={"same_text": 1},
    out_of_window=1, dropped_lines={"sitewide": 40}, language={"en": 38, "de": 2}, access={"free": 37, "paywalled": 3},
    versions={"new": 38, "updated": 2}, updates={"fetched": 2, "not_modified": 1}, taken_down=1, warcs=2,
    articles=40, articles_in_window=41, words=12000, extract_workers=2, extract_worker_restarts=1)
EXTRACT = ExtractResult(site="demo", window=WINDOW, article_keys=("articles/a.json", "articles/b.json"),
                        index_keys=("index/i.parquet",), counts=EXTRACT_COUNTS,
                        window_article_keys=("articles/a.json", "articles/b.json", "articles/c.json"), duration_s=2.0)
GATES = (Gate("min_articles", 41.0, 1.0, "ok", "41 articles archived", True),
         Gate("yield_vs_history", None, 0.25, "skipped", "needs history"))
REPORT = RunReport(
    site="demo", window=WINDOW, status="ok", generated_at="2024-11-02T00:10:00+00:00",
    crawl=CrawlSection(CRAWL.warc_key, CRAWL.stats_key, CRAWL_COUNTS, 4.5),
    extract=ExtractSection(EXTRACT_COUNTS, {"too_short": "fewer words than min_words"}, EXTRACT.index_keys,
                           ("bundles/i.parquet",), 2.0),
    gates=GATES, warnings=("paywalled_vs_history",), articles=3, article_keys=EXTRACT.window_article_keys,
    articles_written=2, updates={"signalled": 1, "revisited": 2, "not_modified": 2, "changed": 2, "new": 38},
    report_key="reports/site=demo/20241101T000000Z_20241102T000000Z.json")


def through_json(data: dict[str, Any]) -> Any:
    return json.loads(json.dumps(data, allow_nan=False))


@pytest.mark.parametrize("result", [CRAWL, EXTRACT], ids=["crawl", "extract"])
def test_stage_results_round_trip_through_their_xcom_form(result: Any) -> None:
    assert type(result).from_xcom(result.to_xcom()) == result
    assert type(result).from_xcom(through_json(result.to_xcom())) == result


def test_the_run_report_round_trips_as_document_and_as_summary() -> None:
    assert RunReport.from_xcom(through_json(REPORT.to_xcom())) == REPORT.__class__(**{
        **REPORT.__dict__, "article_keys": ()})  # the summary leaves the key list out
    stored = RunReport.from_xcom(through_json(REPORT.to_json()))
    assert stored.article_keys == REPORT.article_keys and stored.report_key == ""
    assert "article_keys" not in REPORT.to_xcom() and "report_key" not in REPORT.to_json()


def test_the_reextract_result_is_json_able() -> None:
    result = ReextractResult("demo", WINDOW, (ReextractedCrawl("raw/a", ("raw/a",), 3, "ok"),
                                              ReextractedCrawl("raw/b", ("raw/b", "raw/c"), 4, "failed: x")), 1.0)
    assert through_json(result.to_xcom())["articles"] == result.articles == 7
    assert through_json(result.to_xcom())["crawls"][1]["warc_keys"] == ["raw/b", "raw/c"]


def test_extract_counters_keep_their_dotted_names_in_json() -> None:
    flat = EXTRACT_COUNTS.to_xcom()
    assert flat["rejected.http_404"] == 2 and flat["versions.updated"] == 2 and flat["access.paywalled"] == 3
    assert flat["articles_in_window"] == 41 and list(flat) == sorted(flat)
    assert EXTRACT_COUNTS.rejected_total == 6 and EXTRACT_COUNTS.redirect_rejections == 1


def test_the_stage_refuses_a_counter_it_does_not_know() -> None:
    with pytest.raises(ValueError, match=r"unknown extract counter 'rejectd\.x'"):
        ExtractCounts.from_xcom({"rejectd.x": 1}, strict=True)
    assert ExtractCounts.from_xcom({"rejectd.x": 1}) == ExtractCounts()  # a stored report: ignored


def test_a_result_of_another_shape_is_an_error_not_a_guess() -> None:
    with pytest.raises(KeyError):
        CrawlResult.from_xcom({"warc_key": "raw/x"})
    with pytest.raises(TypeError):
        ExtractCounts.from_xcom({"articles": "many"} | {"words": [1]})


# A run report as the code before the typed results wrote it (the archives hold thousands of these): the
# gates' history must keep reading it, and it reads the same through the typed report.
REPORT_OF_TODAY: dict[str, Any] = {
    "site": "demo", "window": {"start": "2024-11-01T00:00:00+00:00", "end": "2024-11-02T00:00:00+00:00"},
    "status": "ok", "failed_gates": [], "warnings": [], "generated_at": "2024-11-02T00:10:00+00:00",
    "crawl": {"warc_key": "raw/site=demo/date=2024-11-01/20241101T000000Z_20241102T000000Z/a.warc.gz",
              "stats_key": "raw/site=demo/date=2024-11-01/20241101T000000Z_20241102T000000Z/a.crawl.json",
              "counts": {"candidates": {"date_archive": 0, "feed": 20, "section": 46, "sitemap": 42},
                         "in_window": 46, "skipped": {"already_archived": 0, "duplicate": 63, "robots": 0},
                         "fetched": {"article": 40, "feed": 1, "not_modified": 0, "robots": 1, "section": 8,
                                     "sitemap": 4},
                         "errors": {"http_404": 2, "timeout": 0},
                         "incremental": {"archived_known": 0, "already_archived": 0, "refetched": 0,
                                         "revisited": 0, "conditional": 0, "not_modified": 0},
                         "canonical_aliases": 0, "robots_crawl_delay_s": 0.0,
                         "retries": {"count": 0, "waits": 0, "waited_s": 0.0, "retry_after_honoured": 0,
                                     "retry_after_too_long": 0},
                         "warc_records": 127, "bytes_received": 483697, "duration_s": 0.55, "warc_bytes": 218491},
              "duration_s": 12.5},
    "extract": {"counts": {"access.free": 38, "articles": 38, "articles_in_window": 38, "dropped_lines.ad_block": 78,
                           "duplicate.same_canonical_url": 1, "extract_worker_restarts": 0, "extract_workers": 2,
                           "language.en": 19, "language.fr": 19, "rejected.http_301": 3, "rejected.http_404": 2,
                           "rejected.too_short": 4, "redirects": 0, "responses": 47, "versions.new": 38,
                           "warcs": 1, "words": 10494},
                "legend": {"http_404": "the page answered 404", "too_short": "fewer words than min_words"},
                "index_keys": ["index/site=demo/date=2024-11-01/20241101T000000Z_20241102T000000Z.parquet"],
                "bundle_keys": ["bundles/site=demo/date=2024-11-01/20241101T000000Z_20241102T000000Z.parquet"],
                "duration_s": 2.3},
    "articles": 38, "article_keys": [f"articles/site=demo/date=2024-11-01/{i:016x}.json" for i in range(38)],
    "articles_written": 38, "updates": {"signalled": 0, "revisited": 0, "not_modified": 0, "changed": 0, "new": 38},
    "gates": [{"name": "min_articles", "value": 38, "threshold": 1, "status": "ok", "message": "38 articles archived",
               "hard": True}],
}


def test_reports_written_before_the_typed_results_still_feed_the_history() -> None:
    metrics = metrics_from_report(REPORT_OF_TODAY, ("en", "fr"))
    assert metrics is not None
    assert (metrics.articles, metrics.in_window, metrics.words, metrics.dropped_lines) == (38, 38, 10494, 78)
    assert (metrics.responses, metrics.rejected, metrics.duplicates) == (44, 6, 1)  # redirect hops left out
    assert (metrics.requests, metrics.fetch_errors, metrics.foreign_language) == (56, 2, 0)
    # The typed report reads it whole and writes it back the same (the counters' JSON form is unchanged; the
    # counters the old tally left out when nothing was counted now read 0).
    report = RunReport.from_xcom(REPORT_OF_TODAY)
    assert report.extract.counts.rejected == {"http_301": 3, "http_404": 2, "too_short": 4}
    rewritten = through_json(report.to_json())
    old_counts = REPORT_OF_TODAY["extract"]["counts"]
    assert {k: v for k, v in rewritten["extract"]["counts"].items() if v or k in old_counts} == old_counts
    assert {k: v for k, v in rewritten["extract"].items() if k != "counts"} == {
        k: v for k, v in REPORT_OF_TODAY["extract"].items() if k != "counts"}
    assert rewritten["crawl"] == REPORT_OF_TODAY["crawl"]
    assert {k: v for k, v in rewritten.items() if k not in ("crawl", "extract")} == {
        k: v for k, v in REPORT_OF_TODAY.items() if k not in ("crawl", "extract")}


def test_older_reports_without_newer_counters_read_as_zero() -> None:
    old = json.loads(json.dumps(REPORT_OF_TODAY))
    old["crawl"]["counts"] = {"fetched": {"article": 40}, "errors": {"http_404": 2}}  # before incremental crawls
    del old["extract"]["counts"]["articles_in_window"]  # before window keys: this run's articles
    metrics = metrics_from_report(old, ("en", "fr"))
    assert metrics is not None and metrics.in_window == 38 and metrics.requests == 42
