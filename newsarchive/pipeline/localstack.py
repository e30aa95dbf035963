"""Run Airflow's components on this machine (the embedded default) and drive them over the REST API.

Used by the demo command and by the end-to-end tests, so both exercise exactly the same set-up: api-server,
scheduler and dag-processor as separate processes, each stopped by its PID (`airflow standalone` does not stop
cleanly). Needs no Airflow import: it runs the `airflow` command and speaks HTTP.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsarchive.pipeline.processes import process_alive

COMPONENTS = ("api-server", "scheduler", "dag-processor")
TERMINAL_STATES = ("success", "failed")


class StackError(RuntimeError):
    """A component did not start, or a run did not finish as expected: the message points at the logs."""


@dataclass
class AirflowStack:
    """Airflow's components for one AIRFLOW_HOME, started and stopped as processes with PID files."""

    env: dict[str, str]
    port: int
    run_dir: Path
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        """The api-server's URL (UI and REST API)."""
        return f"http://127.0.0.1:{self.port}"

    def airflow(self, *args: str, timeout: float = 300) -> str:
        """Run an `airflow` CLI command in this stack's environment; return stdout, raise with its output."""
        proc = subprocess.run([self._airflow_exe(), *args], env=self.env, capture_output=True, text=True,
                              timeout=timeout, check=False)
        if proc.returncode != 0:
            raise StackError(f"airflow {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        return proc.stdout

    def _airflow_exe(self) -> str:
        return str(Path(sys.executable).with_name("airflow"))

    def init_db(self) -> None:
        """Migrate the metadata DB, create the crawl pool, and parse the DAGs once (so runs can start at once)."""
        self.airflow("db", "migrate")
        self.airflow("pools", "set", "newsarchive_crawl", "2", "Concurrent crawls across all news sites")
        self.airflow("dags", "reserialize")

    def start(self, timeout: float = 120) -> None:
        """Start every component in the background (logs in run_dir) and wait until the API answers."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        for name in COMPONENTS:
            log = (self.run_dir / f"{name}.log").open("ab")
            proc = subprocess.Popen([self._airflow_exe(), name], env=self.env, stdout=log,
                                    stderr=subprocess.STDOUT, start_new_session=True)
            self.procs[name] = proc
            (self.run_dir / f"{name}.pid").write_text(str(proc.pid))
        self.wait_healthy(timeout)

    def wait_healthy(self, timeout: float) -> None:
        """Block until the api-server reports a healthy metadatabase and scheduler."""
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    raise StackError(f"{name} exited with {proc.returncode}; see {self.run_dir / (name + '.log')}")
            try:
                health = self.api("GET", "/api/v2/monitor/health")
                if health.get("scheduler", {}).get("status") == "healthy":
                    return
                last = json.dumps(health)
            except (OSError, StackError) as exc:
                last = str(exc)
            time.sleep(1)
        raise StackError(f"Airflow not healthy after {timeout}s ({last}); logs in {self.run_dir}")

    def stop(self) -> None:
        """Stop every component (this object's, or those recorded in PID files): TERM, then KILL."""
        pids = {name: proc.pid for name, proc in self.procs.items()}
        for name in COMPONENTS:
            pid_file = self.run_dir / f"{name}.pid"
            if name not in pids and pid_file.exists():
                pids[name] = int(pid_file.read_text())
        for pid in pids.values():
            _signal_group(pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(self._running(name, pid) for name, pid in pids.items()):
            time.sleep(0.3)
        for pid in pids.values():
            _signal_group(pid, signal.SIGKILL)
        for name, proc in self.procs.items():
            proc.wait(timeout=10)
            (self.run_dir / f"{name}.pid").unlink(missing_ok=True)
        for name in COMPONENTS:
            (self.run_dir / f"{name}.pid").unlink(missing_ok=True)
        self.procs.clear()

    def _running(self, name: str, pid: int) -> bool:
        proc = self.procs.get(name)
        return proc.poll() is None if proc is not None else process_alive(pid)  # poll() also reaps our own children

    def api(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """Call the REST API (all-admins mode on loopback needs no token); raise StackError on HTTP errors."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base_url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return dict(json.loads(response.read() or b"{}"))
        except urllib.error.HTTPError as exc:
            raise StackError(f"{method} {path}: HTTP {exc.code}: {exc.read()[:500]!r}") from None

    def unpause(self, dag_id: str) -> None:
        """Unpause a DAG so the scheduler runs it."""
        self.api("PATCH", f"/api/v2/dags/{dag_id}", {"is_paused": False})

    def trigger(self, dag_id: str, conf: dict[str, Any] | None = None) -> str:
        """Trigger a manual run (conf becomes its params); return the run id."""
        run = self.api("POST", f"/api/v2/dags/{dag_id}/dagRuns", {"logical_date": None, "conf": conf or {}})
        return str(run["dag_run_id"])

    def runs(self, dag_id: str) -> list[dict[str, Any]]:
        """Every run of a DAG, oldest first."""
        return list(self.api("GET", f"/api/v2/dags/{dag_id}/dagRuns?order_by=run_after&limit=100")["dag_runs"])

    def wait_run(self, dag_id: str, run_id: str, timeout: float = 600) -> dict[str, Any]:
        """Poll a run until it succeeds or fails; return it (raise StackError on timeout)."""
        deadline = time.monotonic() + timeout
        quoted = urllib.parse.quote(run_id, safe="")
        while time.monotonic() < deadline:
            run = self.api("GET", f"/api/v2/dags/{dag_id}/dagRuns/{quoted}")
            if run["state"] in TERMINAL_STATES:
                return run
            time.sleep(2)
        raise StackError(f"run {run_id} of {dag_id} not finished after {timeout}s; logs in {self.run_dir}")

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        """The run's task instances (state, try number, hostname...)."""
        quoted = urllib.parse.quote(run_id, safe="")
        return list(self.api("GET", f"/api/v2/dags/{dag_id}/dagRuns/{quoted}/taskInstances")["task_instances"])


def _signal_group(pid: int, sig: int) -> None:
    """Signal a component's whole process group (its task runners and gunicorn/uvicorn workers too)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)
