"""What ops see, through a real Airflow (api-server, scheduler, dag-processor; LocalExecutor) on the demo site:
task logs that start and end with summaries and hold no error-level noise, the report as XCom and Asset extra,
a failure alert posted to the `newsarchive_alerts` webhook, and the "News archive" page in headless Chromium.
"""

from __future__ import annotations

import json
import shutil
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsarchive.pipeline.localstack import AirflowStack
from tests.ops.ops_support import (
    ARTIFACTS,
    DEMO_DAG,
    Recorder,
    airflow_env,
    dump_dom,
    iter_levels,
    screenshot,
    task_logs,
)
from tests.support import S3Server, free_port, write_site_config

pytestmark = pytest.mark.e2e
GOOD_WINDOW = {"start": "2024-11-01T00:00:00+00:00", "end": "2024-11-16T00:00:00+00:00"}
EMPTY_WINDOW = {"start": "2024-12-10T00:00:00+00:00", "end": "2024-12-11T00:00:00+00:00"}  # after the news
TASKS = ("crawl", "extract", "check")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, s3_server: S3Server, demo_site: Any) -> Iterator[Any]:
    """Airflow on the demo site, archive on moto_server, alerts to a recording webhook; stopped at the end."""
    home = tmp_path_factory.mktemp("airflow-ops")
    write_site_config(home / "sites", demo_site.url)
    # A broken site file beside it: no DAG, listed on the News archive page with its field (issue 13 item 8).
    write_site_config(home / "sites", demo_site.url, site_id="broken")
    broken = home / "sites" / "broken.toml"
    broken.write_text(broken.read_text().replace("concurrency = 8", "concurrency = 0"))
    s3_server.client().create_bucket(Bucket="ops-archive")
    hook = Recorder().start()
    port = free_port()
    env = airflow_env(home, port, home / "sites", "s3://ops-archive/archive", s3_server.endpoint)
    env["AIRFLOW_CONN_NEWSARCHIVE_ALERTS"] = json.dumps(
        {"conn_type": "http", "host": "127.0.0.1", "port": hook.port,
         "extra": {"endpoint": "/alerts"}})
    env["AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT"] = str(free_port())
    airflow = AirflowStack(env=env, port=port, run_dir=home / "run")
    airflow.init_db()
    airflow.start()
    airflow.unpause(DEMO_DAG)
    try:
        yield airflow, hook, home
    finally:
        airflow.stop()
        hook.stop()


def _run(airflow: AirflowStack, window: dict[str, str]) -> tuple[str, dict[str, Any]]:
    run_id = airflow.trigger(DEMO_DAG, window)
    return run_id, airflow.wait_run(DEMO_DAG, run_id, timeout=300)


def _xcom(airflow: AirflowStack, run_id: str, task_id: str, key: str = "return_value") -> Any:
    run = urllib.parse.quote(run_id, safe="")
    entry = airflow.api("GET", f"/api/v2/dags/{DEMO_DAG}/dagRuns/{run}/taskInstances/{task_id}/xcomEntries/{key}"
                               "?deserialize=true")
    value = entry["value"]
    return json.loads(value) if isinstance(value, str) else value


def _events(records: list[dict[str, Any]], logger: str = "newsarchive.dags") -> list[str]:
    return [str(r.get("event", "")) for r in records if r.get("logger") == logger]


def test_a_site_that_yields_nothing_fails_check_and_alerts(stack: Any) -> None:
    airflow, hook, home = stack
    run_id, run = _run(airflow, EMPTY_WINDOW)
    assert run["state"] == "failed"
    states = {ti["task_id"]: (ti["state"], ti["try_number"]) for ti in airflow.task_instances(DEMO_DAG, run_id)}
    # The gate failure is final at once: no retry of check, crawl and extract did their job.
    assert states == {"crawl": ("success", 1), "extract": ("success", 1), "check": ("failed", 1)}

    alerts = [b for b in hook.json_bodies() if b["run_id"] == run_id]
    assert len(alerts) == 1, hook.json_bodies()
    [alert] = alerts
    assert (alert["kind"], alert["site"], alert["task_id"]) == ("failure", "demo", "check")
    assert alert["window"] == EMPTY_WINDOW and alert["numbers"]["articles"] == 0
    assert "min_articles: 0 articles archived, at least 1 expected: the site yielded nothing" in alert["reason"]
    assert alert["run_url"] == f"{airflow.base_url}/dags/{DEMO_DAG}/runs/{urllib.parse.quote(run_id)}"
    assert alert["text"].startswith("newsarchive: demo [2024-12-10T00:00:00+00:00, 2024-12-11T00:00:00+00:00) FAILED")

    report = _xcom(airflow, run_id, "check", "report")  # pushed before failing: the UI shows it on the task
    assert report["status"] == "failed" and report["failed_gates"] == ["min_articles"]
    check_log = task_logs(home, DEMO_DAG, run_id)["check"]
    assert any(e.startswith("ALERT newsarchive: demo") for e in _events(check_log, "newsarchive.alerts"))


def test_a_good_run_tells_its_story_in_logs_xcom_and_asset(stack: Any) -> None:
    airflow, hook, home = stack
    run_id, run = _run(airflow, GOOD_WINDOW)
    assert run["state"] == "success"
    report = _xcom(airflow, run_id, "check")
    assert report["status"] == "ok" and report["articles"] >= 10
    assert [g["name"] for g in report["gates"]][:2] == ["min_articles", "yield_vs_history"]
    assert report["crawl"]["duration_s"] > 0 and report["extract"]["duration_s"] > 0

    query = urllib.parse.urlencode({"source_dag_id": DEMO_DAG, "source_run_id": run_id})
    [event] = airflow.api("GET", f"/api/v2/assets/events?{query}")["asset_events"]
    assert event["extra"]["report_key"] == report["report_key"] and event["extra"]["articles"] == report["articles"]

    logs = task_logs(home, DEMO_DAG, run_id)
    assert sorted(logs) == sorted(TASKS)
    for task_id, records in logs.items():
        ours = _events(records)
        # The task's own log opens with a summary block (after Airflow's few start-up lines) and closes with one.
        assert ours[0] == "=" * 72 and ours[1].startswith(f"{task_id if task_id != 'check' else 'run summary'}")
        assert any(e.startswith(("crawl summary", "extract summary", "quality gates: ok")) for e in ours), task_id
        noisy = [r for r, level in zip(records, iter_levels(records), strict=True) if level in ("error", "critical")]
        assert noisy == [], f"error-level lines in the {task_id} log of a normal run: {noisy[:5]}"
    ARTIFACTS.mkdir(exist_ok=True)  # for people: what the task logs look like
    for task_id, records in logs.items():
        (ARTIFACTS / f"task-log-{task_id}.txt").write_text(
            "\n".join(f"{r.get('level', ''):7} {r.get('logger', ''):24} {r.get('event', '')}" for r in records))
    crawl_log = _events(logs["crawl"])
    assert any("candidates by source" in e and "in window" in e for e in crawl_log)
    assert any(e.startswith("::group::Scrapy log") for e in crawl_log)
    assert any("articles written" in e for e in _events(logs["extract"]))
    assert not [b for b in hook.json_bodies() if b["run_id"] == run_id and b["kind"] == "failure"]

    dag = airflow.api("GET", f"/api/v2/dags/{DEMO_DAG}/details")
    assert {t["name"] for t in dag["tags"]} >= {"newsarchive", "lang:fr", "lang:en", "country:fr"}
    assert dag["owners"] == ["newsarchive"]
    assert "| gates | at least 1 article(s)" in dag["doc_md"] and "newsarchive_alerts" in dag["doc_md"]


def test_news_archive_page_in_chromium(stack: Any) -> None:
    airflow, _, _ = stack
    plugins = airflow.api("GET", "/api/v2/plugins")["plugins"]
    [plugin] = [p for p in plugins if p["name"] == "newsarchive"]
    assert plugin["external_views"][0]["url_route"] == "news-archive"
    assert plugin["fastapi_apps"][0]["url_prefix"] == "/newsarchive"

    dom = dump_dom(f"{airflow.base_url}/newsarchive/")
    assert '<tr data-site="demo">' in dom
    row = dom.split('<tr data-site="demo">')[1].split("</tr>")[0]
    assert 'data-state="success"' in row  # the last run is the good one
    articles = int(row.split('data-articles="')[1].split('"')[0])
    assert articles >= 10
    counts = [int(c.split('"')[0]) for c in row.split('data-count="')[1:]]
    assert len(counts) == 14 and sum(counts) >= 8  # the good window's last 14 days
    assert "min_articles: 0 articles archived" in row  # the last failure, with its reason
    assert "1 site file(s) with mistakes" in dom and 'data-field="politeness.concurrency"' in dom
    assert '<tr data-site="broken">' not in dom

    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "plugin-page.html").write_text(dom)
    screenshot(f"{airflow.base_url}/newsarchive/", ARTIFACTS / "plugin-page.png", size="1400,520")
    # The same page inside Airflow's UI (navigation bar, iframe), as ops reach it.
    ui_dom = dump_dom(f"{airflow.base_url}/plugin/news-archive", budget_ms=15000)
    assert 'src="/newsarchive/"' in ui_dom, ui_dom[-3000:]
    shot = screenshot(f"{airflow.base_url}/plugin/news-archive", ARTIFACTS / "plugin-page-in-ui.png",
                      size="1400,640", budget_ms=15000)
    docs_copy = Path(__file__).resolve().parents[2] / "docs" / "plugin-page.png"
    if not docs_copy.exists():  # docs/operating.md's screenshot is taken once; later runs leave it alone
        docs_copy.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, docs_copy)
