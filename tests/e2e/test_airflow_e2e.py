"""End to end through a real Airflow: api-server + scheduler + dag-processor processes (LocalExecutor, SQLite),
the demo site over HTTP, and the archive on a real S3 API server process (moto_server), reached through the
Airflow connection `newsarchive_s3` (no AWS variables in the components' environment).
"""

from __future__ import annotations

import io
import json
import os
import secrets
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest

from newsarchive.archive.keys import bundle_key_for
from newsarchive.instants import parse_window
from newsarchive.pipeline.localstack import AirflowStack
from tests.support import S3Server, free_port, write_site_config

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.e2e
DAG_ID = "news_demo"
PARIS = ZoneInfo("Europe/Paris")
WINDOW = {"start": "2024-11-01T00:00:00+00:00", "end": "2024-11-16T00:00:00+00:00"}


class Archive:
    """Read access to the test bucket, straight through boto3 (independent of the code under test)."""

    def __init__(self, s3: S3Server, bucket: str, prefix: str) -> None:
        self.client, self.bucket, self.prefix = s3.client(), bucket, prefix

    def keys(self) -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix + "/")
        return sorted(o["Key"][len(self.prefix) + 1:] for p in pages for o in p.get("Contents", []))

    def get(self, key: str) -> bytes:
        return bytes(self.client.get_object(Bucket=self.bucket, Key=f"{self.prefix}/{key}")["Body"].read())

    def json(self, key: str) -> Any:
        return json.loads(self.get(key))


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, s3_server: S3Server, demo_site: Any) -> Iterator[Any]:
    """Airflow's components in a fresh AIRFLOW_HOME, pointed at the demo site and a fresh bucket."""
    home = tmp_path_factory.mktemp("airflow")
    sites = home / "sites"
    write_site_config(sites, demo_site.url)
    bucket = "e2e-archive"
    s3_server.client().create_bucket(Bucket=bucket)
    conn = {"conn_type": "aws", "login": "testing-key-id", "password": "testing-secret-key",
            "extra": {"endpoint_url": s3_server.endpoint, "region_name": "us-east-1"}}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AIRFLOW", "NEWSARCHIVE"))}
    port = free_port()
    env.update({
        "AIRFLOW_HOME": str(home), "AIRFLOW_CONFIG": str(ROOT / "airflow.cfg"), "NEWSARCHIVE_HOME": str(ROOT),
        "NEWSARCHIVE_AIRFLOW_PORT": str(port), "NEWSARCHIVE_SITES_DIR": str(sites),
        "NEWSARCHIVE_URL": f"s3://{bucket}/archive", "NEWSARCHIVE_WORK_DIR": str(home / "work"),
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(64),
        "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
        "AIRFLOW_CONN_NEWSARCHIVE_S3": json.dumps(conn),
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "PATH": f"{Path(sys.executable).parent}:{env.get('PATH', '')}",
    })
    airflow = AirflowStack(env=env, port=port, run_dir=home / "run")
    airflow.init_db()
    airflow.start()
    airflow.unpause(DAG_ID)
    airflow.unpause("example_downstream")
    try:
        yield airflow, Archive(s3_server, bucket, "archive"), demo_site, home
    finally:
        airflow.stop()


def _wait_success(airflow: AirflowStack, run_id: str, home: Path) -> dict[str, Any]:
    run = airflow.wait_run(DAG_ID, run_id, timeout=420)
    if run["state"] != "success":
        logs = "\n".join(f"--- {p}\n{p.read_text(errors='replace')[-4000:]}" for p in (home / "logs").rglob("*.log"))
        raise AssertionError(f"run {run_id} ended {run['state']}: {airflow.task_instances(DAG_ID, run_id)}\n{logs}")
    return run


def _truth_between(start: str, end: str) -> list[Any]:
    from newsarchive.demosite import truth

    window = parse_window(start, end)
    return list(truth.articles_between(window.start, window.end))


def test_manual_run_archives_the_window(stack: Any) -> None:
    airflow, archive, site, home = stack
    _wait_success(airflow, airflow.trigger(DAG_ID, WINDOW), home)
    keys = archive.keys()
    expected = _truth_between(WINDOW["start"], WINDOW["end"])
    assert len(expected) >= 10

    # The WARC holds every response, the article pages among them.
    from newsarchive.archive.warc import iter_responses

    window = parse_window(WINDOW["start"], WINDOW["end"])
    warc_keys = [k for k in keys if k.startswith("raw/") and k.endswith(".warc.gz")]
    label = f"{window.start:%Y%m%dT%H%M%SZ}_{window.end:%Y%m%dT%H%M%SZ}"
    # One WARC per crawl attempt, under the window's folder (raw/site=S/date=D/<window>/<attempt>.warc.gz).
    assert len(warc_keys) == 1 and warc_keys[0].startswith(f"raw/site=demo/date=2024-11-01/{label}/"), warc_keys
    responses = list(iter_responses(io.BytesIO(archive.get(warc_keys[0]))))
    fetched = {r.target_uri for r in responses if r.status == 200}
    for article in expected:
        assert site.url.rstrip("/") + article.path in fetched
    assert any(r.target_uri.endswith("/robots.txt") for r in responses)
    assert any(r.role == "feed" for r in responses) and any(r.role == "sitemap" for r in responses)

    # One article JSON per article published in the window, with its metadata and clean text.
    article_keys = [k for k in keys if k.startswith("articles/")]
    records = {r["canonical_url"]: r for r in (archive.json(k) for k in article_keys)}
    assert sorted(records) == sorted(site.url.rstrip("/") + a.path for a in expected)
    for article in expected:
        record = records[site.url.rstrip("/") + article.path]
        assert record["title"] == article.title
        assert record["published"] == article.published
        assert record["language"] == article.lang
        day = datetime.fromisoformat(article.published).astimezone(PARIS).date()
        assert f"articles/site=demo/date={day}/{record['id']}.json" in article_keys
        lines = record["text"].split("\n")
        for body_line in article.body:
            assert body_line in lines, (article.path, body_line)
        for residue in article.residue:
            assert residue not in lines, (article.path, residue)
        if article.sample:
            for residue in (r for r in article.residue if len(r) > 12):
                assert residue not in record["text"], (article.sample, residue)

    # The index and the report agree with what was written.
    index_keys = [k for k in keys if k.startswith("index/")]
    assert index_keys
    # Each index file has its bundle (the same rows' records, for bulk pulls), and no bundle is orphaned.
    assert sorted(bundle_key_for(k) for k in index_keys) == sorted(k for k in keys if k.startswith("bundles/"))
    report = archive.json(f"reports/site=demo/{label}.json")
    assert report["status"] == "ok"
    assert report["articles"] == len(expected) == len(article_keys)
    assert sorted(report["article_keys"]) == sorted(article_keys)
    assert report["extract"]["counts"]["articles"] == len(expected)
    assert report["extract"]["bundle_keys"] == [bundle_key_for(k) for k in report["extract"]["index_keys"]]
    assert sorted(report["extract"]["bundle_keys"]) == sorted(k for k in keys if k.startswith("bundles/"))

    # The check task's Asset event triggers the example downstream DAG, which reads exactly those articles.
    downstream = _wait_for_downstream_run(airflow, home)
    summary = airflow.api("GET", f"/api/v2/dags/example_downstream/dagRuns/{quote(downstream, safe='')}"
                          "/taskInstances/summarise/xcomEntries/return_value")["value"]
    assert summary["articles_read"] == len(article_keys)
    assert summary["keys"] == sorted(article_keys)


def _wait_for_downstream_run(airflow: AirflowStack, home: Path) -> str:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        runs = [r for r in airflow.runs("example_downstream") if r["run_type"] == "asset_triggered"]
        if runs:
            run = airflow.wait_run("example_downstream", runs[0]["dag_run_id"], timeout=180)
            assert run["state"] == "success", airflow.task_instances("example_downstream", run["dag_run_id"])
            return str(run["dag_run_id"])
        time.sleep(2)
    raise AssertionError(f"no asset-triggered run of example_downstream; logs in {home}")


def test_rerunning_a_window_leaves_the_same_keys(stack: Any) -> None:
    airflow, archive, _, home = stack
    before = archive.keys()
    assert before, "runs in order: the first test archived this window"
    _wait_success(airflow, airflow.trigger(DAG_ID, WINDOW), home)
    after = archive.keys()
    # Every derived key is a pure function of the window: the same objects again, nothing added.
    assert [k for k in after if not k.startswith("raw/")] == [k for k in before if not k.startswith("raw/")]
    # The raw layer is append-only: the rerun's crawl added its own WARC and crawl numbers, changed nothing.
    window = parse_window(WINDOW["start"], WINDOW["end"])
    added = sorted(set(after) - set(before))
    assert set(before) <= set(after) and len(added) == 2, added
    assert all(k.startswith(f"raw/site=demo/date=2024-11-01/{window.start:%Y%m%dT%H%M%SZ}_") for k in added)


def test_backfill_archives_each_day_into_its_own_window(stack: Any) -> None:
    airflow, archive, _, home = stack
    # Backfill dates are instants (UTC unless they carry an offset): the demo's days start at Paris midnight.
    day = "2024-11-13T00:00:00+01:00"
    airflow.airflow("backfill", "create", "--dag-id", DAG_ID, "--from-date", day, "--to-date", day)
    backfills = [r for r in airflow.runs(DAG_ID) if r["run_type"] == "backfill"]
    assert len(backfills) == 1, backfills
    run = _wait_success(airflow, backfills[0]["dag_run_id"], home)
    start = datetime(2024, 11, 13, tzinfo=PARIS)
    assert datetime.fromisoformat(run["data_interval_start"]) == start
    expected = _truth_between("2024-11-12T23:00:00+00:00", "2024-11-13T23:00:00+00:00")
    assert expected, "the demo site publishes on 2024-11-13"
    report = archive.json("reports/site=demo/20241112T230000Z_20241113T230000Z.json")
    assert report["articles"] == len(expected)
    for key in report["article_keys"]:
        assert key.startswith("articles/site=demo/date=2024-11-13/")


def test_maintenance_compacts_closed_months_without_changing_the_records(stack: Any, s3_server: S3Server) -> None:
    """The news_maintenance DAG (real scheduler, the S3 connection) folds the demo's closed months into one file
    per kind and month: the same records before and after, no daily index or bundle left in those months."""
    from newsarchive.archive.reader import Archive as Reader
    from newsarchive.archive.s3 import S3Options, S3Store

    airflow, archive, _, home = stack
    options = S3Options(endpoint_url=s3_server.endpoint, region="us-east-1", access_key_id="testing-key-id",
                        secret_access_key="testing-secret-key")
    reader = Reader(S3Store.from_url("s3://e2e-archive/archive", options))
    before = (reader.index().to_pylist(), list(reader.articles()))
    assert before[0], "runs in order: the earlier tests archived the demo's November"
    airflow.unpause("news_maintenance")
    run_id = airflow.trigger("news_maintenance", {"sites": ["demo"], "as_of": "2025-01-10"})
    run = airflow.wait_run("news_maintenance", run_id, timeout=420)
    assert run["state"] == "success", (airflow.task_instances("news_maintenance", run_id), home)
    keys = archive.keys()
    assert "index/site=demo/month=2024-11/compacted.parquet" in keys
    assert "bundles/site=demo/month=2024-11/compacted.parquet" in keys
    assert not [k for k in keys if k.startswith(("index/", "bundles/")) and "/date=2024-11-" in k]
    assert (reader.index().to_pylist(), list(reader.articles())) == before
