"""pipeline.incremental: the archived URL -> latest modified map, read from the index of the window's dates."""

from __future__ import annotations

import logging
import tomllib
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from archive.local import LocalStore
from demosite.generated.config import site_toml
from extract import ArticleRecord
from pipeline.crawl import crawl_spec
from pipeline.extraction import write_records
from pipeline.incremental import archived_articles, window_dates
from pipeline.sites import parse_site
from pipeline.window import parse_window
from spiders.spec import parse_spec

BASE = "http://gen.example"
WINDOW = parse_window("2025-01-14T23:00:00+00:00", "2025-01-15T23:00:00+00:00")  # 15 Jan, Paris


def site() -> Any:
    return parse_site(Path("gen.toml"), tomllib.loads(site_toml(BASE + "/")))


def record(n: int, published: str, modified: str | None) -> ArticleRecord:
    path = f"/world/{published[:10].replace('-', '/')}/a-{n}"
    return ArticleRecord(id=f"{n:016x}", url=BASE + path + "/", canonical_url=BASE + path, site="gen", title="t",
                         text=f"text {n}", published=published, modified=modified,
                         fetched_at="2025-03-01T08:00:00+00:00")


def test_map_from_index_and_records(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    records = [record(1, "2025-01-15T09:00:00+01:00", "2025-01-15T18:30:00+01:00"),
               record(2, "2025-01-15T11:00:00+01:00", None),
               record(3, "2025-01-14T11:00:00+01:00", None)]  # another date: not in the window's index
    write_records(site(), parse_window("2025-01-13T23:00:00+00:00", "2025-01-15T23:00:00+00:00"), records, store)
    found = archived_articles(store, site(), WINDOW)
    a1, a2 = BASE + "/world/2025/01/15/a-1", BASE + "/world/2025/01/15/a-2"
    assert found == {a1 + "/": "2025-01-15T18:30:00+01:00", a1: "2025-01-15T18:30:00+01:00",  # modified
                     a2 + "/": "2025-01-15T11:00:00+01:00", a2: "2025-01-15T11:00:00+01:00"}  # published
    spec = parse_spec(crawl_spec(site(), WINDOW, archived=found))  # the spider accepts what the pipeline sends
    assert len(spec.archived) == 4
    assert [d.isoformat() for d in window_dates(site(), WINDOW)] == ["2025-01-15"]


def test_damaged_index_or_record_means_fetch_again(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = LocalStore(tmp_path)
    write_records(site(), WINDOW, [record(1, "2025-01-15T09:00:00+01:00", None),
                                   record(2, "2025-01-15T10:00:00+01:00", None)], store)
    store.delete("articles/site=gen/date=2025-01-15/" + f"{2:016x}.json")
    bundle = "bundles/site=gen/date=2025-01-15/20250114T230000Z_20250115T230000Z.parquet"
    assert store.exists(bundle)
    store.put(bundle, b"not parquet", content_type="application/octet-stream")  # so a-2 is read from its object
    store.put("index/site=gen/date=2025-01-15/20250101T000000Z_20250102T000000Z.parquet", b"not parquet",
              content_type="application/octet-stream")
    with caplog.at_level(logging.WARNING, logger="newsarchive.incremental"):
        found = archived_articles(store, site(), WINDOW)
    assert set(found) == {BASE + "/world/2025/01/15/a-1/", BASE + "/world/2025/01/15/a-1"}
    assert "unreadable" in caplog.text and "fetched again" in caplog.text


class CountingStore(LocalStore):
    """A local store that counts its GETs by top-level prefix (what an S3 archive would bill)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gets: Counter[str] = Counter()

    def get(self, key: str) -> bytes:
        self.gets[key.split("/", 1)[0]] += 1
        return super().get(key)


def test_modified_times_come_from_bundles_and_the_latest_row_wins(tmp_path: Path) -> None:
    """Two runs of overlapping windows indexed the same date: the bundle the latest rows are in, no article GET,
    and the later run's record (a newer modified time) is the one the map holds."""
    store = CountingStore(tmp_path)
    first = [record(n, f"2025-01-15T{8 + n:02d}:00:00+01:00", None) for n in range(1, 6)]
    write_records(site(), parse_window("2025-01-14T23:00:00+00:00", "2025-01-15T11:00:00+00:00"), first, store)
    updated = replace(first[0], modified="2025-01-15T20:00:00+01:00", text="text 1, updated",
                      fetched_at="2025-03-02T08:00:00+00:00")
    write_records(site(), WINDOW, [updated, *first[1:]], store)
    store.gets.clear()
    found = archived_articles(store, site(), WINDOW)
    assert store.gets == {"index": 2, "bundles": 1}  # every latest row is in the later run's bundle
    assert found[first[0].canonical_url] == "2025-01-15T20:00:00+01:00"
    assert len(found) == 10
