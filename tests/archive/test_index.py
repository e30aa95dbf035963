"""The Parquet index: rows to table, write/read through a store, merge."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from newsarchive.archive.errors import IndexFormatError, KeyNotFound
from newsarchive.archive.index import (
    INDEX_SCHEMA,
    PARQUET_CONTENT_TYPE,
    index_rows_to_table,
    merge_index,
    read_index,
    table_to_parquet,
    write_index,
)
from newsarchive.archive.local import LocalStore

KEY = "index/site=demo/date=2024-11-13/20241113T000000Z_20241114T000000Z.parquet"


def row(article_id: str, published: str | None = "2024-11-13T15:07:00+01:00", **extra: Any) -> dict[str, Any]:
    """A row the way the pipeline builds it: an ArticleRecord dict plus key and published_date."""
    base: dict[str, Any] = {
        "schema_version": 1,
        "id": article_id,
        "url": f"https://news.example/{article_id}",
        "canonical_url": f"https://news.example/{article_id}",
        "site": "demo",
        "title": f"Title {article_id}",
        "text": "never indexed",
        "authors": ["A. Writer", "B. Writer"],
        "published": published,
        "published_date": date(2024, 11, 13),
        "language": "fr",
        "section": "europe",
        "tags": ("ukraine",),
        "word_count": 321,
        "text_sha256": "0" * 64,
        "key": f"articles/site=demo/date=2024-11-13/{article_id}.json",
        "fetched_at": "2024-11-13T16:00:00Z",
    }
    base.update(extra)
    return base


def test_rows_to_table_matches_schema_and_drops_text() -> None:
    table = index_rows_to_table([row("aaaaaaaa"), row("bbbbbbbb", published=None, section=None)])
    assert table.schema == INDEX_SCHEMA
    assert "text" not in table.column_names
    assert table.num_rows == 2
    first = table.to_pylist()[0]
    assert first["authors"] == ["A. Writer", "B. Writer"]
    assert first["tags"] == ["ukraine"]
    assert first["published_date"] == date(2024, 11, 13)
    assert first["word_count"] == 321
    assert table.column("published").to_pylist() == ["2024-11-13T15:07:00+01:00", None]


def test_rows_accept_iso_date_strings_and_missing_optionals() -> None:
    minimal = {"id": "cccccccc", "url": "https://x/", "site": "demo", "key": "articles/k.json"}
    table = index_rows_to_table([row("aaaaaaaa", published_date="2024-11-12"), minimal])
    assert table.column("published_date").to_pylist() == [date(2024, 11, 12), None]
    assert table.column("authors").to_pylist()[1] is None
    assert index_rows_to_table([]).num_rows == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id": None}, "'id'"),
        ({"key": ""}, "'key'"),
        ({"authors": "A. Writer"}, "list of strings"),
        ({"word_count": "12"}, "word_count"),
        ({"published_date": "13/11/2024"}, "published_date"),
        ({"title": 5}, "'title'"),
    ],
)
def test_bad_rows_name_row_and_field(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(IndexFormatError, match=message) as info:
        index_rows_to_table([row("aaaaaaaa"), row("bbbbbbbb", **changes)])
    assert "row 1" in str(info.value)


def test_write_and_read_through_a_store(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    table = index_rows_to_table([row("aaaaaaaa"), row("bbbbbbbb")])
    write_index(store, KEY, table)
    assert store.head(KEY).content_type == PARQUET_CONTENT_TYPE
    back = read_index(store, KEY)
    assert back.equals(table)
    assert back.schema == INDEX_SCHEMA
    # Same table, same bytes: re-running a window rewrites an identical object.
    assert table_to_parquet(table) == store.get(KEY)
    with pytest.raises(KeyNotFound):
        read_index(store, KEY.replace("2024-11-13", "2024-11-14"))


def test_read_rejects_garbage_and_foreign_tables(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.put(KEY, b"PAR1 not really", content_type=PARQUET_CONTENT_TYPE)
    with pytest.raises(IndexFormatError, match="not readable Parquet"):
        read_index(store, KEY)
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(pa.table({"id": ["x"]}), sink)
    store.put(KEY, sink.getvalue().to_pybytes(), content_type=PARQUET_CONTENT_TYPE)
    with pytest.raises(IndexFormatError, match="lacks columns"):
        read_index(store, KEY)


def test_merge_new_wins_and_sorts_deterministically() -> None:
    old = index_rows_to_table(
        [
            row("cccccccc", published="2024-11-13T10:00:00Z", title="old c"),
            row("aaaaaaaa", published="2024-11-13T12:00:00Z", title="old a"),
            row("dddddddd", published=None, title="old d"),
        ]
    )
    new = index_rows_to_table(
        [
            row("aaaaaaaa", published="2024-11-13T09:00:00Z", title="new a (first)"),
            row("bbbbbbbb", published="2024-11-13T10:00:00Z", title="new b"),
            row("aaaaaaaa", published="2024-11-13T09:00:00Z", title="new a (last)"),
        ]
    )
    merged = merge_index(old, new)
    assert merged.schema == INDEX_SCHEMA
    assert merged.column("id").to_pylist() == ["aaaaaaaa", "bbbbbbbb", "cccccccc", "dddddddd"]
    assert merged.column("title").to_pylist() == ["new a (last)", "new b", "old c", "old d"]
    # Deterministic: same inputs, same table and same Parquet bytes, whatever the input order.
    again = merge_index(old.take([2, 1, 0]), new)
    assert again.equals(merged)
    assert table_to_parquet(again) == table_to_parquet(merged)
    assert merge_index(merged, index_rows_to_table([])).equals(merged)


def test_a_whole_parquet_object_is_read_with_every_column_asked_for() -> None:
    import io

    import pyarrow.parquet as pq

    from newsarchive.archive.parquetio import parquet_table

    sink = io.BytesIO()
    pq.write_table(pa.table({"id": ["a"], "key": ["k"]}), sink)
    data = sink.getvalue()
    assert parquet_table(data, "t").column_names == ["id", "key"]
    assert parquet_table(data, "t", ["key"]).to_pylist() == [{"key": "k"}]
    # pyarrow's ParquetFile.read would skip a missing column silently: a file lacking one is unreadable here.
    with pytest.raises(IndexFormatError, match="'bundle x' is not readable Parquet: no column 'record'"):
        parquet_table(data, "'bundle x'", ["id", "record"])
    with pytest.raises(IndexFormatError, match="'y' is not readable Parquet"):
        parquet_table(data[:-10], "'y'")
