"""Test helpers shared by the suites: free ports, the S3 API server process, site configs for test servers."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

# Fake credentials for the local S3 server; real ones only ever come from the environment or Airflow.
S3_ENV = {
    "AWS_ACCESS_KEY_ID": "testing-key-id",
    "AWS_SECRET_ACCESS_KEY": "testing-secret-key",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 30.0, proc: subprocess.Popen[Any] | None = None) -> None:
    """Block until something accepts connections on 127.0.0.1:port (or fail with what went wrong)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server process exited with {proc.returncode} before listening on {port}")
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


class S3Server:
    """A moto_server process on 127.0.0.1 (a real S3 API over HTTP), stoppable and restartable."""

    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"moto_server-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        exe = shutil.which("moto_server") or str(Path(sys.executable).with_name("moto_server"))
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [exe, "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **S3_ENV},
        )
        wait_for_port(self.port, proc=self.proc)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def client(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=S3_ENV["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=S3_ENV["AWS_SECRET_ACCESS_KEY"],
            region_name=S3_ENV["AWS_DEFAULT_REGION"],
        )

    def env(self) -> dict[str, str]:
        """Environment variables that point boto3 (and so the archive) at this server."""
        return {**S3_ENV, "AWS_ENDPOINT_URL_S3": self.endpoint}


def write_site_config(sites_dir: Path, base_url: str, site_id: str = "demo") -> Path:
    """Copy sites/demo.toml into sites_dir pointing at base_url (tests serve the demo site on any port)."""
    text = (ROOT / "sites" / "demo.toml").read_text(encoding="utf-8")
    text = text.replace('base_url = "http://127.0.0.1:${NEWSARCHIVE_DEMO_PORT:-8765}/"', f'base_url = "{base_url}"')
    assert base_url in text, "sites/demo.toml's base_url line changed: update write_site_config"
    text = text.replace('id = "demo"', f'id = "{site_id}"')
    sites_dir.mkdir(parents=True, exist_ok=True)
    path = sites_dir / f"{site_id}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def run_spider(spec: dict[str, Any], folder: Path, timeout: float = 120.0) -> dict[str, Any]:
    """Run ``python -m spiders.runner`` on ``spec`` (written to folder/spec.json), WARC to folder/out.warc.gz;
    assert it exited 0 and return the stats it wrote."""
    import json

    (folder / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "spiders.runner", "--spec", str(folder / "spec.json"),
         "--warc-out", str(folder / "out.warc.gz"), "--stats-out", str(folder / "stats.json")],
        capture_output=True, text=True, timeout=timeout, cwd=ROOT, check=False)
    assert proc.returncode == 0, proc.stderr + proc.stdout[-3000:]
    stats: dict[str, Any] = json.loads((folder / "stats.json").read_text(encoding="utf-8"))
    return stats
