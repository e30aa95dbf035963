"""The DuckDB examples of docs/analysts.md, run as written against a fixture archive."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb

from newsarchive.archive.reader import Archive

DOC = Path(__file__).resolve().parents[2] / "docs" / "analysts.md"
MARKER = "<!-- tested: tests/analyst/test_duckdb.py"
TEXT_MARKER = "<!-- tested (text): tests/analyst/test_duckdb.py"


def documented_sql(marker: str = MARKER) -> list[str]:
    """The statements of the sql block that follows a 'tested' marker in the doc."""
    text = DOC.read_text(encoding="utf-8")
    after = text[text.index(marker):]
    block = re.search(r"```sql\n(.*?)```", after, re.S)
    assert block is not None, f"the tested sql block is missing from {DOC.name}"
    return [statement.strip() for statement in block.group(1).split(";") if statement.strip()]


def test_documented_query(local_world: Any) -> None:
    root = str(local_world.store.root)
    connection = duckdb.connect()
    result: list[tuple[Any, ...]] = []
    for statement in documented_sql():
        assert "var/archive" in statement or statement.startswith("SET")
        result = connection.execute(statement.replace("var/archive", root)).fetchall()
    # a1 is in two index files (two windows): counted once. Partitions Nov 1-2 hold a1, a2, a3, b1, b2, b3.
    assert result == [("alpha", "en", 3, 16), ("beta", "de", 2, 8), ("beta", "fr", 1, 3)]


def test_documented_query_agrees_with_the_reader(local_world: Any) -> None:
    """Same partitions through the reader: the same counts (the reader merges by id too)."""
    from datetime import date

    index = Archive(local_world.store).index()
    counts: Counter[tuple[str, str]] = Counter()
    words: Counter[tuple[str, str]] = Counter()
    for row in index.to_pylist():
        if date(2024, 11, 1) <= row["published_date"] <= date(2024, 11, 2):
            counts[(row["site"], row["language"])] += 1
            words[(row["site"], row["language"])] += row["word_count"]
    assert sorted((s, lang, n, words[(s, lang)]) for (s, lang), n in counts.items()) == [
        ("alpha", "en", 3, 16), ("beta", "de", 2, 8), ("beta", "fr", 1, 3),
    ]  # fmt: skip


def test_latest_copy_wins_in_sql_too(local_world: Any) -> None:
    root = str(local_world.store.root)
    connection = duckdb.connect()
    stale = connection.execute(
        f"SELECT count(*) FROM read_parquet('{root}/index/site=*/date=*/*.parquet', hive_partitioning = false) "
        "WHERE title = 'Stale title'"
    ).fetchall()
    assert stale == [(1,)]  # the stale copy is in the files...
    statements = documented_sql()
    inner = statements[-1].replace("var/archive", root)
    # ...but the documented dedup keeps a1's fresh title.
    query = inner.replace("SELECT site, language, count(*) AS articles, sum(word_count) AS words", "SELECT title")
    query = query.replace("GROUP BY site, language\nORDER BY site, language", "")
    titles = [row[0] for row in connection.execute(query).fetchall()]
    assert "Stale title" not in titles and "Story a1" in titles


def test_documented_text_search_on_bundles(local_world: Any) -> None:
    root = str(local_world.store.root)
    connection = duckdb.connect()
    result: list[tuple[Any, ...]] = []
    for statement in documented_sql(TEXT_MARKER):
        assert "var/archive" in statement or statement.startswith("SET")
        result = connection.execute(statement.replace("var/archive", root)).fetchall()
    # a1's stale copy (older window, same text) is dropped by the dedup; "Élection" does not match ILIKE.
    assert result == [
        ("alpha", "Story a1", "2024-11-01T08:00:00+00:00"), ("alpha", "Story a2", "2024-11-01T23:30:00-05:00"),
    ]  # fmt: skip
    expected = [r["title"] for r in Archive(local_world.store).articles(contains="election") if r["site"] == "alpha"]
    assert [row[1] for row in result] == expected


def test_a_fetch_time_tie_goes_to_the_window_that_ends_later(tmp_path: Path, worlds: Any) -> None:
    """Same fetched_at in two windows: the reader keeps the later-ending window's row, and so does the SQL,
    though that window's file name sorts first (it starts earlier)."""
    from dataclasses import replace

    from newsarchive.archive.local import LocalStore

    store = LocalStore(tmp_path / "archive")
    base = worlds.make_record("alpha", "t1", "2024-11-02T08:00:00+00:00", fetched_at="2024-11-05T12:00:00Z")
    worlds.write_window(store, "2024-11-01/2024-11-05", [replace(base, title="Longer window")])
    worlds.write_window(store, "2024-11-02/2024-11-04", [replace(base, title="Shorter window")])
    assert Archive(store).index().column("title").to_pylist() == ["Longer window"]
    connection = duckdb.connect()
    for marker in (MARKER, TEXT_MARKER):
        inner = documented_sql(marker)[-1].replace("var/archive", str(store.root))
        _, _, rest = inner.partition("FROM (")
        query = "SELECT * FROM (" + rest.split("\n)", 1)[0] + "\n)"  # the documented dedup, unfiltered
        connection.execute("SET TimeZone = 'UTC'")
        cursor = connection.execute(query)
        names = [column[0] for column in cursor.description]
        rows = cursor.fetchall()
        column = names.index("title" if "title" in names else "record")
        assert len(rows) == 1 and "Longer window" in rows[0][column], (marker, rows)
