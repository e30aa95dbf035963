"""The spider dies with its parent: given a --parent-pid that is not (or no longer) its parent, it stops at once,
before crawling anything (the whole task-level case, SIGKILL of a real task process, is in
tests/reliability/test_crawl_killed.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def test_an_orphan_never_starts_crawling(demo_site: Any, tmp_path: Path) -> None:
    spec = {"site": "demo", "base_url": demo_site.url, "start": "2024-11-01T00:00:00+00:00",
            "end": "2024-11-15T00:00:00+00:00", "feeds": ["/rss.xml"], "article_allow": ["^/"],
            "politeness": {"allow_private_addresses": True}}
    (tmp_path / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
    before = len(demo_site.requests)
    not_my_parent = os.getpid() + 1 if os.getpid() + 1 != os.getppid() else os.getpid() + 2
    proc = subprocess.run(
        [sys.executable, "-m", "spiders.runner", "--spec", str(tmp_path / "spec.json"), "--warc-out",
         str(tmp_path / "out.warc.gz"), "--stats-out", str(tmp_path / "stats.json"), "--parent-pid",
         str(not_my_parent)], capture_output=True, text=True, timeout=60, cwd=ROOT, check=False)
    assert proc.returncode == 1 and f"parent process {not_my_parent} is gone" in proc.stderr, proc.stderr
    assert demo_site.requests[before:] == [] and not (tmp_path / "out.warc.gz").exists()


def test_a_live_parent_keeps_the_spider_going(demo_site: Any, tmp_path: Path) -> None:
    spec = {"site": "demo", "base_url": demo_site.url, "start": "2024-11-01T00:00:00+00:00",
            "end": "2024-11-15T00:00:00+00:00", "feeds": ["/rss.xml"], "article_allow": ["^/(fr|en)/"],
            "politeness": {"allow_private_addresses": True, "download_delay": 0.0}}
    (tmp_path / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "spiders.runner", "--spec", str(tmp_path / "spec.json"), "--warc-out",
         str(tmp_path / "out.warc.gz"), "--stats-out", str(tmp_path / "stats.json"), "--parent-pid",
         str(os.getpid())], capture_output=True, text=True, timeout=120, cwd=ROOT, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path / "stats.json").read_text())["fetched"]["article"] > 0
