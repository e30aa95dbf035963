"""Versions of updated articles: the article key holds the latest version, earlier ones are kept aside.

Layout::

    articles/site=S/date=P/<id>.json             the latest version (what readers and the index see)
    versions/site=S/<id>/<label>.json            an earlier version, byte for byte as it was stored

``<label>`` is the replaced record's ``modified`` instant (else its ``fetched_at``) in UTC as
``YYYYMMDDTHHMMSSZ``, then ``-`` and the first 12 hex digits of its text digest (``newsarchive.archive.versions``): a
pure
function of that record, so a rerun rewrites the same version key and never duplicates. Which record is
"latest" is decided by (modified or published, fetched_at), newest wins, so writing the same records in any
order leaves the same objects.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

# The versions/ layout and labels belong to the archive (newsarchive.archive.keys, newsarchive.archive.versions);
# re-exported here.
from newsarchive.archive.keys import version_key, versions_prefix
from newsarchive.archive.versions import recency, text_digest, version_label
from newsarchive.instants import instant_or_none

if TYPE_CHECKING:
    from extract import ArticleRecord
    from newsarchive.archive.store import Store

log = logging.getLogger("newsarchive.versions")

JSON_TYPE = "application/json; charset=utf-8"
# Outcomes of a write, as the extract stage counts them ("versions.<outcome>").
NEW, UNCHANGED, UPDATED, SUPERSEDED = "new", "unchanged", "updated", "superseded"
OUTCOMES = (NEW, UNCHANGED, UPDATED, SUPERSEDED)
__all__ = [
    "WriteOutcome",
    "is_newer_fetch",
    "list_versions",
    "recency",
    "text_digest",
    "version_key",
    "version_label",
    "versions_prefix",
    "write_article",
]


@dataclass(frozen=True)
class WriteOutcome:
    """What writing one record did.

    ``kind``: new (no stored record), unchanged (same text; the key rewritten in place unless the stored
    record is newer or identical), updated (other text, incoming newer: the stored record went to
    ``version_key`` first), superseded (other text, the stored record is newer: the incoming one went to
    ``version_key`` and the latest key was left alone). ``stored``: the bytes at ``key`` after the write;
    ``kept``: True when those are the earlier record's, not the incoming one's (the run's index row and
    bundle must describe them).
    """

    kind: str
    key: str
    version_key: str | None = None
    stored: bytes = b""
    kept: bool = False


class Fetched(Protocol):
    """Anything that knows when it was fetched (an ArticleRecord, the extract stage's entry for one)."""

    @property
    def fetched_at(self) -> str | None: ...


def is_newer_fetch(record: Fetched, other: Fetched) -> bool:
    """Whether ``record`` was fetched after ``other`` (two fetches of one article)."""
    mine, theirs = instant_or_none(record.fetched_at), instant_or_none(other.fetched_at)
    return mine is not None and (theirs is None or mine > theirs)


# Concurrent writers of one article (two runs of a window, a rerun beside a backfill) each re-read and retry;
# more conflicts than this on one key means something rewrites it in a loop.
MAX_WRITE_ATTEMPTS = 8


@dataclass(frozen=True)
class _Stored:
    """The object at an article key: its bytes, its JSON (None when unreadable) and its entity tag."""

    data: bytes
    record: dict[str, Any] | None
    etag: str


def _stored(store: Store, key: str) -> _Stored | None:
    """The stored object at key with its tag, or None when absent."""
    from newsarchive.archive.errors import KeyNotFound

    try:
        tagged = store.get_tagged(key)
    except KeyNotFound:
        return None
    try:
        decoded = json.loads(tagged.data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _Stored(tagged.data, None, tagged.etag)
    return _Stored(tagged.data, decoded if isinstance(decoded, dict) else None, tagged.etag)


def write_article(store: Store, key: str, record: ArticleRecord) -> WriteOutcome:
    """Write an ArticleRecord to its article key, keeping any other text stored there as a version.

    The article object is never overwritten blindly: each write is conditional on the object read just
    before (``Store.put_if``: S3 If-Match / If-None-Match, a folder lock locally), so when two runs write one
    article at once, the loser reads the winner's record and decides again, and no text is lost. An
    unreadable stored object is kept as ``versions/.../unreadable-<sha256 prefix>.json`` before being
    replaced (nothing is lost, and the run goes on).
    """
    from newsarchive.archive.errors import ArchiveError, PreconditionFailed

    data = record.to_json().encode("utf-8")
    for _ in range(MAX_WRITE_ATTEMPTS):
        try:
            return _write_once(store, key, record, data)
        except PreconditionFailed:
            log.info("article %s changed while it was being written (a concurrent run): deciding again", key)
    raise ArchiveError(f"article {key} changed under each of {MAX_WRITE_ATTEMPTS} attempts to write it")


def _write_once(store: Store, key: str, record: ArticleRecord, data: bytes) -> WriteOutcome:
    """One read-decide-write round; PreconditionFailed when the object changed after it was read."""
    stored = _stored(store, key)
    if stored is None:
        store.put_if(key, data, etag=None, content_type=JSON_TYPE)
        return WriteOutcome(NEW, key, stored=data)
    old = stored.record
    if old is None:
        label = "unreadable-" + hashlib.sha256(stored.data).hexdigest()[:16]
        aside = version_key(record.site, record.id, label)
        log.warning("stored %s is not a JSON record: kept as %s before writing the new one", key, aside)
        store.put(aside, stored.data, content_type=JSON_TYPE)
        store.put_if(key, data, etag=stored.etag, content_type=JSON_TYPE)
        return WriteOutcome(UPDATED, key, aside, stored=data)
    new = record.to_dict()
    incoming_newer = recency(new) >= recency(old)
    if text_digest(old) == record.text_sha256:
        if incoming_newer and stored.data != data:
            # Same text; metadata or raw reference may differ.
            store.put_if(key, data, etag=stored.etag, content_type=JSON_TYPE)
            return WriteOutcome(UNCHANGED, key, stored=data)
        return WriteOutcome(UNCHANGED, key, stored=stored.data, kept=True)
    if incoming_newer:
        aside = version_key(record.site, record.id, version_label(old))
        store.put(aside, stored.data, content_type=JSON_TYPE)  # first, so a crash never loses the old text
        store.put_if(key, data, etag=stored.etag, content_type=JSON_TYPE)
        log.info("article %s updated: previous version kept as %s", key, aside)
        return WriteOutcome(UPDATED, key, aside, stored=data)
    aside = version_key(record.site, record.id, version_label(new))
    store.put(aside, data, content_type=JSON_TYPE)
    log.info("article %s: an older version arrived after a newer one; kept as %s", key, aside)
    return WriteOutcome(SUPERSEDED, key, aside, stored=stored.data, kept=True)


def list_versions(store: Store, site: str, article_id: str) -> list[str]:
    """The version keys of an article, oldest label first."""
    return sorted(store.list(versions_prefix(site, article_id)))
