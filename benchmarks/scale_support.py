"""Helpers the scale benchmark's parts share: the generated site in its own process, site configs and
windows for it, and running a stage in a child process (``scale_stage.py``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@dataclass(frozen=True)
class Served:
    """A generated site served by a child process."""

    url: str
    articles: int | None
    process: subprocess.Popen[str]


@contextmanager
def generated_site(articles: int | None, access_log: Path | None = None) -> Iterator[Served]:
    """``python -m newsarchive.demosite.generated --articles N`` on a free port, stopped on exit.

    Its own process, so building and serving the site takes neither memory nor the GIL from what is measured.
    """
    cmd = [sys.executable, "-m", "newsarchive.demosite.generated", "--port", "0"]
    if articles is not None:
        cmd += ["--articles", str(articles)]
    if access_log is not None:
        cmd += ["--access-log", str(access_log)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith("serving "):
            raise RuntimeError(f"the generated site did not start: {line!r}")
        yield Served(line.split()[1], articles, proc)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def whole_site_window(articles: int | None) -> tuple[str, str]:
    """[first day, last day + 1) of a generated site, midnight in its timezone, as ISO strings."""
    from newsarchive.demosite.generated.corpus import TZ, Size

    size = Size(articles)
    start = datetime.combine(size.first_day, time(0), tzinfo=TZ)
    end = datetime.combine(size.last_day + timedelta(days=1), time(0), tzinfo=TZ)
    return start.isoformat(), end.isoformat()


def day_window(articles: int | None, offset: int, days: int = 1) -> tuple[str, str]:
    """A daily window of a generated site: [first day + offset, + days), midnight in its timezone."""
    from newsarchive.demosite.generated.corpus import TZ, Size

    first = Size(articles).first_day + timedelta(days=offset)
    start = datetime.combine(first, time(0), tzinfo=TZ)
    return start.isoformat(), (start + timedelta(days=days)).isoformat()


def stage_env(sites_dir: Path, work_dir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a stage process runs with: this project's sites folder and scratch space."""
    env = dict(os.environ)
    env.update({"NEWSARCHIVE_SITES_DIR": str(sites_dir), "NEWSARCHIVE_WORK_DIR": str(work_dir)})
    env.update(extra or {})
    return env


def run_stage(stage: str, site: str, window: tuple[str, str], archive: str, out: Path, env: dict[str, str],
              crawl: Path | None = None, extract: Path | None = None) -> dict[str, Any]:
    """Run one stage in a child process (``scale_stage.py``) and return its report."""
    cmd = [sys.executable, str(HERE / "scale_stage.py"), stage, "--site", site, "--start", window[0],
           "--end", window[1], "--archive", archive, "--out", str(out)]
    if crawl is not None:
        cmd += ["--crawl", str(crawl)]
    if extract is not None:
        cmd += ["--extract", str(extract)]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{stage} stage failed ({proc.returncode}): {proc.stderr[-3000:]}")
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return report


def mib(kib: int) -> float:
    """KiB to MiB."""
    return kib / 1024
