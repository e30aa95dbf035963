"""DAG integrity: the DAG files import cleanly, one DAG per enabled site, and parsing stays light.

Each check runs the parse in a fresh interpreter, so what the DAG file imports is measured, not inherited.
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
HEAVY_MODULES = ("scrapy", "twisted", "trafilatura", "boto3", "botocore", "pyarrow", "langdetect", "warcio",
                 "extract", "archive", "spiders", "newsarchive.pipeline.crawl_stage",
                 "newsarchive.pipeline.extract_stage")

PARSE_SCRIPT = textwrap.dedent("""
    import json, socket, sys, time
    import airflow.sdk
    from airflow.sdk import Connection, Variable
    from airflow.dag_processing.dagbag import DagBag

    def refuse(*args, **kwargs):
        raise AssertionError("network, connection or variable access while parsing DAG files")
    Connection.get = classmethod(refuse)
    Variable.get = staticmethod(refuse)
    real_connect = socket.socket.connect
    socket.socket.connect = refuse

    # Baseline: what Airflow itself loads and costs for a minimal DAG with an Asset outlet (Asset URIs make
    # Airflow initialise its providers, which imports boto3), so only what our files add is measured.
    started = time.perf_counter()
    DagBag(dag_folder=sys.argv[2])
    baseline_seconds = time.perf_counter() - started
    baseline_modules = set(sys.modules)
    started = time.perf_counter()
    bag = DagBag(dag_folder=sys.argv[1])
    elapsed = time.perf_counter() - started
    socket.socket.connect = real_connect
    out = {
        "seconds": elapsed,
        "baseline_seconds": baseline_seconds,
        "errors": {k: str(v) for k, v in bag.import_errors.items()},
        "modules": sorted(m for m in sys.modules if m not in baseline_modules),
        "dags": {
            dag_id: {
                "tags": sorted(dag.tags), "owner": dag.owner, "tasks": sorted(dag.task_ids),
                "retries": sorted({t.retries for t in dag.tasks}), "max_active_runs": dag.max_active_runs,
                "doc_md": bool(dag.doc_md), "timetable": type(dag.timetable).__name__,
                "pools": sorted({t.pool for t in dag.tasks}),
                "pool_slots": {t.task_id: t.pool_slots for t in dag.tasks},
            }
            for dag_id, dag in bag.dags.items()
        },
    }
    print("RESULT " + json.dumps(out))
""")


BASELINE_DAG = textwrap.dedent("""
    from datetime import datetime
    from airflow.sdk import Asset, dag, task

    @dag(dag_id="baseline", schedule=None, start_date=datetime(2024, 1, 1))
    def baseline():
        @task(outlets=[Asset("baseline://asset/x")])
        def t():
            pass
        t()
    baseline()
""")


def parse_dags(sites_dir: Path, work: Path) -> dict:
    baseline_dir = work / "baseline"
    baseline_dir.mkdir(exist_ok=True)
    (baseline_dir / "baseline_dag.py").write_text(BASELINE_DAG)
    env = {**os.environ, "NEWSARCHIVE_SITES_DIR": str(sites_dir), "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    cmd = [sys.executable, "-c", PARSE_SCRIPT, str(ROOT / "dags"), str(baseline_dir)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=180, check=False)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, f"parse failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return dict(json.loads(lines[-1][len("RESULT "):]))


@pytest.fixture(scope="module")
def parsed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return parse_dags(ROOT / "sites", tmp_path_factory.mktemp("work"))


def test_dag_files_import_without_errors(parsed: dict) -> None:
    assert parsed["errors"] == {}


NON_SITE_DAGS = {"news_reextract", "example_downstream", "news_maintenance"}


def site_dags(parsed: dict) -> dict:
    return {k: v for k, v in parsed["dags"].items() if k not in NON_SITE_DAGS}


def test_one_dag_per_enabled_site(parsed: dict) -> None:
    from newsarchive.pipeline.sites import load_sites

    catalog = load_sites(ROOT / "sites")
    assert catalog.errors == ()
    assert set(parsed["dags"]) - set(site_dags(parsed)) == NON_SITE_DAGS
    assert sorted(site_dags(parsed)) == sorted(f"news_{s.id}" for s in catalog.enabled)
    assert len(catalog.sites) > len(catalog.enabled), "the real sites ship disabled on offline machines"


def test_dags_have_owner_tags_retries_docs(parsed: dict) -> None:
    for dag_id, dag in parsed["dags"].items():
        assert dag["owner"] == "newsarchive" and dag["doc_md"], dag_id
        assert "newsarchive" in dag["tags"], dag_id
    for dag_id, dag in site_dags(parsed).items():
        assert "newsarchive" in dag["tags"] and any(t.startswith("lang:") for t in dag["tags"]), dag_id
        assert dag["retries"] == [2], dag_id
        assert dag["tasks"] == ["check", "crawl", "extract"], dag_id
        assert dag["doc_md"] and dag["max_active_runs"] >= 1
        assert "newsarchive_crawl" in dag["pools"]


def test_parsing_is_light(parsed: dict) -> None:
    heavy = [m for m in parsed["modules"] if m.split(".")[0] in HEAVY_MODULES or m in HEAVY_MODULES]
    assert heavy == [], f"DAG parsing imported heavy modules: {heavy[:10]}"
    # How long parsing takes is measured in benchmarks/scale_dags.py (1,000 site files against one), not here:
    # a wall-clock bound in a test fails on a busy machine and passes a slow change on an idle one.


def test_scheduled_site_gets_a_data_interval_timetable(tmp_path: Path) -> None:
    text = (ROOT / "sites" / "demo.toml").read_text().replace('schedule = "0 0 * * *"', 'schedule = "0 6 * * *"')
    (tmp_path / "demo.toml").write_text(text)
    dags = parse_dags(tmp_path, tmp_path)["dags"]
    assert dags["news_demo"]["timetable"] == "CronDataIntervalTimetable"


def test_the_extract_task_claims_a_pool_slot_per_extract_worker(tmp_path: Path) -> None:
    """The extract task runs `[extraction] workers` processes: as many pool slots, so the pool bounds the cores
    it takes; 0 (one per CPU of whichever machine runs it) claims one."""
    demo = (ROOT / "sites" / "demo.toml").read_text()
    (tmp_path / "demo.toml").write_text(demo)
    (tmp_path / "three.toml").write_text(
        demo.replace('id = "demo"', 'id = "three"') + "\n[extraction]\nworkers = 3\n")
    dags = parse_dags(tmp_path, tmp_path)["dags"]
    assert dags["news_three"]["pool_slots"] == {"crawl": 1, "extract": 3, "check": 1}
    assert dags["news_demo"]["pool_slots"] == {"crawl": 1, "extract": 1, "check": 1}


def test_a_broken_site_file_does_not_hide_the_others(tmp_path: Path) -> None:
    (tmp_path / "demo.toml").write_text((ROOT / "sites" / "demo.toml").read_text())
    broken = 'id = "broken"\nname = "B"\nbase_url = "http://x.test/"\nscheduel = "@daily"\n'  # typo: a bad key
    (tmp_path / "broken.toml").write_text(broken)
    parsed = parse_dags(tmp_path, tmp_path)
    assert parsed["errors"] == {}
    assert sorted(site_dags(parsed)) == ["news_demo"]


def test_maintenance_dag_compacts_each_site_on_a_daily_interval(parsed: dict) -> None:
    dag = parsed["dags"]["news_maintenance"]
    assert dag["tasks"] == ["compact", "sites"] and dag["max_active_runs"] == 1
    assert dag["timetable"] == "CronDataIntervalTimetable" and "maintenance" in dag["tags"]
