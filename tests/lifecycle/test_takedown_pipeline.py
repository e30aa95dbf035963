"""Takedowns in the pipeline, on the generated site: the raw responses overwritten, later crawls skip the URL,
re-extraction does not bring it back, and a takedown while the window is being extracted loses nothing else
and is not undone by that extract's writes (every interleaving point, on a folder and on S3)."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from extract.record import article_id
from newsarchive.archive.local import LocalStore
from newsarchive.archive.reader import Archive
from newsarchive.archive.store import Store, open_store
from newsarchive.archive.warc import iter_responses, read_response_at
from newsarchive.demosite.generated import GeneratedSite, serve_generated, truth
from newsarchive.demosite.generated.config import write_site_config
from newsarchive.demosite.generated.corpus import TZ, UPDATABLE_DAY
from newsarchive.instants import Window
from newsarchive.pipeline import stages
from newsarchive.pipeline.extract_stage import extract_window
from newsarchive.pipeline.sites import load_sites
from newsarchive.pipeline.takedown import takedown

AT = "2025-02-01T10:00:00+00:00"
WINDOW = Window(datetime.combine(UPDATABLE_DAY, time(), tzinfo=TZ),
                datetime.combine(UPDATABLE_DAY, time(), tzinfo=TZ) + timedelta(days=1))


@dataclass(frozen=True)
class Seed:
    """One crawl of the window, kept to be extracted again into fresh archives."""

    site: GeneratedSite
    sites_dir: Path
    warc_key: str
    warc: bytes
    stats: bytes
    control: dict[str, dict[str, Any]]  # id -> record, as a plain extract of the WARC writes them

    def config(self) -> Any:
        return load_sites(self.sites_dir).get("gen")

    def load(self, store: Store) -> None:
        """Put the crawl's WARC and stats into a fresh archive (as the crawl stage left them)."""
        store.put(self.warc_key, self.warc, content_type="application/warc")
        store.put(self.warc_key.removesuffix(".warc.gz") + ".crawl.json", self.stats, content_type="application/json")

    def victim(self) -> tuple[str, str]:
        """The article taken down: the window's third, by its canonical URL."""
        article = truth.articles_between(WINDOW.start, WINDOW.end)[2]
        url = truth.url(article, self.site.url)
        return url, article_id(url)


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seed]:
    site = serve_generated("127.0.0.1", 0)
    tmp = tmp_path_factory.mktemp("takedown-pipeline")
    with pytest.MonkeyPatch.context() as monkeypatch:
        sites_dir = tmp / "sites"
        write_site_config(sites_dir, site.url, "gen")
        monkeypatch.setenv("NEWSARCHIVE_SITES_DIR", str(sites_dir))
        monkeypatch.setenv("NEWSARCHIVE_WORK_DIR", str(tmp / "work"))
        store = LocalStore(tmp / "seed")
        crawl = stages.crawl("gen", WINDOW, url=store.url)
        extracted = stages.extract("gen", WINDOW, crawl.warc_key, url=store.url)
        assert extracted.counts.articles == 5
        control = {r["id"]: r for r in Archive(store).articles()}
        yield Seed(site, sites_dir, crawl.warc_key, store.get(crawl.warc_key),
                   store.get(crawl.stats_key), control)
    site.stop()


@pytest.fixture
def env(seed: Seed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSARCHIVE_SITES_DIR", str(seed.sites_dir))
    monkeypatch.setenv("NEWSARCHIVE_WORK_DIR", str(tmp_path / "work"))


@pytest.fixture(params=["local", "s3"])
def archive_url(request: pytest.FixtureRequest, tmp_path: Path, env: None) -> str:
    if request.param == "local":
        return (tmp_path / "archive").as_uri()
    return f"s3://{request.getfixturevalue('s3_bucket')}/archive"


def assert_only_the_victim_is_gone(store: Store, seed: Seed, life: ModuleType, victim: str) -> None:
    assert all(victim not in ids for ids in life.ids_everywhere(store).values())
    expected = {i: r for i, r in seed.control.items() if i != victim}
    got = {r["id"]: r for r in Archive(store).articles()}
    assert set(got) == set(expected) and len(expected) == 4
    for record_id, record in got.items():  # the other articles exactly as a plain run writes them
        assert {k: v for k, v in record.items() if k != "raw"} == {
            k: v for k, v in expected[record_id].items() if k != "raw"}
    assert {r["id"] for r in Archive(store, bundles=False).articles()} == set(expected)


def test_takedown_in_the_pipeline(seed: Seed, archive_url: str, life: ModuleType) -> None:
    store = open_store(archive_url)
    seed.load(store)
    extract_window(seed.config(), WINDOW, store, seed.warc_key)
    url, victim = seed.victim()
    result = takedown(store, "gen", url=url, reason="court order", requested_at=AT)
    assert result["raw"]["records_overwritten"] >= 2 and result["raw"]["warcs"] == [seed.warc_key]
    assert_only_the_victim_is_gone(store, seed, life, victim)
    warc = store.get(seed.warc_key)
    assert not [r for r in iter_responses(io.BytesIO(warc)) if r.target_uri.startswith(url)]
    for record in Archive(store).articles():  # every other raw reference still points at its response
        response = read_response_at(io.BytesIO(warc), record["raw"]["offset"])
        assert response.target_uri == record["url"]
    stats = json.loads(store.get(seed.warc_key.removesuffix(".warc.gz") + ".crawl.json"))
    assert url not in {a["url"] for a in stats["articles"]} and len(stats["articles"]) >= 4

    # Re-extraction from the stored WARC does not bring it back.
    stages.reextract("gen", WINDOW, url=archive_url)
    assert_only_the_victim_is_gone(store, seed, life, victim)
    # A later crawl of the window does not request it, and the extract leaves it out.
    before = len(seed.site.requests)
    crawl = stages.crawl("gen", WINDOW, url=archive_url)
    requested = [r.path for r in seed.site.requests[before:]]
    assert not [p for p in requested if p.split("?")[0].rstrip("/") == url.split(seed.site.url.rstrip("/"))[1]]
    extracted = stages.extract("gen", WINDOW, crawl.warc_key, url=archive_url)
    assert victim not in {key.rsplit("/", 1)[1][:16] for key in extracted.article_keys}
    assert_only_the_victim_is_gone(store, seed, life, victim)
    for key in store.list("raw/"):
        if key.endswith(".warc.gz"):
            assert not [r for r in iter_responses(io.BytesIO(store.get(key))) if r.target_uri.startswith(url)]


def nth(operation: str | tuple[str, ...], prefix: str, n: int = 1) -> Callable[[], Callable[[str, str], bool]]:
    """A trigger factory: the n-th ``operation`` (or one of several) on a key (or listing prefix) starting with
    ``prefix``."""
    operations = (operation,) if isinstance(operation, str) else operation

    def trigger() -> Callable[[str, str], bool]:
        seen = Counter[str]()

        def hit(op: str, key: str) -> bool:
            if op in operations and key.startswith(prefix):
                seen["hits"] += 1
                return seen["hits"] == n
            return False

        return hit

    return trigger


SCENARIOS = {
    # The extract checked the takedown list before the takedown existed; the takedown runs entirely...
    # ...between two of its article writes (conditional writes: put_if)
    "after-its-first-article": nth(("put", "put_if"), "articles/", 2),
    "before-its-bundle": nth("put", "bundles/"),  # ...after its articles, before its bundle and index
    "before-its-index": nth("put", "index/"),  # ...between its bundle and its index
    "before-its-check": nth("list", "takedowns/", 2),  # ...after all its writes, before its check
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_a_takedown_while_the_window_is_extracted(seed: Seed, archive_url: str, life: ModuleType,
                                                  scenario: str) -> None:
    store = open_store(archive_url)
    seed.load(store)
    url, victim = seed.victim()
    trigger, ran = SCENARIOS[scenario](), []

    def hook(operation: str, key: str) -> None:
        if not ran and trigger(operation, key):
            ran.append(takedown(store, "gen", url=url, reason="court order", requested_at=AT))

    result = extract_window(seed.config(), WINDOW, life.HookStore(store, hook), seed.warc_key)
    assert ran, f"the takedown never ran ({scenario})"
    assert_only_the_victim_is_gone(store, seed, life, victim)
    assert result.counts.taken_down == 1  # the extract's own check found it and removed it again
    assert victim not in {key.rsplit("/", 1)[1][:16] for key in result.article_keys}


def test_a_takedown_that_loses_the_race_for_an_index_file(seed: Seed, archive_url: str, life: ModuleType,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    """A rerun of the window (which checked the takedown list before the takedown) rewrites the index file
    the takedown has just read: the takedown's conditional write fails, it reads the file again; the rerun's
    own check removes the article it wrote. Nothing of the other articles is lost."""
    caplog.set_level(logging.INFO, logger="newsarchive.archive.takedown")
    store = open_store(archive_url)
    seed.load(store)
    extract_window(seed.config(), WINDOW, store, seed.warc_key)
    url, victim = seed.victim()
    takedown_read_the_index, rerun_done = threading.Event(), threading.Event()
    lost: list[str] = []

    def rerun_hook(operation: str, key: str) -> None:
        if operation == "put" and key.startswith("index/") and not takedown_read_the_index.is_set():
            assert takedown_read_the_index.wait(60), "the takedown never reached the index file"

    def takedown_hook(operation: str, key: str) -> None:
        if operation == "put_if" and key.startswith("index/") and not rerun_done.is_set():
            lost.append(key)
            takedown_read_the_index.set()
            assert rerun_done.wait(120), "the rerun never finished"

    def rerun() -> None:
        try:
            extract_window(seed.config(), WINDOW, life.HookStore(store, rerun_hook), seed.warc_key)
        finally:
            rerun_done.set()

    thread = threading.Thread(target=rerun)
    thread.start()
    # The rerun's takedown-list check has run once it waits at its index write; only then the takedown starts.
    result = takedown(life.HookStore(store, takedown_hook), "gen", url=url, reason="court order", requested_at=AT)
    thread.join(120)
    assert lost and not thread.is_alive()
    assert f"{lost[0]} changed while removing taken-down rows" in caplog.text  # its conditional write lost
    assert result["ids"] == [victim]
    assert_only_the_victim_is_gone(store, seed, life, victim)
