"""A hundred site files: one DAG each from the one DAG file, none lost, every one serialisable (the parse time
of 1,000 files against Airflow's import timeout is measured by benchmarks/scale.py; what parsing imports is
checked by tests/dags/test_dag_integrity.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from newsarchive.demosite.generated.config import write_site_config

ROOT = Path(__file__).resolve().parents[2]
SITES = 100
PARSE = textwrap.dedent("""
    import json, sys
    from airflow.dag_processing.dagbag import DagBag
    from airflow.serialization.serialized_objects import DagSerialization

    bag = DagBag(dag_folder=sys.argv[1])
    for dag in bag.dags.values():
        DagSerialization.to_dict(dag)  # what the dag-processor stores: every DAG must serialise
    print("RESULT " + json.dumps({
        "dags": {d.dag_id: sorted({t.pool for t in d.tasks}) for d in bag.dags.values()},
        "errors": {k: str(v)[:300] for k, v in bag.import_errors.items()},
    }))
""")


def test_one_dag_per_site_file_at_scale(tmp_path: Path) -> None:
    for n in range(SITES):  # five hosts shared by the sites, as sections of a few publishers would be
        write_site_config(tmp_path / "sites", f"http://127.0.0.1:{18000 + n % 5}/", f"s{n:04d}", schedule="none")
    env = {**os.environ, "NEWSARCHIVE_SITES_DIR": str(tmp_path / "sites"), "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    proc = subprocess.run([sys.executable, "-c", PARSE, str(ROOT / "dags" / "news_sites.py")], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=280, check=False)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, proc.stderr[-3000:]
    parsed = json.loads(lines[-1].removeprefix("RESULT "))
    assert parsed["errors"] == {}
    assert sorted(parsed["dags"]) == [f"news_s{n:04d}" for n in range(SITES)]
    assert all("newsarchive_crawl" in pools for pools in parsed["dags"].values())
