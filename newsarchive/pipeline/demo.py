"""The demo: the bundled news site plus Airflow on this machine, one green run of the demo DAG, UI left up.

`python -m newsarchive.pipeline.demo up` (what scripts/demo.sh runs) and `python -m newsarchive.pipeline.demo stop`.
Expects the environment of scripts/env.sh (AIRFLOW_HOME, AIRFLOW_CONFIG, secrets, ports).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from newsarchive.pipeline import settings
from newsarchive.pipeline.localstack import AirflowStack, StackError

DEMO_DAG = "news_demo"
# The demo site's articles span October-November 2024: one run archives all of them.
DEMO_WINDOW = {"start": "2024-10-01T00:00:00+00:00", "end": "2024-12-01T00:00:00+00:00"}


def _run_dir() -> Path:
    return Path(os.environ["AIRFLOW_HOME"]) / "run"


def _stack() -> AirflowStack:
    return AirflowStack(env=dict(os.environ), port=int(os.environ["NEWSARCHIVE_AIRFLOW_PORT"]), run_dir=_run_dir())


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def start_demo_site(port: int) -> None:
    """Serve the demo site on 127.0.0.1:port in a background process (PID file in the run dir)."""
    run_dir = _run_dir()
    run_dir.mkdir(parents=True, exist_ok=True)
    log = (run_dir / "demosite.log").open("ab")
    proc = subprocess.Popen([sys.executable, "-m", "newsarchive.demosite", "--host", "127.0.0.1", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    (run_dir / "demosite.pid").write_text(str(proc.pid))
    deadline = time.monotonic() + 20
    while not _listening(port):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise StackError(f"demo site did not start on port {port}; see {run_dir / 'demosite.log'}")
        time.sleep(0.2)


def up() -> int:
    """Start everything, run the demo DAG once, print where to look."""
    api_port, site_port = int(os.environ["NEWSARCHIVE_AIRFLOW_PORT"]), int(os.environ["NEWSARCHIVE_DEMO_PORT"])
    for port, what in ((api_port, "Airflow api-server"), (site_port, "demo site")):
        if _listening(port):
            print(f"port {port} ({what}) is already in use: run `bash scripts/stop.sh` first, or set "
                  "NEWSARCHIVE_AIRFLOW_PORT / NEWSARCHIVE_DEMO_PORT", file=sys.stderr)
            return 1
    stack = _stack()
    started = time.monotonic()
    print("== preparing Airflow's metadata DB (SQLite) and parsing the DAGs", flush=True)
    stack.init_db()
    print(f"== starting the demo news site on http://127.0.0.1:{site_port}/", flush=True)
    start_demo_site(site_port)
    print(f"== starting Airflow: api-server, scheduler, dag-processor (logs in {_run_dir()})", flush=True)
    stack.start()
    stack.unpause(DEMO_DAG)
    run_id = stack.trigger(DEMO_DAG, DEMO_WINDOW)
    print(f"== triggered {DEMO_DAG} run {run_id} for [{DEMO_WINDOW['start']}, {DEMO_WINDOW['end']})", flush=True)
    run = stack.wait_run(DEMO_DAG, run_id, timeout=900)
    report = _report()
    print(f"\nrun {run_id}: {run['state'].upper()} in {time.monotonic() - started:.0f}s from start")
    if report:
        print(f"articles archived: {report.get('articles')}  (report: {report.get('report_key', '')})")
    print(f"\nAirflow UI:   {stack.base_url}/dags/{DEMO_DAG}")
    print(f"Archive:      {settings.archive_url()}")
    print("Pull text:    .venv/bin/newsarchive --help")
    print("Stop:         bash scripts/stop.sh")
    return 0 if run["state"] == "success" else 1


def _report() -> dict[str, object] | None:
    """The demo window's run report from the archive, if written."""
    from newsarchive.archive import keys
    from newsarchive.archive.errors import KeyNotFound
    from newsarchive.instants import parse_window
    from newsarchive.pipeline.stages import open_archive

    window = parse_window(DEMO_WINDOW["start"], DEMO_WINDOW["end"])
    key = keys.report_key("demo", window.start, window.end)
    try:
        report = json.loads(open_archive().get(key))
    except KeyNotFound:
        return None
    report["report_key"] = key
    return dict(report)


def stop() -> int:
    """Stop Airflow's components and the demo site."""
    _stack().stop()
    pid_file = _run_dir() / "demosite.pid"
    if pid_file.exists():
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(int(pid_file.read_text()), signal.SIGTERM)
        pid_file.unlink()
    print("newsarchive demo stopped")
    return 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "up"
    if command not in ("up", "stop"):
        sys.exit("usage: python -m newsarchive.pipeline.demo up|stop")
    try:
        sys.exit(up() if command == "up" else stop())
    except StackError as exc:
        sys.exit(f"newsarchive demo: {exc}")
