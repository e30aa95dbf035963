"""Versions of updated articles: the article key holds the latest version, earlier ones are kept aside.

Layout::

    articles/site=S/date=P/<id>.json             the latest version (what readers and the index see)
    versions/site=S/<id>/<label>.json            an earlier version, byte for byte as it was stored

``<label>`` is the replaced record's ``modified`` instant (else its ``fetched_at``) in UTC as
``YYYYMMDDTHHMMSSZ``: a pure function of that record, so a rerun rewrites the same version key and never
duplicates. When that key already holds another text (a silent edit, found by a revisit, keeps the page's
modified time), the label is ``<modified>-<fetched_at>``, so no earlier version is overwritten. Which
record is "latest" is decided by (modified or published, fetched_at), newest wins, so writing the same
records in any order leaves the same objects.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

log = logging.getLogger("newsarchive.versions")

JSON_TYPE = "application/json; charset=utf-8"
LABEL_FORMAT = "%Y%m%dT%H%M%SZ"
# Outcomes of a write, as the extract stage counts them ("versions.<outcome>").
NEW, UNCHANGED, UPDATED, SUPERSEDED = "new", "unchanged", "updated", "superseded"
OUTCOMES = (NEW, UNCHANGED, UPDATED, SUPERSEDED)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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


def parse_instant(value: Any) -> datetime | None:
    """An ISO 8601 instant or date as an aware UTC datetime (a bare date is its midnight UTC); None if absent
    or unparsable."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text) if len(text) > 10 else datetime.combine(date.fromisoformat(text),
                                                                                     datetime.min.time())
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def version_label(record: dict[str, Any]) -> str:
    """The label of a stored record: its modified (else fetched_at) instant in UTC, YYYYMMDDTHHMMSSZ.

    Raises ValueError when the record has neither (nothing stable to name the version by)."""
    instant = parse_instant(record.get("modified")) or parse_instant(record.get("fetched_at"))
    if instant is None:
        raise ValueError(f"record {record.get('id')!r} has no usable modified or fetched_at to label a version")
    return instant.strftime(LABEL_FORMAT)


def version_key(site: str, article_id: str, label: str) -> str:
    """``versions/site=S/<id>/<label>.json`` (site and id validated by archive.keys)."""
    from archive.keys import check_article_id, check_site

    return f"versions/site={check_site(site)}/{check_article_id(article_id)}/{label}.json"


def versions_prefix(site: str, article_id: str) -> str:
    """The listing prefix of an article's earlier versions."""
    from archive.keys import check_article_id, check_site

    return f"versions/site={check_site(site)}/{check_article_id(article_id)}/"


def text_digest(record: dict[str, Any]) -> str:
    """The record's text_sha256 (recomputed from its text when the field is missing)."""
    digest = record.get("text_sha256")
    if isinstance(digest, str) and digest:
        return digest
    return hashlib.sha256(str(record.get("text", "")).encode("utf-8")).hexdigest()


def recency(record: dict[str, Any]) -> tuple[datetime, datetime]:
    """How recent a version is: (modified or published, fetched_at); missing parts count as the epoch."""
    stated = parse_instant(record.get("modified")) or parse_instant(record.get("published")) or _EPOCH
    return stated, parse_instant(record.get("fetched_at")) or _EPOCH


def is_newer_fetch(record: Any, other: Any) -> bool:
    """Whether ``record`` was fetched after ``other`` (two ArticleRecords of one article in one WARC)."""
    mine, theirs = parse_instant(record.fetched_at), parse_instant(other.fetched_at)
    return mine is not None and (theirs is None or mine > theirs)


def _stored(store: Any, key: str) -> tuple[bytes, dict[str, Any] | None] | None:
    """The stored object at key (bytes, decoded JSON or None when unreadable), or None when absent."""
    from archive.errors import KeyNotFound

    try:
        data = store.get(key)
    except KeyNotFound:
        return None
    try:
        decoded = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return data, None
    return data, decoded if isinstance(decoded, dict) else None


def write_article(store: Any, key: str, record: Any) -> WriteOutcome:
    """Write an ArticleRecord to its article key, keeping any other text stored there as a version.

    An unreadable stored object is kept as ``versions/.../unreadable-<sha256 prefix>.json`` before being
    replaced (nothing is lost, and the run goes on).
    """
    data = record.to_json().encode("utf-8")
    stored = _stored(store, key)
    if stored is None:
        store.put(key, data, content_type=JSON_TYPE)
        return WriteOutcome(NEW, key, stored=data)
    old_bytes, old = stored
    if old is None:
        label = "unreadable-" + hashlib.sha256(old_bytes).hexdigest()[:16]
        aside = version_key(record.site, record.id, label)
        log.warning("stored %s is not a JSON record: kept as %s before writing the new one", key, aside)
        store.put(aside, old_bytes, content_type=JSON_TYPE)
        store.put(key, data, content_type=JSON_TYPE)
        return WriteOutcome(UPDATED, key, aside, stored=data)
    new = record.to_dict()
    incoming_newer = recency(new) >= recency(old)
    if text_digest(old) == record.text_sha256:
        if incoming_newer and old_bytes != data:
            store.put(key, data, content_type=JSON_TYPE)  # same text; metadata or raw reference may differ
            return WriteOutcome(UNCHANGED, key, stored=data)
        return WriteOutcome(UNCHANGED, key, stored=old_bytes, kept=True)
    if incoming_newer:
        aside = _aside_key(store, record.site, record.id, old)
        store.put(aside, old_bytes, content_type=JSON_TYPE)  # first, so a crash never loses the old text
        store.put(key, data, content_type=JSON_TYPE)
        log.info("article %s updated: previous version kept as %s", key, aside)
        return WriteOutcome(UPDATED, key, aside, stored=data)
    aside = _aside_key(store, record.site, record.id, new)
    store.put(aside, data, content_type=JSON_TYPE)
    log.info("article %s: an older version arrived after a newer one; kept as %s", key, aside)
    return WriteOutcome(SUPERSEDED, key, aside, stored=old_bytes, kept=True)


def _aside_key(store: Any, site: str, article_id: str, record: dict[str, Any]) -> str:
    """Where an earlier version goes: its label's key, unless that holds another text already (two versions
    with one modified time: a silent edit), then a key also naming its fetch (a pure function of it too)."""
    key = version_key(site, article_id, version_label(record))
    there = _stored(store, key)
    if there is None or there[1] is None or text_digest(there[1]) == text_digest(record):
        return key
    fetched = parse_instant(record.get("fetched_at"))
    if fetched is None:
        return version_key(site, article_id, "unreadable-" + text_digest(record)[:16])
    return version_key(site, article_id, f"{version_label(record)}-{fetched.strftime(LABEL_FORMAT)}")


def list_versions(store: Any, site: str, article_id: str) -> list[str]:
    """The version keys of an article, oldest label first."""
    return sorted(store.list(versions_prefix(site, article_id)))
