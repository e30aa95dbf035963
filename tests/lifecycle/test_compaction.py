"""Compaction: closed months folded into one file per site and month, readers unchanged before, during, after."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import duckdb
import pytest

from newsarchive.archive.compaction import compact_month, months_to_compact
from newsarchive.archive.keys import compacted_key
from newsarchive.archive.lease import LeaseBusy, lease
from newsarchive.archive.local import LocalStore
from newsarchive.archive.reader import Archive
from newsarchive.archive.store import Store

OCT, NOV = date(2024, 10, 1), date(2024, 11, 1)
ANALYSTS_DOC = Path(__file__).resolve().parents[2] / "docs" / "analysts.md"


def compact_all(store: Store, tmp_path: Path, **kwargs: Any) -> list[Any]:
    return [compact_month(store, "gen", month, workdir=tmp_path, **kwargs) for month in (OCT, NOV)]


def daily_keys(store: Store) -> list[str]:
    return [k for k in store.list("") if k.startswith(("index/", "bundles/", "history/")) and "/date=" in k]


def test_readers_return_the_same_records_after_compaction(store: Store, twin: Store, life: ModuleType,
                                                          tmp_path: Path) -> None:
    life.daily_life(store).replay(twin)
    reference = life.snapshot(twin)
    assert life.snapshot(store) == reference
    results = compact_all(store, tmp_path)
    assert [r.articles for r in results] == [15, 16] and [r.versions for r in results] == [3, 0]
    assert daily_keys(store) == []
    assert sorted(k for k in store.list("") if "/month=" in k) == sorted(
        [compacted_key(kind, "gen", month) for kind in ("index", "bundles") for month in (OCT, NOV)]
        + [compacted_key("history", "gen", OCT)])
    assert not list(store.list("compaction/"))  # the leases were released
    assert life.snapshot(store) == reference


def test_a_window_written_into_a_compacted_month(store: Store, twin: Store, life: ModuleType,
                                                 tmp_path: Path) -> None:
    """A rerun of an October window (same fetch, new title: a tie with the compacted row), an update of an
    October article and a backfilled October article, all from December's point of view."""
    history = life.daily_life(store)
    history.replay(twin)
    compact_all(store, tmp_path)
    rerun = [replace(life.record(date(2024, 10, 28), n), title=f"Re-extracted {n}") for n in range(3)]
    late = [life.record(date(2024, 10, 28), 1, version=2), life.record(date(2024, 10, 30), 7)]
    for target in (store, twin):
        life.Life().write(target, life.day_window(date(2024, 10, 28)), rerun)
        life.Life().write(target, life.day_window(date(2024, 12, 1)), late)
    reference = life.snapshot(twin)
    assert life.snapshot(store) == reference
    titles = {r["id"]: r["title"] for r in reference["index"]}
    assert sum(t.startswith("Re-extracted") for t in titles.values()) == 2  # the third was updated later
    assert months_to_compact(store, "gen", date(2024, 12, 10)) == [OCT]  # written into: compacted again
    [again] = [compact_month(store, "gen", OCT, workdir=tmp_path)]
    assert again.folded and daily_keys(store) == [k for k in daily_keys(store) if "date=2024-12" in k]
    assert life.snapshot(store) == reference


def test_compacting_again_changes_nothing(store: Store, life: ModuleType, tmp_path: Path) -> None:
    life.daily_life(store)
    compact_all(store, tmp_path)
    before = {key: store.get(key) for key in store.list("")}
    results = compact_all(store, tmp_path)
    assert [r.folded for r in results] == [(), ()] and [r.written for r in results] == [(), ()]
    assert {key: store.get(key) for key in store.list("")} == before


def test_an_interrupted_compaction_leaves_readers_correct(tmp_path: Path, life: ModuleType) -> None:
    """A crash before any one of the compaction's writes and deletes, then a retry: readers correct throughout."""
    seed = LocalStore(tmp_path / "seed")
    life.daily_life(seed)
    reference = life.snapshot(seed, light=True)
    probe = LocalStore(tmp_path / "probe")
    shutil.copytree(seed.root, probe.root, dirs_exist_ok=True)
    counter = life.CrashingStore(probe, n=10_000)
    compact_month(counter, "gen", OCT, workdir=tmp_path)
    operations = counter.count
    assert operations > 20
    for n in range(1, operations + 1):
        copy = LocalStore(tmp_path / f"crash-{n}")
        shutil.copytree(seed.root, copy.root, dirs_exist_ok=True)
        with pytest.raises(life.Crash):
            compact_month(life.CrashingStore(copy, n), "gen", OCT, workdir=tmp_path, lease_seconds=0)
        assert life.snapshot(copy, light=True) == reference, f"readers wrong after a crash before operation {n}"
        compact_month(copy, "gen", OCT, workdir=tmp_path)  # the retry takes the expired lease over
        assert life.snapshot(copy, light=True) == reference, f"readers wrong after the retry of a crash at {n}"
        assert not [k for k in daily_keys(copy) if "date=2024-10" in k], n
        shutil.rmtree(copy.root)


def test_an_interrupted_compaction_on_s3(store: Store, life: ModuleType, tmp_path: Path) -> None:
    life.daily_life(store)
    reference = life.snapshot(store)
    for n in (1, 4, 8, 16):  # before the history file, the bundle, the index, among the deletes
        with pytest.raises(life.Crash):
            compact_month(life.CrashingStore(store, n), "gen", OCT, workdir=tmp_path, lease_seconds=0)
        assert life.snapshot(store) == reference, n
    compact_month(store, "gen", OCT, workdir=tmp_path)
    assert life.snapshot(store) == reference


def test_a_second_compaction_of_the_month_waits_its_turn(store: Store, life: ModuleType, tmp_path: Path) -> None:
    life.daily_life(store)
    with lease(store, "compaction/site=gen/2024-10.lease"), pytest.raises(LeaseBusy):
        compact_month(store, "gen", OCT, workdir=tmp_path)
    assert daily_keys(store)  # nothing folded
    compact_month(store, "gen", OCT, workdir=tmp_path)
    assert not [k for k in daily_keys(store) if "date=2024-10" in k]


def test_only_closed_months_are_compacted(store: Store, life: ModuleType) -> None:
    life.daily_life(store)
    assert months_to_compact(store, "gen", date(2024, 11, 2)) == []
    assert months_to_compact(store, "gen", date(2024, 11, 3)) == [OCT]
    assert months_to_compact(store, "gen", date(2024, 12, 3)) == [OCT, NOV]
    assert months_to_compact(store, "gen", date(2024, 12, 3), grace_days=5) == [OCT]


class Counting:
    """A real store counting the requests of a reader (GETs, ranged GETs, listings) and the bytes it reads."""

    def __init__(self, inner: Store) -> None:
        self.inner, self.requests, self.bytes, self.listings, self.ranged = inner, 0, 0, 0, 0

    def get(self, key: str) -> bytes:
        data = self.inner.get(key)
        self.requests, self.bytes = self.requests + 1, self.bytes + len(data)
        return data

    def read_range(self, key: str, start: int, length: int) -> bytes:
        data = self.inner.read_range(key, start, length)
        self.requests, self.bytes, self.ranged = self.requests + 1, self.bytes + len(data), self.ranged + len(data)
        return data

    def read_tail(self, key: str, length: int) -> tuple[bytes, int]:
        data, size = self.inner.read_tail(key, length)
        self.requests, self.bytes = self.requests + 1, self.bytes + len(data)
        return data, size

    def list(self, prefix: str = "") -> Any:
        self.listings += 1
        return self.inner.list(prefix)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_a_compacted_month_is_read_with_few_requests_and_only_the_days_asked(tmp_path: Path, life: ModuleType) -> None:
    store = LocalStore(tmp_path / "archive")
    life.daily_life(store, per_day=40)
    before = Counting(store)
    month = list(Archive(before).articles(start="2024-10-27", end="2024-11-01"))
    compact_all(store, tmp_path)
    after = Counting(store)
    assert list(Archive(after).articles(start="2024-10-27", end="2024-11-01")) == month
    # Object reads (listings are one ranged listing per site on S3 either way: see benchmarks/lifecycle.py).
    assert after.requests * 2 <= before.requests, (after.requests, before.requests)
    day = Counting(store)
    one = list(Archive(day).articles(start="2024-10-28", end="2024-10-29"))
    assert len(one) == 40
    bundle_size = store.head(compacted_key("bundles", "gen", OCT)).size
    index_size = store.head(compacted_key("index", "gen", OCT)).size
    # Beyond the footers, a day's row groups: about a fifth of a five-day month.
    assert day.ranged < (bundle_size + index_size) / 3, (day.ranged, bundle_size, index_size)


def documented(marker: str) -> list[str]:
    text = ANALYSTS_DOC.read_text(encoding="utf-8")
    block = re.search(r"```sql\n(.*?)```", text[text.index(marker):], re.S)
    assert block is not None
    return [s.strip() for s in block.group(1).split(";") if s.strip()]


def run_sql(root: Path, marker: str, replace_in: dict[str, str] | None = None) -> list[tuple[Any, ...]]:
    connection = duckdb.connect()
    result: list[tuple[Any, ...]] = []
    for statement in documented(marker):
        for old, new in (replace_in or {}).items():
            statement = statement.replace(old, new)
        result = connection.execute(statement.replace("var/archive", str(root))).fetchall()
    return result


@pytest.mark.parametrize("marker", ["<!-- tested: tests/analyst/test_duckdb.py", "<!-- tested (text):",
                                    "<!-- tested (versions):"])
def test_the_documented_sql_gives_the_same_rows_after_compaction(tmp_path: Path, life: ModuleType,
                                                                 marker: str) -> None:
    store = LocalStore(tmp_path / "archive")
    life.daily_life(store)
    days = {"DATE '2024-11-01' AND DATE '2024-11-02'": "DATE '2024-10-27' AND DATE '2024-11-05'",
            "'%election%'": "'%tram%'"}
    before = run_sql(store.root, marker, days)
    assert before
    compact_all(store, tmp_path)
    assert run_sql(store.root, marker, days) == before


def test_the_sql_tie_break_matches_the_reader_after_compaction(tmp_path: Path, life: ModuleType) -> None:
    """The fetch-time tie of the fixture (two windows, same fetch): the later-ending window's title, before
    and after compaction, in SQL and in the reader; then a rerun of the shorter window after compaction."""
    store = LocalStore(tmp_path / "archive")
    life.daily_life(store)
    select = {"SELECT site, language, count(*) AS articles, sum(word_count) AS words": "SELECT title",
              "GROUP BY site, language\nORDER BY site, language": "ORDER BY title",
              "DATE '2024-11-01' AND DATE '2024-11-02'": "DATE '2024-11-03' AND DATE '2024-11-03'"}
    marker = "<!-- tested: tests/analyst/test_duckdb.py"
    assert "Longer window" in [r[0] for r in run_sql(store.root, marker, select)]
    compact_all(store, tmp_path)
    titles = [r[0] for r in run_sql(store.root, marker, select)]
    assert "Longer window" in titles and "Shorter window" not in titles
    assert "Longer window" in Archive(store).index(start="2024-11-03", end="2024-11-04").column("title").to_pylist()
    tie = life.record(date(2024, 11, 3), 5, fetched=datetime(2024, 11, 3, 12, tzinfo=life.TZ))
    life.Life().write(store, life.day_window(date(2024, 11, 3)), [replace(tie, title="Rerun after compaction")])
    reader = Archive(store).index(start="2024-11-03", end="2024-11-04").column("title").to_pylist()
    sql = [r[0] for r in run_sql(store.root, marker, select)]
    assert "Rerun after compaction" in reader and "Rerun after compaction" in sql
