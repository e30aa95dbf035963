"""Incremental crawling and updates, the pipeline's side.

Before a crawl, ``archived_articles`` reads the site's index for the articles published from
``[updates] lookback`` (or the oldest ``revisit_after`` age, if older) before the window to its end, through
the archive's reader functions (whatever the index layout), and gives the spider each archived article's
copy: its latest modified (else published) time, publication, id, fetch time, and the validators of the
response it came from (ETag, Last-Modified; index columns). The spider skips what did not change, re-checks
with conditional requests what the site reports modified (in the window or after it, wherever the article's
publication falls) or what is due for a revisit by age, and records a 304 as a WARC revisit record.
That span is read a month (of the site's local calendar) at a time, so what is held at once is one
month's index rows plus the map itself (which the spider needs whole), however long the window and the
lookback (a backfill of a year with a 90-day lookback reads 15 months, one after the other).

After a crawl, the extract stage uses the rest of this module: ``response_validators`` (a response's ETag and
Last-Modified, for the index), ``warc_updates`` (which responses re-checked an archived article, and the count
of 304s), ``archived_updates`` (an extracted article published
outside the window is an update when the archive holds it: written where it lives, its publication date's
partition; else it is out of the window) and ``update_counts`` (what the run report says about updates).
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from newsarchive.instants import Window
from newsarchive.pipeline.sites import SiteConfig

if TYPE_CHECKING:
    from extract import ArticleRecord
    from newsarchive.archive.store import Store
    from newsarchive.pipeline.results import CrawlCounts, ExtractCounts

log = logging.getLogger("newsarchive.incremental")

INDEX_READERS = 8  # index files read at once (a lookback of months is a few dozen to a few hundred files)
NOT_MODIFIED_PROFILE = "http://netpreserve.org/warc/1.1/revisions/server-not-modified"


def window_dates(site: SiteConfig, window: Window) -> list[date]:
    """The local (site timezone) publication dates an article of [start, end) can have."""
    return list(window.days(ZoneInfo(site.timezone)))


def month_spans(since: datetime, end: datetime, tz: tzinfo) -> Iterator[tuple[datetime, datetime]]:
    """[since, end) cut where the site's local months start, in order (UTC bounds)."""
    start = since
    while start < end:
        local = start.astimezone(tz)
        first_of_next = date(local.year + local.month // 12, local.month % 12 + 1, 1)
        stop = min(end, datetime.combine(first_of_next, time(0), tzinfo=tz).astimezone(UTC))
        yield start, stop
        start = stop


def _read_index_files(store: Store, keys: list[str], days: Collection[date]) -> list[tuple[str, Any]]:
    """(key, its rows that can be on ``days``) of every readable index file (a compacted month is read by
    those days' row groups only); an unreadable one is skipped with a warning (its articles are then fetched
    again, which loses nothing). A store outage (StoreUnavailable) propagates."""
    from newsarchive.archive.errors import IndexFormatError, KeyNotFound
    from newsarchive.archive.index import read_index_days

    def read(key: str) -> tuple[str, Any] | None:
        try:
            return key, read_index_days(store, key, days)
        except (IndexFormatError, KeyNotFound) as exc:
            log.warning("index %s unreadable, its articles will be fetched again: %s", key, exc)
            return None

    with ThreadPoolExecutor(max_workers=INDEX_READERS, thread_name_prefix="archived-index") as pool:
        return [found for found in pool.map(read, keys) if found is not None]


def _latest_rows(store: Store, site_id: str, since: datetime, end: datetime, tz: tzinfo) -> list[dict[str, Any]]:
    """The newest index row of every article of the site published in [since, end) (a month at most: the
    caller's span)."""
    from newsarchive.archive.reader import Archive, merge_latest
    from newsarchive.instants import instant_or_none

    keys = Archive(store, bundles=False).index_keys(site=site_id, start=since, end=end)
    merged, _ = merge_latest(_read_index_files(store, keys, Window(since, end).days(tz)))
    rows = []
    for row in merged.to_pylist():
        instant = instant_or_none(row.get("published"))
        if instant is not None and since <= instant < end:
            rows.append(row)
    return rows


def _record_time(store: Store, row: dict[str, Any]) -> str | None:
    """The article's modified time (else published) from its record: for index rows written before the index
    had a ``modified`` column. None when the record is unreadable (the article is then fetched again)."""
    from newsarchive.archive.errors import KeyNotFound

    try:
        record = json.loads(store.get(row["key"]))
    except (KeyNotFound, ValueError) as exc:
        log.warning("article %s listed in the index is unreadable, it will be fetched again: %s", row["key"], exc)
        return None
    value = record.get("modified") or record.get("published") or row.get("published")
    return str(value) if value else None


def _copy(row: dict[str, Any], when: str) -> dict[str, str]:
    """The spec form of an archived copy (spiders.incremental.parse_archived), without what is unknown."""
    from spiders.incremental import clean_etag, clean_http_date

    copy = {"time": when, "published": row.get("published"), "id": row.get("id"),
            "fetched_at": row.get("fetched_at"), "etag": clean_etag(row.get("etag")),
            "last_modified": clean_http_date(row.get("last_modified"))}
    return {k: str(v) for k, v in copy.items() if v}


def _urls(row: dict[str, Any]) -> list[str]:
    """The row's fetched and canonical URLs, the canonical one only when the spider's dedup key could differ
    (the usual fetched URL is the canonical one, or it with a trailing slash: one entry, half the spec)."""
    from newsarchive.urlcanon import canonicalize_url, strip_trailing_slash

    def key(url: str) -> str | None:
        try:
            return strip_trailing_slash(canonicalize_url(url))
        except ValueError:
            return None

    urls = [str(u) for u in (row.get("url"), row.get("canonical_url")) if u]
    if len(urls) == 2 and key(urls[0]) is not None and key(urls[0]) == key(urls[1]):
        return urls[1:]
    return urls


def archived_articles(store: Store, site: SiteConfig, window: Window) -> dict[str, Any]:
    """URL -> archived copy (spec ``archived``) of the site's articles published from the site's update
    horizon before the window to its end. Keys are the records' fetched and canonical URLs; the spider
    canonicalises them itself.

    The copy's time is the index's ``modified``, else ``published``; rows of index files written before the
    index had that column take it from the record (one GET each) when they are of the window's own dates
    (a rerun must still skip what it holds), and ``published`` otherwise (at worst one extra re-check).
    """
    from spiders.dates import parse_date

    tz = ZoneInfo(site.timezone)
    since = window.start - site.updates.horizon
    own_days = set(window_dates(site, window))
    found: dict[str, Any] = {}
    articles = 0
    for start, end in month_spans(since, window.end, tz):
        rows = _latest_rows(store, site.id, start, end, tz)
        articles += len(rows)
        for row in rows:
            when = row.get("modified")
            if not when and row.get("published_date") in own_days:
                when = _record_time(store, row)
                if when is None:
                    continue  # its record is unreadable: fetched again, which restores it
            when = when or row.get("published")
            if not when or parse_date(str(when), "archived", tz) is None:
                continue
            copy = _copy(row, str(when))
            for url in _urls(row):
                found[url] = copy
        del rows  # one month's rows at a time
    log.info("%s: %d archived articles (%d URLs) published from %s to the end of %s", site.id, articles,
             len(found), since.isoformat(), window)
    return found


# -- the extract stage's side -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WarcUpdates:
    """What a WARC says about re-checks: the offsets of the responses to re-checks of archived articles
    (NewsArchive-Recheck) and how many answered 304 (revisit records, server-not-modified). Each response's
    validators travel with its record instead (``response_validators``, newsarchive.pipeline.extract_spill)."""

    rechecked: frozenset[int] = frozenset()
    not_modified: int = 0


# A response's validators as the index keeps them: {"etag": ..., "last_modified": ...}.
ResponseValidators = Mapping[str, str | None]


def response_validators(headers: Mapping[str, str]) -> dict[str, str | None]:
    """A response's ETag and Last-Modified (lower-case header names) as the spider will send them back in a
    conditional request, or None each when absent or unusable: what the index keeps for the next crawls."""
    from spiders.incremental import clean_etag, clean_http_date

    return {"etag": clean_etag(headers.get("etag")), "last_modified": clean_http_date(headers.get("last-modified"))}


_HTTP_HEADER = re.compile(rb"^([A-Za-z0-9-]+)[ \t]*:[ \t]*(.*?)[ \t]*\r?$", re.MULTILINE)


def _headers(block: bytes) -> dict[str, str]:
    """Lower-case header names -> values of a header block (the first of repeated names wins)."""
    found: dict[str, str] = {}
    for name, value in _HTTP_HEADER.findall(block):
        found.setdefault(name.decode("latin-1").lower(), value.decode("latin-1"))
    return found


def warc_updates(warc_path: Path) -> WarcUpdates:
    """One pass over a WARC's records (headers only, no body decoded): which article responses re-checked an
    archived article, and the count of 304 revisit records. Nothing is written for a 304: the archived copy
    is current."""
    from newsarchive.archive.warcframes import iter_raw_records

    rechecked: set[int] = set()
    not_modified = 0
    with warc_path.open("rb") as stream:
        for offset, data in iter_raw_records(stream):
            warc_block = data.partition(b"\r\n\r\n")[0]
            warc = _headers(warc_block)
            if warc.get("newsarchive-role", "article") != "article":
                continue
            kind = warc.get("warc-type")
            if kind == "revisit" and warc.get("warc-profile") == NOT_MODIFIED_PROFILE:
                not_modified += 1
            elif kind == "response" and warc.get("newsarchive-recheck"):
                rechecked.add(offset)
    return WarcUpdates(frozenset(rechecked), not_modified)


def archived_updates(store: Store, site: SiteConfig, outside: Iterable[ArticleRecord],
                     rechecked: Collection[tuple[str, int]], counts: Counter[str]) -> list[ArticleRecord]:
    """The extracted articles published outside the window that are updates: responses to re-checks of
    archived articles (``rechecked``: their raw references, WARC key and offset), one per article, the
    latest fetch, written where the article lives. Any other page published outside the window is counted
    ``out_of_window``, as before; a re-checked article whose publication date moved (its key at the new
    date holds nothing) is counted ``updates.moved`` and not archived (see docs/guarantees.md, Known gaps)."""
    from newsarchive.archive import keys
    from newsarchive.pipeline.extract_stage import publication_date
    from newsarchive.pipeline.versions import is_newer_fetch

    tz = ZoneInfo(site.timezone)
    latest: dict[str, ArticleRecord] = {}
    for record in outside:
        raw = record.raw
        if raw is None or (raw.warc_key, raw.offset) not in rechecked:
            counts["out_of_window"] += 1
        elif record.id not in latest or is_newer_fetch(record, latest[record.id]):
            latest[record.id] = record
    kept = []
    for record in latest.values():
        key = keys.article_key(site.id, publication_date(record, tz), record.id)
        if store.exists(key):
            kept.append(record)
        else:
            counts["updates.moved"] += 1
            log.warning("re-checked %s now gives the publication date %s, where nothing is archived: not written "
                        "(counted updates.moved)", record.url, record.published)
    counts["updates.fetched"] += len(kept)
    return kept


def update_counts(crawl_counts: CrawlCounts, extract_counts: ExtractCounts) -> dict[str, int]:
    """The run report's ``updates``: archived articles re-checked because the site signalled a change
    (``signalled``) or by age (``revisited``), how many answered 304 (``not_modified``), how many came back
    with another text and were kept as a new version (``changed``), and new articles (``new``)."""
    rechecks = crawl_counts.incremental
    return {
        "signalled": rechecks.refetched,
        "revisited": rechecks.revisited,
        "not_modified": rechecks.not_modified,
        "changed": extract_counts.versions.get("updated", 0),
        "new": extract_counts.versions.get("new", 0),
    }
