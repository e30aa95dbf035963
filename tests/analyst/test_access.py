"""The ``access`` field through the archive: index column, reader and ``pull --access`` filters, exports,
and archives written before schema version 2 (no ``access`` in records, no column in index files)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pyarrow.parquet as pq
import pytest

from newsarchive.archive.index import INDEX_SCHEMA, PARQUET_CONTENT_TYPE, index_rows_to_table
from newsarchive.archive.keys import index_key
from newsarchive.archive.local import LocalStore
from newsarchive.archive.reader import Archive
from newsarchive.pipeline.analyst_cli import main
from newsarchive.pipeline.extract_stage import index_row


def _archive(tmp_path: Path, worlds: ModuleType) -> tuple[LocalStore, dict[str, Any]]:
    """Three new records (free, paywalled, metered) in one window, and one record of an old archive: its
    JSON without ``access`` (schema version 1) and its index file without the column."""
    store = LocalStore(tmp_path / "archive")
    free = worlds.make_record("alpha", "free1", "2024-11-01T08:00:00+00:00")
    walled = replace(worlds.make_record("alpha", "wall1", "2024-11-01T09:00:00+00:00"), access="paywalled")
    metered = replace(worlds.make_record("alpha", "meter1", "2024-11-01T10:00:00+00:00"), access="metered")
    worlds.write_window(store, "2024-11-01/2024-11-02", [free, walled, metered])
    old = worlds.make_record("alpha", "old1", "2024-11-03T08:00:00+00:00")
    old_json = {k: v for k, v in old.to_dict().items() if k != "access"} | {"schema_version": 1}
    day = date(2024, 11, 3)
    key = f"articles/site=alpha/date={day.isoformat()}/{old.id}.json"
    store.put(key, json.dumps(old_json, sort_keys=True).encode("utf-8"), content_type="application/json")
    start, end = worlds.parse_window("2024-11-03/2024-11-04")
    table = index_rows_to_table([index_row(old, key, day)]).drop_columns(["access"])  # a schema-1 index file
    store.put(index_key("alpha", day, start, end), _parquet(table), content_type=PARQUET_CONTENT_TYPE)
    return store, {"free": free, "paywalled": walled, "metered": metered, "old": old, "old_json": old_json}


def _parquet(table: Any) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def test_index_has_access_and_old_files_read_as_null(tmp_path: Path, worlds: ModuleType) -> None:
    store, made = _archive(tmp_path, worlds)
    index = Archive(store).index(site="alpha")
    assert index.schema == INDEX_SCHEMA
    got = dict(zip(index.column("id").to_pylist(), index.column("access").to_pylist(), strict=True))
    assert got == {made["free"].id: "free", made["paywalled"].id: "paywalled", made["metered"].id: "metered",
                   made["old"].id: None}


@pytest.mark.parametrize(
    ("access", "expected"),
    [("free", ["free"]), ("paywalled", ["paywalled"]), (["paywalled", "metered"], ["paywalled", "metered"]),
     ("METERED", ["metered"]), (None, ["free", "paywalled", "metered", "old"])],
)
def test_reader_filters_on_access(tmp_path: Path, worlds: ModuleType, access: Any, expected: list[str]) -> None:
    store, made = _archive(tmp_path, worlds)
    records = list(Archive(store).articles(site="alpha", access=access))
    assert [r["id"] for r in records] == [made[name].id for name in expected]


def test_old_records_come_back_unchanged(tmp_path: Path, worlds: ModuleType) -> None:
    store, made = _archive(tmp_path, worlds)
    records = {r["id"]: r for r in Archive(store).articles(site="alpha")}
    assert records[made["old"].id] == made["old_json"]  # no access key invented
    assert records[made["paywalled"].id]["access"] == "paywalled"


def test_pull_access_and_exports(tmp_path: Path, worlds: ModuleType, capsysbinary: Any) -> None:
    store, _ = _archive(tmp_path, worlds)
    code = main(["pull", "--archive", str(store.root), "--access", "paywalled", "--access", "metered"])
    out, err = capsysbinary.readouterr()
    assert (code, err) == (0, b"")
    assert [json.loads(line)["access"] for line in out.decode().splitlines()] == ["paywalled", "metered"]
    target = tmp_path / "all.csv"
    assert main(["pull", "--archive", str(store.root), "-o", str(target)]) == 0
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"), newline="")))
    assert [row["access"] for row in rows] == ["free", "paywalled", "metered", ""]
    parquet = tmp_path / "all.parquet"
    assert main(["pull", "--archive", str(store.root), "-o", str(parquet)]) == 0
    assert pq.read_table(parquet).column("access").to_pylist() == ["free", "paywalled", "metered", None]


def test_pull_bad_access_is_a_usage_error(tmp_path: Path, worlds: ModuleType, capsysbinary: Any) -> None:
    store, _ = _archive(tmp_path, worlds)
    code = main(["pull", "--archive", str(store.root), "--access", "subscribers"])
    _, err = capsysbinary.readouterr()
    assert code == 2
    assert "access" in err.decode() and "free, paywalled, metered" in err.decode()


def test_reader_and_extractor_agree_on_the_access_values() -> None:
    from extract.access import ACCESS_VALUES
    from newsarchive.archive.query import ACCESS_VALUES as READER_VALUES
    from newsarchive.archive.schema import article_schema

    assert READER_VALUES == ACCESS_VALUES == tuple(article_schema()["properties"]["access"]["enum"])
