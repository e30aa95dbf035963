"""STATS.json: the crawl's counts by reason, built from Scrapy's stats collector, the list of kept pages
streamed in from the spider's scratch file, and the summary log."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from spiders.middlewares import STAT_CRAWL_DELAY
from spiders.reasons import ERROR_REASONS, SKIP_REASONS, SKIPPED, STAT_PREFIX
from spiders.rechecks import STAT_CONDITIONAL, STAT_NOT_MODIFIED, STAT_REFETCHED, STAT_REVISITED
from spiders.retry import STAT_RETRY_AFTER, STAT_TOO_LONG, STAT_WAITED_MS, STAT_WAITS
from spiders.spider import STAT_ARCHIVED_KNOWN, STAT_CANONICAL_ALIASES
from spiders.warc import STAT_BYTES, STAT_RECORDS

log = logging.getLogger("spiders.summary")

CANDIDATE_SOURCES = ("feed", "sitemap", "section", "date_archive")
# What was fetched, by role; "not_modified" are 304 answers to re-checks of archived articles.
FETCHED_ROLES = ("article", "feed", "sitemap", "section", "robots", "not_modified")
# Scrapy's own counters worth keeping (exact keys, or prefixes ending in "/").
SCRAPY_KEYS = (
    "downloader/request_count", "downloader/response_count", "downloader/response_bytes",
    "downloader/response_status_count/", "downloader/exception_type_count/", "retry/count",
    "retry/max_reached", "retry/reason_count/", "robotstxt/", "finish_reason", "elapsed_time_seconds",
    "start_time", "finish_time", "response_received_count", "log_count/", "offsite/filtered",
    "scheduler/enqueued",
)


def _group(stats: Mapping[str, Any], category: str, defaults: Sequence[str]) -> dict[str, int]:
    prefix = f"{STAT_PREFIX}/{category}/"
    counts = dict.fromkeys(defaults, 0)
    for key, value in stats.items():
        if key.startswith(prefix):
            counts[key[len(prefix):]] = int(value)
    return dict(sorted(counts.items()))


def _scrapy_subset(stats: Mapping[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key, value in stats.items():
        if any(key == k or (k.endswith("/") and key.startswith(k)) for k in SCRAPY_KEYS):
            kept[key] = value.isoformat() if isinstance(value, datetime) else value
    return dict(sorted(kept.items()))


def build_stats(stats: Mapping[str, Any], duration_s: float,
                frontier: Mapping[str, int] | None = None) -> dict[str, Any]:
    """The STATS.json document but its ``articles`` list (see write_stats), from Scrapy's stats
    (newsarchive/* counters) and the spider's frontier numbers (spiders.frontier)."""
    return {
        "candidates": _group(stats, "candidates", CANDIDATE_SOURCES),
        "in_window": int(stats.get(f"{STAT_PREFIX}/in_window", 0)),
        "skipped": _group(stats, "skipped", tuple(SKIP_REASONS)),
        "fetched": _group(stats, "fetched", FETCHED_ROLES),
        "errors": _group(stats, "errors", tuple(ERROR_REASONS)),
        "incremental": {
            "archived_known": int(stats.get(STAT_ARCHIVED_KNOWN, 0)),
            "already_archived": int(stats.get(f"{STAT_PREFIX}/{SKIPPED}/already_archived", 0)),
            "refetched": int(stats.get(STAT_REFETCHED, 0)),
            "revisited": int(stats.get(STAT_REVISITED, 0)),
            "conditional": int(stats.get(STAT_CONDITIONAL, 0)),
            "not_modified": int(stats.get(STAT_NOT_MODIFIED, 0)),
        },
        "canonical_aliases": int(stats.get(STAT_CANONICAL_ALIASES, 0)),
        "robots_crawl_delay_s": float(stats.get(STAT_CRAWL_DELAY, 0.0)),
        "retries": {
            "count": int(stats.get("retry/count", 0)),
            "waits": int(stats.get(STAT_WAITS, 0)),
            "waited_s": round(int(stats.get(STAT_WAITED_MS, 0)) / 1000, 3),
            "retry_after_honoured": int(stats.get(STAT_RETRY_AFTER, 0)),
            "retry_after_too_long": int(stats.get(STAT_TOO_LONG, 0)),
        },
        "warc_records": int(stats.get(STAT_RECORDS, 0)),
        "bytes_received": int(stats.get(STAT_BYTES, 0)),
        "duration_s": round(duration_s, 3),
        "frontier": dict(frontier or {}),
        "scrapy": _scrapy_subset(stats),
    }


def write_stats(path: Path, doc: Mapping[str, Any], articles: Iterable[str]) -> None:
    """Write STATS.json: ``doc`` (build_stats) with its ``articles`` list, the kept pages' JSON objects in the
    order given (sorted by URL: spiders.fetched), written one at a time rather than built in memory. Keys
    sorted, as ``json.dumps(..., indent=1, sort_keys=True)`` would write them."""
    rest = json.dumps({k: v for k, v in doc.items() if k != "articles"}, indent=1, sort_keys=True, default=str)
    with path.open("w", encoding="utf-8") as out:
        out.write('{\n "articles": [')
        for n, article in enumerate(articles):
            out.write(f"{',' if n else ''}\n  {article}")
        out.write("\n ],\n" + rest[2:] if rest != "{}" else "]\n}")


def _nonzero(counts: Mapping[str, int]) -> str:
    shown = [f"{k}={v}" for k, v in counts.items() if v]
    return ", ".join(shown) or "none"


def log_summary(doc: Mapping[str, Any], site: str) -> None:
    """One block of INFO lines with the crawl's numbers (a line each, so every line carries its level)."""
    lines = (
        f"crawl summary for {site}: {doc['scrapy'].get('finish_reason', '?')} in {doc['duration_s']:.1f}s",
        f"  candidates: {_nonzero(doc['candidates'])}",
        f"  in window: {doc['in_window']}",
        f"  fetched: {_nonzero(doc['fetched'])}",
        f"  skipped: {_nonzero(doc['skipped'])}",
        f"  errors: {_nonzero(doc['errors'])}",
        f"  incremental: {_nonzero(doc['incremental'])}; retries: {_nonzero(doc['retries'])}",
        f"  WARC: {doc['warc_records']} records, {doc['bytes_received']} body bytes received",
    )
    for line in lines:
        log.info("%s", line)
