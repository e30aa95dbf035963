"""Many sites at once through a real scheduler: the crawl pool's cap and every host's politeness hold.

Eight site files point at three fixture servers (the generated site, each answering after 50 ms so requests
in flight overlap as on a network): three sites on host A and three on host B allow two requests at once
without delay, two on host C one request at a time, 0.3 s apart. The crawl pool has two slots, fewer
than the hosts. Every site's DAG is triggered at once, each for its own day, while the test itself holds
host A's turn until a crawl of host A has queued behind it (so crawls do contend for a host).

From the servers' own records (when each request was being served), the test checks that no host ever had
more requests in flight than its sites allow, no two requests to host C came closer than Scrapy's
randomised delay allows (0.5x to 1.5x the configured delay), host A got no request while the test held its
turn, the crawls of sites sharing a host never interleaved, and no more crawls hit the servers at once than
the pool has slots; from Airflow's API, polled throughout, that the running crawl tasks never outnumbered
the pool's slots and filled them; and that every run archived its window. Once on the LocalExecutor
(SQLite), once on Celery with two workers (Redis, Postgres).
"""

from __future__ import annotations

import itertools
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from time import monotonic, sleep
from typing import Any

import pytest

from newsarchive.archive.store import open_store
from newsarchive.demosite.generated import GeneratedSite, serve_generated, truth
from newsarchive.demosite.generated.config import write_site_config
from newsarchive.demosite.generated.corpus import FIRST_DAY, TZ
from newsarchive.pipeline.hostlease import host_id, host_turn
from newsarchive.pipeline.localstack import AirflowStack, StackError
from tests.ops.ops_support import airflow_env, celery_worker_env
from tests.support import S3Server, free_port, most_at_once

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]
POOL_SLOTS = 2
LATENCY_S = 0.05
# host label -> (sites on it, concurrency, download delay)
HOSTS = {"A": (3, 2, 0.0), "B": (3, 2, 0.0), "C": (2, 1, 0.3)}
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
        start = datetime.combine(self.day, clock_time(0), tzinfo=TZ)
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
    """Three servers, eight site files, each site its own day (from day 40 of the generated site on)."""
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


@dataclass
class FleetRun:
    """What running the fleet recorded: task instances by site, the most crawl tasks running at once
    (polled), and when the test held host A's turn (monotonic seconds)."""

    tasks: dict[str, list[dict[str, Any]]]
    most_running: int
    held: tuple[float, float]


def _poll_running(airflow: AirflowStack, stop: threading.Event, counts: list[int]) -> None:
    path = "/api/v2/dags/~/dagRuns/~/taskInstances?task_id=crawl&state=running&limit=1"
    while not stop.wait(3):  # gently: the LocalExecutor test runs on SQLite
        try:
            counts.append(int(airflow.api("GET", path)["total_entries"]))
        except (OSError, StackError):
            continue


def _hold_host(store: Any, url: str, held: list[float], done: threading.Event) -> None:
    """Hold the host's turn until another crawl queues behind it (at most 300 s)."""
    with host_turn(store, url, "the test itself"):
        held.append(monotonic())
        deadline = monotonic() + 300
        while monotonic() < deadline and len(list(store.list(f"hosts/host={host_id(url)}/tickets/"))) < 2:
            sleep(0.2)
        sleep(1)  # the queued crawl looks again while the host is still held
        held.append(monotonic())
    done.set()


def run_fleet(airflow: AirflowStack, fleet: Fleet, store: Any) -> FleetRun:
    """Unpause every site's DAG; hold host A's turn; trigger them all at once; wait for every run."""
    airflow.airflow("pools", "set", "newsarchive_crawl", str(POOL_SLOTS), "crawl pool of the many-sites test")
    for site in fleet.sites:
        airflow.unpause(site.dag_id)
    stop, released = threading.Event(), threading.Event()
    counts: list[int] = []
    held: list[float] = []
    poller = threading.Thread(target=_poll_running, args=(airflow, stop, counts), daemon=True)
    holder = threading.Thread(target=_hold_host, args=(store, fleet.servers["A"].url, held, released), daemon=True)
    poller.start()
    holder.start()
    runs = {site.id: airflow.trigger(site.dag_id, site.window) for site in fleet.sites}
    tasks: dict[str, list[dict[str, Any]]] = {}
    try:
        for site in fleet.sites:
            run = airflow.wait_run(site.dag_id, runs[site.id], timeout=900)
            tasks[site.id] = airflow.task_instances(site.dag_id, runs[site.id])
            if run["state"] != "success":
                logs = "\n".join(f"--- {p}\n{p.read_text(errors='replace')[-3000:]}"
                                 for p in airflow.run_dir.glob("*.log"))
                raise StackError(f"{site.dag_id} ended {run['state']}: {tasks[site.id]}\n{logs}")
    finally:
        stop.set()
        poller.join(timeout=10)
    assert released.wait(timeout=10) and len(held) == 2
    return FleetRun(tasks, max(counts, default=0), (held[0], held[1]))


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


def server_crawls(server: GeneratedSite) -> list[tuple[float, float]]:
    """The crawls a host served, one after another: each starts with its robots.txt request."""
    exchanges = sorted(server.exchanges, key=lambda e: e.start)
    starts = [n for n, e in enumerate(exchanges) if e.path == "/robots.txt"]
    assert starts and starts[0] == 0, "a crawl began without robots.txt"
    bounds = [*starts, len(exchanges)]
    return [(exchanges[a].start, max(e.end for e in exchanges[a:b])) for a, b in itertools.pairwise(bounds)]


def check_turns_and_pool(fleet: Fleet, run: FleetRun, logs: Path) -> None:
    """One crawl per host at a time, none on host A while the test held it, the crawls that found their host
    busy waited; the crawl pool's cap held in Airflow's books and at the servers, and was reached."""
    spans = crawl_spans(fleet)
    for label in fleet.servers:
        on_host = [(start, end) for host, start, end in spans.values() if host == label]
        assert most_at_once(on_host) == 1, f"host {label}: crawls interleaved: {on_host}"
    during = [e.path for e in fleet.servers["A"].exchanges if run.held[0] < e.start < run.held[1]]
    assert during == [], f"host A was requested while the test held its turn: {during[:5]}"
    waited = [p for p in logs.rglob("*.log") if "waiting for its turn" in p.read_text(errors="replace")]
    assert waited, "no crawl task ever found its host busy"
    assert run.most_running == POOL_SLOTS, f"{run.most_running} crawl tasks ran at once, the pool has {POOL_SLOTS}"
    crawls = [span for server in fleet.servers.values() for span in server_crawls(server)]
    assert len(crawls) == len(fleet.sites) and most_at_once(crawls) <= POOL_SLOTS


def check_tasks(run: FleetRun) -> None:
    """Every task succeeded; the crawls ran in the crawl pool."""
    tis = [ti for tasks in run.tasks.values() for ti in tasks]
    assert all(ti["state"] == "success" for ti in tis), tis
    assert {ti["pool"] for ti in tis if ti["task_id"] == "crawl"} == {"newsarchive_crawl"}


def check_archive(fleet: Fleet, keys: Any) -> None:
    """Each run archived its day's articles; every crawl left its host's queue."""
    for site in fleet.sites:
        start = datetime.fromisoformat(site.window["start"])
        expected = len(truth.articles_between(start, start + timedelta(days=1)))
        assert len(keys(f"articles/site={site.id}/")) == expected > 0, site.id
    assert keys("hosts/") == []


def archive_store(s3_server: S3Server, bucket: str) -> Any:
    """The fleet's archive as the pipeline opens it (the test takes a host's turn in it)."""
    from newsarchive.archive.s3 import S3Options

    env = s3_server.env()
    options = S3Options(endpoint_url=s3_server.endpoint, region=env["AWS_DEFAULT_REGION"],
                        access_key_id=env["AWS_ACCESS_KEY_ID"], secret_access_key=env["AWS_SECRET_ACCESS_KEY"])
    return open_store(f"s3://{bucket}/archive", s3=options)


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
        run = run_fleet(airflow, fleet, archive_store(s3_server, bucket))
    finally:
        airflow.stop()
    check_tasks(run)
    check_politeness(fleet)
    check_turns_and_pool(fleet, run, tmp_path)
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
                                               services: dict[str, str]) -> None:
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
        workers.append({**celery_worker_env(env, worker_home, f"worker-{n}"),
                        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port())})
    airflow = TwoWorkerStack(env=env, port=int(env["NEWSARCHIVE_AIRFLOW_PORT"]), run_dir=home / "run",
                             worker_envs=tuple(workers))
    airflow.init_db()
    airflow.start()
    try:
        run = run_fleet(airflow, fleet, archive_store(s3_server, bucket))
    finally:
        airflow.stop()
    hosts = {ti["hostname"] for tis in run.tasks.values() for ti in tis}
    assert hosts == {"worker-1", "worker-2"}, hosts  # both workers took tasks
    check_tasks(run)
    check_politeness(fleet)
    check_turns_and_pool(fleet, run, tmp_path)
    check_archive(fleet, s3_keys(s3_server, bucket))


def test_span_helpers() -> None:
    assert most_at_once([(0, 1), (1, 2), (2, 3)]) == 1
    assert most_at_once([(0, 2), (1, 3), (1.5, 1.6)]) == 3
    assert Site("x", "A", FIRST_DAY, 1, 0.0).window == {"start": "2024-12-01T00:00:00+01:00",
                                                         "end": "2024-12-02T00:00:00+01:00"}
