"""Record bundles: the full article records of one index file, in one Parquet object, for bulk reads.

Every ``index/site=S/date=P/<window>.parquet`` has a companion ``bundles/site=S/date=P/<window>.parquet``
written just before it by the same run, with one row per index row: ``id``, ``key``, ``fetched_at``,
``text_sha256`` and ``record`` (the article JSON exactly as stored at ``key``). A reader that wants many
articles of a partition then makes one GET instead of one per article, which is what makes a bulk pull
fast on S3, where every request costs a round trip (and money).

The article objects stay the source of truth. A bundle row is used only when it agrees with the index row
the reader chose (same key, fetch time and text digest); anything else (no bundle, an unreadable one, a
row that is missing or stale) falls back to GETting the article object, so a bundle can only save
requests, never change an answer.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from newsarchive.archive.errors import IndexFormatError, InvalidKey
from newsarchive.archive.index import PARQUET_CONTENT_TYPE, index_rows_to_table, write_index
from newsarchive.archive.keys import bundle_key_for, parse_compacted_key
from newsarchive.archive.parquetio import ParquetObject, parquet_table

if TYPE_CHECKING:
    from newsarchive.archive.store import Store

log = logging.getLogger(__name__)

BUNDLE_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("key", pa.string(), nullable=False),
        pa.field("fetched_at", pa.string()),
        pa.field("text_sha256", pa.string()),
        pa.field("record", pa.string(), nullable=False),
    ]
)
# The columns a reader checks a bundle row against before trusting it instead of the article object.
MATCH_COLUMNS = ("key", "fetched_at", "text_sha256")


@dataclass(frozen=True)
class BundleRow:
    """One bundle row: what it claims to hold, and the stored record's JSON text."""

    id: str
    key: str
    fetched_at: str | None
    text_sha256: str | None
    record: str

    def matches(self, row: Mapping[str, Any]) -> bool:
        """Whether this row holds the record an index row describes (same key, fetch time, digest)."""
        return all(getattr(self, name) == row.get(name) for name in MATCH_COLUMNS)


def bundle_table(rows: Sequence[Mapping[str, Any]], records: Sequence[str]) -> pa.Table:
    """A bundle table from index rows and the JSON text of their records (same order, same length)."""
    if len(rows) != len(records):
        raise ValueError(f"{len(rows)} index rows but {len(records)} records")
    columns: dict[str, list[Any]] = {name: [row.get(name) for row in rows] for name in BUNDLE_SCHEMA.names[:-1]}
    columns["record"] = list(records)
    try:
        return pa.table(columns, schema=BUNDLE_SCHEMA)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise IndexFormatError(f"bundle rows do not fit BUNDLE_SCHEMA: {exc}") from exc


def write_partition(store: Store, index_key: str, rows: Sequence[Mapping[str, Any]], records: Sequence[str]) -> None:
    """Write one (site, date, window) partition: the bundle first, then the index that readers start from.

    ``rows`` are index rows (``newsarchive.archive.index``), ``records`` the JSON text stored at each row's key.
    The index is written last so a crash in between leaves the previous index (whose rows the new
    bundle may no longer match: the reader then GETs those articles).
    """
    table = index_rows_to_table(rows)
    sink = io.BytesIO()
    pq.write_table(bundle_table(rows, records), sink, compression="zstd")
    store.put(bundle_key_for(index_key), sink.getvalue(), content_type=PARQUET_CONTENT_TYPE)
    write_index(store, index_key, table)


def read_bundle(
    store: Store,
    key: str,
    wanted: Collection[str] | None = None,
    days: Collection[date] | None = None,
    footers: dict[str, ParquetObject] | None = None,
    tags: dict[str, str] | None = None,
) -> dict[str, BundleRow]:
    """The rows of bundle ``key`` by id (only ids in ``wanted``, if given). A compacted month's bundle is read
    by its row groups of ``days`` only (ranged GETs; all of it when ``days`` is None); a daily one whole.
    ``footers``: compacted bundles' footers already fetched (by key), filled in as they are read;
    ``tags``: where to note the entity tag of each daily bundle read (for a later conditional delete).

    KeyNotFound if there is no such object, IndexFormatError if it is not a readable bundle.
    """
    try:
        parse_compacted_key(key)
    except InvalidKey:
        if tags is not None:
            tagged = store.get_tagged(key)
            tags[key], data = tagged.etag, tagged.data
        else:
            data = store.get(key)
        table = parquet_table(data, f"bundle {key!r} in {store.url}", BUNDLE_SCHEMA.names)
    else:
        part = footers.get(key) if footers is not None else None
        if part is None:
            part = ParquetObject.open(store, key)
            if footers is not None:
                footers[key] = part
        table = part.read(part.row_groups(days), columns=list(BUNDLE_SCHEMA.names))
    try:
        table = table.cast(BUNDLE_SCHEMA)
    except (pa.ArrowException, ValueError, KeyError) as exc:
        raise IndexFormatError(f"bundle {key!r} in {store.url} is not readable: {exc}") from exc
    found: dict[str, BundleRow] = {}
    for values in zip(*(table.column(name).to_pylist() for name in BUNDLE_SCHEMA.names), strict=True):
        row = BundleRow(*values)
        if wanted is None or row.id in wanted:
            found[row.id] = row
    return found


def parse_record(row: BundleRow) -> dict[str, Any] | None:
    """The record a bundle row holds, or None if its JSON is not an object with the row's id."""
    try:
        record = json.loads(row.record)
    except ValueError:
        return None
    return record if isinstance(record, dict) and record.get("id") == row.id else None
