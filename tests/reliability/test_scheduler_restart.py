"""A real Airflow (api-server, scheduler, dag-processor processes; LocalExecutor on SQLite) loses its scheduler while a
run's crawl task is running: the scheduler's whole process group (its executor workers, the task and the spider
with it) is SIGKILLed, a new scheduler starts, resets the orphaned task, and the run finishes successfully.

The same run checks that the S3 connection's secret shows in no log file, no XCom value and no stored object, and
that the api-server listens on loopback only.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsarchive.archive.s3 import S3Options
from newsarchive.archive.store import open_store
from newsarchive.demosite import truth
from newsarchive.demosite.hostile_server import serve
from newsarchive.instants import parse_window
from newsarchive.pipeline.localstack import AirflowStack
from tests.reliability.harness import read_all, wait_until
from tests.support import S3Server, free_port, write_site_config

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
SITE = "restart"
DAG_ID = f"news_{SITE}"
WINDOW = {"start": "2024-11-04T23:00:00+00:00", "end": "2024-11-14T23:00:00+00:00"}  # 12 demo articles
SECRET = f"airflow-conn-secret-{secrets.token_hex(12)}"
# Short enough that the new scheduler resets the dead one's tasks within seconds, not minutes.
FAST_RECOVERY = {
    "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_THRESHOLD": "10",
    "AIRFLOW__SCHEDULER__ORPHANED_TASKS_CHECK_INTERVAL": "5",
    "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "60",
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AirflowStack, Any, S3Server, Path]]:
    """Airflow against a slow demo site (every answer delayed) and an S3 server of its own."""
    home = tmp_path_factory.mktemp("airflow-restart")
    site = serve(delay_s=0.3)
    s3 = S3Server(home)
    s3.start()
    airflow: AirflowStack | None = None
    try:
        config = write_site_config(home / "sites", site.url, site_id=SITE)
        config.write_text(config.read_text().replace("concurrency = 8", "concurrency = 2"))
        s3.client().create_bucket(Bucket="restart")
        conn = {"conn_type": "aws", "login": "restart-key-id", "password": SECRET,
                "extra": {"endpoint_url": s3.endpoint, "region_name": "us-east-1"}}
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AIRFLOW", "NEWSARCHIVE"))}
        port = free_port()
        env.update({
            "AIRFLOW_HOME": str(home), "AIRFLOW_CONFIG": str(ROOT / "airflow.cfg"), "NEWSARCHIVE_HOME": str(ROOT),
            "NEWSARCHIVE_AIRFLOW_PORT": str(port), "NEWSARCHIVE_SITES_DIR": str(home / "sites"),
            "NEWSARCHIVE_URL": "s3://restart/archive", "NEWSARCHIVE_WORK_DIR": str(home / "work"),
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(64),
            "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
            "AIRFLOW_CONN_NEWSARCHIVE_S3": json.dumps(conn),
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "PATH": f"{Path(sys.executable).parent}:{env.get('PATH', '')}",
            **FAST_RECOVERY,
        })
        airflow = AirflowStack(env=env, port=port, run_dir=home / "run")
        airflow.init_db()
        airflow.start()
        airflow.unpause(DAG_ID)
        yield airflow, site, s3, home
    finally:
        if airflow is not None:
            airflow.stop()
        s3.stop()
        site.stop()


def _restart_scheduler(airflow: AirflowStack) -> int:
    """SIGKILL the scheduler's process group (executor workers and running tasks die with it); start a new one."""
    old = airflow.procs["scheduler"]
    os.killpg(old.pid, signal.SIGKILL)
    old.wait(timeout=30)
    log = (airflow.run_dir / "scheduler.log").open("ab")
    proc = subprocess.Popen([str(Path(sys.executable).with_name("airflow")), "scheduler"], env=airflow.env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    airflow.procs["scheduler"] = proc
    (airflow.run_dir / "scheduler.pid").write_text(str(proc.pid))
    return old.pid


def _task_state(airflow: AirflowStack, run_id: str, task_id: str) -> str | None:
    states = {t["task_id"]: t["state"] for t in airflow.task_instances(DAG_ID, run_id)}
    return states.get(task_id)


def _listening_addresses(port: int) -> set[str]:
    """Local addresses with a listening TCP socket on port (/proc/net/tcp, IPv4)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if state == "0A" and int(hex_port, 16) == port:  # 0A = LISTEN
            found.add(".".join(str(int(address[i:i + 2], 16)) for i in (6, 4, 2, 0)))
    return found


def test_run_finishes_after_a_scheduler_restart(stack: tuple[AirflowStack, Any, S3Server, Path]) -> None:
    airflow, site, s3, home = stack
    assert _listening_addresses(airflow.port) == {"127.0.0.1"}, "the api-server must bind loopback only"

    started = time.monotonic()
    run_id = airflow.trigger(DAG_ID, WINDOW)
    before = len(site.requests)
    wait_until(lambda: _task_state(airflow, run_id, "crawl") == "running"
               and len(site.requests) - before >= 5, timeout=240, interval=1, what="the crawl task running")
    killed_pid = _restart_scheduler(airflow)
    assert airflow.procs["scheduler"].pid != killed_pid
    killed_at = len(site.requests)

    run = airflow.wait_run(DAG_ID, run_id, timeout=420)
    tasks = airflow.task_instances(DAG_ID, run_id)
    assert run["state"] == "success", (run, tasks, _log_tail(home))
    assert len(site.requests) > killed_at, "the crawl ran again after the restart"
    tries = {t["task_id"]: t["try_number"] for t in tasks}
    assert tries["crawl"] >= 2, "the killed crawl attempt was run again"
    print(f"scheduler restart: run finished {time.monotonic() - started:.0f}s after its trigger; tries {tries}")

    # The window is complete: every article once, a report saying so.
    opts = S3Options(endpoint_url=s3.endpoint, region="us-east-1", access_key_id="restart-key-id",
                     secret_access_key=SECRET)
    store = open_store("s3://restart/archive", s3=opts)
    window = parse_window(WINDOW["start"], WINDOW["end"])
    expected = sorted(site.url.rstrip("/") + a.path for a in truth.articles_between(window.start, window.end))
    records = [json.loads(store.get(k)) for k in store.list("articles/")]
    assert sorted(r["canonical_url"] for r in records) == expected
    objects = read_all(store)
    assert all(o.claimed_sha256 == o.actual_sha256 for o in objects)

    # The connection's secret is in no log, no XCom value, no stored object.
    logs = [p for p in home.rglob("*.log") if p.is_file()] + [p for p in (home / "logs").rglob("*") if p.is_file()]
    assert logs
    for path in logs:
        assert SECRET not in path.read_text(errors="replace"), f"the S3 secret leaked into {path}"
    for task in ("crawl", "extract", "check"):
        entry = airflow.api("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{urllib.parse.quote(run_id, safe='')}"
                                   f"/taskInstances/{task}/xcomEntries/return_value")
        assert SECRET not in json.dumps(entry), f"the S3 secret leaked into the XCom of {task}"
    for obj in objects:
        assert SECRET.encode() not in obj.data, f"the S3 secret leaked into {obj.key}"


def _log_tail(home: Path) -> str:
    parts = []
    for path in sorted(home.rglob("*.log")):
        parts.append(f"--- {path}\n{path.read_text(errors='replace')[-3000:]}")
    return "\n".join(parts)[-20000:]
