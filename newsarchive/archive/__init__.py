"""The archive: stores (S3 / local folder), key layout, WARC reading and the Parquet index.

Only the light, dependency-free entry points are re-exported here so ``import newsarchive.archive`` stays cheap
(DAG files parse in milliseconds); import ``newsarchive.archive.warc``, ``newsarchive.archive.index``,
``newsarchive.archive.s3`` directly.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from newsarchive.archive.errors import (
    ArchiveError,
    IndexFormatError,
    InvalidKey,
    InvalidMetadata,
    KeyNotFound,
    PreconditionFailed,
    StoreUnavailable,
    WarcError,
)
from newsarchive.archive.store import ObjectInfo, Store, open_store

if TYPE_CHECKING:  # type checkers see the real signatures of the lazy names
    from newsarchive.archive.history import ArticleVersion
    from newsarchive.archive.query import InvalidQuery
    from newsarchive.archive.reader import Archive, open_archive
    from newsarchive.archive.schema import InvalidArticle, validate_article

# The analysts' reader and the record schema pull in pyarrow / jsonschema: loaded on first use only.
_LAZY = {
    "Archive": "newsarchive.archive.reader",
    "ArticleVersion": "newsarchive.archive.history",
    "open_archive": "newsarchive.archive.reader",
    "InvalidQuery": "newsarchive.archive.query",
    "InvalidArticle": "newsarchive.archive.schema",
    "validate_article": "newsarchive.archive.schema",
}


def __getattr__(name: str) -> Any:
    """Import the lazily exported names (``open_archive``, ``validate_article``, ...) on first access."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'newsarchive.archive' has no attribute {name!r}")
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
