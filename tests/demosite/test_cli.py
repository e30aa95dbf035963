"""``python -m newsarchive.demosite`` serves in the foreground and logs each request to stdout."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.request

from newsarchive.demosite.server import serve


def _free_port() -> int:
    site = serve(port=0)  # the OS picks a free port; release it for the child
    port = site.port
    site.stop()
    return port


def test_cli_serves_and_logs_requests() -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsarchive.demosite", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        banner = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in banner
        request = urllib.request.Request(f"http://127.0.0.1:{port}/robots.txt", headers={"User-Agent": "cli-test"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert b"Disallow: /private/" in response.read()
        line = proc.stdout.readline()
        assert "GET /robots.txt 200 'cli-test'" in line
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
    assert proc.returncode == 0


def test_cli_reports_busy_port() -> None:
    site = serve(port=0)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "newsarchive.demosite", "--port", str(site.port)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    finally:
        site.stop()
    assert done.returncode == 1 and "cannot listen" in done.stderr
