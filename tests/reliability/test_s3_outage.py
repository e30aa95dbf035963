"""The S3 server goes away mid-run: the stage fails with StoreUnavailable after bounded retries; once the server is
back the retried stages complete, with no partial or corrupt object, no duplicate and a consistent report.

Two ways to go away, on a moto_server process of our own:
- frozen (SIGSTOP) while extract writes its articles: requests hang until the read timeout; memory (moto keeps
  its objects in RAM) survives SIGCONT, so what the failed attempt left behind can be inspected;
- stopped (terminated) before extract, or while crawl uploads: connections are refused. moto restarts empty
  on the same port, so the test puts back what durable storage would still hold (the bucket, and the crawl's
  WARC and stats when crawl had completed) before the retry.
"""

from __future__ import annotations

import io
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsarchive.archive.errors import StoreUnavailable
from newsarchive.archive.store import open_store
from newsarchive.demosite import truth
from tests.reliability.harness import read_all, run_stages, window_of
from tests.support import S3Server, write_site_config

WINDOW = window_of("2024-11-04T23:00:00+00:00", "2024-11-14T23:00:00+00:00")  # 12 demo articles
# Small but realistic: 2 attempts, 1 s to connect, 2 s to read. A failed stage must give up within this.
S3_ENV = {"NEWSARCHIVE_S3_MAX_ATTEMPTS": "2", "NEWSARCHIVE_S3_CONNECT_TIMEOUT": "1",
          "NEWSARCHIVE_S3_READ_TIMEOUT": "2"}
GIVE_UP_WITHIN_S = 30.0


@pytest.fixture
def s3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[S3Server]:
    """A moto_server of this test's own (it is stopped, frozen and restarted), with boto3 pointed at it."""
    server = S3Server(tmp_path)
    server.start()
    for name, value in {**server.env(), **S3_ENV}.items():
        monkeypatch.setenv(name, value)
    yield server
    if server.proc is not None:
        os.kill(server.proc.pid, signal.SIGCONT)
    server.stop()


@pytest.fixture
def outage_site(demo_site: Any, stage_env: Path) -> str:
    """The demo site's config under its own id."""
    write_site_config(stage_env / "sites", demo_site.url, site_id="outage")
    return "outage"


@pytest.fixture(scope="module")
def crawled(demo_site: Any, stage_env: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, bytes]]:
    """One crawl of the window into a local folder, shared: (its stage run, its raw/ objects by key)."""
    write_site_config(stage_env / "sites", demo_site.url, site_id="outage")
    url = (tmp_path_factory.mktemp("outage-crawl") / "archive").as_uri()
    run = run_stages("outage", WINDOW, url, stages=("crawl",))
    assert run.error is None, run.log_text()[-3000:]
    store = open_store(url)
    return run, {key: store.get(key) for key in store.list("raw/")}


def _restore(url: str, objects: dict[str, bytes]) -> None:
    """Put objects back into an archive (what durable storage holds after an outage)."""
    store = open_store(url)
    for key, data in objects.items():
        store.put(key, data, content_type="application/octet-stream")


def _expected_urls(site: Any) -> set[str]:
    return {site.url.rstrip("/") + a.path for a in truth.articles_between(WINDOW.start, WINDOW.end)}


def _assert_consistent(store: Any, expected_urls: set[str], report_key: str) -> None:
    """Every object intact, one article per expected URL and no other, index and report agreeing."""
    import json

    import pyarrow.parquet as pq

    objects = read_all(store)
    for obj in objects:
        assert obj.claimed_sha256 == obj.actual_sha256, f"{obj.key}: bytes do not match their sha256"
    article_keys = sorted(o.key for o in objects if o.key.startswith("articles/"))
    records = [json.loads(o.data) for o in objects if o.key.startswith("articles/")]
    assert sorted(r["canonical_url"] for r in records) == sorted(expected_urls), "articles lost or doubled"
    assert len({r["id"] for r in records}) == len(records)
    rows = [row for o in objects if o.key.startswith("index/") for row in pq.read_table(io.BytesIO(o.data)).to_pylist()]
    assert sorted(r["key"] for r in rows) == article_keys, "the index does not list exactly the stored articles"
    report = json.loads(store.get(report_key))
    assert report["status"] == "ok"
    assert report["articles"] == len(article_keys) == report["extract"]["counts"]["articles"]
    assert sorted(report["article_keys"]) == article_keys


def _assert_bounded_failure(run: Any, stage: str, endpoint: str) -> None:
    import traceback

    assert isinstance(run.error, StoreUnavailable), f"{stage}: {run.error!r}\n" + "".join(
        traceback.format_exception(run.error)) if run.error else "no error"
    message = str(run.error)
    assert endpoint in message and ("unavailable" in message or "after retries" in message), message
    assert run.seconds[stage] < GIVE_UP_WITHIN_S, f"{stage} took {run.seconds[stage]:.1f}s to give up"


def test_server_frozen_while_extract_writes(s3: S3Server, outage_site: str, demo_site: Any,
                                            crawled: tuple[Any, dict[str, bytes]]) -> None:
    s3.client().create_bucket(Bucket="outage")
    url = "s3://outage/archive"
    crawl_run, raw = crawled
    _restore(url, raw)  # the crawl stage's WARC and stats, as it uploaded them

    # Freeze the server once extract has written two articles (watched through a client of our own).
    watcher = s3.client()
    frozen = threading.Event()

    def freeze_after_two_articles() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not frozen.is_set():
            listed = watcher.list_objects_v2(Bucket="outage", Prefix="archive/articles/").get("KeyCount", 0)
            if listed >= 2:
                assert s3.proc is not None
                os.kill(s3.proc.pid, signal.SIGSTOP)
                frozen.set()
                return
            time.sleep(0.02)

    thread = threading.Thread(target=freeze_after_two_articles, daemon=True)
    thread.start()
    failed = run_stages(outage_site, WINDOW, url, stages=("extract",), previous=crawl_run.results)
    thread.join(timeout=5)
    assert frozen.is_set(), "extract finished before the freeze: nothing was tested"
    _assert_bounded_failure(failed, "extract", s3.endpoint)

    assert s3.proc is not None
    os.kill(s3.proc.pid, signal.SIGCONT)
    store = open_store(url)
    left = read_all(store)
    assert all(o.claimed_sha256 == o.actual_sha256 for o in left), "a partial object was left behind"
    assert not [o.key for o in left if o.key.startswith("reports/")], "no report for a failed run"

    retried = run_stages(outage_site, WINDOW, url, stages=("extract", "check"), previous=crawl_run.results)
    assert retried.error is None, retried.log_text()[-3000:]
    _assert_consistent(store, _expected_urls(demo_site), retried.results["check"]["report_key"])


def test_server_stopped_before_extract_and_restarted_empty(s3: S3Server, outage_site: str, demo_site: Any,
                                                          crawled: tuple[Any, dict[str, bytes]]) -> None:
    s3.client().create_bucket(Bucket="outage")
    url = "s3://outage/archive"
    crawl_run, raw = crawled
    _restore(url, raw)

    s3.stop()
    failed = run_stages(outage_site, WINDOW, url, stages=("extract",), previous=crawl_run.results)
    _assert_bounded_failure(failed, "extract", s3.endpoint)

    s3.start()  # same port, empty: the bucket and the crawl's objects come back as durable storage keeps them
    s3.client().create_bucket(Bucket="outage")
    _restore(url, raw)
    retried = run_stages(outage_site, WINDOW, url, stages=("extract", "check"), previous=crawl_run.results)
    assert retried.error is None, retried.log_text()[-3000:]
    _assert_consistent(open_store(url), _expected_urls(demo_site), retried.results["check"]["report_key"])


def test_server_stopped_while_crawl_uploads(s3: S3Server, outage_site: str) -> None:
    s3.client().create_bucket(Bucket="outage")
    url = "s3://outage/archive"
    s3.stop()
    failed = run_stages(outage_site, WINDOW, url, stages=("crawl",))
    _assert_bounded_failure(failed, "crawl", s3.endpoint)

    s3.start()
    s3.client().create_bucket(Bucket="outage")
    retried = run_stages(outage_site, WINDOW, url, stages=("crawl",))
    assert retried.error is None, retried.log_text()[-3000:]
    objects = read_all(open_store(url))
    assert sorted(o.key for o in objects) == sorted([retried.results["crawl"]["warc_key"],
                                                    retried.results["crawl"]["stats_key"]])
    assert all(o.claimed_sha256 == o.actual_sha256 for o in objects)
