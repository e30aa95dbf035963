"""The window's article keys are read a month at a time: an article whose publication moved from one month of
the window to the next keeps only its latest row's key, as one read of the whole window would."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from newsarchive.archive.index import index_rows_to_table, write_index
from newsarchive.archive.keys import article_key, index_key
from newsarchive.archive.local import LocalStore
from newsarchive.instants import Window
from newsarchive.pipeline.extract_stage import index_row, window_article_keys
from newsarchive.pipeline.sites import parse_site
from tests.analyst.worlds import make_record, partition_day

SITE = parse_site(Path("alpha.toml"), {"id": "alpha", "name": "Alpha", "base_url": "https://alpha.example/",
                                       "timezone": "UTC", "discovery": {"article_allow": ["^/news/"]}})


def _write(store: LocalStore, published: str, fetched_at: str, run: Window) -> str:
    record = make_record("alpha", "moved", published, fetched_at=fetched_at)
    day = partition_day(record)
    key = article_key("alpha", day, record.id)
    write_index(store, index_key("alpha", day, run.start, run.end), index_rows_to_table([index_row(record, key, day)]))
    return key


def test_a_publication_moved_across_months_keeps_its_latest_key(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    window = Window(datetime(2024, 10, 1, tzinfo=UTC), datetime(2024, 12, 1, tzinfo=UTC))
    first_run = Window(datetime(2024, 10, 30, tzinfo=UTC), datetime(2024, 10, 31, tzinfo=UTC))
    second_run = Window(datetime(2024, 11, 2, tzinfo=UTC), datetime(2024, 11, 3, tzinfo=UTC))
    old = _write(store, "2024-10-30T08:00:00+00:00", "2024-10-30T12:00:00Z", first_run)
    new = _write(store, "2024-11-02T08:00:00+00:00", "2024-11-02T12:00:00Z", second_run)
    assert old != new
    assert window_article_keys(store, SITE, window, []) == [new]
    assert window_article_keys(store, SITE, window, [old]) == sorted([old, new])  # this run's writes always count
