"""Takedown primitives: the site's takedown list, and removing articles from every file that holds them.

A takedown record ``takedowns/site=S/<id>.json`` (``newsarchive.archive.keys.takedown_key``) says who asked for an
article's removal, when and why, which URLs it had and which keys were removed; it never holds the text.
The records are the site's takedown list: crawls skip their URLs, and every writer of ``articles/``,
``index/``, ``bundles/`` and ``history/`` leaves their ids out.

Writers and a takedown can run at the same time. Each side writes first and checks second: the takedown
writes its record, then removes the article everywhere it finds it; a writer (the extract stage, compaction)
writes its files, then reads the takedown list and removes any article on it from what it wrote
(``enforce``). Whichever comes second sees the other's write, so the article never stays. Files are
rewritten with conditional writes (``Store.put_if``): a removal never overwrites rows a concurrent writer
just added, it re-reads and removes again.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Collection, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from newsarchive.archive.errors import ArchiveError, IndexFormatError, InvalidKey, KeyNotFound, PreconditionFailed
from newsarchive.archive.index import PARQUET_CONTENT_TYPE
from newsarchive.archive.keys import (
    PARTITIONED_KINDS,
    articles_prefix,
    check_article_id,
    parse_article_key,
    parse_compacted_key,
    parse_takedown_key,
    takedown_key,
    takedowns_prefix,
    versions_prefix,
)
from newsarchive.archive.listing import partition_files
from newsarchive.archive.parquetio import by_day_bytes, parquet_table

if TYPE_CHECKING:
    from newsarchive.archive.store import Store

log = logging.getLogger(__name__)

JSON_TYPE = "application/json; charset=utf-8"
PENDING, DONE = "pending", "done"
# A conditional rewrite that keeps losing to concurrent writers is retried this many times, then fails loudly.
MAX_ATTEMPTS = 8
LIST_THREADS = 8


@dataclass(frozen=True)
class TakedownRecord:
    """The audit record of one article's takedown (never its text)."""

    site: str
    article_id: str
    reason: str
    requested_by: str
    requested_at: str
    urls: tuple[str, ...] = ()
    status: str = PENDING
    keys_removed: tuple[str, ...] = ()
    files_rewritten: tuple[str, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> bytes:
        """The record as stored (UTF-8 JSON, keys sorted)."""
        return json.dumps(asdict(self), indent=1, sort_keys=True, ensure_ascii=False).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> TakedownRecord:
        """Parse a stored record (ArchiveError if it is not one)."""
        try:
            fields = json.loads(data)
            return cls(**{**fields, "urls": tuple(fields.get("urls", ())),
                          "keys_removed": tuple(fields.get("keys_removed", ())),
                          "files_rewritten": tuple(fields.get("files_rewritten", ()))})
        except (ValueError, TypeError) as exc:
            raise ArchiveError(f"not a takedown record: {exc}") from exc


def write_record(store: Store, record: TakedownRecord) -> str:
    """Store the record at its key (replacing an earlier state of the same takedown); return the key."""
    key = takedown_key(record.site, record.article_id)
    store.put(key, record.to_json(), content_type=JSON_TYPE)
    return key


def taken_down_ids(store: Store, site: str) -> set[str]:
    """The ids on the site's takedown list (one listing, no GET)."""
    ids = set()
    for key in store.list(takedowns_prefix(site)):
        try:
            ids.add(parse_takedown_key(key).article_id)
        except InvalidKey:
            continue
    return ids


def taken_down(store: Store, site: str) -> list[TakedownRecord]:
    """The site's takedown records (a listing and one GET each; an unreadable one still counts by its id)."""
    records = []
    for article_id in sorted(taken_down_ids(store, site)):
        key = takedown_key(site, article_id)
        try:
            records.append(TakedownRecord.from_json(store.get(key)))
        except KeyNotFound:
            continue
        except ArchiveError as exc:
            log.warning("takedown record %s unreadable (%s): its id is still taken down", key, exc)
            records.append(TakedownRecord(site, article_id, "unreadable record", "", ""))
    return records


# -- finding an article -------------------------------------------------------------------------------------


def article_keys_of(store: Store, site: str, ids: Collection[str]) -> list[str]:
    """Every ``articles/`` key of the site holding one of ``ids`` (a listing of the site's articles)."""
    wanted = {check_article_id(i) for i in ids}
    found = []
    for key in store.list(articles_prefix(site)):
        try:
            parts = parse_article_key(key)
        except InvalidKey:
            continue
        if parts.article_id in wanted:
            found.append(key)
    return found


def ids_for_urls(store: Store, site: str, urls: Collection[str]) -> set[str]:
    """The ids of the site's indexed articles whose ``url`` or ``canonical_url`` is one of ``urls``."""
    wanted = pa.array(sorted(urls))
    found: set[str] = set()
    for key in partition_files(store, "index", site):
        table = parquet_table(store.get(key), f"{key!r} in {store.url}")
        hit = pc.or_(pc.is_in(table.column("url"), value_set=wanted),
                     pc.is_in(table.column("canonical_url"), value_set=wanted))
        found.update(table.filter(hit).column("id").to_pylist())
    return found


def rows_with(store: Store, key: str, ids: Collection[str]) -> pa.Table:
    """The rows of Parquet file ``key`` whose ``id`` is in ``ids`` (only the id/key/date columns)."""
    table = parquet_table(store.get(key), f"{key!r} in {store.url}")
    columns = [name for name in ("id", "key", "published_date") if name in table.column_names]
    return table.select(columns).filter(pc.is_in(table.column("id"), value_set=pa.array(list(ids))))


# -- removing ------------------------------------------------------------------------------------------------


def parquet_bytes(table: pa.Table, by_day: bool) -> bytes:
    """Parquet bytes of ``table`` (zstd); ``by_day``: laid out as a compacted month (a row group per day)."""
    if by_day and "published_date" in table.column_names:
        return by_day_bytes(table)
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


def rewrite_without(store: Store, key: str, ids: Collection[str]) -> bool:
    """Rewrite Parquet file ``key`` without the rows of ``ids`` (deleted if none is left); True if it held any.

    Conditional: when another writer changed the file meanwhile, it is read again and the removal redone,
    so that writer's rows are never lost."""
    value_set = pa.array(sorted(ids))
    for _ in range(MAX_ATTEMPTS):
        try:
            tagged = store.get_tagged(key)
        except KeyNotFound:
            return False
        table = parquet_table(tagged.data, f"{key!r} in {store.url}")
        if "id" not in table.column_names:
            raise IndexFormatError(f"{key!r} in {store.url} has no id column")
        hit = pc.is_in(table.column("id"), value_set=value_set)
        if not pc.any(hit).as_py():
            return False
        kept = table.filter(pc.invert(hit))
        try:
            if kept.num_rows == 0:
                store.delete_if(key, tagged.etag)
            else:
                by_day = _is_compacted(key)
                store.put_if(key, parquet_bytes(kept, by_day), etag=tagged.etag, content_type=PARQUET_CONTENT_TYPE)
            return True
        except PreconditionFailed:
            log.info("%s changed while removing taken-down rows: reading it again", key)
    raise ArchiveError(f"{key!r} in {store.url} kept changing: taken-down rows not removed after {MAX_ATTEMPTS} tries")


def _is_compacted(key: str) -> bool:
    try:
        parse_compacted_key(key)
    except InvalidKey:
        return False
    return True


@dataclass(frozen=True)
class Removal:
    """What a purge did: object keys deleted and Parquet files rewritten without the articles' rows; and what
    the deleted records said about where their raw responses are (URLs, WARC keys, first publication day)."""

    keys_removed: tuple[str, ...]
    files_rewritten: tuple[str, ...]
    urls: tuple[str, ...]
    warc_keys: tuple[str, ...] = ()
    first_day: date | None = None


def purge(store: Store, site: str, ids: Collection[str]) -> Removal:
    """Remove the articles ``ids`` of ``site`` from every index, bundle and history file, then delete their
    earlier versions and their article objects (rows first, so a reader never lists a deleted object).

    Idempotent: a second purge finds nothing and changes nothing."""
    ids = {check_article_id(i) for i in ids}
    if not ids:
        return Removal((), (), ())
    articles = article_keys_of(store, site, ids)
    days = {parse_article_key(key).published_date for key in articles}
    facts = _Facts()
    with ThreadPoolExecutor(max_workers=LIST_THREADS, thread_name_prefix="takedown") as pool:
        # Every index file of the site (they are small): where the rows are tells which days to look at.
        indexes = partition_files(store, "index", site)
        found = list(pool.map(lambda key: (key, rows_with(store, key, ids)), indexes))
        for _, rows in found:
            days.update(d for d in rows.column("published_date").to_pylist() if d is not None)
        files = [key for key, rows in found if rows.num_rows]
        files += partition_files(store, "bundles", site, days) + partition_files(store, "history", site, days)
        facts.read(store, articles, ids)
        rewritten = [key for key, hit in zip(files, pool.map(lambda k: rewrite_without(store, k, ids), files),
                                             strict=True) if hit]
        versions = [key for article_id in sorted(ids) for key in store.list(versions_prefix(site, article_id))]
        facts.read(store, versions, ids)
        list(pool.map(store.delete, versions + articles))
    log.info("purged %s of %s: %d objects deleted, %d files rewritten", sorted(ids), site,
             len(versions) + len(articles), len(rewritten))
    first = min(facts.days | days) if facts.days | days else None
    return Removal(tuple(sorted(versions + articles)), tuple(sorted(rewritten)), tuple(sorted(facts.urls)),
                   tuple(sorted(facts.warc_keys)), first)


class _Facts:
    """What the records being removed say: their URLs, the WARCs of their raw responses, their days."""

    def __init__(self) -> None:
        self.urls: set[str] = set()
        self.warc_keys: set[str] = set()
        self.days: set[date] = set()

    def read(self, store: Store, keys: Iterable[str], ids: Collection[str]) -> None:
        """Read the records at ``keys`` (unreadable ones skipped)."""
        from newsarchive.instants import instant_or_none

        for key in keys:
            try:
                record = json.loads(store.get(key))
            except (KeyNotFound, ValueError):
                continue
            if not isinstance(record, dict) or record.get("id") not in ids:
                continue
            self.urls.update(str(record[name]) for name in ("url", "canonical_url") if record.get(name))
            raw = record.get("raw")
            if isinstance(raw, dict) and isinstance(raw.get("warc_key"), str):
                self.warc_keys.add(raw["warc_key"])
            instant = instant_or_none(record.get("published"))
            if instant is not None:
                self.days.add(instant.date())


def enforce(store: Store, site: str, written_ids: Collection[str]) -> set[str]:
    """A writer's check after its writes: purge every article it wrote that is on the takedown list now.

    Returns the ids purged (usually none: one listing of ``takedowns/site=S/``)."""
    listed = taken_down_ids(store, site) & set(written_ids)
    if listed:
        log.warning("%s: %d article(s) written meanwhile are taken down: removing them again", site, len(listed))
        purge(store, site, listed)
    return listed


__all__ = [
    "DONE",
    "PARTITIONED_KINDS",
    "PENDING",
    "Removal",
    "TakedownRecord",
    "article_keys_of",
    "enforce",
    "ids_for_urls",
    "purge",
    "rewrite_without",
    "taken_down",
    "taken_down_ids",
    "write_record",
]
