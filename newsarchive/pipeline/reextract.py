"""Re-extraction: rebuild articles, index and reports from the archived WARCs with the current extractor.

Offline by construction: it reads only the archive. Each crawled window is re-extracted from all its WARCs
(one per crawl attempt, or the single WARC of archives written before attempts existed; the latest fetch of
an article wins) into the same keys its first extraction wrote (keys are pure functions of site, window and
article), so nothing is duplicated.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newsarchive.instants import Window
from newsarchive.pipeline.raw import StoredWindow, stored_windows
from newsarchive.pipeline.results import CrawlCounts, CrawlResult, XCom
from newsarchive.pipeline.sites import SiteConfig

if TYPE_CHECKING:
    from newsarchive.archive.store import Store

log = logging.getLogger("newsarchive.reextract")


@dataclass(frozen=True)
class ReextractedCrawl:
    """One archived crawl window re-extracted: its latest WARC, all its WARCs, articles written, report status."""

    warc_key: str
    warc_keys: tuple[str, ...]
    articles: int
    status: str  # the report's status, or "failed: <why>" when a hard gate is breached

    def to_xcom(self) -> XCom:
        """The JSON object."""
        return {"warc_key": self.warc_key, "warc_keys": list(self.warc_keys), "articles": self.articles,
                "status": self.status}


@dataclass(frozen=True)
class ReextractResult:
    """What a re-extraction did, window by archived window."""

    site: str
    window: Window
    crawls: tuple[ReextractedCrawl, ...]
    duration_s: float | None = None

    @property
    def articles(self) -> int:
        """Articles written, all windows."""
        return sum(c.articles for c in self.crawls)

    def to_xcom(self) -> XCom:
        """A JSON-able dict for XCom and the CLI."""
        return {"site": self.site, "window": self.window.to_json(), "crawls": [c.to_xcom() for c in self.crawls],
                "articles": self.articles, "duration_s": self.duration_s}


def _crawl_counts(store: Store, stats_key: str) -> CrawlCounts:
    """The crawl's stored numbers (for the rebuilt report), or empty counts if its stats object is missing."""
    from newsarchive.archive.errors import KeyNotFound
    from newsarchive.pipeline.crawl_stage import summarise_stats

    try:
        return CrawlCounts.from_xcom(summarise_stats(json.loads(store.get(stats_key))))
    except KeyNotFound:
        log.warning("no crawl stats at %s: the rebuilt report will lack crawl counts", stats_key)
        return CrawlCounts()


def _crawl_result(store: Store, site_id: str, crawled: StoredWindow) -> CrawlResult:
    """What the check stage needs of the crawl: the window's latest attempt (its WARC, numbers and counts)."""
    from newsarchive.archive import keys

    warc_key = crawled.latest_warc_key
    stats_key = keys.crawl_stats_key(warc_key)
    return CrawlResult(site=site_id, window=crawled.window, warc_key=warc_key, stats_key=stats_key,
                       counts=_crawl_counts(store, stats_key))


def reextract_window(site: SiteConfig, window: Window, store: Store, generated_at: str) -> ReextractResult:
    """Re-extract every archived crawl of the site overlapping the window; rewrite records, index and reports."""
    from newsarchive.pipeline.check import QualityGateFailed, check_window
    from newsarchive.pipeline.extract_stage import extract_window

    started = time.monotonic()
    crawls = stored_windows(store, site.id, window)
    if not crawls:
        raise LookupError(f"no archived crawl of {site.id} overlaps {window} in {store.url}")
    done = []
    for crawled in crawls:
        result = extract_window(site, crawled.window, store)
        crawl = _crawl_result(store, site.id, crawled)
        try:
            status = check_window(site, crawled.window, store, crawl, result, generated_at).status
        except QualityGateFailed as exc:
            status = f"failed: {exc}"  # the report is written either way; re-extraction itself succeeded
        done.append(ReextractedCrawl(warc_key=crawl.warc_key, warc_keys=tuple(crawled.warc_keys),
                                     articles=len(result.article_keys), status=status))
        log.info("re-extracted %s (%d WARCs): %d articles (%s)", crawled.window, len(crawled.warc_keys),
                 len(result.article_keys), status)
    return ReextractResult(site=site.id, window=window, crawls=tuple(done),
                           duration_s=round(time.monotonic() - started, 2))
