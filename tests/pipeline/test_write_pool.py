"""The second pass's write workers (newsarchive.pipeline.write_pool), on the soup site's archive: on an S3 API
server they write the archive the task process writes, byte for byte; a day that fails in a worker fails the stage
with the store's own error, as in the task process; workers that cannot start fail it with WriteWorkerError; and
only a store another process can open the same way is handed to them."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from extract.sitewide import SitewideCleaner
from newsarchive.archive.errors import ArchiveError
from newsarchive.archive.local import LocalStore
from newsarchive.archive.s3 import S3Store
from newsarchive.archive.store import Store, open_store, store_opener
from newsarchive.demosite.soup.config import write_site_config
from newsarchive.demosite.soup.server import serve_soup
from newsarchive.instants import parse_window
from newsarchive.pipeline import extract_pool, stages, write_pool
from newsarchive.pipeline.extract_pool import spawn_worker
from newsarchive.pipeline.extract_write import DayJob
from newsarchive.pipeline.write_pool import DayWriters, WriteWorkerError, parallel_min_articles

WINDOW = parse_window("2024-12-01", "2024-12-08")
MODES = {"task process": "1000000", "write workers": "0"}  # NEWSARCHIVE_WRITE_PARALLEL_MIN_ARTICLES


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder with the soup site's config (sites/) and an archive holding two crawls of WINDOW (archive/)."""
    root = tmp_path_factory.mktemp("write-pool")
    site = serve_soup()
    try:
        write_site_config(root / "sites", site.url)
        with pytest.MonkeyPatch.context() as env:
            env.setenv("NEWSARCHIVE_SITES_DIR", str(root / "sites"))
            env.setenv("NEWSARCHIVE_WORK_DIR", str(root / "work"))
            for _ in range(2):  # two crawl attempts: two WARCs for the window
                stages.crawl("soup", WINDOW, url=(root / "archive").as_uri())
    finally:
        site.stop()
    yield root


@pytest.fixture
def site_env(crawled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NEWSARCHIVE_SITES_DIR", str(crawled / "sites"))
    monkeypatch.setenv("NEWSARCHIVE_WORK_DIR", str(tmp_path / "work"))
    monkeypatch.setenv("NEWSARCHIVE_EXTRACT_WORKERS", "2")
    return crawled


def _copy_raw(source: Store, target: Store) -> None:
    for key in source.list("raw/"):
        target.put(key, source.get(key), content_type=source.head(key).content_type)


def _objects(store: Store) -> dict[str, bytes]:
    return {key: store.get(key) for key in store.list("")}


def test_write_workers_write_on_s3_what_the_task_process_writes(site_env: Path, s3_bucket: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    written = {}
    for mode, minimum in MODES.items():
        monkeypatch.setenv("NEWSARCHIVE_WRITE_PARALLEL_MIN_ARTICLES", minimum)
        url = f"s3://{s3_bucket}/{mode.replace(' ', '-')}"
        _copy_raw(open_store(str(site_env / "archive")), open_store(url))
        result = stages.extract("soup", WINDOW, None, url=url)
        assert result.counts.articles > 1
        written[mode] = _objects(open_store(url))
    assert len({key.split("/")[2] for key in written["write workers"] if key.startswith("articles/")}) > 1
    assert written["write workers"] == written["task process"]


def test_the_stage_starts_its_extract_workers_once_for_every_warc(site_env: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # Every worker process of the stage, for pages and for days, is started through spawn_worker: count them.
    monkeypatch.setenv("NEWSARCHIVE_WRITE_PARALLEL_MIN_ARTICLES", "0")
    started: list[str] = []

    def counting(module: str) -> subprocess.Popen[bytes]:
        started.append(module)
        return spawn_worker(module)

    monkeypatch.setattr(extract_pool, "spawn_worker", counting)
    monkeypatch.setattr(write_pool, "spawn_worker", counting)
    shutil.copytree(site_env / "archive", tmp_path / "archive")
    result = stages.extract("soup", WINDOW, None, url=(tmp_path / "archive").as_uri())
    assert result.counts.warcs == 2 and result.counts.articles > 1 and result.counts.extract_worker_restarts == 0
    # Two extract workers for both WARCs' pages, then two write workers for the days.
    assert started == ["newsarchive.pipeline.extract_worker"] * 2 + ["newsarchive.pipeline.write_worker"] * 2


@pytest.mark.parametrize("mode", MODES)
def test_a_day_that_cannot_be_written_fails_the_stage_with_the_store_error(mode: str, site_env: Path,
                                                                          tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSARCHIVE_WRITE_PARALLEL_MIN_ARTICLES", MODES[mode])
    archive = tmp_path / "archive"
    shutil.copytree(site_env / "archive", archive)
    days = sorted({key.split("/")[2] for key in _first_extract(site_env, tmp_path)})
    broken = archive / "articles" / "site=soup" / days[-1]
    broken.parent.mkdir(parents=True)
    broken.write_text("a file where the day's folder goes")  # the day's article objects cannot be written
    with pytest.raises(ArchiveError, match="a parent of it is an existing object") as failed:
        stages.extract("soup", WINDOW, None, url=archive.as_uri())
    in_worker = any("in write worker" in note for note in getattr(failed.value, "__notes__", []))
    assert in_worker == (mode == "write workers")
    assert broken.read_text() == "a file where the day's folder goes"


def _first_extract(site_env: Path, tmp_path: Path) -> list[str]:
    """The article keys the window's extract writes on a fresh copy of the crawled archive."""
    shutil.copytree(site_env / "archive", tmp_path / "first")
    return list(stages.extract("soup", WINDOW, None, url=(tmp_path / "first").as_uri()).article_keys)


def test_workers_that_cannot_open_the_archive_fail_with_a_clear_error(site_env: Path, tmp_path: Path) -> None:
    spill = tmp_path / "records.spill"
    spill.write_bytes(b"")
    job = DayJob(stages.get_site("soup"), WINDOW, SitewideCleaner(), frozenset())
    writers = DayWriters(2, partial(open_store, "nope://archive"), spill, job)
    with pytest.raises(WriteWorkerError, match=r"could not start:[\s\S]*unsupported archive URL"):
        writers.__enter__()
    assert not writers.writers  # stopped


class _Subclass(LocalStore):
    """A store that behaves differently from what reopening its URL would give (as a test's wrapper does)."""


def test_only_stores_another_process_opens_the_same_way_get_an_opener(tmp_path: Path, s3_bucket: str) -> None:
    local = LocalStore(tmp_path / "a")
    opener = store_opener(local)
    assert opener is not None
    reopened = opener()
    assert type(reopened) is LocalStore and reopened.root == local.root
    assert store_opener(_Subclass(tmp_path / "b")) is None
    s3 = open_store(f"s3://{s3_bucket}/prefix")
    opener = store_opener(s3)
    assert opener is not None
    reopened = opener()
    assert isinstance(reopened, S3Store) and reopened.url == s3.url
    assert isinstance(s3, S3Store)
    assert store_opener(S3Store(s3_bucket, "prefix", s3.client)) is None  # a client of its own: options unknown
    assert store_opener(S3Store.from_url(s3.url, part_size=32 << 20)) is None  # tuned unlike open_store's


@pytest.mark.parametrize(("value", "expected"), [("", 500), ("0", 0), (" 1200 ", 1200)])
def test_parallel_minimum_from_the_environment(value: str, expected: int) -> None:
    assert parallel_min_articles({"NEWSARCHIVE_WRITE_PARALLEL_MIN_ARTICLES": value}) == expected


@pytest.mark.parametrize("value", ["-1", "many", "1.5"])
def test_a_bad_parallel_minimum_is_a_clear_error(value: str) -> None:
    with pytest.raises(ValueError, match="NEWSARCHIVE_WRITE_PARALLEL_MIN_ARTICLES"):
        parallel_min_articles({"NEWSARCHIVE_WRITE_PARALLEL_MIN_ARTICLES": value})
