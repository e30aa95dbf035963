"""The reader's view of versions: one article's history, and the versions of a selection of articles.

``article_history`` lists the article's own ``versions/site=S/<id>/`` prefix (the version objects are the
source of truth) and finds the latest record through the index of the dates those versions name (or a
``day`` the caller knows), so it costs one listing, one GET per version and a few index reads.

``with_versions`` streams a selection's latest records, each preceded by its earlier versions, which it
reads from the history index (``history/``, see ``newsarchive.archive.versions``): one GET per history file of the
selection's dates, loaded a few days at a time in the order the records come, so memory stays bounded.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from newsarchive.archive.errors import ArchiveError, IndexFormatError, InvalidKey, KeyNotFound
from newsarchive.archive.keys import (
    check_article_id,
    check_site,
    parse_article_key,
    parse_compacted_key,
    parse_history_key,
    parse_version_key,
    versions_prefix,
)
from newsarchive.archive.listing import partition_keys
from newsarchive.archive.parquetio import ParquetObject
from newsarchive.archive.query import EAST_MARGIN, WEST_MARGIN, Query
from newsarchive.archive.versions import HISTORY_SCHEMA, conform_history, read_history, recency

if TYPE_CHECKING:
    from newsarchive.archive.reader import Archive, Selection

log = logging.getLogger(__name__)

# How many (site, day) groups of history rows ``with_versions`` keeps loaded: records come in publication
# order, so a day is needed for a while and then never again.
DAYS_CACHED = 8


@dataclass(frozen=True)
class ArticleVersion:
    """One version of an article: the stored record, where it is stored, its label (None for the latest)."""

    key: str
    label: str | None
    latest: bool
    record: dict[str, Any]

    def tagged(self) -> dict[str, Any]:
        """The record with ``version`` (its label, null for the latest) and ``latest`` added, for exports."""
        return {**self.record, "version": self.label, "latest": self.latest}


def _order(version: ArticleVersion) -> tuple[Any, ...]:
    return (version.latest, *recency(version.record), version.label or "")


def article_history(archive: Archive, article_id: str, site: str | None = None,
                    day: date | None = None) -> list[ArticleVersion]:
    """Every version of an article, oldest first, the latest last (empty if the archive has no such article).

    ``site``: look only there (default: every site with an index). ``day``: its ``date=`` partition (the
    index row's ``published_date``), which spares a search of the site's whole index when the article has
    no earlier version to say when it was published."""
    check_article_id(article_id)
    sites = [check_site(site)] if site is not None else archive.sites()
    found: list[ArticleVersion] = []
    with ThreadPoolExecutor(max_workers=archive.workers, thread_name_prefix="archive-history") as pool:
        for name in sites:
            keys = sorted(archive.store.list(versions_prefix(name, article_id)))
            loaded = list(pool.map(lambda key: _load_json(archive, key), keys))
            versions = [ArticleVersion(key, parse_version_key(key).label, False, record)
                        for key, record in zip(keys, loaded, strict=True) if record is not None]
            latest = _latest(archive, name, article_id, day, versions)
            if latest is not None or versions:
                found.extend(versions + ([latest] if latest is not None else []))
    return sorted(found, key=_order)


def _load_json(archive: Archive, key: str) -> dict[str, Any] | None:
    try:
        record = json.loads(archive.store.get(key))
    except KeyNotFound:
        return None  # removed since it was listed (a takedown)
    except ValueError:
        log.warning("version %s is not a JSON record: left out of the history", key)
        return None
    return record if isinstance(record, dict) else None


def _latest(archive: Archive, site: str, article_id: str, day: date | None,
            versions: list[ArticleVersion]) -> ArticleVersion | None:
    """The latest record of the article, found through the index of the likely dates, else the whole site's."""
    from newsarchive.instants import instant_or_none

    days = {day} if day is not None else set()
    for version in versions:
        instant = instant_or_none(version.record.get("published"))
        if instant is not None:
            days.update((instant - WEST_MARGIN).date() + timedelta(days=n) for n in range(3))
    queries = [_days_query(site, min(days), max(days))] if days else []
    for query in [*queries, Query(sites=(site,))]:
        row = archive.find_row(article_id, query)
        if row is not None:
            record = _load_json(archive, row["key"])
            return None if record is None else ArticleVersion(row["key"], None, True, record)
    return None


def _days_query(site: str, first: date, last: date) -> Query:
    """A query whose ``date=`` span is exactly [first, last] for one site (the margins undone)."""
    start = datetime.combine(first, time()) + WEST_MARGIN
    end = datetime.combine(last, time()) - EAST_MARGIN
    return Query(sites=(site,), start=start.replace(tzinfo=UTC), end=end.replace(tzinfo=UTC))


class _HistoryDays:
    """History rows by (site, day), loaded on first need from the listed per-window files and compacted months."""

    def __init__(self, archive: Archive, keys: Iterable[str]) -> None:
        self.archive = archive
        self.daily: dict[tuple[str, date], list[str]] = {}
        self.monthly: dict[tuple[str, date], str] = {}
        for key in keys:
            try:
                month = parse_compacted_key(key)
                self.monthly[(month.site, month.month)] = key
            except InvalidKey:
                parts = parse_history_key(key)
                self.daily.setdefault((parts.site, parts.published_date), []).append(key)
        self.loaded: OrderedDict[tuple[str, date], dict[str, list[ArticleVersion]]] = OrderedDict()
        self.footers: dict[str, ParquetObject] = {}

    def of(self, site: str, day: date, article_id: str) -> list[ArticleVersion]:
        """The earlier versions of an article of ``day``, oldest first."""
        group = (site, day)
        if group not in self.loaded:
            self.loaded[group] = self._load(site, day)
            while len(self.loaded) > DAYS_CACHED:
                self.loaded.popitem(last=False)
        self.loaded.move_to_end(group)
        return self.loaded[group].get(article_id, [])

    def _load(self, site: str, day: date) -> dict[str, list[ArticleVersion]]:
        rows: dict[str, dict[str, Any]] = {}
        month_key = self.monthly.get((site, date(day.year, day.month, 1)))
        if month_key is not None:
            try:
                part = self.footers.get(month_key) or ParquetObject.open(self.archive.store, month_key)
                self.footers[month_key] = part
                table = conform_history(part.read(part.row_groups({day})), f"history {month_key!r}")
                rows.update({row["key"]: row for row in table.to_pylist() if row["published_date"] == day})
            except (KeyNotFound, IndexFormatError) as exc:
                raise ArchiveError(f"history month {month_key} unreadable: {exc}") from exc
        for key in self.daily.get((site, day), []):
            try:
                rows.update({row["key"]: row for row in read_history(self.archive.store, key).to_pylist()})
            except KeyNotFound:
                continue  # folded into its compacted month meanwhile (read above) or removed
        by_id: dict[str, list[ArticleVersion]] = {}
        for key, row in rows.items():
            record = json.loads(row["record"])
            by_id.setdefault(row["id"], []).append(ArticleVersion(key, row["version"], False, record))
        return {article: sorted(versions, key=_order) for article, versions in by_id.items()}


def with_versions(
    archive: Archive,
    selection: Selection,
    *,
    contains: str | None = None,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Generator[ArticleVersion, None, None]:
    """The selection's articles (``contains``/``limit`` apply to their latest records, as in ``records``), each
    as its earlier versions, oldest first, then its latest record."""
    rows = selection.table.select(["site", "published_date"]).to_pylist()
    spans: dict[str, tuple[date, date]] = {}
    for row in rows:
        if row["published_date"] is None:
            continue
        first, last = spans.get(row["site"], (row["published_date"], row["published_date"]))
        spans[row["site"]] = (min(first, row["published_date"]), max(last, row["published_date"]))
    keys: list[str] = []
    with ThreadPoolExecutor(max_workers=archive.workers, thread_name_prefix="archive-list") as pool:
        for site, (first, last) in sorted(spans.items()):
            keys += partition_keys(archive.store, _days_query(site, first, last), pool, "history", [site])
    days = _HistoryDays(archive, keys)
    for record in archive.records(selection, contains=contains, limit=limit, progress=progress):
        key = _article_key_of(selection, record)
        parts = parse_article_key(key)
        yield from days.of(parts.site, parts.published_date, str(record["id"]))
        yield ArticleVersion(key, None, True, record)


def _article_key_of(selection: Selection, record: dict[str, Any]) -> str:
    """The article key a selected record was read from (the selection's row of its id)."""
    index = selection.key_of(str(record["id"]))
    if index is None:  # pragma: no cover - records() only yields the selection's rows
        raise ArchiveError(f"record {record.get('id')!r} is not in the selection")
    return index


__all__ = ["HISTORY_SCHEMA", "ArticleVersion", "article_history", "with_versions"]
