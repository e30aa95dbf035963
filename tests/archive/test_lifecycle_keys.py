"""Keys of versions, the history index, compacted months and takedowns: built from sanitised parts only."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from newsarchive.archive import keys
from newsarchive.archive.errors import InvalidKey

START, END = datetime(2024, 11, 1, tzinfo=UTC), datetime(2024, 11, 2, tzinfo=UTC)
ID = "0123456789abcdef"


def test_version_keys_round_trip() -> None:
    for label in ("20241101T080000Z-0123456789ab", "20241101T080000Z", "unreadable-0123456789abcdef"):
        key = keys.version_key("demo", ID, label)
        assert key == f"versions/site=demo/{ID}/{label}.json"
        assert keys.parse_version_key(key) == keys.VersionKey("demo", ID, label)
    assert keys.versions_prefix() == "versions/"
    assert keys.versions_prefix("demo") == "versions/site=demo/"
    assert keys.versions_prefix("demo", ID) == f"versions/site=demo/{ID}/"


@pytest.mark.parametrize("label", ["../x", "20241101T080000Z-XYZ", "", "latest", "20241101T080000Z-0123456789abc"])
def test_bad_version_labels_are_refused(label: str) -> None:
    with pytest.raises(InvalidKey):
        keys.version_key("demo", ID, label)
    with pytest.raises(InvalidKey):
        keys.parse_version_key(f"versions/site=demo/{ID}/{label}.json")


def test_history_and_compacted_keys() -> None:
    key = keys.history_key("demo", date(2024, 11, 1), START, END)
    assert key == "history/site=demo/date=2024-11-01/20241101T000000Z_20241102T000000Z.parquet"
    assert keys.parse_history_key(key).published_date == date(2024, 11, 1)
    month = keys.compacted_key("index", "demo", date(2024, 11, 1))
    assert month == "index/site=demo/month=2024-11/compacted.parquet"
    assert keys.parse_compacted_key(month) == keys.CompactedKey("index", "demo", date(2024, 11, 1))
    assert keys.companion_key(month, "bundles") == "bundles/site=demo/month=2024-11/compacted.parquet"
    daily = keys.index_key("demo", date(2024, 11, 1), START, END)
    assert keys.companion_key(daily, "bundles") == keys.bundle_key("demo", date(2024, 11, 1), START, END)
    assert keys.companion_key(daily, "history") == key
    assert keys.month_of(date(2024, 11, 30)) == date(2024, 11, 1)
    for bad in ("index/site=demo/month=2024-13/compacted.parquet", "index/site=demo/month=2024-11/x.parquet",
                "raw/site=demo/month=2024-11/compacted.parquet", "index/site=De/month=2024-11/compacted.parquet"):
        with pytest.raises(InvalidKey):
            keys.parse_compacted_key(bad)
    with pytest.raises(InvalidKey):
        keys.compacted_key("raw", "demo", date(2024, 11, 1))
    with pytest.raises(InvalidKey):
        keys.companion_key("articles/site=demo/date=2024-11-01/0123456789abcdef.json", "bundles")


def test_takedown_keys() -> None:
    key = keys.takedown_key("demo", ID)
    assert key == f"takedowns/site=demo/{ID}.json" and keys.takedowns_prefix("demo") == "takedowns/site=demo/"
    assert keys.parse_takedown_key(key) == keys.TakedownKey("demo", ID)
    for site, article in (("../x", ID), ("demo", "../../etc"), ("demo", "XYZ")):
        with pytest.raises(InvalidKey):
            keys.takedown_key(site, article)


def test_sitewide_keys_round_trip() -> None:
    key = keys.sitewide_key("demo", START, END)
    assert key == "sitewide/site=demo/20241101T000000Z_20241102T000000Z.json"
    assert keys.parse_sitewide_key(key) == keys.SitewideKey("demo", START, END)
    assert key.startswith(keys.sitewide_prefix("demo")) and keys.sitewide_prefix("demo") == "sitewide/site=demo/"
    for bad in ("sitewide/site=demo/x.json", "sitewide/site=demo/20241101T000000Z_20241102T000000Z.json.tmp"):
        with pytest.raises(InvalidKey):
            keys.parse_sitewide_key(bad)
    with pytest.raises(InvalidKey):
        keys.sitewide_key("../demo", START, END)


def test_partition_prefixes_and_compaction_lease() -> None:
    assert keys.partitions_prefix("index", "demo") == "index/site=demo/"
    assert keys.partitions_prefix("history", "demo", date(2024, 11, 3)) == "history/site=demo/date=2024-11-03/"
    assert keys.daily_partitions_prefix("bundles", "demo") == "bundles/site=demo/date="
    assert keys.daily_partitions_prefix("bundles", "demo", date(2024, 11, 1)) == "bundles/site=demo/date=2024-11-"
    day_key = keys.index_key("demo", date(2024, 11, 3), START, END)
    assert day_key.startswith(keys.daily_partitions_prefix("index", "demo", date(2024, 11, 1)))
    assert keys.parse_partition_key("index", day_key).published_date == date(2024, 11, 3)
    assert keys.compaction_lease_key("demo", date(2024, 11, 17)) == "compaction/site=demo/2024-11.lease"
    for bad_kind in ("articles", "raw"):
        with pytest.raises(InvalidKey):
            keys.partitions_prefix(bad_kind, "demo")
