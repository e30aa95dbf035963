"""The analysts' reader: query the Parquet index, then fetch the matching article records concurrently.

    from newsarchive.archive import open_archive
    archive = open_archive("s3://bucket/prefix")            # or "file:///path", or a folder path
    table = archive.index(site="demo", start="2024-11-01", end="2024-11-16", lang="en")  # pyarrow Table
    for record in archive.articles(site="demo", start="2024-11-01", contains="election"):
        print(record["title"], len(record["text"]))

Only the index files of the asked sites and publication dates are listed and read (see
``newsarchive.archive.listing``), compacted months by their row groups of those dates. The same article can sit in
several index files (overlapping windows, reruns, a window written into a month after it was compacted):
rows are merged by id and the row with the latest ``fetched_at`` wins, so an article is never returned
twice. Results come in a deterministic order: publication instant, then id. Earlier versions are never in
this view: ``history`` and ``with_versions`` read them (``newsarchive.archive.history``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import pyarrow as pa
import pyarrow.compute as pc

from newsarchive.archive.errors import ArchiveError, InvalidKey
from newsarchive.archive.fetching import Wanted, choose_bundles, stream_records
from newsarchive.archive.index import read_index_days
from newsarchive.archive.keys import companion_key, parse_compacted_key
from newsarchive.archive.listing import index_keys, index_sites, partition_keys
from newsarchive.archive.merge import count_rows, merge_latest, select_positions
from newsarchive.archive.query import Query, TimeBound
from newsarchive.archive.store import Store, open_store

if TYPE_CHECKING:
    from newsarchive.archive.history import ArticleVersion
    from newsarchive.archive.s3 import S3Options

# Concurrent GETs per query. For S3 it is capped by the client's connection pool (botocore's default
# is 10) so threads never wait on, or churn, pooled connections.
DEFAULT_WORKERS = 16
_EPOCH = datetime(1, 1, 1, tzinfo=UTC)


SiteFilter = str | Iterable[str] | None
# A generator, so a caller can close() it to stop fetching (a `break` out of a for loop does the same).
Records = Generator[dict[str, Any], None, None]


@dataclass(frozen=True)
class Selection:
    """Index rows chosen by a query (``table``, INDEX_SCHEMA, in reading order) and where they came from:
    ``sources[i]`` is the index file of row i, ``file_rows`` the row count of every index file read,
    ``bundle_of`` the bundle of each of those files that has one."""

    table: pa.Table
    sources: tuple[str, ...]
    file_rows: dict[str, int] = field(default_factory=dict)
    bundle_of: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.table.num_rows)

    @cached_property
    def _keys(self) -> dict[str, str]:
        return dict(zip(self.table.column("id").to_pylist(), self.table.column("key").to_pylist(), strict=True))

    def key_of(self, article_id: str) -> str | None:
        """The article key of the selected row of ``article_id`` (None if it is not selected)."""
        return self._keys.get(article_id)


def _check_filters(contains: str | None, limit: int | None) -> tuple[str | None, int | None]:
    """The casefolded ``contains`` needle and the limit, or ValueError naming the bad one."""
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise ValueError(f"limit must be a non-negative integer, got {limit!r}")
    if contains is not None and (not isinstance(contains, str) or not contains.strip()):
        raise ValueError(f"contains must be a non-empty string, got {contains!r}")
    return (contains.casefold() if contains else None), limit


def open_archive(
    url: str, *, s3: S3Options | None = None, workers: int = DEFAULT_WORKERS, bundles: bool = True
) -> Archive:
    """Open the archive at ``url`` for reading (``s3://bucket/prefix``, ``file:///path`` or a folder).

    Unlike ``open_store``, a local folder that does not exist is an error (a typo must not read as
    an empty archive, nor create a folder). ``bundles=False``: read every article from its own object.
    """
    local = _local_folder(url)
    if local is not None and not local.is_dir():
        raise ArchiveError(f"no archive at {url}: {local} is not a folder")
    return Archive(open_store(url, s3=s3), workers=workers, bundles=bundles)


def _local_folder(url: str) -> Path | None:
    """The folder a local archive URL names (open_store's rules), or None for other schemes."""
    if not isinstance(url, str) or not url.strip():
        return None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() == "file":
        return Path(unquote(parts.path))
    return None if "://" in url else Path(url.strip()).expanduser()


class Archive:
    """Read access to an archive's index and article records (thread-safe; holds no open resources)."""

    def __init__(self, store: Store, *, workers: int = DEFAULT_WORKERS, bundles: bool = True) -> None:
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ValueError(f"workers must be a positive integer, got {workers!r}")
        self.store = store
        self.workers = min(workers, _pool_limit(store) or workers)
        self.bundles = bundles  # False: one GET per article, as if no partition had a bundle

    def __repr__(self) -> str:
        return f"Archive({self.store.url!r}, workers={self.workers}, bundles={self.bundles})"

    @property
    def url(self) -> str:
        """The archive URL (no credentials)."""
        return self.store.url

    def sites(self) -> list[str]:
        """Site ids that have index files, sorted."""
        return index_sites(self.store)

    def index_keys(
        self, site: SiteFilter = None, start: TimeBound | None = None, end: TimeBound | None = None
    ) -> list[str]:
        """The index files a query over these sites and dates reads, sorted."""
        query = Query.build(site, start, end)
        with self._pool() as pool:
            return index_keys(self.store, query, pool)

    def index(
        self,
        site: SiteFilter = None,
        start: TimeBound | None = None,
        end: TimeBound | None = None,
        lang: str | Iterable[str] | None = None,
        access: str | Iterable[str] | None = None,
    ) -> pa.Table:
        """Index rows (INDEX_SCHEMA, no text) of the matching articles, one per id, by published then id.

        ``site``/``lang``: one name or several; ``start``/``end``: the ``published`` instant lies in
        [start, end) (dates are midnight UTC, naive times UTC); ``access``: free, paywalled and/or metered
        (records from before schema version 2 have none and match only without it). InvalidQuery on bad
        filters, StoreUnavailable / ArchiveError when the store fails, IndexFormatError on a bad index file.
        """
        return self._select(Query.build(site, start, end, lang, access), list_bundles=False).table

    def articles(
        self,
        site: SiteFilter = None,
        start: TimeBound | None = None,
        end: TimeBound | None = None,
        lang: str | Iterable[str] | None = None,
        contains: str | None = None,
        limit: int | None = None,
        access: str | Iterable[str] | None = None,
    ) -> Records:
        """The stored article records (dicts as in the JSON) matching the filters, in index order.

        The index is read (and filters checked) when this is called; records are then fetched lazily
        with up to ``workers`` concurrent GETs, from bundles where that saves requests (see ``records``).
        ``contains``: case-insensitive substring of the text.
        ``limit``: at most that many records (after ``contains``). ``access`` as in ``index``.
        """
        return self.records(self.select(site, start, end, lang, access), contains=contains, limit=limit)

    def select(
        self,
        site: SiteFilter = None,
        start: TimeBound | None = None,
        end: TimeBound | None = None,
        lang: str | Iterable[str] | None = None,
        access: str | Iterable[str] | None = None,
    ) -> Selection:
        """The index rows ``index()`` returns, with the index file each row came from (for ``records``)."""
        return self._select(Query.build(site, start, end, lang, access), list_bundles=self.bundles)

    def history(self, article_id: str, *, site: str | None = None, day: date | None = None) -> list[ArticleVersion]:
        """Every version of an article, oldest first, the latest last (``ArticleVersion``: ``record``, ``key``,
        ``label``, ``latest``); empty when the archive has no such article.

        ``site`` narrows the search to one site; ``day`` (the index row's ``published_date``) to one partition,
        which matters only for an article without earlier versions (else the site's whole index is searched)."""
        from newsarchive.archive.history import article_history

        return article_history(self, article_id, site, day)

    def with_versions(
        self,
        selection: Selection,
        *,
        contains: str | None = None,
        limit: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> Generator[ArticleVersion, None, None]:
        """Like ``records``, each article as its earlier versions (oldest first, from the history index) and
        then its latest record; ``contains``/``limit`` select articles by their latest record."""
        from newsarchive.archive.history import with_versions

        return with_versions(self, selection, contains=contains, limit=limit, progress=progress)

    def find_row(self, article_id: str, query: Query) -> dict[str, Any] | None:
        """The latest index row of ``article_id`` among the partitions ``query`` names (None if none holds it)."""
        with self._pool() as pool:
            keys = index_keys(self.store, query, pool)
            tables = list(pool.map(lambda key: read_index_days(self.store, key, _days(query, key)), keys))
        files = [(key, table.filter(pc.equal(table.column("id"), article_id)))
                 for key, table in zip(keys, tables, strict=True)]
        merged, _ = merge_latest([(key, table) for key, table in files if table.num_rows])
        return merged.to_pylist()[0] if merged.num_rows else None

    def _select(self, query: Query, *, list_bundles: bool) -> Selection:
        with self._pool() as pool:
            sites = list(query.sites) if query.sites is not None else index_sites(self.store)
            keys = index_keys(self.store, query, pool, sites)
            tables = list(pool.map(lambda key: read_index_days(self.store, key, _days(query, key)), keys))
            # Which partitions have a bundle: listed, so an archive written before bundles costs no failed GETs.
            bundles = set(partition_keys(self.store, query, pool, "bundles", sites)) if list_bundles and keys else set()
        files = list(zip(keys, tables, strict=True))
        merged, sources = merge_latest(files)
        positions = select_positions(merged, query)
        table = merged.take(pa.array(positions, type=pa.int64())).combine_chunks()
        return Selection(
            table=table,
            sources=tuple(sources[p] for p in positions),
            # A compacted month counts the rows read (its days in the query), as its bundle is read by day too.
            file_rows={key: table.num_rows for key, table in files},
            bundle_of={key: bundle for key in keys if (bundle := companion_key(key, "bundles")) in bundles},
        )

    def records(
        self,
        selection: Selection,
        *,
        contains: str | None = None,
        limit: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> Records:
        """The stored records of a selection's rows, in its order; ``contains``/``limit`` as in ``articles``.

        Rows are read from their partition's bundle when enough of it is wanted (one GET for many
        records), else one GET each; either way the records are the stored article objects' content.
        ``progress``, if given, is called in the caller's thread with the number of rows read so far
        (matching ``contains`` or not).
        """
        needle, limit = _check_filters(contains, limit)
        table = selection.table
        if needle is None and limit is not None:
            table = table.slice(0, limit)  # nothing is filtered after the fetch: fetch no more than needed
        columns = [table.column(name).to_pylist() for name in ("id", "key", "fetched_at", "text_sha256")]
        sources = selection.sources[: table.num_rows]
        bundle_of = selection.bundle_of if self.bundles else {}
        wanted = [
            Wanted(row_id, key, fetched_at, digest, bundle_of.get(source))
            for row_id, key, fetched_at, digest, source in zip(*columns, sources, strict=True)
        ]
        wanted = choose_bundles(wanted, {bundle: selection.file_rows[key] for key, bundle in bundle_of.items()})
        return stream_records(
            self.store, wanted, workers=self.workers, load=self._load, needle=needle, limit=limit, progress=progress
        )

    def fetch(
        self,
        keys: Iterable[str],
        *,
        contains: str | None = None,
        limit: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> Records:
        """Records at ``keys`` (in that order), one concurrent GET each; ``contains``/``limit`` as in
        ``articles``, ``progress`` as in ``records``. For keys from an Asset event, say."""
        needle, limit = _check_filters(contains, limit)
        keys = list(keys)
        if needle is None and limit is not None:
            keys = keys[:limit]
        wanted = [Wanted("", key, None, None) for key in keys]
        return stream_records(
            self.store, wanted, workers=self.workers, load=self._load, needle=needle, limit=limit, progress=progress
        )

    def _load(self, key: str) -> dict[str, Any]:
        data = self.store.get(key)
        try:
            record = json.loads(data)
        except ValueError as exc:
            raise ArchiveError(f"article {key!r} in {self.url} is not valid JSON: {exc}") from exc
        if not isinstance(record, dict):
            raise ArchiveError(f"article {key!r} in {self.url} is not a JSON object")
        return record

    def stats(
        self,
        site: SiteFilter = None,
        start: TimeBound | None = None,
        end: TimeBound | None = None,
        lang: str | Iterable[str] | None = None,
        access: str | Iterable[str] | None = None,
    ) -> pa.Table:
        """Articles and words per site, publication day (``date=`` partition, site's timezone) and
        language (null when unknown), sorted by site, date, language (STATS_SCHEMA)."""
        return count_rows(self.index(site, start, end, lang, access))

    def _pool(self) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="archive-list")


def _pool_limit(store: Store) -> int | None:
    """The S3 client's connection pool size, if the store has one."""
    config = getattr(getattr(getattr(store, "client", None), "meta", None), "config", None)
    size = getattr(config, "max_pool_connections", None)
    return size if isinstance(size, int) and size > 0 else None


def _days(query: Query, key: str) -> frozenset[date] | None:
    """The days of a compacted month ``key`` that the query can match (None for a daily file: read whole)."""
    try:
        month = parse_compacted_key(key).month
    except InvalidKey:
        return None
    return query.days(month)
