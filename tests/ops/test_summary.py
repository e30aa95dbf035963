"""Task-log summaries: one screen with the numbers that matter, reasons sorted by weight, groups for the UI."""

from __future__ import annotations

import logging

import pytest

from newsarchive.instants import parse_window
from newsarchive.pipeline.gates import Gate
from newsarchive.pipeline.results import CrawlCounts, CrawlResult, ExtractCounts, ExtractResult
from newsarchive.pipeline.summary import crawl_lines, extract_lines, gate_lines, log_block, log_group, run_lines

WINDOW = parse_window("2024-11-01", "2024-11-02")
CRAWL = CrawlResult(site="demo", window=WINDOW, warc_key="raw/w", stats_key="raw/s", duration_s=12.5,
                    counts=CrawlCounts.from_xcom({
    "candidates": {"feed": 20, "sitemap": 42, "section": 46, "date_archive": 0}, "in_window": 46,
    "fetched": {"article": 38, "feed": 1, "robots": 1, "section": 8, "sitemap": 4},
    "skipped": {"already_archived": 5, "duplicate": 63, "robots": 0},
    "errors": {"http_404": 2, "http_500": 1, "timeout": 0},
    "bytes_received": 483697, "warc_bytes": 218491, "warc_records": 127, "duration_s": 0.55}))
EXTRACT = ExtractResult(site="demo", window=WINDOW, article_keys=(), index_keys=(), duration_s=2.3,
                        counts=ExtractCounts.from_xcom({
    "articles": 38, "words": 10494, "responses": 49, "rejected.http_404": 2, "rejected.not_html": 2,
    "language.en": 19, "language.fr": 19, "dropped_lines.ad_block": 78, "dropped_lines.caption": 65,
    **{f"rejected.reason_{i}": 1 for i in range(9)}}))


def test_crawl_lines() -> None:
    lines = crawl_lines(CRAWL)
    assert lines[0].split(None, 3)[3] == "section 46, sitemap 42, feed 20 (46 in window)"
    assert "38 article pages" in lines[1]
    assert lines[2].endswith("skipped as archived    5")
    assert lines[3].endswith("duplicate 63")
    assert lines[4].endswith("http_404 2, http_500 1")
    assert "472.4 KB received, WARC 213.4 KB (127 records)" in lines[5]
    assert lines[6].endswith("spider 0.6s, task 12.5s")


def test_extract_lines_cap_long_reason_lists() -> None:
    lines = extract_lines(EXTRACT)
    assert lines[0].endswith("38 (10494 words, 276 words each on average) from 49 responses")
    assert lines[1].endswith("rejected by reason     http_404 2, not_html 2, reason_0 1, reason_1 1, reason_2 1, "
                             "reason_3 1, reason_4 1, reason_5 1, ... and 3 more")
    assert lines[4].endswith("en 19, fr 19")
    assert lines[5].endswith("ad_block 78, caption 65")


def test_empty_results_read_as_none() -> None:
    assert crawl_lines(CrawlResult("demo", WINDOW, "raw/w", "raw/s", CrawlCounts()))[0].split(None, 3)[3] == \
        "none (0 in window)"
    assert extract_lines(ExtractResult("demo", WINDOW, (), ()))[1].endswith("none")


def test_run_and_gate_lines() -> None:
    lines = run_lines(CRAWL, EXTRACT)
    assert lines[0] == "-- crawl" and lines[8] == "-- extract" and len(lines) < 25  # one screen
    gates = gate_lines([Gate("min_articles", 0.0, 1.0, "failed", "0 articles"),
                        Gate("yield_vs_history", None, 0.25, "skipped", "needs history")])
    assert gates == ["FAIL min_articles             0 articles", "--   yield_vs_history         needs history"]


def test_blocks_and_groups_log_one_record_per_line(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.summary")
    with caplog.at_level(logging.INFO, logger="test.summary"):
        log_block(logger, "title", ["a", "b"])
        with log_group(logger, "details"):
            logger.info("inside")
    assert [r.getMessage() for r in caplog.records] == [
        "=" * 72, "title", "  a", "  b", "=" * 72, "::group::details", "inside", "::endgroup::"]
