"""Finding index files without listing the whole archive: site folders first, then only the dates asked for.

``Store.list`` has no delimiter and no start key, so discovering the sites would mean listing every
index key, and a date range every key of the site. For the two stores we ship we do better: on S3,
``index_sites`` is one ``Delimiter`` listing and a site's date range is one listing that starts at the
first date (``StartAfter``) and stops past the last; in a folder, only the asked days' folders are
walked (up to MAX_DAY_LISTINGS days). Any other Store falls back to ``Store.list`` with prefixes.

Compacted months (``<kind>/site=S/month=YYYY-MM/compacted.parquet``, see ``newsarchive.archive.compaction``) are listed
beside the daily partitions: one more listing per site (S3: the ``month=`` prefix; a folder: its
``month=`` sub-folders only), kept when the month overlaps the query's dates.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterable, Iterator
from concurrent.futures import Executor
from datetime import date, timedelta
from functools import partial
from typing import Any

from newsarchive.archive.errors import InvalidKey
from newsarchive.archive.keys import (
    SITE_RE,
    IndexKey,
    bundles_prefix,
    compacted_key,
    compacted_prefix,
    history_prefix,
    index_prefix,
    month_of,
    parse_bundle_key,
    parse_compacted_key,
    parse_history_key,
    parse_index_key,
    partitions_prefix,
)
from newsarchive.archive.query import Query
from newsarchive.archive.store import Store

# Up to this many days in a range, each day's folder is listed on its own (local folders and foreign
# stores); beyond it, the site's whole index folder is listed once and filtered by date.
MAX_DAY_LISTINGS = 31
_SITE_FOLDER = "site="
# The partitioned prefixes: listing prefix builder and key parser of each.
_KINDS: dict[str, tuple[Callable[..., str], Callable[[str], IndexKey]]] = {
    "index": (index_prefix, parse_index_key),
    "bundles": (bundles_prefix, parse_bundle_key),
    "history": (history_prefix, parse_history_key),
}
_MONTH_FOLDER = "month="


def index_sites(store: Store) -> list[str]:
    """Site ids that have an ``index/site=S/`` folder, sorted."""
    from newsarchive.archive.local import LocalStore
    from newsarchive.archive.s3 import S3Store

    if isinstance(store, S3Store):
        names = _s3_folders(store, "index/")
    elif isinstance(store, LocalStore):
        folder = store.root / "index"
        names = sorted(entry.name for entry in os.scandir(folder) if entry.is_dir()) if folder.is_dir() else []
    else:
        names = sorted({key.split("/")[1] for key in store.list("index/") if key.count("/") >= 2})
    sites = [name[len(_SITE_FOLDER):] for name in names if name.startswith(_SITE_FOLDER)]
    # Foreign folders (not written by the pipeline) are ignored rather than failing every query.
    return [site for site in sites if SITE_RE.match(site)]


def _s3_pages(store: Any, **extra: Any) -> Iterator[dict[str, Any]]:
    """ListObjectsV2 pages of an S3Store (``extra``: Prefix, Delimiter, StartAfter... as full keys)."""
    token: str | None = None
    while True:
        args: dict[str, Any] = {"Bucket": store.bucket, "MaxKeys": store.page_size, **extra}
        if token:
            args["ContinuationToken"] = token
        # _call maps botocore failures to the archive's errors exactly as the store's own methods do.
        with store._call("ListObjectsV2"):
            page = store.client.list_objects_v2(**args)
        yield page
        token = page.get("NextContinuationToken")
        if not page.get("IsTruncated") or not token:
            return


def _s3_folders(store: Any, prefix: str) -> list[str]:
    """Names of the 'folders' directly under ``prefix`` in an S3Store (ListObjectsV2 with a delimiter)."""
    full = store.prefix + prefix
    names = [
        item["Prefix"][len(full):].rstrip("/")
        for page in _s3_pages(store, Prefix=full, Delimiter="/")
        for item in page.get("CommonPrefixes", [])
    ]
    return sorted(names)


def _s3_date_range(store: Any, site: str, query: Query, kind: str) -> list[str]:
    """A site's ``kind`` keys from the query's first partition to its last, in one forward listing."""
    first, last = query.date_span()
    site_prefix = _KINDS[kind][0](site)
    extra: dict[str, Any] = {"Prefix": store.prefix + site_prefix}
    if first is not None:
        # Every key of day D and later sorts after "…/date=D" (it continues with "/..."); earlier days before.
        extra["StartAfter"] = f"{store.prefix}{site_prefix}date={first.isoformat()}"
    stop = f"date={last.isoformat()}" if last is not None else None
    keys: list[str] = []
    cut = len(store.prefix)
    for page in _s3_pages(store, **extra):
        for item in page.get("Contents", []):
            key = item["Key"][cut:]
            # ISO dates sort as text, and S3 lists in key order: past the last day, nothing else can match.
            if stop is not None and key[len(site_prefix):].split("/", 1)[0] > stop:
                return keys
            keys.append(key)
    return keys


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _prefixes(site: str, query: Query, kind: str) -> list[str]:
    """The listing prefixes for one site: one per day for short ranges, else the site's folder."""
    first, last = query.date_span()
    prefix = _KINDS[kind][0]
    if first is not None and last is not None and (last - first).days < MAX_DAY_LISTINGS:
        return [prefix(site, day) for day in _days(first, last)]
    return [prefix(site)]


def _matching(keys: Iterable[str], query: Query, kind: str) -> list[str]:
    found = []
    parse = _KINDS[kind][1]
    for key in keys:
        if f"/{_MONTH_FOLDER}" in key:
            try:
                month = parse_compacted_key(key)
            except InvalidKey:
                continue
            if month.kind == kind and query.month_matches(month.month):
                found.append(key)
            continue
        try:
            parts = parse(key)
        except InvalidKey:
            continue  # not an index file of the pipeline (e.g. a README someone dropped there)
        if query.partition_matches(parts.published_date):
            found.append(key)
    return found


def compacted_keys(store: Store, kind: str, site: str) -> list[str]:
    """Every key under the site's compacted months of ``kind`` (``<kind>/site=S/month=*/``), sorted."""
    from newsarchive.archive.local import LocalStore

    prefix = compacted_prefix(kind, site)
    if isinstance(store, LocalStore):
        # A folder listing of "<kind>/site=S/month=" would walk every date= folder beside the months.
        folder = store.root / prefix.rsplit("/", 1)[0]
        if not folder.is_dir():
            return []
        months = sorted(e.name for e in os.scandir(folder) if e.is_dir() and e.name.startswith(_MONTH_FOLDER))
        return sorted(key for month in months for key in store.list(f"{prefix.rsplit('/', 1)[0]}/{month}/"))
    return sorted(store.list(prefix))


def index_keys(store: Store, query: Query, pool: Executor, sites: list[str] | None = None) -> list[str]:
    """Every index key whose site and ``date=`` partition can hold rows matching ``query``, sorted.

    ``sites``: the sites to look at when the query names none (default: every site with an index).
    """
    return partition_keys(store, query, pool, "index", sites)


def partition_keys(
    store: Store, query: Query, pool: Executor, kind: str, sites: list[str] | None = None
) -> list[str]:
    """``index_keys`` for the ``index``, ``bundles`` or ``history`` prefix: daily partitions and compacted
    months alike."""
    from newsarchive.archive.s3 import S3Store

    if query.sites is not None:
        sites = list(query.sites)
    elif sites is None:
        sites = index_sites(store)
    listings: list[Callable[[], list[str]]]
    if isinstance(store, S3Store):
        listings = [partial(_s3_date_range, store, site, query, kind) for site in sites]
    else:
        listings = [partial(_listed, store, prefix) for site in sites for prefix in _prefixes(site, query, kind)]
    listings += [partial(compacted_keys, store, kind, site) for site in sites]
    keys: set[str] = set()
    for listed in pool.map(lambda listing: listing(), listings):
        keys.update(_matching(listed, query, kind))
    return sorted(keys)


def _listed(store: Store, prefix: str) -> list[str]:
    return list(store.list(prefix))


def partition_files(store: Store, kind: str, site: str, days: Collection[date] | None = None) -> list[str]:
    """A site's files of ``kind`` (``index``, ``bundles``, ``history``): per-window files of ``days`` (all
    days when None) and the compacted months holding those days."""
    if days is None:
        return sorted(store.list(partitions_prefix(kind, site)))
    keys = [key for day in sorted(days) for key in store.list(partitions_prefix(kind, site, day))]
    for month in sorted({month_of(day) for day in days}):
        month_key = compacted_key(kind, site, month)
        if store.exists(month_key):
            keys.append(month_key)
    return sorted(keys)
