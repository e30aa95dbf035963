"""Incremental crawling, the pipeline's side: what the archive already holds for a window.

Before a crawl, ``archived_articles`` reads the Parquet index files of every publication date the window
can touch (``index/site=S/date=P/*.parquet``, P = the window's local days) and maps each archived URL (the
fetched URL and the canonical URL) to the latest modified (else published) time known for the article.
The spider skips those URLs unless the site reports a later modification (spec field ``archived``).

The index has no ``modified`` column (archive/index.py's INDEX_SCHEMA), so the modified time is read from
the article record itself, one GET per archived article of the window; an index ``modified`` column would
save those reads (used automatically when present).
"""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from pipeline.sites import SiteConfig
from pipeline.window import Window

log = logging.getLogger("newsarchive.incremental")


def window_dates(site: SiteConfig, window: Window) -> list[date]:
    """The local (site timezone) publication dates an article of [start, end) can have."""
    from spiders.spec import window_days

    return list(window_days(window.start, window.end, ZoneInfo(site.timezone)))


def _index_rows(store: Any, site_id: str, day: date) -> list[dict[str, Any]]:
    """Every row of the date's index files; an unreadable file is skipped with a warning (its articles are
    then fetched again, which loses nothing)."""
    from archive.errors import IndexFormatError, KeyNotFound
    from archive.index import read_index_days
    from archive.listing import partition_files

    rows: list[dict[str, Any]] = []
    for key in partition_files(store, "index", site_id, {day}):  # the day's files and its compacted month's
        if not key.endswith(".parquet"):
            continue
        try:
            rows.extend(row for row in read_index_days(store, key, {day}).to_pylist() if row["published_date"] == day)
        except (IndexFormatError, KeyNotFound) as exc:  # a store outage (StoreUnavailable) propagates
            log.warning("index %s unreadable, its articles will be fetched again: %s", key, exc)
    return rows


def _record_time(store: Any, row: dict[str, Any]) -> str | None:
    """The article's modified time (else published) from the index row, or from its record."""
    from archive.errors import KeyNotFound

    if row.get("modified"):
        return str(row["modified"])
    try:
        record = json.loads(store.get(row["key"]))
    except (KeyNotFound, ValueError) as exc:
        log.warning("article %s listed in the index is unreadable, it will be fetched again: %s", row["key"], exc)
        return None
    value = record.get("modified") or record.get("published") or row.get("published")
    return str(value) if value else None


def archived_articles(store: Any, site: SiteConfig, window: Window) -> dict[str, str]:
    """URL -> latest modified-or-published ISO time of the site's archived articles the window can touch.

    Keys are the records' fetched and canonical URLs; the spider canonicalises them itself.
    """
    from spiders.dates import parse_date

    tz = ZoneInfo(site.timezone)
    latest: dict[str, dict[str, Any]] = {}  # article id -> its newest index row
    for day in window_dates(site, window):
        for row in _index_rows(store, site.id, day):
            seen = latest.get(row["id"])
            if seen is None or str(row.get("fetched_at") or "") >= str(seen.get("fetched_at") or ""):
                latest[row["id"]] = row
    found: dict[str, str] = {}
    for row in latest.values():
        when = _record_time(store, row)
        if when is None or parse_date(when, "archived", tz) is None:
            continue
        for url in (row.get("url"), row.get("canonical_url")):
            if url:
                found[str(url)] = when
    log.info("%s: %d archived articles (%d URLs) for %s", site.id, len(latest), len(found), window)
    return found
