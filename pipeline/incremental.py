"""Incremental crawling, the pipeline's side: what the archive already holds for a window.

Before a crawl, ``archived_articles`` reads the Parquet index of every publication date the window can touch
(``index/site=S/date=P/*.parquet`` and the compacted months holding those dates, P = the window's local days)
and maps each archived URL (the fetched URL and the canonical URL) to the latest modified (else published)
time known for the article. The spider skips those URLs unless the site reports a later modification (spec
field ``archived``).

The index has no ``modified`` column (archive/index.py's INDEX_SCHEMA), so the modified time comes from
the stored records, read as the analysts' reader reads them (``archive.fetching``): from each partition's
bundle, one GET for many articles, falling back to the article object when a bundle is missing or does not
match the index row. A rerun of a day of 50 articles costs a few requests, not 50. An index ``modified``
column would save those reads too (used automatically when present).

The window is handled a month at a time, so what is held at once is one month's index rows plus the map
itself (which the spider needs whole), however long the window.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from pipeline.sites import SiteConfig
from pipeline.window import Window

log = logging.getLogger("newsarchive.incremental")

# The index columns the map needs (the others, titles and authors, are not read into Python).
COLUMNS = ("id", "url", "canonical_url", "key", "fetched_at", "text_sha256", "published", "published_date")


def window_dates(site: SiteConfig, window: Window) -> list[date]:
    """The local (site timezone) publication dates an article of [start, end) can have."""
    from spiders.spec import window_days

    return list(window_days(window.start, window.end, ZoneInfo(site.timezone)))


def _partition(key: str) -> tuple[date, bool]:
    """The date of a per-window partition file, or the month (first day) of a compacted one, and which."""
    from archive.errors import InvalidKey
    from archive.keys import parse_bundle_key, parse_compacted_key, parse_index_key

    try:
        return parse_compacted_key(key).month, True
    except InvalidKey:
        parse = parse_index_key if key.startswith("index/") else parse_bundle_key
        return parse(key).published_date, False


def _listed(store: Any, site_id: str, days: list[date], kind: str) -> dict[date, list[str]]:
    """The site's ``kind`` ("index" or "bundles") files holding these dates, by month (the reader's listing:
    one forward listing on S3, the day folders locally, plus the compacted months)."""
    from concurrent.futures import ThreadPoolExecutor
    from datetime import UTC, datetime, time, timedelta

    from archive.keys import month_of
    from archive.listing import partition_keys
    from archive.query import Query

    wanted, months = set(days), {month_of(day) for day in days}
    # A query whose partition span covers the dates (with the reader's timezone margins); filtered to them.
    query = Query(sites=(site_id,), start=datetime.combine(min(days), time(0), tzinfo=UTC),
                  end=datetime.combine(max(days) + timedelta(days=1), time(0), tzinfo=UTC))
    found: dict[date, list[str]] = {}
    with ThreadPoolExecutor(max_workers=1) as pool:
        for key in partition_keys(store, query, pool, kind):
            when, compacted = _partition(key)
            if (when in months) if compacted else (when in wanted):
                found.setdefault(month_of(when), []).append(key)
    return found


def _read_indexes(store: Any, keys: list[str], days: set[date]) -> list[tuple[str, Any]]:
    """(key, the rows of ``days``) of each readable index file; an unreadable one is skipped with a warning
    (its articles are then fetched again, which loses nothing; a store outage propagates)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from archive.errors import IndexFormatError, KeyNotFound
    from archive.index import read_index_days

    files = []
    wanted = pa.array(sorted(days), type=pa.date32())
    for key in sorted(keys):
        try:
            table = read_index_days(store, key, days)
        except (IndexFormatError, KeyNotFound) as exc:
            log.warning("index %s unreadable, its articles will be fetched again: %s", key, exc)
            continue
        files.append((key, table.filter(pc.is_in(table.column("published_date"), value_set=wanted))))
    return files


def _load_or_empty(store: Any) -> Any:
    """A record loader for archive.fetching that answers {} for a missing or unreadable record."""
    from archive.errors import KeyNotFound

    def load(key: str) -> dict[str, Any]:
        try:
            record = json.loads(store.get(key))
        except (KeyNotFound, ValueError) as exc:
            log.warning("article %s listed in the index is unreadable, it will be fetched again: %s", key, exc)
            return {}
        return record if isinstance(record, dict) else {}

    return load


def _latest_times(store: Any, files: list[tuple[str, Any]], bundles: set[str],
                  workers: int) -> Iterator[tuple[dict[str, Any], str | None]]:
    """(index row, its record's modified-else-published time) of each article in these index files, the
    newest row per article (as readers merge them)."""
    from archive.fetching import Wanted, choose_bundles, stream_records
    from archive.keys import companion_key
    from archive.merge import merge_latest

    merged, sources = merge_latest(files)
    present = [name for name in (*COLUMNS, "modified") if name in merged.column_names]
    rows = merged.select(present).to_pylist()
    if rows and "modified" in present:
        for row in rows:  # an index that carries the modified time needs no record read
            yield row, str(row.get("modified") or row.get("published") or "") or None
        return
    bundle_of = {key: bundle for key, _ in files if (bundle := companion_key(key, "bundles")) in bundles}
    wanted = [Wanted(row["id"], row["key"], row["fetched_at"], row["text_sha256"], bundle_of.get(source))
              for row, source in zip(rows, sources, strict=True)]
    wanted = choose_bundles(wanted, {bundle_of[key]: table.num_rows for key, table in files if key in bundle_of})
    records = stream_records(store, wanted, workers=workers, load=_load_or_empty(store))
    for row, record in zip(rows, records, strict=True):
        value = (record.get("modified") or record.get("published") or row.get("published")) if record else None
        yield row, str(value) if value else None


def archived_articles(store: Any, site: SiteConfig, window: Window) -> dict[str, str]:
    """URL -> latest modified-or-published ISO time of the site's archived articles the window can touch.

    Keys are the records' fetched and canonical URLs; the spider canonicalises them itself.
    """
    from archive.keys import month_of
    from archive.reader import Archive
    from spiders.dates import parse_date

    tz = ZoneInfo(site.timezone)
    days = window_dates(site, window)
    indexes = _listed(store, site.id, days, "index") if days else {}
    bundles = {key for keys in (_listed(store, site.id, days, "bundles") if indexes else {}).values()
               for key in keys}
    workers = Archive(store).workers
    found: dict[str, str] = {}
    articles = 0
    for month, keys in sorted(indexes.items()):
        files = _read_indexes(store, keys, {day for day in days if month_of(day) == month})
        for row, when in _latest_times(store, files, bundles, workers):
            articles += 1
            if when is None or parse_date(when, "archived", tz) is None:
                continue
            for url in (row.get("url"), row.get("canonical_url")):
                if url:
                    found[str(url)] = when
    log.info("%s: %d archived articles (%d URLs) for %s", site.id, articles, len(found), window)
    return found
