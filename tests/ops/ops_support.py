"""Helpers of the ops tests: an HTTP server that records webhook POSTs, Airflow stacks on test servers, Chromium.

Imported as `tests.ops.ops_support` (the Celery worker of the distributed test gets the project root on PYTHONPATH
for `worker_hostname`).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
DEMO_DAG = "news_demo"
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars")


@dataclass
class Recorder:
    """An HTTP server on 127.0.0.1 that answers 200 to every POST and keeps the requests."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    server: ThreadingHTTPServer | None = None

    @property
    def port(self) -> int:
        assert self.server is not None, "start() first"
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Recorder:
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                recorder.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                self.send_response(recorder.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def json_bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r["body"]) for r in self.requests]


def airflow_env(home: Path, port: int, sites: Path, archive_url: str, s3_endpoint: str | None) -> dict[str, str]:
    """The environment of an Airflow stack in `home`, on `port`, archiving the sites of `sites` to archive_url."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AIRFLOW", "NEWSARCHIVE"))}
    env.update({
        "AIRFLOW_HOME": str(home), "AIRFLOW_CONFIG": str(ROOT / "airflow.cfg"), "NEWSARCHIVE_HOME": str(ROOT),
        "NEWSARCHIVE_AIRFLOW_PORT": str(port), "NEWSARCHIVE_SITES_DIR": str(sites),
        "NEWSARCHIVE_URL": archive_url, "NEWSARCHIVE_WORK_DIR": str(home / "work"),
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(64),
        "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "PATH": f"{Path(sys.executable).parent}:{env.get('PATH', '')}",
    })
    if s3_endpoint:
        conn = {"conn_type": "aws", "login": "testing-key-id", "password": "testing-secret-key",
                "extra": {"endpoint_url": s3_endpoint, "region_name": "us-east-1"}}
        env["AIRFLOW_CONN_NEWSARCHIVE_S3"] = json.dumps(conn)
    return env


def task_logs(home: Path, dag_id: str, run_id: str) -> dict[str, list[dict[str, Any]]]:
    """The JSON log records of each task of a run (first try), by task id, from the log folder in `home`."""
    logs: dict[str, list[dict[str, Any]]] = {}
    folder = home / "logs" / f"dag_id={dag_id}" / f"run_id={run_id}"
    for path in sorted(folder.glob("task_id=*/attempt=1.log")):
        task_id = path.parent.name.removeprefix("task_id=")
        records = []
        for line in path.read_text(errors="replace").splitlines():
            try:
                records.append(json.loads(line))
            except ValueError:
                records.append({"event": line, "level": "info"})
        logs[task_id] = records
    return logs


def chromium() -> str:
    """The Chromium binary (Debian's `chromium` package; scripts/ensure-debian-packages.sh installs it)."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        subprocess.run(["bash", str(ROOT / "scripts" / "ensure-debian-packages.sh"), "chromium"], check=True)
        exe = shutil.which("chromium")
    if exe is None:
        raise RuntimeError("chromium is not installed: run scripts/ensure-debian-packages.sh chromium")
    return exe


def chromium_run(url: str, *args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium on url with a fresh profile (so no state leaks between runs)."""
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        cmd = [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, url]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"chromium failed ({proc.returncode}) on {url}:\n{proc.stderr[-2000:]}")
    return proc


def dump_dom(url: str, budget_ms: int = 8000) -> str:
    """The DOM of a page after its scripts ran (the virtual time budget lets a React page render)."""
    return chromium_run(url, f"--virtual-time-budget={budget_ms}", "--dump-dom").stdout


def screenshot(url: str, path: Path, size: str = "1400,720", budget_ms: int = 8000) -> Path:
    """A PNG of the page at the given window size."""
    path.parent.mkdir(parents=True, exist_ok=True)
    chromium_run(url, f"--virtual-time-budget={budget_ms}", f"--window-size={size}", f"--screenshot={path}")
    if not path.exists() or path.stat().st_size < 1000:
        raise RuntimeError(f"chromium wrote no screenshot at {path}")
    return path


def celery_worker_env(env: dict[str, str], home: Path, name: str) -> dict[str, str]:
    """The environment of a Celery worker named ``name`` with its own AIRFLOW_HOME: it names itself (task
    instances record the host that ran them, so a test can tell the workers apart) through
    ``worker_hostname``, imported from this module with the project root on PYTHONPATH."""
    return {
        **env, "AIRFLOW_HOME": str(home), "NEWSARCHIVE_WORK_DIR": str(home / "work"),
        "AIRFLOW__CORE__HOSTNAME_CALLABLE": f"{__name__}.worker_hostname",
        "NEWSARCHIVE_TEST_WORKER_NAME": name,
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
    }


def worker_hostname() -> str:
    """`[core] hostname_callable` of the Celery worker in the distributed test: task instances record it."""
    return os.environ.get("NEWSARCHIVE_TEST_WORKER_NAME") or "unnamed-worker"


def iter_levels(records: list[dict[str, Any]]) -> Iterator[str]:
    """The level of each log record (lower case)."""
    for record in records:
        yield str(record.get("level", "info")).lower()
