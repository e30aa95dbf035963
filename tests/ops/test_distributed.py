"""Scale out: the same DAGs on CeleryExecutor, Redis as broker, Postgres as metadata DB, run by a Celery worker.

The worker is its own process with its own AIRFLOW_HOME and work folder, and records its own host name on the
task instances; the archive is on an S3 API server, so the tasks share nothing on local disk. Postgres and
Redis come from Debian packages, started by scripts/distributed-test.sh (services-up) on free ports, unless
NEWSARCHIVE_TEST_PG_URL and NEWSARCHIVE_TEST_REDIS_URL name running ones.
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from newsarchive.instants import parse_window
from newsarchive.pipeline.localstack import AirflowStack, StackError
from tests.ops.ops_support import DEMO_DAG, airflow_env, celery_worker_env
from tests.support import S3Server, free_port, write_site_config

pytestmark = pytest.mark.e2e
WINDOW = {"start": "2024-11-01T00:00:00+00:00", "end": "2024-11-08T00:00:00+00:00"}
WORKER_NAME = "celery-worker-1"


@dataclass
class CeleryStack(AirflowStack):
    """AirflowStack plus a Celery worker process with its own environment (its own AIRFLOW_HOME)."""

    worker_env: dict[str, str] = field(default_factory=dict)

    def start(self, timeout: float = 240) -> None:
        """Start the worker, then api-server, scheduler and dag-processor; wait until healthy."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        log = (self.run_dir / "celery-worker.log").open("ab")
        self.procs["celery-worker"] = subprocess.Popen(
            [self._airflow_exe(), "celery", "worker", "--concurrency", "2"], env=self.worker_env, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True)
        super().start(timeout)


def _psql(pg_url: str, sql: str) -> str:
    """Run SQL on the test Postgres with psql (trust auth on 127.0.0.1)."""
    url = pg_url.replace("postgresql+psycopg2://", "postgresql://")
    return subprocess.run(["psql", url, "-tAc", sql], capture_output=True, text=True, timeout=30,
                          check=True).stdout.strip()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, services: dict[str, str], s3_server: S3Server,
          demo_site: Any) -> Iterator[Any]:
    """Airflow on CeleryExecutor: components in one AIRFLOW_HOME, the worker in another."""
    home, worker_home = tmp_path_factory.mktemp("airflow-celery"), tmp_path_factory.mktemp("celery-worker")
    write_site_config(home / "sites", demo_site.url)
    s3_server.client().create_bucket(Bucket="celery-archive")
    port = free_port()
    env = airflow_env(home, port, home / "sites", "s3://celery-archive/archive", s3_server.endpoint)
    pg_url, redis_url = services["NEWSARCHIVE_TEST_PG_URL"], services["NEWSARCHIVE_TEST_REDIS_URL"]
    env.update({
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": pg_url,
        "AIRFLOW__CELERY__BROKER_URL": redis_url,
        # Celery's database backend names the driver too (SQLAlchemy 2.1 defaults to psycopg 3 otherwise).
        "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + pg_url,
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
    })
    worker_env = celery_worker_env(env, worker_home, WORKER_NAME)
    airflow = CeleryStack(env=env, port=port, run_dir=home / "run", worker_env=worker_env)
    airflow.init_db()
    try:
        airflow.start()
        airflow.unpause(DEMO_DAG)
        yield airflow, home, worker_home, pg_url
    finally:
        airflow.stop()


def test_a_run_on_celery_succeeds_on_the_worker_with_the_archive_complete(stack: Any, s3_server: S3Server) -> None:
    airflow, home, worker_home, pg_url = stack
    run_id = airflow.trigger(DEMO_DAG, WINDOW)
    run = airflow.wait_run(DEMO_DAG, run_id, timeout=360)
    tis = airflow.task_instances(DEMO_DAG, run_id)
    if run["state"] != "success":
        logs = "\n".join(f"--- {p}\n{p.read_text(errors='replace')[-3000:]}" for p in airflow.run_dir.glob("*.log"))
        raise StackError(f"run ended {run['state']}: {tis}\n{logs}")

    # Every task ran on the Celery worker: its host name, its log folder, Celery's result rows in Postgres.
    assert {ti["task_id"]: ti["hostname"] for ti in tis} == dict.fromkeys(("crawl", "extract", "check"), WORKER_NAME)
    assert all(ti["state"] == "success" and ti["queue"] == "default" for ti in tis)
    run_folder = f"dag_id={DEMO_DAG}/run_id={run_id}"
    assert sorted(p.name for p in (worker_home / "logs" / run_folder).iterdir()) == [
        "task_id=check", "task_id=crawl", "task_id=extract"]
    assert not (home / "logs" / run_folder).exists()
    # Celery stores a task's result just after the task reports success to Airflow: allow it a moment.
    deadline = time.monotonic() + 30
    while int(_psql(pg_url, "select count(*) from celery_taskmeta where status = 'SUCCESS'")) < 3:
        assert time.monotonic() < deadline, _psql(pg_url, "select status, count(*) from celery_taskmeta group by 1")
        time.sleep(1)
    assert _psql(pg_url, "select count(*) from dag_run where state = 'success'") == "1"

    # The archive is complete on S3: WARC, one JSON per article of the window, index, and the report last.
    from newsarchive.archive import keys
    from newsarchive.demosite import truth

    window = parse_window(WINDOW["start"], WINDOW["end"])
    expected = list(truth.articles_between(window.start, window.end))
    client = s3_server.client()
    listed = client.list_objects_v2(Bucket="celery-archive", Prefix="archive/").get("Contents", [])
    stored = {o["Key"].removeprefix("archive/") for o in listed}
    raw_folder = keys.raw_window_prefix("demo", window.start, window.end)  # one WARC per crawl attempt
    assert [k for k in stored if k.startswith(raw_folder) and k.endswith(".warc.gz")]
    assert len([k for k in stored if k.startswith("articles/site=demo/")]) == len(expected) >= 5
    assert any(k.startswith("index/site=demo/") for k in stored)
    report_key = keys.report_key("demo", window.start, window.end)
    report = json.loads(client.get_object(Bucket="celery-archive", Key=f"archive/{report_key}")["Body"].read())
    assert report["status"] == "ok" and report["articles"] == len(expected)
    # The "News archive" page reads the same run from Postgres and the archive from S3.
    with urllib.request.urlopen(f"{airflow.base_url}/newsarchive/api/sites", timeout=60) as response:
        [row] = json.loads(response.read())
    assert (row["site_id"], row["last_run"]["state"], row["last_articles"]) == ("demo", "success", len(expected))
    # Nothing of the run stayed in the components' or the worker's scratch folders.
    for work in (home / "work", worker_home / "work"):
        assert not work.exists() or not any(work.iterdir())
