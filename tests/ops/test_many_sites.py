"""Many sites at once through a real scheduler: the crawl pool's cap and every host's politeness hold.

Twelve site files point at three fixture servers (the generated site, each answering after 50 ms so requests
in flight overlap as on a network): five sites on host A and four on host B allow two requests at once
without delay, three on host C one request at a time, 0.3 s apart. The crawl pool has two slots, fewer
than the hosts. Every site's DAG is triggered at once, each for its own day. From the servers' own records
(when each request was being served), the test checks that no host ever had more requests in flight than
its sites allow, no two requests to host C came closer than Scrapy's randomised delay allows (0.5x to 1.5x
the configured delay), the crawls of sites sharing a host never interleaved (one crawl per host at a time:
crawls that found their host busy waited, then were rescheduled, as their logs say), no more crawls hit
the servers at once than the pool has slots (and that many did), and every run archived its window. Once
on the LocalExecutor (SQLite), once on Celery with two workers (Redis, Postgres).
"""

from __future__ import annotations

import itertools
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from ops_support import airflow_env
from support import S3Server, free_port
from test_distributed import services  # noqa: F401  (the Postgres and Redis fixture)

from demosite.generated import GeneratedSite, serve_generated, truth
from demosite.generated.config import write_site_config
from demosite.generated.corpus import FIRST_DAY, TZ
from pipeline.localstack import AirflowStack, StackError

pytestmark = pytest.mark.e2e
POOL_SLOTS = 2
LATENCY_S = 0.05
# host label -> (sites on it, concurrency, download delay)
HOSTS = {"A": (5, 2, 0.0), "B": (4, 2, 0.0), "C": (3, 1, 0.3)}
# Scrapy waits between 0.5x and 1.5x DOWNLOAD_DELAY (RANDOMIZE_DOWNLOAD_DELAY); timers get a little slack.
DELAY_FLOOR = 0.5 * 0.95


@dataclass(frozen=True)
class Site:
    """One site file of the fleet: its host, its day and the politeness it asks for."""

    id: str
    host: str
    day: date
    concurrency: int
    delay: float

    @property
    def dag_id(self) -> str:
        return f"news_{self.id}"

    @property
    def window(self) -> dict[str, str]:
        start = datetime.combine(self.day, time(0), tzinfo=TZ)
        return {"start": start.isoformat(), "end": (start + timedelta(days=1)).isoformat()}

    @property
    def day_path(self) -> str:
        """The part of a path that only this site's crawl requests (its day's archive page and articles)."""
        return f"/{self.day:%Y/%m/%d}/"


@dataclass
class Fleet:
    """The fixture servers and the site files pointing at them."""

    servers: dict[str, GeneratedSite]
    sites: list[Site]

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()


def start_fleet(sites_dir: Path) -> Fleet:
    """Three servers, twelve site files, each site its own day (days 40 to 51 of the generated site)."""
    servers = {label: serve_generated("127.0.0.1", 0, latency=LATENCY_S) for label in HOSTS}
    sites = []
    for label, (count, concurrency, delay) in HOSTS.items():
        for _ in range(count):
            site = Site(f"fleet{len(sites):02d}", label, FIRST_DAY + timedelta(days=40 + len(sites)), concurrency,
                        delay)
            write_site_config(sites_dir, servers[label].url, site.id, concurrency=concurrency, delay=delay,
                              max_section_pages=2, schedule="none")
            sites.append(site)
    return Fleet(servers, sites)


def run_fleet(airflow: AirflowStack, fleet: Fleet) -> dict[str, list[dict[str, Any]]]:
    """Unpause every site's DAG, trigger them all at once, wait; each site's task instances."""
    airflow.airflow("pools", "set", "newsarchive_crawl", str(POOL_SLOTS), "crawl pool of the many-sites test")
    for site in fleet.sites:
        airflow.unpause(site.dag_id)
    runs = {site.id: airflow.trigger(site.dag_id, site.window) for site in fleet.sites}
    tasks: dict[str, list[dict[str, Any]]] = {}
    for site in fleet.sites:
        run = airflow.wait_run(site.dag_id, runs[site.id], timeout=600)
        tasks[site.id] = airflow.task_instances(site.dag_id, runs[site.id])
        if run["state"] != "success":
            logs = "\n".join(f"--- {p}\n{p.read_text(errors='replace')[-3000:]}" for p in airflow.run_dir.glob("*.log"))
            raise StackError(f"{site.dag_id} ended {run['state']}: {tasks[site.id]}\n{logs}")
    return tasks


def most_at_once(spans: list[tuple[float, float]]) -> int:
    """The largest number of spans open at one instant (an end before a start at the same instant)."""
    events = sorted([(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans])
    most = now = 0
    for _, step in events:
        now += step
        most = max(most, now)
    return most


def check_politeness(fleet: Fleet) -> None:
    """Every host's requests: at most its concurrency in flight, at least its randomised delay apart."""
    for label, server in fleet.servers.items():
        _, concurrency, delay = HOSTS[label]
        exchanges = server.exchanges
        assert exchanges, f"host {label} was never requested"
        in_flight = most_at_once([(e.start, e.end) for e in exchanges])
        assert in_flight <= concurrency, f"host {label}: {in_flight} requests in flight, its sites allow {concurrency}"
        if delay:
            starts = sorted(e.start for e in exchanges)
            gap = min(b - a for a, b in itertools.pairwise(starts))
            assert gap >= DELAY_FLOOR * delay, f"host {label}: requests {gap:.3f}s apart, delay {delay}s"


def crawl_spans(fleet: Fleet) -> dict[str, tuple[str, float, float]]:
    """Each site's crawl as its host saw it: (host, first, last) of the requests only that site makes (its
    day's archive page and articles; robots.txt, feeds and sections are shared by the host's sites)."""
    spans = {}
    for site in fleet.sites:
        mine = [e for e in fleet.servers[site.host].exchanges if site.day_path in e.path]
        assert mine, f"{site.id} requested nothing of its day on host {site.host}"
        spans[site.id] = (site.host, min(e.start for e in mine), max(e.end for e in mine))
    return spans


def check_turns_and_pool(fleet: Fleet, logs: Path) -> None:
    """Crawls of one host never interleave; at most the pool's slots of crawls hit the servers at once, and
    that many did; some crawls found their host busy and waited (so the test did contend)."""
    spans = crawl_spans(fleet)
    for label in fleet.servers:
        on_host = [(start, end) for host, start, end in spans.values() if host == label]
        assert most_at_once(on_host) == 1, f"host {label}: crawls interleaved: {on_host}"
    assert most_at_once([(start, end) for _, start, end in spans.values()]) == POOL_SLOTS, spans
    waited = [p for p in logs.rglob("*.log") if "waiting for its turn" in p.read_text(errors="replace")]
    assert waited, "no crawl ever found its host busy: the test did not contend"


def check_tasks(tasks: dict[str, list[dict[str, Any]]]) -> None:
    """Every task succeeded; the crawls ran in the crawl pool."""
    assert all(ti["state"] == "success" for tis in tasks.values() for ti in tis), tasks
    assert {ti["pool"] for tis in tasks.values() for ti in tis if ti["task_id"] == "crawl"} == {"newsarchive_crawl"}


def check_archive(fleet: Fleet, keys: Any) -> None:
    """Each run archived its day's articles; every crawl left its host's queue."""
    for site in fleet.sites:
        start = datetime.fromisoformat(site.window["start"])
        expected = len(truth.articles_between(start, start + timedelta(days=1)))
        assert len(keys(f"articles/site={site.id}/")) == expected > 0, site.id
    assert keys("hosts/") == []


def s3_keys(s3_server: S3Server, bucket: str) -> Any:
    client = s3_server.client()

    def keys(prefix: str) -> list[str]:
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"archive/{prefix}")
        return [o["Key"] for p in pages for o in p.get("Contents", [])]

    return keys


@pytest.fixture
def fleet(tmp_path: Path) -> Iterator[Fleet]:
    servers = start_fleet(tmp_path / "sites")
    yield servers
    servers.stop()


def test_many_sites_on_the_local_executor(fleet: Fleet, tmp_path: Path, s3_server: S3Server) -> None:
    bucket = "many-local"
    s3_server.client().create_bucket(Bucket=bucket)
    home = tmp_path / "airflow"
    env = airflow_env(home, free_port(), tmp_path / "sites", f"s3://{bucket}/archive", s3_server.endpoint)
    airflow = AirflowStack(env=env, port=int(env["NEWSARCHIVE_AIRFLOW_PORT"]), run_dir=home / "run")
    airflow.init_db()
    airflow.start()
    try:
        tasks = run_fleet(airflow, fleet)
    finally:
        airflow.stop()
    check_tasks(tasks)
    check_politeness(fleet)
    check_turns_and_pool(fleet, tmp_path)
    check_archive(fleet, s3_keys(s3_server, bucket))


@dataclass
class TwoWorkerStack(AirflowStack):
    """An AirflowStack on Celery with two workers, each its own process, AIRFLOW_HOME and host name."""

    worker_envs: tuple[dict[str, str], ...] = ()

    def start(self, timeout: float = 240) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        for n, env in enumerate(self.worker_envs, start=1):
            log = (self.run_dir / f"celery-worker-{n}.log").open("ab")
            self.procs[f"celery-worker-{n}"] = subprocess.Popen(
                [self._airflow_exe(), "celery", "worker", "--concurrency", "3"], env=env, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)
        super().start(timeout)


def test_many_sites_on_celery_with_two_workers(fleet: Fleet, tmp_path: Path, s3_server: S3Server,
                                               services: dict[str, str]) -> None:  # noqa: F811
    bucket = "many-celery"
    s3_server.client().create_bucket(Bucket=bucket)
    home = tmp_path / "airflow"
    env = airflow_env(home, free_port(), tmp_path / "sites", f"s3://{bucket}/archive", s3_server.endpoint)
    pg_url, redis_url = services["NEWSARCHIVE_TEST_PG_URL"], services["NEWSARCHIVE_TEST_REDIS_URL"]
    env.update({
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": pg_url,
        "AIRFLOW__CELERY__BROKER_URL": redis_url, "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + pg_url,
    })
    workers = []
    for n in (1, 2):
        worker_home = tmp_path / f"worker-{n}"
        workers.append({
            **env, "AIRFLOW_HOME": str(worker_home), "NEWSARCHIVE_WORK_DIR": str(worker_home / "work"),
            "AIRFLOW__CORE__HOSTNAME_CALLABLE": "ops_support.worker_hostname",
            "NEWSARCHIVE_TEST_WORKER_NAME": f"worker-{n}",
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "PYTHONPATH": os.pathsep.join(p for p in (str(Path(__file__).parent), os.environ.get("PYTHONPATH")) if p),
        })
    airflow = TwoWorkerStack(env=env, port=int(env["NEWSARCHIVE_AIRFLOW_PORT"]), run_dir=home / "run",
                             worker_envs=tuple(workers))
    airflow.init_db()
    airflow.start()
    try:
        tasks = run_fleet(airflow, fleet)
    finally:
        airflow.stop()
    hosts = {ti["hostname"] for tis in tasks.values() for ti in tis}
    assert hosts == {"worker-1", "worker-2"}, hosts  # both workers took tasks
    check_tasks(tasks)
    check_politeness(fleet)
    check_turns_and_pool(fleet, tmp_path)
    check_archive(fleet, s3_keys(s3_server, bucket))


def test_span_helpers() -> None:
    assert most_at_once([(0, 1), (1, 2), (2, 3)]) == 1
    assert most_at_once([(0, 2), (1, 3), (1.5, 1.6)]) == 3
    assert Site("x", "A", FIRST_DAY, 1, 0.0).window == {"start": "2024-12-01T00:00:00+01:00",
                                                         "end": "2024-12-02T00:00:00+01:00"}
