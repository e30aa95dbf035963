"""The extract stage's writes: article objects (through newsarchive.pipeline.versions), then per publication
day (the ``date=`` partition) its bundle and index, then the window's history files.

``write_window`` is the stage's second pass: it reads the spilled records back one partition at a time, puts
each through the site-level cleanup, the schema and the takedown list, and writes the partition before
reading the next, so the stage holds one partition's records, never the window's.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from newsarchive.instants import Window, local_day, parse_instant
from newsarchive.pipeline.incremental import ResponseValidators
from newsarchive.pipeline.rejections import reject
from newsarchive.pipeline.sites import SiteConfig
from newsarchive.pipeline.versions import WriteOutcome, write_article

if TYPE_CHECKING:
    from extract import ArticleRecord
    from extract.sitewide import SitewideCleaner
    from newsarchive.archive.store import Store
    from newsarchive.pipeline.extract_pool import ExtractPool
    from newsarchive.pipeline.extract_spill import Kept, Spill

log = logging.getLogger("newsarchive.extract")

Validators = Mapping[tuple[str, int], ResponseValidators]  # by the raw reference (WARC key, offset)


def published_instant(value: str, tz: ZoneInfo) -> datetime:
    """The instant of a record's ``published``: a bare date is midnight, a naive time read, in the site's zone
    (the window test and the ``date=`` partition are the site's days)."""
    return parse_instant(value, bare=tz, naive=tz)


def publication_date(record: ArticleRecord, tz: ZoneInfo) -> date:
    """The `date=` partition: the publication date in the site's timezone."""
    if not record.published:  # the window test rejects undated records before anything is written
        raise ValueError(f"{record.url}: an undated record has no date= partition")
    return local_day(published_instant(record.published, tz), tz)


@dataclass
class _Writes:
    """What a window's writes gave so far: article keys with their (published, id) order, index keys, and the
    versions set aside by publication date."""

    article_keys: list[tuple[tuple[str, str], str]] = field(default_factory=list)
    index_keys: list[str] = field(default_factory=list)
    set_aside: dict[date, list[str]] = field(default_factory=dict)

    def finish(self, store: Store, site_id: str, window: Window) -> tuple[list[str], list[str]]:
        """Write the window's history files (readers find versions by date); the article keys in (published,
        id) order and the index keys by date."""
        from newsarchive.archive.versions import write_history

        write_history(store, site_id, window.start, window.end, self.set_aside)
        return [key for _, key in sorted(self.article_keys)], list(self.index_keys)


def _write_day(site: SiteConfig, window: Window, day: date, records: list[ArticleRecord], store: Store,
               writes: _Writes, outcomes: Counter[str] | None, validators: Validators | None) -> None:
    """Write one publication day's records (in (published, id) order), then its bundle and its index."""
    from newsarchive.archive import keys
    from newsarchive.archive.bundles import write_partition

    rows, texts = [], []
    for record in records:
        key = keys.article_key(site.id, day, record.id)
        outcome = write_article(store, key, record)
        if outcome.version_key:
            writes.set_aside.setdefault(day, []).append(outcome.version_key)
        if outcomes is not None:
            outcomes[f"versions.{outcome.kind}"] += 1
        writes.article_keys.append(((record.published or "", record.id), key))
        stored, text = _stored_record(record, outcome)
        found = (validators or {}).get((stored.raw.warc_key, stored.raw.offset)) if stored.raw is not None else None
        rows.append(index_row(stored, key, day, found))
        texts.append(text)
    index_key = keys.index_key(site.id, day, window.start, window.end)
    write_partition(store, index_key, rows, texts)  # the bundle, then the index
    writes.index_keys.append(index_key)


def write_records(site: SiteConfig, window: Window, records: list[ArticleRecord], store: Store,
                  outcomes: Counter[str] | None = None, validators: Validators | None = None,
                  ) -> tuple[list[str], list[str]]:
    """Write one JSON per article (through newsarchive.pipeline.versions: a changed text keeps the previous
    version under versions/) and, per publication date, a Parquet bundle of the records and then the Parquet
    index; return the article and index keys. ``outcomes`` counts the writes as versions.new / .unchanged /
    .updated / .superseded. ``validators``: the ETag and Last-Modified of the response each record came
    from, by its raw reference (WARC key, offset), indexed so the next crawls can re-check the article with a
    conditional request."""
    tz = ZoneInfo(site.timezone)
    by_day: dict[date, list[ArticleRecord]] = {}
    for record in sorted(records, key=lambda r: (r.published or "", r.id)):
        by_day.setdefault(publication_date(record, tz), []).append(record)
    writes = _Writes()
    for day, found in sorted(by_day.items()):
        _write_day(site, window, day, found, store, writes, outcomes, validators)
    return writes.finish(store, site.id, window)


@dataclass(frozen=True)
class WindowWrite:
    """What the second pass wrote: article keys ((published, id) order), index keys (by date), the ids of
    the articles written and their words."""

    article_keys: list[str]
    index_keys: list[str]
    ids: frozenset[str]
    words: int


@dataclass(frozen=True)
class DayJob:
    """What writing any publication day of a window needs besides its spill entries (the same for every day,
    so a write worker gets it once)."""

    site: SiteConfig
    window: Window
    cleaner: SitewideCleaner
    listed: frozenset[str]  # taken-down ids: never (re)written


@dataclass(frozen=True)
class DayWrite:
    """What writing one publication day gave: its index key (None when nothing was left to write), article keys
    with their (published, id) order, the versions set aside, the ids written, their words, how many were taken
    down, and the day's counts (versions.*, dropped_lines.*, language.*, access.*, rejected.invalid_record)."""

    day: date
    index_key: str | None
    article_keys: tuple[tuple[tuple[str, str], str], ...]
    set_aside: tuple[str, ...]
    ids: frozenset[str]
    words: int
    taken: int
    counts: dict[str, int]


def write_day(job: DayJob, store: Store, spill: Spill, day: date, entries: list[Kept]) -> DayWrite:
    """One publication day of the second pass: its records read back from the spill, cleaned, counted,
    validated, taken-down ids left out, and written (objects, then the day's bundle and index). The same
    whether the task process or a write worker (newsarchive.pipeline.write_pool) runs it."""
    from newsarchive.archive.memory import give_back

    counts: Counter[str] = Counter()
    records, validators, taken = _day_records(spill, entries, job.cleaner, counts, job.listed)
    writes = _Writes()
    if records:
        _write_day(job.site, job.window, day, records, store, writes, counts, validators)
    done = DayWrite(day, writes.index_keys[0] if writes.index_keys else None, tuple(writes.article_keys),
                    tuple(writes.set_aside.get(day, ())), frozenset(r.id for r in records),
                    sum(r.word_count for r in records), taken, dict(counts))
    del records, validators
    give_back()  # the day's records, texts and Parquet buffers: memory stays one day's worth
    return done


def write_window(site: SiteConfig, window: Window, store: Store, spill: Spill, kept: list[Kept],
                 cleaner: SitewideCleaner, counts: Counter[str], pool: ExtractPool) -> WindowWrite:
    """The second pass over the window's kept records (see the module doc): each publication day written by
    ``write_day``, one after the other in this process, or several at once by as many write workers as the
    stage's ``pool`` has, when the window is big enough and the store can be opened by another process
    (newsarchive.pipeline.write_pool)."""
    from newsarchive.archive.takedown import taken_down_ids
    from newsarchive.pipeline.write_pool import write_days

    job = DayJob(site, window, cleaner, frozenset(taken_down_ids(store, site.id)))
    by_day: dict[date, list[Kept]] = {}
    for entry in kept:
        by_day.setdefault(entry.day, []).append(entry)
    writes, ids, words, taken = _Writes(), set[str](), 0, 0
    for done in write_days(job, store, spill, sorted(by_day.items()), pool):  # in day order
        counts.update(done.counts)
        writes.article_keys.extend(done.article_keys)
        if done.index_key is not None:
            writes.index_keys.append(done.index_key)
        if done.set_aside:
            writes.set_aside[done.day] = list(done.set_aside)
        ids.update(done.ids)
        words += done.words
        taken += done.taken
    if taken:
        counts["taken_down"] += taken
        log.info("%s: %d taken-down article(s) left out", site.id, taken)
    article_keys, index_keys = writes.finish(store, site.id, window)
    return WindowWrite(article_keys, index_keys, frozenset(ids), words)


def _day_records(spill: Spill, entries: list[Kept], cleaner: SitewideCleaner, counts: Counter[str],
                 listed: frozenset[str]) -> tuple[list[ArticleRecord], dict[tuple[str, int], ResponseValidators], int]:
    """One partition's records read back from the spill in (published, id) order, ready to write (see
    ``_ready``), without taken-down ids; their responses' validators by raw reference; how many were taken
    down."""
    records: list[ArticleRecord] = []
    validators: dict[tuple[str, int], ResponseValidators] = {}
    taken = 0
    for entry in sorted(entries, key=lambda e: (e.published, e.id)):
        spilled, found = spill.read_with_validators(entry)
        record = _ready(spilled, cleaner, counts)
        if record is None:
            continue
        if record.id in listed:  # never (re)write a taken-down article
            taken += 1
            continue
        records.append(record)
        if found is not None and record.raw is not None:
            validators[(record.raw.warc_key, record.raw.offset)] = found
    return records, validators, taken


def _ready(record: ArticleRecord, cleaner: SitewideCleaner, counts: Counter[str]) -> ArticleRecord | None:
    """The record after the site-level pass, counted (residue lines, language, access: the gates' shares);
    None, counted and logged, when it breaks the published JSON Schema (an extractor bug)."""
    from newsarchive.archive.schema import InvalidArticle, validate_article
    from newsarchive.pipeline.extract_sitewide import clean_record

    record = clean_record(record, cleaner)
    counts.update({f"dropped_lines.{k}": v for k, v in record.dropped.items()})
    counts[f"language.{record.language or 'unknown'}"] += 1
    counts[f"access.{record.access or 'unknown'}"] += 1  # paywalled/metered shares: the access gate
    try:
        validate_article(record.to_dict())
    except InvalidArticle as exc:
        reject(counts, "invalid_record", record.url, f"breaks the article schema, not written: {exc}", logging.ERROR)
        return None
    return record


def _stored_record(record: ArticleRecord, outcome: WriteOutcome) -> tuple[ArticleRecord, str]:
    """The record now stored at the key and its JSON text: the incoming one, or the newer one that was kept
    (an older copy arriving late). The index row and the bundle must describe what the object holds, or
    readers would get the older text from the bundle and the newer one from the object."""
    from extract import ArticleRecord

    if not outcome.kept:
        return record, outcome.stored.decode("utf-8")  # the incoming record's own JSON, as written
    try:
        text = outcome.stored.decode("utf-8")
        return ArticleRecord.from_dict(json.loads(text)), text
    except (UnicodeDecodeError, ValueError, TypeError) as exc:
        log.warning("stored %s kept but not readable as a record (%s): indexing the incoming one", outcome.key, exc)
        return record, record.to_json()


def index_row(record: ArticleRecord, key: str, day: date,
              validators: ResponseValidators | None = None) -> dict[str, Any]:
    """One index row: the record's metadata without its text (and its response's ETag and Last-Modified)."""
    return {
        "id": record.id, "url": record.url, "canonical_url": record.canonical_url, "site": record.site,
        "title": record.title, "authors": list(record.authors), "published": record.published,
        "published_date": day, "language": record.language, "section": record.section,
        "tags": list(record.tags), "word_count": record.word_count, "text_sha256": record.text_sha256,
        "key": key, "fetched_at": record.fetched_at, "access": record.access, "modified": record.modified,
        "etag": (validators or {}).get("etag"), "last_modified": (validators or {}).get("last_modified"),
    }
