"""The extract stage's site-level pass over a window (extract.sitewide): learn from the window's pages plus
the site's recent windows' statistics, store this window's for the runs after it, clean each record."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from newsarchive.instants import Window

if TYPE_CHECKING:
    from extract import ArticleRecord
    from extract.record import LinePositions
    from extract.sitewide import LineStats, SitewideCleaner
    from newsarchive.archive.store import Store

HISTORY_WINDOWS = 10  # how many of the site's earlier windows' line statistics the site-level pass adds


def recent_line_stats(store: Store, site_id: str, window: Window) -> LineStats:
    """The line statistics of the site's last windows ending before this one starts (its recent pages)."""
    from extract.sitewide import LineStats
    from newsarchive.archive import keys
    from newsarchive.archive.errors import InvalidKey

    earlier = []
    for key in store.list(keys.sitewide_prefix(site_id)):
        try:
            parsed = keys.parse_sitewide_key(key)
        except InvalidKey:
            continue  # not a statistics object of ours
        if parsed.end <= window.start:
            earlier.append((parsed.end, parsed.start, key))
    stats = LineStats(0, {})
    for _, _, key in sorted(earlier)[-HISTORY_WINDOWS:]:
        stats = stats.merged(LineStats.from_json(json.loads(store.get(key))))
    return stats


def site_pages(records: Iterable[ArticleRecord]) -> Iterator[tuple[list[str], LinePositions | None]]:
    """What the site-level pass learns from: each record's text lines and their template positions."""
    return ((r.text.split("\n"), r.positions) for r in records)


def learn_window(site_id: str, window: Window, read_records: Callable[[], Iterable[ArticleRecord]],
                 store: Store) -> SitewideCleaner:
    """The cleaner learnt from the window's records (distinct articles; ``read_records`` yields them afresh at
    each call, it is called twice) plus the recent windows' statistics; this window's are stored."""
    from extract.sitewide import learn_site_from
    from newsarchive.archive import keys

    run_stats, cleaner = learn_site_from(lambda: site_pages(read_records()),
                                         recent_line_stats(store, site_id, window))
    store.put(keys.sitewide_key(site_id, window.start, window.end),
              json.dumps(run_stats.to_json(), sort_keys=True).encode("utf-8"), content_type="application/json")
    return cleaner


def clean_record(record: ArticleRecord, cleaner: SitewideCleaner) -> ArticleRecord:
    """The record without what the site's pages agree is chrome; a record the pass would leave without text
    keeps its text."""
    kept, kept_positions, dropped = cleaner.clean_with_positions(record.text.split("\n"), record.positions)
    if dropped and any(line.strip() for line in kept):
        merged = Counter(record.dropped)
        merged.update(dropped)
        return replace(record, text="\n".join(kept), dropped=dict(merged), positions=kept_positions)
    return record


def apply_sitewide_pass(site_id: str, window: Window, records: list[ArticleRecord],
                        store: Store) -> list[ArticleRecord]:
    """Drop what many pages of the site agree is chrome: lines that recur, template positions that carry
    chrome or captions (extract.sitewide), learnt from this run's pages plus the recent windows'; store this
    window's statistics for the runs after it. A record the pass would leave without text keeps its text."""
    cleaner = learn_window(site_id, window, lambda: records, store)  # records are distinct articles already
    return [clean_record(record, cleaner) for record in records]
