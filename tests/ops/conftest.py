"""Fixtures of the ops tests: the plugin's modules importable, a webhook recorder, Postgres and Redis for the
Celery tests (the distributed and many-sites tests)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
# Airflow puts plugins/ on sys.path in its processes (it is a folder of plugin files, not a package); the unit
# tests import the page module the same way. Test helpers are imported as modules of the tests package.
if str(ROOT / "plugins") not in sys.path:
    sys.path.insert(0, str(ROOT / "plugins"))

from tests.ops.ops_support import Recorder  # noqa: E402

SCRIPT = ROOT / "scripts" / "distributed-test.sh"
DRIVERS = {"psycopg2": "psycopg2-binary", "asyncpg": "asyncpg"}  # Airflow's sync and async Postgres drivers


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    """An HTTP server on 127.0.0.1 recording the POSTs it gets."""
    server = Recorder().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Postgres and Redis URLs: given by the environment, or started for this module by the script."""
    missing = [pkg for module, pkg in DRIVERS.items() if importlib.util.find_spec(module) is None]
    if missing:
        pytest.fail(f"the Postgres drivers {missing} are not installed in this venv: the distributed path needs "
                    "them in requirements/*.lock (Airflow's metadata DB on Postgres)", pytrace=False)
    given = {k: os.environ.get(k, "") for k in ("NEWSARCHIVE_TEST_PG_URL", "NEWSARCHIVE_TEST_REDIS_URL")}
    if all(given.values()):
        yield given
        return
    state = tmp_path_factory.mktemp("services")
    proc = subprocess.run(["bash", str(SCRIPT), "services-up", str(state)], capture_output=True, text=True,
                          timeout=300, check=False)
    try:
        if proc.returncode != 0:
            pytest.fail(f"could not start Postgres and Redis ({SCRIPT.name} services-up):\n{proc.stderr[-3000:]}",
                        pytrace=False)
        yield dict(line.split("=", 1) for line in proc.stdout.split() if "=" in line)
    finally:
        subprocess.run(["bash", str(SCRIPT), "services-down", str(state)], timeout=120, check=False)
