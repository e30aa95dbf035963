"""Versions for readers: Archive.history, the history index, `newsarchive pull --versions`, and the latest-record
view that never holds a version."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from types import ModuleType

import duckdb
import pytest

from extract.record import article_id
from newsarchive.archive.keys import parse_version_key, version_key
from newsarchive.archive.local import LocalStore
from newsarchive.archive.reader import Archive
from newsarchive.archive.store import Store
from newsarchive.pipeline.analyst_cli import main
from newsarchive.pipeline.versions import version_label

ANALYSTS_DOC = Path(__file__).resolve().parents[2] / "docs" / "analysts.md"
MARKER = "<!-- tested (versions): tests/lifecycle/test_versions_readers.py"


def test_history_is_every_version_oldest_first_with_the_latest(store: Store, life: ModuleType) -> None:
    life.daily_life(store)
    archive = Archive(store)
    target = article_id(life.url_of(life.FIRST_DAY, 0))
    history = archive.history(target)
    assert [v.record["title"] for v in history] == [f"Story {life.slug(life.FIRST_DAY, 0)} v{n}" for n in (1, 2, 3)]
    assert [v.latest for v in history] == [False, False, True]
    assert history[-1].key == f"articles/site=gen/date=2024-10-27/{target}.json" and history[-1].label is None
    for version in history[:-1]:
        assert version.key == version_key("gen", target, version.label)
        assert version.label == version_label(version.record) == parse_version_key(version.key).label
    # Found the same way when the site and the partition are given, and for an article never updated.
    assert archive.history(target, site="gen", day=life.FIRST_DAY) == history
    plain = article_id(life.url_of(date(2024, 11, 4), 1))
    assert [(v.latest, v.record["id"]) for v in archive.history(plain)] == [(True, plain)]
    assert archive.history(plain, day=date(2024, 11, 4)) == archive.history(plain)
    assert archive.history("00000000000000ff") == []


def test_the_latest_view_never_holds_a_version(store: Store, life: ModuleType) -> None:
    life.daily_life(store)
    archive = Archive(store)
    index = archive.index().to_pylist()
    assert len({row["id"] for row in index}) == len(index)
    assert not [row for row in index if row["key"].startswith("versions/")]
    updated = {r["id"]: r["title"] for r in archive.articles()}
    assert updated[article_id(life.url_of(life.FIRST_DAY, 0))].endswith("v3")
    assert updated[article_id(life.url_of(date(2024, 10, 31), 1))].endswith("v2")
    versions = sorted(store.list("versions/"))
    assert len(versions) == 3  # Oct 27's first story twice, Oct 31's second once
    history_files = sorted(store.list("history/"))
    assert history_files and all("/date=2024-10-" in key for key in history_files)


def test_with_versions_streams_each_article_with_its_history(store: Store, life: ModuleType) -> None:
    life.daily_life(store)
    archive = Archive(store)
    selection = archive.select(start="2024-10-27", end="2024-11-01")
    rows = [v.tagged() for v in archive.with_versions(selection)]
    latest = [r for r in rows if r["latest"]]
    assert [r["id"] for r in latest] == selection.table.column("id").to_pylist()
    assert len(rows) == len(latest) + 3
    by_id: dict[str, list[dict]] = {}
    for row in rows:
        by_id.setdefault(row["id"], []).append(row)
    for versions in by_id.values():
        assert [r["latest"] for r in versions] == [False] * (len(versions) - 1) + [True]
        assert [r["version"] for r in versions][-1] is None
    target = article_id(life.url_of(life.FIRST_DAY, 0))
    assert [v.tagged() for v in archive.history(target)] == by_id[target]
    # contains/limit select articles by their latest record, then every version of each is written.
    few = list(archive.with_versions(selection, contains="v3", limit=1))
    assert [v.record["id"] for v in few] == [target] * 3


def test_pull_versions_cli(tmp_path: Path, life: ModuleType, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    store = LocalStore(tmp_path / "archive")
    life.daily_life(store)
    code = main(["pull", "--archive", str(store.root), "--versions", "--start", "2024-10-27", "--end", "2024-10-28"])
    out, _ = capsysbinary.readouterr()
    assert code == 0
    lines = [json.loads(line) for line in out.decode().splitlines()]
    assert [(r["title"].rsplit(" ", 1)[1], r["latest"]) for r in lines if r["id"] == lines[0]["id"]] == [
        ("v1", False), ("v2", False), ("v3", True)]
    assert main(["pull", "--archive", str(store.root), "--versions", "-o", str(tmp_path / "v.csv")]) == 0
    header = (tmp_path / "v.csv").read_text().splitlines()[0]
    assert header.endswith(",text,version,latest")
    assert main(["pull", "--archive", str(store.root), "--versions", "-o", str(tmp_path / "v.parquet")]) == 0
    import pyarrow.parquet as pq

    table = pq.read_table(tmp_path / "v.parquet")
    assert table.column_names[-2:] == ["version", "latest"] and table.num_rows == len(Archive(store).index()) + 3


def documented_versions_sql() -> list[str]:
    import re

    text = ANALYSTS_DOC.read_text(encoding="utf-8")
    after = text[text.index(MARKER):]
    block = re.search(r"```sql\n(.*?)```", after, re.S)
    assert block is not None, "the versions sql block is missing from docs/analysts.md"
    return [s.strip() for s in block.group(1).split(";") if s.strip()]


def test_documented_versions_query(tmp_path: Path, life: ModuleType) -> None:
    store = LocalStore(tmp_path / "archive")
    life.daily_life(store)
    connection = duckdb.connect()
    result: list[tuple] = []
    for statement in documented_versions_sql():
        result = connection.execute(statement.replace("var/archive", str(store.root))).fetchall()
    # The same versions the reader gives, for the articles published from Oct 27 to Oct 31.
    archive = Archive(store)
    expected = [(v.record["id"], v.label, v.record["title"], v.record["word_count"])
                for v in archive.with_versions(archive.select(start="2024-10-27", end="2024-11-01"))
                if not v.latest]
    assert sorted(result) == sorted(expected) and len(result) == 3
