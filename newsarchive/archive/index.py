"""The Parquet index: one row per article (metadata only, no text), one file per (site, date, window).

Rows come from ArticleRecord JSON objects (``record.to_dict()``) plus ``key`` (the article's object key)
and ``published_date`` (the publication date in the site's timezone, i.e. the ``date=`` partition);
other fields of the dict (text, description, ...) are ignored.
"""

from __future__ import annotations

import io
from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from newsarchive.archive.errors import IndexFormatError
from newsarchive.archive.parquetio import ParquetObject, parquet_table
from newsarchive.instants import parse_day

if TYPE_CHECKING:
    from newsarchive.archive.store import Store

PARQUET_CONTENT_TYPE = "application/vnd.apache.parquet"

INDEX_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("url", pa.string(), nullable=False),
        pa.field("canonical_url", pa.string()),
        pa.field("site", pa.string(), nullable=False),
        pa.field("title", pa.string()),
        pa.field("authors", pa.list_(pa.string())),
        pa.field("published", pa.string()),
        pa.field("published_date", pa.date32()),
        pa.field("language", pa.string()),
        pa.field("section", pa.string()),
        pa.field("tags", pa.list_(pa.string())),
        pa.field("word_count", pa.int32()),
        pa.field("text_sha256", pa.string()),
        pa.field("key", pa.string(), nullable=False),
        pa.field("fetched_at", pa.string()),
        # free, paywalled or metered; null in rows of records written before schema version 2.
        pa.field("access", pa.string()),
        # Added for re-checking archived articles (newsarchive.pipeline.incremental): the record's modified time and the
        # validators of the response it came from (ETag, Last-Modified), sent back in conditional requests.
        pa.field("modified", pa.string()),
        pa.field("etag", pa.string()),
        pa.field("last_modified", pa.string()),
    ]
)
# Columns added after the first index files were written: an older file lacking one reads as nulls.
ADDED_COLUMNS = ("access", "modified", "etag", "last_modified")
REQUIRED_COLUMNS = tuple(f.name for f in INDEX_SCHEMA if not f.nullable)
_LIST_COLUMNS = ("authors", "tags")


def index_rows_to_table(rows: Sequence[Mapping[str, Any]]) -> pa.Table:
    """A table in INDEX_SCHEMA from row dicts (unknown fields ignored; missing optional ones null).

    Raises IndexFormatError naming the row and field when a required field is missing or a value has
    the wrong type.
    """
    columns: dict[str, list[Any]] = {f.name: [] for f in INDEX_SCHEMA}
    for number, row in enumerate(rows):
        for name in REQUIRED_COLUMNS:
            if not isinstance(row.get(name), str) or not row.get(name):
                raise IndexFormatError(f"index row {number}: {name!r} must be a non-empty string")
        for name, values in columns.items():
            values.append(_cell(row, name, number))
    try:
        return pa.table(columns, schema=INDEX_SCHEMA)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise IndexFormatError(f"index rows do not fit INDEX_SCHEMA: {exc}") from exc


def _cell(row: Mapping[str, Any], name: str, number: int) -> Any:
    value = row.get(name)
    if value is None:
        return None
    if name in _LIST_COLUMNS:
        if isinstance(value, str) or not isinstance(value, Sequence):
            raise IndexFormatError(f"index row {number}: {name!r} must be a list of strings")
        return [str(v) for v in value]
    if name == "published_date":
        if isinstance(value, str):
            try:
                return parse_day(value)
            except ValueError:
                raise IndexFormatError(f"index row {number}: bad published_date {value!r}") from None
        if not isinstance(value, date) or isinstance(value, datetime):
            raise IndexFormatError(f"index row {number}: published_date must be a date (not a datetime)")
        return value
    if name == "word_count":
        if isinstance(value, bool) or not isinstance(value, int):
            raise IndexFormatError(f"index row {number}: word_count must be an integer")
        return value
    if not isinstance(value, str):
        raise IndexFormatError(f"index row {number}: {name!r} must be a string, got {type(value).__name__}")
    return value


def conform(table: pa.Table, where: str = "index table") -> pa.Table:
    """``table`` with INDEX_SCHEMA's column order and types (IndexFormatError if it cannot be); a column of
    ADDED_COLUMNS that an older file lacks is added as nulls."""
    if table.schema.equals(INDEX_SCHEMA):  # a file this version wrote: nothing to select or cast
        return table
    for name in ADDED_COLUMNS:
        if name not in table.column_names:
            column = INDEX_SCHEMA.field(name)
            table = table.append_column(column, pa.nulls(table.num_rows, column.type))
    missing = [name for name in INDEX_SCHEMA.names if name not in table.column_names]
    if missing:
        raise IndexFormatError(f"{where} lacks columns {missing}")
    try:
        return table.select(INDEX_SCHEMA.names).cast(INDEX_SCHEMA)
    except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError) as exc:
        raise IndexFormatError(f"{where} does not match INDEX_SCHEMA: {exc}") from exc


def table_to_parquet(table: pa.Table) -> bytes:
    """Serialise an index table to Parquet bytes (zstd; same table -> same bytes)."""
    sink = io.BytesIO()
    pq.write_table(conform(table), sink, compression="zstd")
    return sink.getvalue()


def write_index(store: Store, key: str, table: pa.Table) -> None:
    """Write ``table`` (conformed to INDEX_SCHEMA) as the whole Parquet object ``key``."""
    store.put(key, table_to_parquet(table), content_type=PARQUET_CONTENT_TYPE)


def read_index(store: Store, key: str) -> pa.Table:
    """Read the Parquet object ``key`` as a table in INDEX_SCHEMA (KeyNotFound, IndexFormatError)."""
    where = f"index {key!r} in {store.url}"
    return conform(parquet_table(store.get(key), where), where)


def merge_index(old: pa.Table, new: pa.Table) -> pa.Table:
    """Union of two index tables keyed by ``id``: ``new`` wins (the last row per id), sorted by
    ``published`` (nulls last) then ``id``. Deterministic for the same inputs.
    """
    both = pa.concat_tables([conform(old, "old index"), conform(new, "new index")])
    # Last occurrence of each id wins: rows of `new` come after those of `old`.
    latest: dict[str, int] = {}
    for position, row_id in enumerate(both.column("id").to_pylist()):
        latest[row_id] = position
    merged = both.take(sorted(latest.values()))
    return merged.sort_by([("published", "ascending"), ("id", "ascending")]).combine_chunks()


def row_from_record(record: Mapping[str, Any], key: str, day: date) -> dict[str, Any]:
    """An index row from a stored record's JSON dict (what ``newsarchive.pipeline.extract_stage.index_row`` makes of an
    ArticleRecord): its metadata without the text, ``key`` where it is stored, ``day`` its ``date=``."""
    row = {name: record.get(name) for name in INDEX_SCHEMA.names}
    row.update(key=key, published_date=day)
    for name in _LIST_COLUMNS:
        row[name] = list(row[name] or [])
    return row


def read_index_days(store: Store, key: str, days: Collection[date] | None) -> pa.Table:
    """The rows of index file ``key`` that can be on ``days`` (None: all): a compacted month is read by its
    row groups of those days only (ranged GETs, ``newsarchive.archive.parquetio``), a daily file whole."""
    from newsarchive.archive.errors import InvalidKey
    from newsarchive.archive.keys import parse_compacted_key

    try:
        parse_compacted_key(key)
    except InvalidKey:
        return read_index(store, key)
    part = ParquetObject.open(store, key)
    return conform(part.read(part.row_groups(days)), f"index {key!r} in {store.url}")
