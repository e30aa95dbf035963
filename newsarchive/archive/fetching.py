"""Fetch the records of selected index rows concurrently, in order, from bundles where they pay off.

Each wanted row is read either from its partition's bundle (one GET for many records) or from its own
article object (one GET each). Units of work (a bundle, or one article) are submitted to a thread pool
in the order the rows first need them, with a bounded number in flight, so a million-row pull streams in
bounded memory (about ``workers`` bundles' wanted records plus a few hundred single records) and the first
record arrives after the first GETs, not after all of them.

A bundle row that is missing, unreadable or does not match the index row falls back to the article
object: the answer is always what the article objects hold.

A compacted month's bundle is one object for a whole month: it is read in parts of up to ``UNIT_DAYS``
publication days (its row groups of those days, one ranged GET each), so a unit in flight holds about a week
of one site's records, as daily bundles did, never a whole month.
"""

from __future__ import annotations

import logging
from bisect import bisect_left
from collections import Counter, deque
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from newsarchive.archive.bundles import parse_record, read_bundle
from newsarchive.archive.errors import ArchiveError, InvalidKey, KeyNotFound
from newsarchive.archive.keys import parse_article_key, parse_compacted_key

if TYPE_CHECKING:
    from newsarchive.archive.store import Store

log = logging.getLogger(__name__)

# Work units in flight per worker thread: enough to keep every thread busy, bounded so what a pull holds
# in memory does not grow with its size.
PREFETCH_PER_WORKER = 4
# A bundle counts as this many units against that bound (it holds many records at once).
BUNDLE_WEIGHT = PREFETCH_PER_WORKER
# A bundle is read instead of single GETs when at least this many of its rows are wanted, and at least
# this share of them: reading a 500-record bundle for two articles would move more bytes than it saves.
BUNDLE_MIN_ROWS = 2
BUNDLE_MIN_SHARE = 0.125
# A compacted month's bundle is fetched in parts of this many publication days.
UNIT_DAYS = 7

Records = Generator[dict[str, Any], None, None]
Loader = Callable[[str], dict[str, Any]]


@dataclass(frozen=True)
class Wanted:
    """One selected index row: its article key and the fields a bundle row must match."""

    id: str
    key: str
    fetched_at: str | None
    text_sha256: str | None
    bundle: str | None = None  # the bundle to read it from, or None for a single GET

    def as_row(self) -> dict[str, Any]:
        """The fields ``BundleRow.matches`` compares."""
        return {"key": self.key, "fetched_at": self.fetched_at, "text_sha256": self.text_sha256}


def choose_bundles(wanted: Sequence[Wanted], rows_per_bundle: dict[str, int]) -> list[Wanted]:
    """``wanted`` with ``bundle`` kept only where enough of that bundle's rows are wanted to pay off."""
    asked = Counter(w.bundle for w in wanted if w.bundle is not None)
    worth = {
        bundle
        for bundle, count in asked.items()
        if count >= BUNDLE_MIN_ROWS and count >= BUNDLE_MIN_SHARE * rows_per_bundle.get(bundle, count)
    }
    return [w if w.bundle in worth else replace(w, bundle=None) for w in wanted]


Unit = tuple[str, str, int]  # ("key", article key, 0) or ("bundle", bundle key, part of a compacted month)


def _part(w: Wanted) -> int:
    """Which part of its bundle a row is read with: 0 for a daily bundle; for a compacted month, its
    publication day's week (from the article key's date=)."""
    try:
        parse_compacted_key(w.bundle or "")
        return parse_article_key(w.key).published_date.toordinal() // UNIT_DAYS
    except InvalidKey:
        return 0


class _Plan:
    """Which unit serves each row, units in first-need order, rows left per unit, and each bundle part's rows."""

    def __init__(self, wanted: Sequence[Wanted]) -> None:
        self.unit_of: list[Unit] = [("bundle", w.bundle, _part(w)) if w.bundle else ("key", w.key, 0) for w in wanted]
        self.order = list(dict.fromkeys(self.unit_of))
        self.left = Counter(self.unit_of)
        self.ids: dict[Unit, dict[str, Wanted]] = {}
        self.positions: dict[Unit, list[int]] = {}  # bundle part -> its rows' positions, ascending
        self.footers: dict[str, Any] = {}  # compacted bundles' footers, fetched once per pull
        for position, (w, unit) in enumerate(zip(wanted, self.unit_of, strict=True)):
            if w.bundle:
                self.ids.setdefault(unit, {})[w.id] = w
                self.positions.setdefault(unit, []).append(position)


class _Fallback:
    """Single GETs for the rows a bundle part could not serve, at most ``window`` in flight per part."""

    def __init__(self, pool: ThreadPoolExecutor, load: Loader, plan: _Plan, wanted: Sequence[Wanted],
                 window: int) -> None:
        self.pool, self.load, self.plan, self.wanted, self.window = pool, load, plan, wanted, window
        self.futures: dict[int, Future[dict[str, Any]]] = {}
        self.queued: dict[Unit, deque[int]] = {}

    def start(self, unit: Unit, positions: list[int]) -> None:
        """GET these rows (ascending) instead of reading them from the bundle part; the first ones at once."""
        self.queued[unit] = deque(positions)
        for _ in range(self.window):
            self._next(unit)

    def take(self, position: int) -> dict[str, Any] | None:
        """The record of a row whose GET was started, or None if it was not redirected here."""
        future = self.futures.pop(position, None)
        if future is None:
            return None
        self._next(self.plan.unit_of[position])
        return future.result()

    def _next(self, unit: Unit) -> None:
        queue = self.queued.get(unit)
        if queue:
            position = queue.popleft()
            self.futures[position] = self.pool.submit(self.load, self.wanted[position].key)


def stream_records(
    store: Store,
    wanted: Sequence[Wanted],
    *,
    workers: int,
    load: Loader,
    needle: str | None = None,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Records:
    """The records of ``wanted``, in that order (``needle``: casefolded text filter; ``limit``: at most that
    many yielded; ``progress``: called with the number of rows read so far). ``load`` GETs one article."""
    if limit == 0 or not wanted:
        return
    plan = _Plan(wanted)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="archive-get")
    capacity = workers * PREFETCH_PER_WORKER
    fallback = _Fallback(pool, load, plan, wanted, capacity)
    futures: dict[Unit, Future[Any]] = {}
    queue = deque(plan.order)
    active = 0
    yielded = 0
    try:
        for position in range(len(wanted)):
            unit = plan.unit_of[position]
            # Units are queued in first-need order: this row's unit is submitted already, or next in line.
            while queue and (active < capacity or unit not in futures):
                following = queue.popleft()
                futures[following] = _submit(pool, store, load, following, plan)
                active += _weight(following)
            record = fallback.take(position)
            if record is None:
                record = _from_unit(position, unit, futures[unit].result(), plan, fallback)
            plan.left[unit] -= 1
            if not plan.left[unit]:
                del futures[unit]  # every row it serves is read: let its records go
                active -= _weight(unit)
            if progress is not None:
                progress(position + 1)
            if needle is not None and needle not in str(record.get("text") or "").casefold():
                continue
            yield record
            yielded += 1
            if limit is not None and yielded >= limit:
                return
    finally:
        # Runs on exhaustion, error, or when the caller stops iterating early (generator closed).
        pool.shutdown(wait=True, cancel_futures=True)


def _weight(unit: Unit) -> int:
    return BUNDLE_WEIGHT if unit[0] == "bundle" else 1


def _submit(pool: ThreadPoolExecutor, store: Store, load: Loader, unit: Unit, plan: _Plan) -> Future[Any]:
    kind, name, _ = unit
    if kind == "bundle":
        return pool.submit(_bundle_records, store, name, plan.ids[unit], plan.footers)
    return pool.submit(load, name)


def _from_unit(position: int, unit: Unit, result: Any, plan: _Plan, fallback: _Fallback) -> dict[str, Any]:
    """The record of row ``position`` from its unit's result; a row its bundle cannot serve is redirected,
    with every later such row of that bundle part, to single GETs (started in order, a bounded number at once)."""
    if unit[0] == "key":
        return result
    record = result.get(fallback.wanted[position].id)
    if record is not None:
        return record
    rows = plan.positions[unit]
    start = bisect_left(rows, position)
    fallback.start(unit, [p for p in rows[start:] if fallback.wanted[p].id not in result])
    redirected = fallback.take(position)
    assert redirected is not None  # `position` was the first row queued
    return redirected


def _days(rows: dict[str, Wanted]) -> set[Any] | None:
    """The publication days of the rows (from their article keys), None if one has a foreign key."""
    try:
        return {parse_article_key(w.key).published_date for w in rows.values()}
    except InvalidKey:
        return None


def _bundle_records(store: Store, key: str, rows: dict[str, Wanted],
                    footers: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """The records bundle ``key`` holds for ``rows`` (by id), leaving out any that do not match.

    A bundle that cannot be read for any reason (missing, damaged, refused by the store) yields nothing:
    its rows are then read from the article objects, which report their own errors.
    """
    try:
        found = read_bundle(store, key, rows.keys(), _days(rows), footers)
    except KeyNotFound:
        log.info("no bundle %s: its %d articles are read one by one", key, len(rows))
        return {}
    except ArchiveError as exc:
        log.warning("%s; its %d articles are read one by one", exc, len(rows))
        return {}
    usable: dict[str, dict[str, Any]] = {}
    for row_id, row in found.items():
        record = parse_record(row) if row.matches(rows[row_id].as_row()) else None
        if record is not None:
            usable[row_id] = record
    stale = len(rows) - len(usable)
    if stale:
        log.info("bundle %s does not match %d of the %d rows read from it: those are read one by one",
                 key, stale, len(rows))
    return usable
