"""Bulk reads through record bundles: fewer GETs, the same answers, and a safe fallback to article objects."""

from __future__ import annotations

import io
import json
import logging
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

import pyarrow.parquet as pq
import pytest

from newsarchive.archive.bundles import BUNDLE_SCHEMA, bundle_table, read_bundle
from newsarchive.archive.errors import ArchiveError, KeyNotFound
from newsarchive.archive.index import PARQUET_CONTENT_TYPE
from newsarchive.archive.keys import bundle_key_for, parse_bundle_key
from newsarchive.archive.local import LocalStore
from newsarchive.archive.reader import Archive
from newsarchive.archive.store import Store
from newsarchive.pipeline.extract_stage import index_row

WINDOW = "2024-11-01/2024-11-02"


def day_records(worlds: ModuleType, count: int, site: str = "delta") -> list[Any]:
    stamps = (f"2024-11-01T{n % 24:02d}:{n // 24:02d}:00+00:00" for n in range(count))
    return [worlds.make_record(site, f"d{n:03d}", stamp) for n, stamp in enumerate(stamps)]


def stored(records: list[Any]) -> dict[str, dict[str, Any]]:
    return {r.id: json.loads(r.to_json()) for r in records}


def put_bundle(store: Store, index: str, records: list[Any], worlds: ModuleType) -> None:
    """Overwrite ``index``'s bundle with rows of ``records`` (as a crash or a hand edit could leave it)."""
    rows = [index_row(r, worlds.article_key(r.site, worlds.partition_day(r), r.id), worlds.partition_day(r))
            for r in records]  # fmt: skip
    sink = io.BytesIO()
    pq.write_table(bundle_table(rows, [r.to_json() for r in records]), sink)
    store.put(bundle_key_for(index), sink.getvalue(), content_type=PARQUET_CONTENT_TYPE)


def test_a_partition_is_pulled_with_one_bundle_get(tmp_path: Path, worlds: ModuleType) -> None:
    inner = LocalStore(tmp_path / "archive")
    records = day_records(worlds, 30)
    [index] = worlds.write_window(inner, WINDOW, records)
    spy = worlds.RecordingStore(inner)
    got = list(Archive(spy).articles())
    assert [r["id"] for r in got] == [r["id"] for r in sorted(stored(records).values(), key=lambda r: r["published"])]
    assert got == [stored(records)[r["id"]] for r in got]
    assert sorted(spy.read) == sorted([index, bundle_key_for(index)])  # no article object GET at all


def test_bundles_give_the_same_answers_as_single_gets(world: Any, worlds: ModuleType) -> None:
    """The world has an article in two windows (a stale copy in the older one): the bundle read agrees."""
    bulk, single = Archive(world.store), Archive(world.store, bundles=False)
    assert list(bulk.articles()) == list(single.articles())
    assert list(bulk.articles(contains="election")) == list(single.articles(contains="election"))
    assert list(bulk.articles(site="beta", lang="fr")) == list(single.articles(site="beta", lang="fr"))
    expected = stored(list(world.records))
    assert [r["title"] for r in bulk.articles()] == [expected[i]["title"] for i in worlds.instant_order(world.records)]


def test_each_partition_written_has_a_bundle_of_its_rows(store: Store, worlds: ModuleType) -> None:
    records = day_records(worlds, 5) + day_records(worlds, 3, site="omega")
    index_keys = worlds.write_window(store, WINDOW, records)
    assert sorted(store.list("bundles/")) == sorted(bundle_key_for(k) for k in index_keys)
    for key in index_keys:
        bundle = bundle_key_for(key)
        assert parse_bundle_key(bundle) == parse_bundle_key(bundle)  # parses
        assert store.head(bundle).content_type == PARQUET_CONTENT_TYPE
        rows = read_bundle(store, bundle)
        site = parse_bundle_key(bundle).site
        assert {row.id for row in rows.values()} == {r.id for r in records if r.site == site}
        for row in rows.values():
            assert row.record == store.get(row.key).decode("utf-8")  # byte for byte the article object


def test_missing_bundles_fall_back_to_concurrent_single_gets(tmp_path: Path, worlds: ModuleType) -> None:
    """An archive written before bundles existed: every article is read from its object, concurrently."""
    inner = LocalStore(tmp_path / "archive")
    records = day_records(worlds, 24)
    [index] = worlds.write_window(inner, WINDOW, records)
    inner.delete(bundle_key_for(index))
    spy = worlds.RecordingStore(inner, delay=0.02)
    got = list(Archive(spy, workers=8).articles())
    assert got == [stored(records)[r.id] for r in records]
    assert len([k for k in spy.read if k.startswith("articles/")]) == 24
    assert not [k for k in spy.read if k.startswith("bundles/")]  # listed, so no GET of a missing bundle
    assert spy.peak >= 4  # the GETs run side by side, not one after the other


class RefusingBundles(LocalStore):
    """A store whose policy refuses reads under bundles/ (an IAM policy written before bundles existed)."""

    def get(self, key: str) -> bytes:
        if key.startswith("bundles/"):
            raise ArchiveError(f"get {key}: AccessDenied")
        return super().get(key)


def test_a_bundle_the_store_refuses_falls_back(tmp_path: Path, worlds: ModuleType,
                                                caplog: pytest.LogCaptureFixture) -> None:
    store = RefusingBundles(tmp_path / "archive")
    records = day_records(worlds, 5)
    worlds.write_window(store, WINDOW, records)
    with caplog.at_level(logging.WARNING, logger="newsarchive.archive.fetching"):
        assert list(Archive(store).articles()) == [stored(records)[r.id] for r in records]
    assert any("AccessDenied" in m for m in caplog.messages)


def test_stale_rows_of_a_big_bundle_are_read_a_window_at_a_time(tmp_path: Path, worlds: ModuleType) -> None:
    """Every row of a 300-row bundle is stale: they are read one by one, in order, never all queued at once."""
    inner = LocalStore(tmp_path / "archive")
    records = day_records(worlds, 300)
    [index] = worlds.write_window(inner, WINDOW, records)
    forged = [replace(r, fetched_at="2024-11-09T00:00:00Z") for r in records]
    put_bundle(inner, index, forged, worlds)
    spy = worlds.RecordingStore(inner)
    stream = Archive(spy, workers=2).articles()
    first = next(stream)
    assert first == stored(records)[first["id"]]
    stream.close()
    assert len([k for k in spy.read if k.startswith("articles/")]) <= 2 * 4 + 2  # the window, not 299
    single = [r["id"] for r in Archive(inner, bundles=False).articles()]
    assert [r["id"] for r in Archive(inner, workers=3).articles()] == single


def test_stale_bundle_rows_are_not_trusted(store: Store, worlds: ModuleType) -> None:
    """A bundle newer than its index (a crash between the two writes) or edited by hand: rows that do not
    match the index row (key, fetch time, text digest) are read from the article objects instead."""
    records = day_records(worlds, 6)
    [index] = worlds.write_window(store, WINDOW, records)
    forged = [replace(r, text="Forged text.", fetched_at="2024-11-09T00:00:00Z") for r in records[:2]]
    forged += [replace(r, title="Forged title") for r in records[2:4]]  # same key, fetch and digest: trusted
    put_bundle(store, index, forged, worlds)
    got = {r["id"]: r for r in Archive(store).articles()}
    assert len(got) == 6
    assert [got[r.id]["text"] for r in records[:2]] == [r.text for r in records[:2]]
    # A row that matches is trusted: the bundle holds what the run wrote with that index row.
    assert [got[r.id]["title"] for r in records[2:4]] == ["Forged title", "Forged title"]
    assert [got[r.id] for r in records[4:]] == [stored(records)[r.id] for r in records[4:]]


def test_an_unreadable_bundle_is_reported_and_skipped(
    tmp_path: Path, worlds: ModuleType, caplog: pytest.LogCaptureFixture
) -> None:
    store = LocalStore(tmp_path / "archive")
    records = day_records(worlds, 4)
    [index] = worlds.write_window(store, WINDOW, records)
    store.put(bundle_key_for(index), b"PAR1 truncated", content_type=PARQUET_CONTENT_TYPE)
    with caplog.at_level(logging.WARNING, logger="newsarchive.archive.fetching"):
        got = list(Archive(store).articles())
    assert got == [stored(records)[r.id] for r in records]
    assert any("not readable" in m and bundle_key_for(index) in m for m in caplog.messages), caplog.messages


def test_a_few_rows_of_a_big_partition_are_read_one_by_one(tmp_path: Path, worlds: ModuleType) -> None:
    inner = LocalStore(tmp_path / "archive")
    records = day_records(worlds, 40)
    [index] = worlds.write_window(inner, WINDOW, records)
    spy = worlds.RecordingStore(inner)
    assert len(list(Archive(spy).articles(limit=3))) == 3
    assert bundle_key_for(index) not in spy.read  # 3 of 40 rows: three small GETs beat one big one
    spy.read.clear()
    assert len(list(Archive(spy).articles(limit=10))) == 10
    assert bundle_key_for(index) in spy.read


def test_stopping_early_stops_reading_bundles(tmp_path: Path, worlds: ModuleType) -> None:
    inner = LocalStore(tmp_path / "archive")
    for day in range(1, 29):
        record = worlds.make_record("delta", f"x{day}", f"2024-11-{day:02d}T10:00:00+00:00")
        twin = worlds.make_record("delta", f"y{day}", f"2024-11-{day:02d}T11:00:00+00:00")
        worlds.write_window(inner, f"2024-11-{day:02d}/2024-11-{day:02d}T23:59:59Z", [record, twin])
    spy = worlds.RecordingStore(inner)
    stream = Archive(spy, workers=2).articles()
    next(stream)
    stream.close()
    bundles_read = [key for key in spy.read if key.startswith("bundles/")]
    assert 1 <= len(bundles_read) <= 3  # two workers, one bundle each in flight (+ the first), not all 28


def test_read_bundle_errors(store: Store) -> None:
    with pytest.raises(KeyNotFound):
        read_bundle(store, "bundles/site=x/date=2024-11-01/20241101T000000Z_20241102T000000Z.parquet")
    assert BUNDLE_SCHEMA.names == ["id", "key", "fetched_at", "text_sha256", "record"]
    with pytest.raises(ValueError, match="2 index rows but 1 records"):
        bundle_table([{"id": "a"}, {"id": "b"}], ["{}"])
