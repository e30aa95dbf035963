"""The archive: stores (S3 / local folder), key layout, WARC reading and the Parquet index.

Only the light, dependency-free entry points are re-exported here so ``import archive`` stays cheap
(DAG files parse in milliseconds); import ``archive.warc``, ``archive.index``, ``archive.s3`` directly.
"""

from __future__ import annotations

from archive.errors import (
    ArchiveError,
    IndexFormatError,
    InvalidKey,
    InvalidMetadata,
    KeyNotFound,
    StoreUnavailable,
    WarcError,
)
from archive.store import ObjectInfo, Store, open_store

__all__ = [
    "ArchiveError",
    "IndexFormatError",
    "InvalidKey",
    "InvalidMetadata",
    "KeyNotFound",
    "ObjectInfo",
    "Store",
    "StoreUnavailable",
    "WarcError",
    "open_store",
]
