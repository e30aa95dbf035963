"""Re-extraction: rebuild articles, index and reports from the archived WARCs with the current extractor.

Offline by construction: it reads only the archive. Each crawled window is re-extracted from all its WARCs
(one per crawl attempt, or the single WARC of archives written before attempts existed; the latest fetch of
an article wins) into the same keys its first extraction wrote (keys are pure functions of site, window and
article), so nothing is duplicated.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from newsarchive.instants import Window
from newsarchive.pipeline.raw import StoredWindow, stored_windows
from newsarchive.pipeline.sites import SiteConfig

log = logging.getLogger("newsarchive.reextract")


def _crawl_counts(store: Any, stats_key: str) -> dict[str, Any]:
    """The crawl's stored numbers (for the rebuilt report), or {} if its stats object is missing."""
    from newsarchive.archive.errors import KeyNotFound
    from newsarchive.pipeline.crawl_stage import summarise_stats

    try:
        return summarise_stats(json.loads(store.get(stats_key)))
    except KeyNotFound:
        log.warning("no crawl stats at %s: the rebuilt report will lack crawl counts", stats_key)
        return {}


def _crawl_result(store: Any, crawled: StoredWindow) -> dict[str, Any]:
    """What the check stage needs of the crawl: the window's latest attempt (its WARC, numbers and counts)."""
    from newsarchive.archive import keys

    warc_key = crawled.latest_warc_key
    stats_key = keys.crawl_stats_key(warc_key)
    return {"warc_key": warc_key, "stats_key": stats_key, "counts": _crawl_counts(store, stats_key),
            "warc_keys": list(crawled.warc_keys)}


def reextract_window(site: SiteConfig, window: Window, store: Any, generated_at: str) -> dict[str, Any]:
    """Re-extract every archived crawl of the site overlapping the window; rewrite records, index and reports."""
    from newsarchive.pipeline.check import QualityGateFailed, check_window
    from newsarchive.pipeline.extract_stage import extract_window

    crawls = stored_windows(store, site.id, window)
    if not crawls:
        raise LookupError(f"no archived crawl of {site.id} overlaps {window} in {store.url}")
    summary: dict[str, Any] = {"site": site.id, "window": {"start": window.start.isoformat(),
                                                             "end": window.end.isoformat()}, "crawls": []}
    for crawled in crawls:
        result = extract_window(site, crawled.window, store).to_xcom()
        crawl_xcom = _crawl_result(store, crawled)
        try:
            status = check_window(site, crawled.window, store, crawl_xcom, result, generated_at)["status"]
        except QualityGateFailed as exc:
            status = f"failed: {exc}"  # the report is written either way; re-extraction itself succeeded
        summary["crawls"].append({"warc_key": crawl_xcom["warc_key"], "warc_keys": list(crawled.warc_keys),
                                  "articles": len(result["article_keys"]), "status": status})
        log.info("re-extracted %s (%d WARCs): %d articles (%s)", crawled.window, len(crawled.warc_keys),
                 len(result["article_keys"]), status)
    summary["articles"] = sum(c["articles"] for c in summary["crawls"])
    return summary
