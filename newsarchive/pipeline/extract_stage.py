"""The extract stage: read a window's WARCs from the archive, extract articles, write records and the index.

Two passes, so the stage's memory does not grow with the window: the first extracts every WARC of the window
into a spill file on local disk, holding a small entry per record for the dedup rules
(newsarchive.pipeline.extract_spill); the site-level pass learns from the kept records read back from the
spill (newsarchive.pipeline.extract_sitewide); the second pass reads them back one publication day at a
time, cleans, validates and writes that partition before the next (newsarchive.pipeline.extract_write).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from newsarchive.instants import Window
from newsarchive.pipeline.extract_sitewide import HISTORY_WINDOWS, apply_sitewide_pass, recent_line_stats
from newsarchive.pipeline.extract_spill import HTML_TYPES, extract_hints, latest_fetches
from newsarchive.pipeline.extract_write import index_row, publication_date, published_instant, write_records
from newsarchive.pipeline.rejections import reject, rejection_legend
from newsarchive.pipeline.results import ExtractCounts, ExtractResult
from newsarchive.pipeline.scratch import scratch_dir
from newsarchive.pipeline.sites import SiteConfig
from newsarchive.pipeline.takedown import enforce_after_write

if TYPE_CHECKING:
    from newsarchive.archive.store import Store
    from newsarchive.pipeline.extract_write import WindowWrite

# Importable from here as before the stage was split into its passes.
__all__ = [
    "HISTORY_WINDOWS", "HTML_TYPES", "apply_sitewide_pass", "extract_hints", "extract_window", "index_row",
    "latest_fetches", "now_iso", "publication_date", "published_instant", "recent_line_stats", "reject",
    "rejection_legend", "window_article_keys", "write_records",
]

log = logging.getLogger("newsarchive.extract")

SPILL_FILE = "records.spill"
# Threads reading a month's daily index files back (about 30): more do not read a local disk faster, and each
# keeps its own malloc arena (Arrow allocates with malloc): 16 held 6 MiB more at 20,000 articles than 4.
INDEX_READ_THREADS = 4


def extract_window(site: SiteConfig, window: Window, store: Store, warc_key: str | None = None) -> ExtractResult:
    """Extract a window's articles from every archived WARC of the window (no network: one per crawl attempt,
    ``warc_key``, the crawl just run, always among them) and write them to the archive. Archived articles
    re-checked by the crawl (published outside the window) are written too, where they live; a 304 writes
    nothing (counted ``updates.not_modified``)."""
    from newsarchive.archive.memory import use_system_allocator

    started = time.monotonic()
    use_system_allocator()  # memory flat in the window's size: see newsarchive.archive.memory
    counts: Counter[str] = Counter()
    written, update_ids = _two_passes(site, window, store, warc_key, counts)
    return _result(site, window, store, written, update_ids, counts, time.monotonic() - started)


def _two_passes(site: SiteConfig, window: Window, store: Store, warc_key: str | None,
                counts: Counter[str]) -> tuple[WindowWrite, set[str]]:
    """The passes (see the module doc): what was written, and the ids of the updates among it. Its own
    function, so the window's entries and the line statistics are freed before the result is built."""
    from newsarchive.archive.memory import give_back
    from newsarchive.pipeline.extract_sitewide import learn_window
    from newsarchive.pipeline.extract_spill import Spill, read_window_warcs, site_pool
    from newsarchive.pipeline.extract_write import write_window
    from newsarchive.pipeline.incremental import archived_updates

    tz = ZoneInfo(site.timezone)
    # One pool for the stage: its workers extract every WARC's pages (they start once, while the window's WARCs
    # are listed and downloaded), and are stopped before write workers take the days (write_pool).
    with scratch_dir(f"extract-{site.id}-") as tmp, Spill(tmp / SPILL_FILE) as spill, site_pool(site) as pool:
        warcs = read_window_warcs(site, window, store, warc_key, counts, tmp, spill, pool)
        updates = archived_updates(store, site, warcs.outside, warcs.rechecked, counts)
        warcs.outside.clear()  # the updates are what the window keeps of them
        update_ids = {r.id for r in updates}
        spilled = [spill.add(r, publication_date(r, tz), warcs.validators.get((r.raw.warc_key, r.raw.offset))
                             if r.raw is not None else None) for r in updates]
        kept = latest_fetches([*warcs.per_warc, spilled] if updates else warcs.per_warc, counts)
        del updates, spilled, warcs
        cleaner = learn_window(site.id, window, lambda: spill.records(kept), store)
        give_back()  # what pass 1 and the line statistics freed, before pass 2 allocates
        return write_window(site, window, store, spill, kept, cleaner, counts, pool), update_ids


def _result(site: SiteConfig, window: Window, store: Store, written: WindowWrite, update_ids: set[str],
            counts: Counter[str], duration_s: float) -> ExtractResult:
    """The stage's result once the writes are done: a takedown listed meanwhile is enforced first, the window's
    articles (whichever run archived them) read from the index."""
    from newsarchive.archive import keys
    from newsarchive.archive.memory import give_back

    article_keys = enforce_after_write(store, site.id, written.ids, written.article_keys, counts)
    written_in_window = [k for k in article_keys if keys.parse_article_key(k).article_id not in update_ids]
    in_window = window_article_keys(store, site, window, written_in_window)
    give_back()  # the index files just read
    counts["articles"] = len(article_keys)
    counts["articles_in_window"] = len(in_window)
    counts["words"] = written.words
    result = ExtractResult(site=site.id, window=window, article_keys=tuple(article_keys),
                           index_keys=tuple(written.index_keys), counts=ExtractCounts.from_xcom(counts, strict=True),
                           window_article_keys=tuple(in_window), duration_s=round(duration_s, 2))
    log.info(
        "extract %s window %s done in %.1fs: %d responses, %d articles written, %s",
        site.id, window, result.duration_s, result.counts.responses, len(article_keys),
        {k: v for k, v in result.counts.to_xcom().items()
         if k.startswith(("rejected", "duplicate", "out_of", "updates")) and v},
    )
    return result


def window_article_keys(store: Store, site: SiteConfig, window: Window, written: list[str]) -> list[str]:
    """The article keys of every article published in the window, whichever run archived it (from the index).

    Read a month (of the site's local calendar) at a time, as the crawl's archived map is, keeping only each
    article's id, fetch time and key, so a year's backfill does not hold a year of index rows at once. An
    article whose publication day moved between two months of the window has a row in each month's files: the
    latest fetch wins across months, as one read of the whole window would have chosen."""
    from newsarchive.archive.reader import Archive
    from newsarchive.instants import instant_or_none
    from newsarchive.pipeline.incremental import month_spans

    archive, oldest = Archive(store, workers=INDEX_READ_THREADS), datetime.min.replace(tzinfo=UTC)
    latest: dict[str, tuple[datetime, str]] = {}
    for start, end in month_spans(window.start, window.end, ZoneInfo(site.timezone)):
        table = archive.index(site=site.id, start=start, end=end)
        for row_id, fetched, key in zip(table.column("id").to_pylist(), table.column("fetched_at").to_pylist(),
                                        table.column("key").to_pylist(), strict=True):
            moment = instant_or_none(fetched) or oldest
            if row_id not in latest or moment >= latest[row_id][0]:
                latest[row_id] = (moment, key)
    return sorted(set(written).union(key for _, key in latest.values()))  # the written keys' strings, shared


def now_iso() -> str:
    """The current UTC instant (report metadata only, never in keys)."""
    return datetime.now(UTC).isoformat(timespec="seconds")
