"""Takedowns on an archive with a life: the article and every version gone from every object and file, an
audit record without the text, nothing else touched; before and after compaction; on a folder and on S3."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from extract.record import article_id
from newsarchive.archive.compaction import compact_month
from newsarchive.archive.keys import compacted_key, takedown_key
from newsarchive.archive.parquetio import ParquetObject
from newsarchive.archive.reader import Archive
from newsarchive.archive.store import Store
from newsarchive.archive.takedown import taken_down_ids
from newsarchive.pipeline.takedown import TakedownError, takedown, taken_down_urls

AT = "2024-12-05T10:00:00+00:00"


def without(snapshot: dict[str, Any], victim: str) -> dict[str, Any]:
    """The reader outputs of a snapshot with one article left out (what a takedown must leave)."""
    def keep(items: list[Any]) -> list[Any]:
        return [item for item in items if not (isinstance(item, dict) and item.get("id") == victim)
                and item != victim]
    return {name: keep(value) for name, value in snapshot.items() if name not in ("stats", "history")}


def assert_gone(store: Store, life: ModuleType, victim: str, marker: bytes) -> None:
    everywhere = life.ids_everywhere(store)
    assert all(victim not in ids for ids in everywhere.values()), {k: victim in v for k, v in everywhere.items()}
    for key, data in life.texts_everywhere(store):
        if key.endswith(".json"):
            assert marker not in data, key


def test_an_article_and_all_its_versions_are_gone(store: Store, twin: Store, life: ModuleType) -> None:
    life.daily_life(store).replay(twin)
    url = life.url_of(life.FIRST_DAY, 0)
    victim = article_id(url)
    reference = life.snapshot(twin)
    assert len(Archive(store).history(victim)) == 3
    result = takedown(store, "gen", url=url, reason="court order 2024/117", requested_by="legal@example",
                      requested_at=AT)
    assert result["ids"] == [victim]
    assert sorted(result["keys_removed"]) == sorted([f"articles/site=gen/date=2024-10-27/{victim}.json"]
                                                    + [k for k in twin.list(f"versions/site=gen/{victim}/")])
    assert_gone(store, life, victim, b"2024-10-27-story-0 v")
    assert without(life.snapshot(store), victim) == without(reference, victim)
    assert Archive(store).history(victim) == []
    record = json.loads(store.get(takedown_key("gen", victim)))
    assert (record["status"], record["reason"], record["requested_by"], record["requested_at"]) == (
        "done", "court order 2024/117", "legal@example", AT)
    assert url in record["urls"] and url + "?utm_source=feed" in record["urls"]
    assert not {"text", "title", "record"} & set(record) and b"story-0 v" not in store.get(takedown_key("gen", victim))
    assert taken_down_ids(store, "gen") == {victim} and url in taken_down_urls(store, "gen")
    again = takedown(store, "gen", article_id=victim, reason="court order 2024/117", requested_at=AT)
    assert again["keys_removed"] == [] and again["files_rewritten"] == []  # nothing left to remove


def test_takedown_of_a_compacted_month_and_compaction_after_a_takedown(store: Store, twin: Store,
                                                                       life: ModuleType, tmp_path: Path) -> None:
    life.daily_life(store).replay(twin)
    reference = life.snapshot(twin)
    compact_month(store, "gen", date(2024, 10, 1), workdir=tmp_path)
    first = article_id(life.url_of(date(2024, 10, 28), 1))
    result = takedown(store, "gen", article_id=first, reason="privacy", requested_at=AT)
    assert {compacted_key(kind, "gen", date(2024, 10, 1)) for kind in ("index", "bundles")} <= set(
        result["files_rewritten"])
    assert_gone(store, life, first, b"2024-10-28-story-1 v")
    # The rewritten month keeps a row group per day: one day is still read alone.
    month = ParquetObject.open(store, compacted_key("bundles", "gen", date(2024, 10, 1)))
    assert month.metadata.num_row_groups == 5 and len(month.row_groups({date(2024, 10, 28)})) == 1
    # November still has its daily files: taken down there first, then compacted without it.
    second = article_id(life.url_of(date(2024, 11, 2), 0))
    takedown(store, "gen", article_id=second, reason="privacy", requested_at=AT)
    compact_month(store, "gen", date(2024, 11, 1), workdir=tmp_path)
    assert_gone(store, life, second, b"2024-11-02-story-0 v")
    assert_gone(store, life, first, b"2024-10-28-story-1 v")
    expected = without(without(reference, first), second)
    assert without(without(life.snapshot(store), first), second) == expected


def test_a_url_not_archived_yet_is_blocked_for_later(store: Store, life: ModuleType) -> None:
    life.daily_life(store)
    url = "http://gen.example/world/2024/12/24/not-yet"
    result = takedown(store, "gen", url=url, reason="embargo", requested_at=AT)
    assert result["ids"] == [article_id(url)] and result["keys_removed"] == []
    assert url in taken_down_urls(store, "gen") and article_id(url) in taken_down_ids(store, "gen")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"reason": "x"}, "exactly one of"),
    ({"reason": "x", "url": "u", "article_id": "0123456789abcdef"}, "exactly one of"),
    ({"reason": "   ", "article_id": "0123456789abcdef"}, "--reason"),
    ({"reason": "x", "url": "ftp://gen.example/a"}, "not an http"),
])
def test_bad_requests_are_refused_before_anything_is_written(store: Store, kwargs: dict[str, Any],
                                                             message: str) -> None:
    with pytest.raises(TakedownError, match=message):
        takedown(store, "gen", requested_at=AT, **kwargs)
    assert list(store.list("")) == []
