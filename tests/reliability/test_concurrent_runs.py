"""Two runs of one window at once (crawl + extract + check, each in a process of its own, as two Airflow workers or
two operators would start them), the second 0.5 s after the first, against a local folder and against an S3 API
server: both WARCs are kept, every record's raw pointer resolves to its own response, nothing is lost and nothing
is archived twice.

Crawls of one host take turns (``pipeline.hostlease``), so the second crawl starts when the first one ends, while
the first run extracts. Whether the second crawl reads the archive before or after the first run wrote it is a race
the pipeline must survive either way: before, it fetches every article again and both runs write the same window at
once; after, it skips them as already archived. The waiting crawl looks again every 0.2 s here, so the first case is
the usual one, and the test asserts only what must hold in both."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from newsarchive.archive.index import read_index
from newsarchive.archive.store import open_store
from newsarchive.archive.warc import iter_responses, read_response_at
from newsarchive.demosite import truth
from newsarchive.demosite.hostile_server import serve
from newsarchive.pipeline.raw import window_warc_keys
from tests.reliability.harness import window_of
from tests.support import write_site_config

ROOT = Path(__file__).resolve().parents[2]
WINDOW = window_of("2024-11-04T23:00:00+00:00", "2024-11-14T23:00:00+00:00")  # 12 demo articles
DELAY_S = 0.1  # every answer of the site: each crawl takes a few seconds, so the two runs overlap
APART_S = 0.5
POLL_S = 0.2  # how often the second crawl looks for its host's turn: it starts right after the first crawl
ARTICLE_PREFIXES = ("/fr/", "/en/")


@pytest.fixture(scope="module")
def slow_site() -> Iterator[Any]:
    """The demo site answering every request after DELAY_S."""
    site = serve(delay_s=DELAY_S)
    yield site
    site.stop()


def _start_run(site_id: str, archive_url: str, stage_env: Path) -> subprocess.Popen[str]:
    """`newsarchive run` for the window in a process of its own."""
    env = {**os.environ, "NEWSARCHIVE_SITES_DIR": str(stage_env / "sites"),
           "NEWSARCHIVE_WORK_DIR": str(stage_env / "work"), "NEWSARCHIVE_HOST_POLL_S": str(POLL_S)}
    cmd = [sys.executable, "-m", "newsarchive.pipeline.cli", "run", site_id, "--start", WINDOW.start.isoformat(),
           "--end", WINDOW.end.isoformat(), "--archive", archive_url]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.parametrize("where", ["folder", "s3"])
def test_two_runs_of_one_window_at_once_lose_nothing(where: str, slow_site: Any, stage_env: Path, tmp_path: Path,
                                                     request: pytest.FixtureRequest) -> None:
    if where == "s3":
        bucket = request.getfixturevalue("s3_bucket")  # points the environment at the S3 server
        archive_url = f"s3://{bucket}/archive"
    else:
        archive_url = (tmp_path / "archive").as_uri()
    site_id = f"twice-{where}"
    path = write_site_config(stage_env / "sites", slow_site.url, site_id=site_id)
    path.write_text(path.read_text(encoding="utf-8").replace("concurrency = 8", "concurrency = 2"), encoding="utf-8")
    since = len(slow_site.requests)

    first = _start_run(site_id, archive_url, stage_env)
    time.sleep(APART_S)
    second = _start_run(site_id, archive_url, stage_env)
    outputs = [proc.communicate(timeout=600)[0] for proc in (first, second)]
    for proc, output in zip((first, second), outputs, strict=True):
        assert proc.returncode == 0, output[-4000:]

    store = open_store(archive_url)
    expected = sorted(slow_site.url.rstrip("/") + a.path for a in truth.articles_between(WINDOW.start, WINDOW.end))
    # Both crawls kept their own WARC.
    warc_keys = window_warc_keys(store, site_id, WINDOW)
    assert len(warc_keys) == 2, warc_keys
    warcs = {key: store.get(key) for key in warc_keys}

    # Nothing lost: every article page the site served, as often as it served it, is in one of the WARCs, and
    # every article of the window was served (by the first crawl at least; the second may have found it archived).
    served = Counter(r.path for r in slow_site.requests[since:] if r.path.startswith(ARTICLE_PREFIXES)
                     and r.status == 200)
    kept = Counter(urlsplit(r.target_uri).path for data in warcs.values() for r in iter_responses(io.BytesIO(data))
                   if r.status == 200 and urlsplit(r.target_uri).path.startswith(ARTICLE_PREFIXES))
    assert kept == served, (kept, served)
    assert {urlsplit(url).path for url in expected} <= set(served), (expected, served)

    # Every record's raw pointer resolves to its own response, in a WARC that exists.
    records = [json.loads(store.get(k)) for k in store.list(f"articles/site={site_id}/")]
    for record in records:
        assert record["raw"]["warc_key"] in warcs, record["raw"]
        response = read_response_at(io.BytesIO(warcs[record["raw"]["warc_key"]]), record["raw"]["offset"])
        assert response.target_uri == record["url"] and response.status == 200
        assert _instant(response.fetched_at) == _instant(record["fetched_at"])

    # Nothing twice: one object and one index row per article of the window, the report counting exactly them.
    assert sorted(r["canonical_url"] for r in records) == expected
    rows = [row for key in store.list(f"index/site={site_id}/") for row in read_index(store, key).to_pylist()]
    assert sorted(row["id"] for row in rows) == sorted(r["id"] for r in records)
    report = json.loads(store.get(f"reports/site={site_id}/{WINDOW.start:%Y%m%dT%H%M%SZ}_"
                                  f"{WINDOW.end:%Y%m%dT%H%M%SZ}.json"))
    assert report["status"] == "ok" and report["articles"] == len(expected)
