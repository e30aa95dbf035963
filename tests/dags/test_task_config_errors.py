"""A configuration mistake met by a task fails it at once (AirflowFailException: no retries), naming the file
and the field: the site's file broken after the DAG was parsed, an unknown site, bad or oversized windows.

The DAG files are parsed in a fresh interpreter by Airflow's DagBag, then the task functions are called as the
task runner calls them, with the run's context; nothing reaches the network (the archive is a temp folder).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from airflow.dag_processing.dagbag import DagBag
    from airflow.sdk.exceptions import AirflowFailException

    sys.path.insert(0, sys.argv[1])  # as in a task's process: the DAG folder is importable (news_reextract needs it)
    bag = DagBag(dag_folder=sys.argv[1])
    sites = Path(sys.argv[2])
    demo, reextract = bag.dags["news_demo"], bag.dags["news_reextract"]
    results = {"retries": sorted({t.retries for t in demo.tasks})}

    def outcome(name, call):
        try:
            call()
            results[name] = "returned"
        except AirflowFailException as exc:
            results[name] = "AirflowFailException: " + str(exc)
        except Exception as exc:
            results[name] = type(exc).__name__ + ": " + str(exc)

    crawl, extract, check = (demo.get_task(t).python_callable for t in ("crawl", "extract", "check"))
    day = {"start": "2024-11-01", "end": "2024-11-02"}
    outcome("bad_params", lambda: crawl(params={"start": "yesterday", "end": "2024-11-02"}))
    outcome("long_window", lambda: crawl(params={"start": "2020-01-01", "end": "2024-01-01"}))
    outcome("unknown_site", lambda: reextract.get_task("reextract").python_callable(
        params={"site": "nosuch", **day}))
    # The file breaks after the DAG was parsed: every task that reads the site fails at once.
    path = sites / "demo.toml"
    path.write_text(path.read_text().replace("concurrency = 8", "concurrency = 0"))
    window = {"start": "2024-11-01T00:00:00+00:00", "end": "2024-11-02T00:00:00+00:00"}
    crawled = {"site": "demo", "window": window, "warc_key": "raw/site=demo/x.warc.gz",
               "stats_key": "raw/site=demo/x.crawl.json", "counts": {}}  # the crawl result's XCom form
    outcome("crawl", lambda: crawl(params=day))
    outcome("extract", lambda: extract(crawled))
    outcome("check", lambda: check(crawled, {"site": "demo", "window": window, "counts": {}, "article_keys": []},
                                   params=day))
    outcome("reextract", lambda: reextract.get_task("reextract").python_callable(params={"site": "demo", **day}))
    print("RESULT " + json.dumps(results))
""")


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    work = tmp_path_factory.mktemp("task-errors")
    sites = work / "sites"
    sites.mkdir()
    (sites / "demo.toml").write_text((ROOT / "sites" / "demo.toml").read_text(encoding="utf-8"), encoding="utf-8")
    env = {**os.environ, "NEWSARCHIVE_SITES_DIR": str(sites), "NEWSARCHIVE_URL": (work / "archive").as_uri(),
           "NEWSARCHIVE_WORK_DIR": str(work / "scratch"), "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    (work / "archive").mkdir()
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(ROOT / "dags"), str(sites)], env=env,
                          capture_output=True, text=True, timeout=180, check=False)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, proc.stdout[-3000:] + proc.stderr[-3000:]
    return dict(json.loads(lines[-1][len("RESULT "):]), sites=str(sites))


def test_tasks_would_retry_other_failures(results: dict[str, object]) -> None:
    # Retries stay on for what can pass next time (an S3 outage, a killed crawl): only config errors skip them.
    assert results["retries"] == [2]


@pytest.mark.parametrize("task", ["crawl", "extract", "check", "reextract"])
def test_a_site_file_broken_after_parsing_fails_the_task_at_once(results: dict[str, object], task: str) -> None:
    message = str(results[task])
    assert message.startswith("AirflowFailException: "), message
    assert f"{results['sites']}/demo.toml: politeness.concurrency: " in message


def test_bad_params_and_windows_fail_at_once(results: dict[str, object]) -> None:
    assert str(results["bad_params"]).startswith("AirflowFailException: bad params start/end"), results
    long_window = str(results["long_window"])
    assert long_window.startswith("AirflowFailException: ") and "longer than 366 days" in long_window
    unknown = str(results["unknown_site"])
    assert unknown.startswith("AirflowFailException: ") and "no site 'nosuch'" in unknown
