"""newsarchive.pipeline.incremental: the archived copies the crawl stage gives the spider, read from the index of the
window and of the site's update horizon before it (``[updates] lookback``, or the oldest revisit age)."""

from __future__ import annotations

import io
import logging
import tomllib
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from extract import ArticleRecord, RawRef
from newsarchive.archive.index import ADDED_COLUMNS, read_index
from newsarchive.archive.local import LocalStore
from newsarchive.demosite.generated.config import site_toml
from newsarchive.instants import Window, parse_window
from newsarchive.pipeline.crawl_stage import crawl_spec
from newsarchive.pipeline.extract_stage import write_records
from newsarchive.pipeline.incremental import archived_articles, window_dates
from newsarchive.pipeline.sites import parse_site
from spiders.spec import parse_spec

BASE = "http://gen.example"
WINDOW = parse_window("2025-01-14T23:00:00+00:00", "2025-01-15T23:00:00+00:00")  # 15 Jan, Paris
WARC = "raw/site=gen/date=2025-01-14/20250114T230000Z_20250115T230000Z/20250116T060000Z-0123456789ab.warc.gz"


def site(**options: Any) -> Any:
    return parse_site(Path("gen.toml"), tomllib.loads(site_toml(BASE + "/", **options)))


def record(n: int, published: str, modified: str | None) -> ArticleRecord:
    path = f"/world/{published[:10].replace('-', '/')}/a-{n}"
    return ArticleRecord(id=f"{n:016x}", url=BASE + path + "/", canonical_url=BASE + path, site="gen", title="t",
                         text=f"text {n}", published=published, modified=modified,
                         fetched_at="2025-03-01T08:00:00+00:00", raw=RawRef(warc_key=WARC, offset=100 * n))


def url(n: int, day: str) -> str:
    return f"{BASE}/world/{day.replace('-', '/')}/a-{n}"


def test_copies_of_the_window_and_the_lookback(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    records = [record(1, "2025-01-15T09:00:00+01:00", "2025-01-15T18:30:00+01:00"),
               record(2, "2025-01-15T11:00:00+01:00", None),
               record(3, "2024-11-02T11:00:00+01:00", None),  # 74 days before: within the 90-day lookback
               record(4, "2024-10-01T11:00:00+01:00", None),  # 106 days before: beyond it
               record(5, "2025-01-16T11:00:00+01:00", None)]  # after the window
    validators = {(WARC, 100): {"etag": '"v1"', "last_modified": "Wed, 15 Jan 2025 17:30:00 GMT"}}
    write_records(site(), parse_window("2024-09-01", "2025-02-01"), records, store, validators=validators)
    found = archived_articles(store, site(), WINDOW)
    a1, a2, a3 = url(1, "2025-01-15"), url(2, "2025-01-15"), url(3, "2024-11-02")
    assert set(found) == {a1, a2, a3}  # the fetched URL (a trailing slash more) is the same to the spider
    assert found[a1] == {"time": "2025-01-15T18:30:00+01:00", "published": "2025-01-15T09:00:00+01:00",
                         "id": f"{1:016x}", "fetched_at": "2025-03-01T08:00:00+00:00", "etag": '"v1"',
                         "last_modified": "Wed, 15 Jan 2025 17:30:00 GMT"}  # the modified time, the validators
    assert found[a2]["time"] == "2025-01-15T11:00:00+01:00" and "etag" not in found[a2]  # published, no validators
    assert found[a3]["time"] == "2024-11-02T11:00:00+01:00"
    spec = parse_spec(crawl_spec(site(), WINDOW, archived=found))  # the spider accepts what the pipeline sends
    assert len(spec.archived) == 3 and dict(spec.archived)[a1].conditional_headers()["If-None-Match"] == '"v1"'
    assert [d.isoformat() for d in window_dates(site(), WINDOW)] == ["2025-01-15"]
    # The horizon reaches the oldest revisit age when that is beyond the lookback.
    assert url(4, "2024-10-01") in archived_articles(store, site(revisit_after=("1d", "16w")), WINDOW)


def test_index_files_without_the_added_columns(tmp_path: Path) -> None:
    """Index files written before the index had modified/etag/last_modified: the window's own rows take their
    time from the record (a rerun must still skip them; an unreadable record means fetch it again), older
    rows their publication."""
    store = LocalStore(tmp_path)
    article_keys, index_keys = write_records(
        site(), parse_window("2024-12-01", "2025-02-01"),
        [record(1, "2025-01-15T09:00:00+01:00", "2025-01-15T18:30:00+01:00"),
         record(2, "2025-01-02T09:00:00+01:00", "2025-01-03T10:00:00+01:00"),
         record(3, "2025-01-15T10:00:00+01:00", None)], store)
    store.delete(next(k for k in article_keys if k.endswith(f"{3:016x}.json")))
    for key in index_keys:  # rewrite each file as the layout before: without the added columns
        table = read_index(store, key).drop_columns(list(ADDED_COLUMNS))
        sink = io.BytesIO()
        pq.write_table(table, sink)
        store.put(key, sink.getvalue(), content_type="application/vnd.apache.parquet")
    found = archived_articles(store, site(), WINDOW)
    assert found[url(1, "2025-01-15")]["time"] == "2025-01-15T18:30:00+01:00"  # from the record
    assert found[url(2, "2025-01-02")]["time"] == "2025-01-02T09:00:00+01:00"  # published: no GET for it
    assert url(3, "2025-01-15") not in found


def test_damaged_index_or_record_means_fetch_again(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = LocalStore(tmp_path)
    write_records(site(), WINDOW, [record(1, "2025-01-15T09:00:00+01:00", None),
                                   record(2, "2025-01-15T10:00:00+01:00", None)], store)
    store.put("index/site=gen/date=2025-01-15/20250101T000000Z_20250102T000000Z.parquet", b"not parquet",
              content_type="application/octet-stream")
    with caplog.at_level(logging.WARNING, logger="newsarchive.incremental"):
        found = archived_articles(store, site(), WINDOW)
    assert set(found) == {url(1, "2025-01-15"), url(2, "2025-01-15")}
    assert "unreadable" in caplog.text and "fetched again" in caplog.text


def test_a_window_of_airflow_datetimes(tmp_path: Path) -> None:
    """Airflow's data intervals are pendulum DateTimes, whose arithmetic in UTC can drop the zone: the
    lookback before such a window is still an aware instant (the e2e backfill failed on this)."""
    import pendulum

    store = LocalStore(tmp_path)
    write_records(site(), parse_window("2024-12-01", "2025-02-01"),
                  [record(1, "2025-01-15T09:00:00+01:00", None), record(3, "2024-12-20T11:00:00+01:00", None)], store)
    paris = "Europe/Paris"
    window = Window(pendulum.datetime(2025, 1, 15, tz=paris), pendulum.datetime(2025, 1, 16, tz=paris))
    assert set(archived_articles(store, site(), window)) == {url(1, "2025-01-15"), url(3, "2024-12-20")}
