"""Earlier versions of articles, for readers: their labels and the history index.

When an article comes back with another text, ``newsarchive.pipeline.versions.write_article`` sets the replaced record
aside, byte for byte, at ``versions/site=S/<id>/<label>.json`` (``newsarchive.archive.keys.version_key``). The run that
did so then writes ``history/site=S/date=P/<window>.parquet`` (``write_history``): one row per version it set
aside, in ``HISTORY_SCHEMA`` (the index columns, ``key`` being the version object, plus ``modified``,
``version`` (the label) and ``record``, the version's JSON as stored). Readers find every version of a date
range from those files without listing each article's prefix, and DuckDB queries them in place. The
history index never mixes with ``index/`` and ``bundles/``: the latest-record view holds no version.

The version objects stay the source of truth: ``Archive.history(article_id)`` lists the article's own
prefix. A crash between a version's object and its history row leaves the row missing until the month is
compacted (``newsarchive.archive.compaction`` adds every version object of the month that no history file lists).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from newsarchive.archive.errors import IndexFormatError, KeyNotFound
from newsarchive.archive.index import INDEX_SCHEMA, PARQUET_CONTENT_TYPE, index_rows_to_table, row_from_record
from newsarchive.archive.keys import history_key, parse_version_key
from newsarchive.archive.parquetio import parquet_table
from newsarchive.instants import instant_or_none

if TYPE_CHECKING:
    from newsarchive.archive.store import Store

log = logging.getLogger(__name__)

HISTORY_SCHEMA = pa.schema(
    [
        *INDEX_SCHEMA,  # modified included (an index column since re-checks need it)
        pa.field("version", pa.string(), nullable=False),
        pa.field("record", pa.string(), nullable=False),
    ]
)
LABEL_FORMAT = "%Y%m%dT%H%M%SZ"
LABEL_DIGEST_CHARS = 12
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def text_digest(record: Mapping[str, Any]) -> str:
    """The record's text_sha256 (recomputed from its text when the field is missing)."""
    digest = record.get("text_sha256")
    if isinstance(digest, str) and digest:
        return digest
    return hashlib.sha256(str(record.get("text", "")).encode("utf-8")).hexdigest()


def version_label(record: Mapping[str, Any]) -> str:
    """The label a record is set aside under: its modified (else fetched_at) instant in UTC, then the first
    12 hex digits of its text digest (``20250115T090000Z-3f2a...``). A pure function of the record, so a rerun
    rewrites the same key; the digest keeps two texts apart when a site edits without a new ``modified``.

    Raises ValueError when the record has neither instant (nothing stable to name the version by)."""
    instant = instant_or_none(record.get("modified")) or instant_or_none(record.get("fetched_at"))
    if instant is None:
        raise ValueError(f"record {record.get('id')!r} has no usable modified or fetched_at to label a version")
    return f"{instant.strftime(LABEL_FORMAT)}-{text_digest(record)[:LABEL_DIGEST_CHARS]}"


def recency(record: Mapping[str, Any]) -> tuple[datetime, datetime]:
    """How recent a version is: (modified or published, fetched_at); missing parts count as the epoch."""
    stated = instant_or_none(record.get("modified")) or instant_or_none(record.get("published")) or _EPOCH
    return stated, instant_or_none(record.get("fetched_at")) or _EPOCH


def history_table(rows: list[dict[str, Any]]) -> pa.Table:
    """A table in HISTORY_SCHEMA from history rows (index rows plus ``version`` and ``record``)."""
    base = index_rows_to_table(rows)
    extra = {name: [row.get(name) for row in rows] for name in ("version", "record")}
    try:
        return pa.table({**{n: base.column(n) for n in INDEX_SCHEMA.names}, **extra}, schema=HISTORY_SCHEMA)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise IndexFormatError(f"history rows do not fit HISTORY_SCHEMA: {exc}") from exc


def conform_history(table: pa.Table, where: str) -> pa.Table:
    """``table`` with HISTORY_SCHEMA's columns and types (IndexFormatError if it cannot be)."""
    missing = [name for name in HISTORY_SCHEMA.names if name not in table.column_names]
    if missing:
        raise IndexFormatError(f"{where} lacks columns {missing}")
    try:
        return table.select(HISTORY_SCHEMA.names).cast(HISTORY_SCHEMA)
    except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError) as exc:
        raise IndexFormatError(f"{where} does not match HISTORY_SCHEMA: {exc}") from exc


def history_row(version_key: str, data: bytes, day: date) -> dict[str, Any] | None:
    """The history row of the version object ``version_key`` holding ``data`` (None if it is not a record)."""
    try:
        record = json.loads(data)
    except ValueError:
        return None
    if not isinstance(record, dict) or not record.get("id") or not record.get("url") or not record.get("site"):
        return None
    row = row_from_record(record, version_key, day)
    row.update(modified=record.get("modified"), version=parse_version_key(version_key).label,
               record=data.decode("utf-8"))
    return row


def read_history(store: Store, key: str) -> pa.Table:
    """A whole history file in HISTORY_SCHEMA (KeyNotFound, IndexFormatError)."""
    where = f"history {key!r} in {store.url}"
    return conform_history(parquet_table(store.get(key), where), where)


def history_bytes(table: pa.Table) -> bytes:
    """A history table as Parquet bytes (zstd), rows by id then version."""
    sink = io.BytesIO()
    ordered = conform_history(table, "history table").sort_by([("id", "ascending"), ("version", "ascending")])
    pq.write_table(ordered, sink, compression="zstd")
    return sink.getvalue()


def write_history(
    store: Store, site: str, start: datetime, end: datetime, set_aside: Mapping[date, Iterable[str]]
) -> list[str]:
    """Record the versions a window's run set aside (``set_aside``: publication date -> version keys) in the
    window's history files, keeping the rows an earlier run of the same window wrote there; return the keys.

    Reads each version object back (versions are rare: a few GETs), so a row always describes the object."""
    written = []
    for day, version_keys in sorted(set_aside.items()):
        rows: dict[str, dict[str, Any]] = {}
        key = history_key(site, day, start, end)
        try:
            rows.update({row["key"]: row for row in read_history(store, key).to_pylist()})
        except KeyNotFound:
            pass
        except IndexFormatError as exc:  # rebuilt from this run's versions; compaction re-adds the others
            log.warning("%s; rewriting it with this run's versions", exc)
        added = 0
        for version_key in sorted(set(version_keys)):
            try:
                row = history_row(version_key, store.get(version_key), day)
            except KeyNotFound:
                continue  # taken down meanwhile
            if row is None:
                log.warning("version %s is not a readable record: not in the history index", version_key)
                continue
            rows[version_key] = row
            added += 1
        if not rows or not added:
            continue
        store.put(key, history_bytes(history_table(list(rows.values()))), content_type=PARQUET_CONTENT_TYPE)
        written.append(key)
    return written


def versions_by_id(table: pa.Table, ids: Collection[str] | None = None) -> dict[str, dict[str, dict[str, Any]]]:
    """History rows grouped by article id, then by version key (duplicates of one version collapse)."""
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for row in table.to_pylist():
        if ids is None or row["id"] in ids:
            found.setdefault(row["id"], {})[row["key"]] = row
    return found
