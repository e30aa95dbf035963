"""The reader API against a local folder and an S3 bucket (moto_server): filters, merge, order, concurrency."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from newsarchive.archive import ArchiveError, InvalidKey, InvalidQuery, open_archive
from newsarchive.archive.local import LocalStore
from newsarchive.archive.reader import Archive
from newsarchive.archive.store import Store


def ids(records: Any) -> list[str]:
    return [r["id"] for r in records]


def by_slug(world: Any) -> dict[str, Any]:
    return {r.url.split("/")[-1].split("?")[0]: r for r in world.records}


def test_index_is_merged_and_ordered(world: Any, worlds: ModuleType) -> None:
    table = Archive(world.store).index()
    assert table.column("id").to_pylist() == worlds.instant_order(world.records)
    assert table.num_rows == len(world.records)  # a1 sits in two index files but comes once


def test_articles_are_the_stored_records(world: Any, worlds: ModuleType) -> None:
    records = list(Archive(world.store).articles())
    expected = {r.id: json.loads(r.to_json()) for r in world.records}
    assert ids(records) == worlds.instant_order(world.records)
    assert records == [expected[i] for i in ids(records)]


@pytest.mark.parametrize(
    ("site", "slugs"),
    [("alpha", {"a1", "a2", "a3", "a4"}), (["beta"], {"b1", "b2", "b3"}), (["beta", "alpha"], None)],
)
def test_site_filter(world: Any, site: Any, slugs: set[str] | None) -> None:
    wanted = by_slug(world)
    expected = {r.id for s, r in wanted.items() if slugs is None or s in slugs}
    assert set(Archive(world.store).index(site=site).column("id").to_pylist()) == expected


@pytest.mark.parametrize(
    ("start", "end", "slugs"),
    [
        # [Nov 2 00:00Z, Nov 3 00:00Z): a3 at exactly the start is in; a2 (04:30Z, in the Nov 1 partition)
        # is in; b2 (23:30Z on Nov 1, in the Nov 2 partition) is out; a4's bare date Nov 3 is the end: out.
        ("2024-11-02", "2024-11-03", ["a3", "a2", "b3"]),
        # end exclusive: a3 at 00:00Z is not before the end.
        ("2024-11-01", "2024-11-02", ["a1", "b1", "b2"]),
        # date-times with offsets, and naive date-times read as UTC.
        ("2024-11-01T23:30:00Z", "2024-11-02T04:30:00+00:00", ["b2", "a3"]),
        ("2024-11-02T04:30:00", None, ["a2", "b3", "a4"]),
        (None, "2024-11-01T09:00:00Z", ["a1"]),
    ],
)
def test_range_filters_on_instants(world: Any, start: str | None, end: str | None, slugs: list[str]) -> None:
    wanted = by_slug(world)
    table = Archive(world.store).index(start=start, end=end)
    assert table.column("id").to_pylist() == [wanted[s].id for s in slugs]


def test_range_accepts_dates_and_datetimes(world: Any) -> None:
    from datetime import UTC, date, datetime

    archive = Archive(world.store)
    as_text = archive.index(start="2024-11-02", end="2024-11-03").column("id").to_pylist()
    assert archive.index(start=date(2024, 11, 2), end=date(2024, 11, 3)).column("id").to_pylist() == as_text
    moments = archive.index(start=datetime(2024, 11, 2, tzinfo=UTC), end=datetime(2024, 11, 3, tzinfo=UTC))
    assert moments.column("id").to_pylist() == as_text


@pytest.mark.parametrize(("lang", "slugs"), [("fr", {"a4", "b3"}), (["DE", "en"], {"a1", "a2", "a3", "b1", "b2"})])
def test_language_filter(world: Any, lang: Any, slugs: set[str]) -> None:
    wanted = by_slug(world)
    assert set(Archive(world.store).index(lang=lang).column("id").to_pylist()) == {wanted[s].id for s in slugs}


def test_contains_is_case_insensitive_on_the_text(world: Any) -> None:
    wanted = by_slug(world)
    archive = Archive(world.store)
    assert ids(archive.articles(contains="ELECTION")) == [wanted["a1"].id, wanted["a2"].id]
    assert ids(archive.articles(contains="élection")) == [wanted["b3"].id]
    assert ids(archive.articles(contains="Story")) == []  # titles are not searched: only the text
    assert ids(archive.articles(site="beta", contains="election")) == []


def test_limit(world: Any, worlds: ModuleType) -> None:
    archive = Archive(world.store)
    order = worlds.instant_order(world.records)
    assert ids(archive.articles(limit=3)) == order[:3]
    assert ids(archive.articles(limit=0)) == []
    assert ids(archive.articles(contains="paragraph", limit=1)) == []
    assert ids(archive.articles(contains="e", limit=2)) == order[:2]


def test_stats_counts(world: Any) -> None:
    from datetime import date

    rows = Archive(world.store).stats().to_pylist()
    day = date.fromisoformat
    assert rows == [
        {"site": "alpha", "date": day("2024-11-01"), "language": "en", "articles": 2, "words": 12},
        {"site": "alpha", "date": day("2024-11-02"), "language": "en", "articles": 1, "words": 4},
        {"site": "alpha", "date": day("2024-11-03"), "language": "fr", "articles": 1, "words": 6},
        {"site": "beta", "date": day("2024-11-01"), "language": "de", "articles": 1, "words": 5},
        {"site": "beta", "date": day("2024-11-02"), "language": "de", "articles": 1, "words": 3},
        {"site": "beta", "date": day("2024-11-02"), "language": "fr", "articles": 1, "words": 3},
    ]
    assert sum(r["articles"] for r in Archive(world.store).stats(site="beta", lang="de").to_pylist()) == 2


def test_sites(world: Any) -> None:
    assert Archive(world.store).sites() == ["alpha", "beta"]


def test_merge_latest_fetch_wins_whatever_the_window(store: Store, worlds: ModuleType) -> None:
    noon = "2024-11-01T12:00:00+00:00"
    fresh = worlds.make_record("gamma", "g1", noon, title="Fresh", fetched_at="2024-11-03T00:00:00Z")
    stale = replace(fresh, title="Stale", fetched_at="2024-11-01T13:00:00Z")
    other = worlds.make_record("gamma", "g2", noon, fetched_at="2024-11-02T00:00:00Z")
    # The later window (ends Nov 5) holds the older copy: the fetch time decides, not the window.
    worlds.write_window(store, "2024-11-01/2024-11-02", [fresh, other])
    worlds.write_window(store, "2024-11-01/2024-11-05", [stale])
    table = Archive(store).index(site="gamma")
    assert sorted(table.column("title").to_pylist()) == ["Fresh", "Story g2"]
    assert table.num_rows == 2
    # Same instant: id breaks the tie.
    assert table.column("id").to_pylist() == sorted([fresh.id, other.id])


def test_merge_equal_fetch_goes_to_the_later_window(store: Store, worlds: ModuleType) -> None:
    first = worlds.make_record("gamma", "g1", "2024-11-01T12:00:00+00:00", title="First run")
    rerun = replace(first, title="Rerun")
    worlds.write_window(store, "2024-11-01/2024-11-03", [rerun])
    worlds.write_window(store, "2024-11-01/2024-11-02", [first])
    assert Archive(store).index().column("title").to_pylist() == ["Rerun"]


def test_bad_filters_raise_clear_errors(world: Any) -> None:
    archive = Archive(world.store)
    with pytest.raises(InvalidQuery, match="bad start '2024-13-01'"):
        archive.index(start="2024-13-01")
    with pytest.raises(InvalidQuery, match="empty range"):
        archive.index(start="2024-11-02", end="2024-11-02")
    with pytest.raises(InvalidKey, match="invalid site id 'Alpha!'"):
        archive.index(site="Alpha!")
    with pytest.raises(InvalidQuery, match="lang"):
        archive.index(lang=[])
    with pytest.raises(ValueError, match="limit"):
        archive.articles(limit=-1)


def test_unknown_site_or_empty_range_gives_nothing(world: Any) -> None:
    archive = Archive(world.store)
    assert archive.index(site="nosuch").num_rows == 0
    assert list(archive.articles(start="2030-01-01")) == []


def test_corrupt_record_names_its_key(store: Store, worlds: ModuleType) -> None:
    worlds.build_world(store)
    key = Archive(store).index(site="beta").column("key").to_pylist()[0]
    store.put(key, b"{not json", content_type="application/json")
    with pytest.raises(ArchiveError, match=f"article '{key}' .* is not valid JSON"):
        list(Archive(store).articles(site="beta"))


def test_missing_local_archive_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="no archive at"):
        open_archive(str(tmp_path / "nope"))
    with pytest.raises(ArchiveError, match="no archive at"):
        open_archive((tmp_path / "nope").as_uri())
    assert not (tmp_path / "nope").exists()  # and no folder was created on the way


def test_open_archive_on_s3(s3_server: Any, s3_bucket: str, worlds: ModuleType) -> None:
    url = f"s3://{s3_bucket}/deep/prefix"
    from newsarchive.archive import open_store

    written = worlds.build_world(open_store(url))
    archive = open_archive(url)  # options from the environment the s3_bucket fixture set
    assert ids(archive.articles(site="alpha", lang="en")) == [
        i for i in worlds.instant_order(written.records) if i in {r.id for r in written.records[:3]}
    ]
    # botocore's default pool is 10 connections: the reader never runs more threads than that.
    assert archive.workers == 10


def test_reads_only_the_asked_sites_and_days(tmp_path: Path, worlds: ModuleType) -> None:
    inner = LocalStore(tmp_path / "archive")
    worlds.build_world(inner)
    spy = worlds.RecordingStore(inner)
    Archive(spy).index(site="alpha", start="2024-11-02T12:00:00Z", end="2024-11-02T13:00:00Z")
    # The partitions that can hold that UTC hour, given offsets from -12:00 to +14:00, and the site's
    # compacted months (none here).
    assert sorted(spy.listed) == ["index/site=alpha/date=2024-11-02/", "index/site=alpha/date=2024-11-03/",
                                  "index/site=alpha/month="]
    assert all(key.startswith("index/site=alpha/date=2024-11-0") for key in spy.read)
    assert "index/site=alpha/date=2024-11-01/20241101T000000Z_20241104T000000Z.parquet" not in spy.read


def test_fetches_one_by_one_concurrently_in_order(tmp_path: Path, worlds: ModuleType) -> None:
    inner = LocalStore(tmp_path / "archive")
    records = [worlds.make_record("delta", f"d{n:02d}", f"2024-11-01T{n:02d}:00:00+00:00") for n in range(24)]
    worlds.write_window(inner, "2024-11-01/2024-11-02", records)
    spy = worlds.RecordingStore(inner, delay=0.02)
    started = time.monotonic()
    got = ids(Archive(spy, workers=8, bundles=False).articles())
    elapsed = time.monotonic() - started
    assert got == [r.id for r in records]
    assert spy.peak >= 4
    assert elapsed < 24 * 0.02  # sequential GETs alone would take 0.48 s


def test_stopping_early_stops_fetching_one_by_one(tmp_path: Path, worlds: ModuleType) -> None:
    inner = LocalStore(tmp_path / "archive")
    records = [worlds.make_record("delta", f"d{n:03d}", "2024-11-01T10:00:00+00:00") for n in range(40)]
    worlds.write_window(inner, "2024-11-01/2024-11-02", records)
    spy = worlds.RecordingStore(inner)
    stream = Archive(spy, workers=2, bundles=False).articles()
    next(stream)
    stream.close()  # what a `break` out of a for loop does
    articles_read = [key for key in spy.read if key.startswith("articles/")]
    assert len(articles_read) <= 2 * 4 + 2  # at most the prefetch window, not all 40


def test_s3_lists_only_the_asked_date_range(s3_server: Any, s3_bucket: str, worlds: ModuleType) -> None:
    from newsarchive.archive.s3 import S3Store

    store = S3Store.from_url(f"s3://{s3_bucket}/ranged", worlds.s3_options(s3_server), page_size=3)
    days = [f"2024-11-{d:02d}" for d in range(1, 13)]
    records = [worlds.make_record("kappa", f"k{n}", f"{day}T12:00:00+00:00") for n, day in enumerate(days)]
    for record, day in zip(records, days, strict=True):
        worlds.write_window(store, f"{day}/{day}T23:59:59Z", [record])
    calls: list[dict[str, Any]] = []
    store.client.meta.events.register(
        "provide-client-params.s3.ListObjectsV2", lambda params, **_: calls.append(dict(params))
    )
    table = Archive(store).index(site="kappa", start="2024-11-05", end="2024-11-06")
    assert table.column("id").to_pylist() == [records[4].id]
    # One forward listing from the first partition that can hold the range (Nov 4, given UTC-12:00 sites):
    # a page of 3 keys (Nov 4-6), then one more page that reaches Nov 7 and stops. Never the whole site.
    # Plus one listing of the site's compacted months (none here).
    daily = [c for c in calls if not c["Prefix"].endswith("month=")]
    assert [c.get("StartAfter", "").rsplit("/", 1)[-1] for c in daily] == ["date=2024-11-04", "date=2024-11-04"]
    assert len(calls) == 3 and [c["Prefix"] for c in calls if c not in daily] == ["ranged/index/site=kappa/month="]
