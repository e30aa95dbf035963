"""Compaction: a closed month's daily index, bundle and history files, folded into one file each per site and month.

Daily runs leave one index file and one bundle per window and publication day; over years, hundreds of
thousands of small objects, and a pull of a year costs thousands of requests. ``compact_month`` writes

    index/site=S/month=YYYY-MM/compacted.parquet      one row per article of the month (the merge's winner)
    bundles/site=S/month=YYYY-MM/compacted.parquet    the same rows' records (+ ``published_date``)
    history/site=S/month=YYYY-MM/compacted.parquet    every version set aside for the month's articles

each sorted by publication day with one row group per day (readers fetch only the days they need, with
ranged GETs), then deletes the daily files it folded in. Readers return exactly the same records before,
during and after:

- the compacted index holds, per article, the row every reader would have chosen (``newsarchive.archive.merge``), so
  merging it with the daily files still present gives the same winner; on a fetch-time tie a daily file
  wins over a compacted month, so a window written into the month later (a rerun, a re-extraction, an
  update of an old article) is read as before and folded in by the next compaction;
- files are written bundle-side first (history, bundle, index), read back and verified, and only then are
  the daily files deleted, each one only if it is still the object that was read (a conditional delete): a
  crash between any two writes leaves duplicates that resolve to the same records, never a gap;
- compacting again is idempotent: a month without daily files is left alone;
- one compaction of a site's month at a time: a lease object (``compaction/site=S/<YYYY-MM>.lease``, created
  with a conditional write, renewed between steps, taken over only once expired) keeps a second one (a CLI
  run beside the DAG) from overwriting the first one's files with fewer rows.

Memory stays bounded by one day: the winners are chosen from the index files (no text), then the records
are copied day by day into a local file (one row group per day) that is uploaded whole.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from newsarchive.archive.bundles import BUNDLE_SCHEMA, read_bundle
from newsarchive.archive.errors import ArchiveError, InvalidKey, KeyNotFound, PreconditionFailed
from newsarchive.archive.index import INDEX_SCHEMA, PARQUET_CONTENT_TYPE, conform
from newsarchive.archive.keys import (
    PARTITIONED_KINDS,
    compacted_key,
    compaction_lease_key,
    companion_key,
    daily_partitions_prefix,
    month_of,
    parse_partition_key,
    versions_prefix,
)
from newsarchive.archive.lease import LEASE_SECONDS, Lease, lease
from newsarchive.archive.merge import merge_latest
from newsarchive.archive.parquetio import ParquetObject, by_day_bytes, month_writer, parquet_table
from newsarchive.archive.store import sha256_file
from newsarchive.archive.takedown import enforce, taken_down_ids
from newsarchive.archive.versions import HISTORY_SCHEMA, conform_history, history_row, history_table, read_history
from newsarchive.instants import instant_or_none

if TYPE_CHECKING:
    from newsarchive.archive.store import Store

log = logging.getLogger(__name__)

VERIFY_GROUPS = 7  # row groups (days) read back per request when verifying a compacted bundle
COMPACTED_BUNDLE_SCHEMA = pa.schema([*BUNDLE_SCHEMA, pa.field("published_date", pa.date32())])
# A month is closed once this many days have passed after its end: the last local days' runs are done.
DEFAULT_GRACE_DAYS = 2
@dataclass(frozen=True)
class Source:
    """A daily file read for a compaction, with the entity tag it had (deleted only if it still has it)."""

    key: str
    etag: str


@dataclass(frozen=True)
class MonthResult:
    """What compacting one month of one site did."""

    site: str
    month: str
    articles: int = 0
    versions: int = 0
    written: tuple[str, ...] = ()
    folded: tuple[str, ...] = ()  # daily files deleted after the compacted ones were verified
    kept: tuple[str, ...] = ()  # daily files that changed meanwhile: left for the next compaction
    taken_down: tuple[str, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able summary (for XCom and the CLI)."""
        return {"site": self.site, "month": self.month, "articles": self.articles, "versions": self.versions,
                "written": list(self.written), "folded": len(self.folded), "kept": list(self.kept),
                "taken_down": list(self.taken_down)}


def month_end(month: date) -> date:
    """The first day of the next month."""
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def daily_files(store: Store, kind: str, site: str, month: date) -> list[str]:
    """The per-window files of ``kind`` under the month's ``date=`` folders (one prefix listing)."""
    keys = []
    for key in store.list(daily_partitions_prefix(kind, site, month)):
        try:
            parse_partition_key(kind, key)
        except InvalidKey:
            continue
        keys.append(key)
    return keys


def months_to_compact(store: Store, site: str, as_of: date, grace_days: int = DEFAULT_GRACE_DAYS) -> list[date]:
    """Closed months of the site (ended at least ``grace_days`` before ``as_of``) that have daily files."""
    months: set[date] = set()
    for kind in PARTITIONED_KINDS:
        for key in store.list(daily_partitions_prefix(kind, site)):
            try:
                months.add(month_of(parse_partition_key(kind, key).published_date))
            except InvalidKey:
                continue
    return sorted(m for m in months if month_end(m) + timedelta(days=grace_days) <= as_of)


def compact_month(store: Store, site: str, month: date, *, workdir: Path | None = None,
                  lease_seconds: float = LEASE_SECONDS) -> MonthResult:
    """Fold the month's daily index, bundle and history files into its compacted files (see module doc).

    Raises ``newsarchive.archive.lease.LeaseBusy`` when another compaction of the month holds its lease."""
    month = month_of(month)
    with lease(store, compaction_lease_key(site, month), lease_seconds) as held:
        return _compact(store, site, month, workdir, held)


def _compact(store: Store, site: str, month: date, workdir: Path | None, held: Lease) -> MonthResult:
    label = month.strftime("%Y-%m")
    index_sources = _tagged(store, daily_files(store, "index", site, month))
    bundle_keys = set(daily_files(store, "bundles", site, month))
    history_sources = _tagged(store, daily_files(store, "history", site, month))
    if not index_sources and not bundle_keys and not history_sources:
        return MonthResult(site, label)
    removed = taken_down_ids(store, site)
    targets = {kind: compacted_key(kind, site, month) for kind in ("index", "bundles", "history")}
    winners, sources_of = _winners(store, targets["index"], index_sources, removed)
    history = _history(store, site, targets["history"], history_sources, winners, removed)
    held.renew()
    with tempfile.TemporaryDirectory(prefix=f"compact-{site}-{label}-", dir=workdir) as tmp:
        bundle_path = Path(tmp) / "bundle.parquet"
        tags: dict[str, str] = {}  # the daily bundles read, with their entity tags
        expected = _write_bundle(store, bundle_path, winners, sources_of, targets["bundles"], tags)
        if history.num_rows:
            _put_verified_table(store, targets["history"], history, HISTORY_SCHEMA)
        _put_verified_file(store, targets["bundles"], bundle_path, expected)
    held.renew()
    if winners.num_rows:
        _put_verified_table(store, targets["index"], winners, INDEX_SCHEMA)
    else:
        store.delete(targets["index"])  # every article of the month was taken down
    if not history.num_rows:
        store.delete(targets["history"])
    # Written and verified: anything taken down meanwhile goes now (the takedown's own pass may have missed
    # these files), then the daily files are deleted, each only if unchanged since it was read.
    purged = enforce(store, site, set(winners.column("id").to_pylist()) | set(history.column("id").to_pylist()))
    held.renew()  # the daily files are deleted only by the holder of an unexpired lease
    folded, kept = _fold(store, index_sources, history_sources, bundle_keys, winners, tags)
    result = MonthResult(site, label, articles=winners.num_rows, versions=history.num_rows,
                         written=tuple(k for k in targets.values() if store.exists(k)), folded=tuple(folded),
                         kept=tuple(kept), taken_down=tuple(sorted(purged)))
    log.info("compacted %s %s: %d articles, %d versions, %d daily files folded, %d kept (changed meanwhile)",
             site, label, result.articles, result.versions, len(folded), len(kept))
    return result


def _tagged(store: Store, keys: Iterable[str]) -> list[tuple[Source, bytes]]:
    found = []
    for key in keys:
        try:
            tagged = store.get_tagged(key)
        except KeyNotFound:
            continue  # deleted since it was listed (a concurrent compaction)
        found.append((Source(key, tagged.etag), tagged.data))
    return found


def _winners(store: Store, target: str, sources: list[tuple[Source, bytes]],
             removed: set[str]) -> tuple[pa.Table, list[str]]:
    """The month's rows, one per article as readers choose it, sorted by day, published, id; and where each
    row came from (a daily index key, or the compacted month itself)."""
    files = [(source.key, conform(parquet_table(data, source.key), source.key)) for source, data in sources]
    with suppress(KeyNotFound):
        files.append((target, conform(parquet_table(store.get(target), target), target)))
    merged, origin = merge_latest(files)
    keep = [n for n, row_id in enumerate(merged.column("id").to_pylist()) if row_id not in removed]
    merged, origin = merged.take(pa.array(keep, type=pa.int64())), [origin[n] for n in keep]
    numbered = merged.append_column("position", pa.array(range(merged.num_rows), type=pa.int64()))
    ordered = numbered.sort_by([("published_date", "ascending"), ("published", "ascending"), ("id", "ascending")])
    order = ordered.column("position").to_pylist()
    return merged.take(pa.array(order, type=pa.int64())).combine_chunks(), [origin[n] for n in order]


def _write_bundle(store: Store, path: Path, winners: pa.Table, sources_of: list[str], target: str,
                  tags: dict[str, str]) -> list[tuple[str, str, str | None, str | None]]:
    """Copy, day by day, the record of every winner whose bundle row matches it into a local Parquet file with
    one row group per day; return the (id, key, fetched_at, text_sha256) written, in order. A winner without
    a matching bundle row is left out: readers GET its article object, as they did before."""
    written: list[tuple[str, str, str | None, str | None]] = []
    days = winners.column("published_date")
    rows = winners.to_pylist()
    with month_writer(path, COMPACTED_BUNDLE_SCHEMA) as writer:
        for day in pc.unique(days).to_pylist():
            chosen = [n for n, row in enumerate(rows) if row["published_date"] == day]
            records = _records_of(store, [rows[n] for n in chosen], [sources_of[n] for n in chosen], target, day,
                                  tags)
            batch = []
            for n in chosen:
                row = rows[n]
                record = records.get(row["id"])
                if record is None:
                    continue
                batch.append({"id": row["id"], "key": row["key"], "fetched_at": row["fetched_at"],
                              "text_sha256": row["text_sha256"], "record": record, "published_date": day})
                written.append((row["id"], row["key"], row["fetched_at"], row["text_sha256"]))
            if batch:
                table = pa.Table.from_pylist(batch, schema=COMPACTED_BUNDLE_SCHEMA)
                writer.write_table(table, row_group_size=len(batch))
    return written


def _records_of(store: Store, rows: list[dict[str, Any]], sources: list[str], target: str,
                day: date | None, tags: dict[str, str]) -> dict[str, str]:
    """The bundle records matching ``rows`` (all of one day), read from each row's source file's bundle."""
    wanted: dict[str, dict[str, dict[str, Any]]] = {}
    for row, source in zip(rows, sources, strict=True):
        wanted.setdefault(companion_key(source, "bundles"), {})[row["id"]] = row
    found: dict[str, str] = {}
    for bundle, by_id in sorted(wanted.items()):
        try:
            days = {day} if bundle == companion_key(target, "bundles") and day is not None else None
            bundle_rows = read_bundle(store, bundle, by_id.keys(), days, tags=tags)
        except KeyNotFound:
            continue
        except ArchiveError as exc:
            log.warning("%s: its articles stay without a bundle row (readers GET them)", exc)
            continue
        for row_id, bundle_row in bundle_rows.items():
            if bundle_row.matches(by_id[row_id]):
                found[row_id] = bundle_row.record
    return found


def _history(store: Store, site: str, target: str, sources: list[tuple[Source, bytes]], winners: pa.Table,
             removed: set[str]) -> pa.Table:
    """Every version of the month: the daily history files, the compacted month's, and any version object of
    the month's articles that no history file lists yet (a crash between a version and its history row)."""
    rows: dict[str, dict[str, Any]] = {}
    tables = [conform_history(parquet_table(data, source.key), source.key) for source, data in sources]
    with suppress(KeyNotFound):
        tables.insert(0, read_history(store, target))
    for table in tables:
        rows.update({row["key"]: row for row in table.to_pylist()})
    day_of = dict(zip(winners.column("id").to_pylist(), winners.column("published_date").to_pylist(), strict=True))
    for row in rows.values():
        day_of.setdefault(row["id"], row["published_date"])
    for key in store.list(versions_prefix(site)):
        article_id = key.split("/")[2]
        if key in rows or article_id not in day_of:
            continue
        try:
            found = history_row(key, store.get(key), day_of[article_id])
        except KeyNotFound:
            continue
        if found is not None:
            rows[key] = found
    kept = [row for row in rows.values() if row["id"] not in removed]
    kept.sort(key=lambda r: (r["published_date"] or date.min, r["id"], r["version"]))
    return history_table(kept) if kept else HISTORY_SCHEMA.empty_table()


def _put_verified_table(store: Store, key: str, table: pa.Table, schema: pa.Schema) -> None:
    """Write a compacted index or history file and read it back: it must hold exactly ``table``'s rows."""
    store.put(key, by_day_bytes(table), content_type=PARQUET_CONTENT_TYPE)
    back = parquet_table(store.get(key), key).select(schema.names).cast(schema)
    if not back.equals(table.select(schema.names).cast(schema)):
        raise ArchiveError(f"compacted {key!r} in {store.url} does not read back as written: daily files kept")


def _put_verified_file(store: Store, key: str, path: Path, expected: list[tuple[Any, ...]]) -> None:
    """Upload the compacted bundle and verify it a row group at a time (bounded memory): the stored object
    has the file's digest, and its rows are exactly the ones written, in order."""
    store.put_file(key, path, content_type=PARQUET_CONTENT_TYPE)
    if store.head(key).sha256 != sha256_file(path):
        raise ArchiveError(f"compacted {key!r} in {store.url} differs from what was uploaded: daily files kept")
    part = ParquetObject.open(store, key)
    got: list[tuple[Any, ...]] = []
    columns = ["id", "key", "fetched_at", "text_sha256"]
    groups = list(range(part.metadata.num_row_groups))
    for first in range(0, len(groups), VERIFY_GROUPS):  # a week of row groups per ranged GET
        table = part.read(groups[first : first + VERIFY_GROUPS], columns)
        got += list(zip(*(table.column(name).to_pylist() for name in columns), strict=True))
    if got != expected:
        raise ArchiveError(f"compacted {key!r} in {store.url} does not read back as written: daily files kept")


def _fold(store: Store, index_sources: list[tuple[Source, bytes]], history_sources: list[tuple[Source, bytes]],
          bundle_keys: set[str], winners: pa.Table, tags: dict[str, str]) -> tuple[list[str], list[str]]:
    """Delete the daily files now held by the compacted ones: each index file (then its bundle) and history
    file only if unchanged since read; a bundle whose index is gone (a crash between the two deletes) only if
    every row of it is the compacted month's row of its article or an older fetch of it (a bundle of a run
    still writing its index holds newer rows: it stays). Returns (deleted, kept)."""
    folded: list[str] = []
    kept: list[str] = []
    for source, _ in index_sources:
        bundle = companion_key(source.key, "bundles")
        bundle_tag = tags.get(bundle) or _etag(store, bundle)
        if not _delete_if(store, source, kept, folded):
            bundle_keys.discard(bundle)
            continue
        if bundle_tag is not None:
            _delete_if(store, Source(bundle, bundle_tag), kept, folded)
        bundle_keys.discard(bundle)
    for source, _ in history_sources:
        _delete_if(store, source, kept, folded)
    latest = {row["id"]: (_instant(row["fetched_at"]), row["key"], row["text_sha256"])
              for row in winners.select(["id", "fetched_at", "key", "text_sha256"]).to_pylist()}
    for bundle in sorted(bundle_keys):  # bundles whose index write never happened, or was folded earlier
        if store.exists(companion_key(bundle, "index")):
            continue  # an index written meanwhile: its window's run is in flight
        try:
            tagged = store.get_tagged(bundle)
        except KeyNotFound:
            continue
        rows = parquet_table(tagged.data, bundle).select(["id", "key", "fetched_at", "text_sha256"]).to_pylist()
        if all(_superseded(r, latest.get(r["id"])) for r in rows):
            _delete_if(store, Source(bundle, tagged.etag), kept, folded)
        else:
            kept.append(bundle)
    return folded, kept


def _instant(value: str | None) -> datetime:
    return instant_or_none(value) or datetime.min.replace(tzinfo=UTC)


def _superseded(row: dict[str, Any], latest: tuple[datetime, str, str | None] | None) -> bool:
    """Whether a bundle row is the compacted row of its article, or an older fetch of it."""
    if latest is None:
        return False
    fetched = _instant(row["fetched_at"])
    return fetched < latest[0] or (fetched == latest[0] and (row["key"], row["text_sha256"]) == latest[1:])


def _etag(store: Store, key: str) -> str | None:
    try:
        return store.get_tagged(key).etag
    except KeyNotFound:
        return None


def _delete_if(store: Store, source: Source, kept: list[str], folded: list[str]) -> bool:
    try:
        store.delete_if(source.key, source.etag)
    except PreconditionFailed:
        log.info("%s changed since it was compacted: kept for the next compaction", source.key)
        kept.append(source.key)
        return False
    folded.append(source.key)
    return True
