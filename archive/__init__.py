"""The archive: stores (S3 / local folder), key layout, WARC reading and the Parquet index.

Only the light, dependency-free entry points are re-exported here so ``import archive`` stays cheap
(DAG files parse in milliseconds); import ``archive.warc``, ``archive.index``, ``archive.s3`` directly.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from archive.errors import (
    ArchiveError,
    IndexFormatError,
    InvalidKey,
    InvalidMetadata,
    KeyNotFound,
    PreconditionFailed,
    StoreUnavailable,
    WarcError,
)
from archive.store import ObjectInfo, Store, open_store

if TYPE_CHECKING:  # type checkers see the real signatures of the lazy names
    from archive.history import ArticleVersion
    from archive.query import InvalidQuery
    from archive.reader import Archive, open_archive
    from archive.schema import InvalidArticle, validate_article

# The analysts' reader and the record schema pull in pyarrow / jsonschema: loaded on first use only.
_LAZY = {
    "Archive": "archive.reader",
    "ArticleVersion": "archive.history",
    "open_archive": "archive.reader",
    "InvalidQuery": "archive.query",
    "InvalidArticle": "archive.schema",
    "validate_article": "archive.schema",
}


def __getattr__(name: str) -> Any:
    """Import the lazily exported names (``open_archive``, ``validate_article``, ...) on first access."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'archive' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "Archive",
    "ArchiveError",
    "ArticleVersion",
    "IndexFormatError",
    "InvalidArticle",
    "InvalidKey",
    "InvalidMetadata",
    "InvalidQuery",
    "KeyNotFound",
    "ObjectInfo",
    "PreconditionFailed",
    "Store",
    "StoreUnavailable",
    "WarcError",
    "open_archive",
    "open_store",
    "validate_article",
]
