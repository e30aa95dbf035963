"""Two runs writing one article at once lose no text: the article object is written conditionally on what was
read (S3 If-Match / If-None-Match on moto_server, a folder lock locally), so the writer that loses the race
reads the winner's record and decides again (issue 13: no second run may corrupt a window).

The race is forced, not hoped for: the store is wrapped so that a competing run writes its record right after
this writer has read the object and before it writes.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from extract import ArticleRecord, RawRef
from newsarchive.archive.local import LocalStore
from newsarchive.archive.store import open_store
from newsarchive.pipeline.versions import list_versions, write_article

KEY = "articles/site=gen/date=2025-01-15/0123456789abcdef.json"


def record(text: str, modified: str, fetched_at: str) -> ArticleRecord:
    url = "http://gen.example/world/2025/01/15/a-1"
    return ArticleRecord(
        id="0123456789abcdef", url=url, canonical_url=url, site="gen", title="A", text=text,
        published="2025-01-15T09:00:00+01:00", modified=modified, fetched_at=fetched_at,
        raw=RawRef(warc_key="raw/site=gen/date=2025-01-14/x.warc.gz", offset=0))


class RacingStore:
    """A real store whose next read of ``key`` lets a competing run write ``competitor`` first, once."""

    def __init__(self, store: Any, competitor: ArticleRecord) -> None:
        self._store, self._competitor, self._raced = store, competitor, False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def _race(self, key: str) -> None:
        if key == KEY and not self._raced:
            self._raced = True
            write_article(self._store, KEY, self._competitor)  # the other run, between our read and write

    def get(self, key: str) -> bytes:
        try:
            return bytes(self._store.get(key))
        finally:  # found or not (KeyNotFound), the other run writes now
            self._race(key)

    def get_tagged(self, key: str) -> Any:
        try:
            return self._store.get_tagged(key)
        finally:
            self._race(key)


@pytest.fixture(params=["folder", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    if request.param == "folder":
        return LocalStore(tmp_path)
    bucket = request.getfixturevalue("s3_bucket")
    return open_store(f"s3://{bucket}/archive")


def texts(store: Any) -> set[str]:
    """Every text the archive holds for the article: the latest and each version."""
    keys = [KEY, *list_versions(store, "gen", "0123456789abcdef")]
    return {json.loads(store.get(k))["text"] for k in keys}


@pytest.mark.parametrize("first_exists", [False, True], ids=["new-article", "updated-article"])
def test_a_write_that_loses_the_race_keeps_both_texts(store: Any, first_exists: bool) -> None:
    original = record("as first published", "2025-01-15T09:00:00+01:00", "2025-01-15T12:00:00+00:00")
    if first_exists:
        write_article(store, KEY, original)
    ours = record("our fetch: an update", "2025-01-16T09:00:00+01:00", "2025-01-16T12:00:00+00:00")
    theirs = record("their fetch: a later update", "2025-01-17T09:00:00+01:00", "2025-01-17T12:00:00+00:00")

    write_article(RacingStore(store, theirs), KEY, ours)

    expected = {ours.text, theirs.text} | ({original.text} if first_exists else set())
    assert texts(store) == expected  # no text lost to the race
    assert json.loads(store.get(KEY))["text"] == theirs.text  # the newest version holds the article key


def test_many_writers_at_once_keep_every_text(store: Any) -> None:
    versions = [record(f"text number {i}", f"2025-01-{15 + i:02d}T09:00:00+01:00",
                       f"2025-01-{15 + i:02d}T12:00:00+00:00") for i in range(6)]
    barrier = threading.Barrier(len(versions))
    errors: list[BaseException] = []

    def write(version: ArticleRecord) -> None:
        try:
            barrier.wait()
            write_article(store, KEY, version)
        except BaseException as exc:  # reported below, with the thread's own failure
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(v,)) for v in versions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert texts(store) == {v.text for v in versions}
    assert json.loads(store.get(KEY))["text"] == versions[-1].text
