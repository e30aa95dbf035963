"""Scratch folders for one task's temporary files, and the sweep of those a killed task left behind.

A task that is SIGKILLed (OOM killer, a lost Celery worker, ``airflow tasks clear`` on a stuck task) runs no
cleanup, so its folder under ``NEWSARCHIVE_WORK_DIR`` would stay forever, holding a partial WARC. Each
folder therefore records its owners, one ``<host> <pid>`` line each: the task, and the spider process it
started (``add_owner``); every new scratch folder first removes the folders whose owners on this host all
no longer run. A folder with a live owner (a spider still writing, even if its task is gone), of another
host (a shared work dir) or of an unknown owner younger than a day is left alone.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from newsarchive.pipeline import settings
from newsarchive.pipeline.processes import process_alive

log = logging.getLogger("newsarchive.scratch")

OWNER_FILE = ".owner"
# Task scratch folders are named "<stage>-<site>-<random>"; only those are ever swept.
STAGE_PREFIXES = ("crawl-", "extract-")
# A folder with no owner file (written before owners were recorded) is stale after this long.
UNOWNED_STALE_AFTER_S = 24 * 3600


@contextlib.contextmanager
def scratch_dir(prefix: str) -> Iterator[Path]:
    """A fresh folder in the work dir, removed on exit; stale folders of dead tasks are swept first."""
    if not prefix.startswith(STAGE_PREFIXES):
        raise ValueError(f"scratch prefix {prefix!r} must start with one of {STAGE_PREFIXES}")
    root = settings.work_dir()
    sweep_stale(root)
    with tempfile.TemporaryDirectory(prefix=prefix, dir=root) as tmp:
        add_owner(Path(tmp), os.getpid())
        yield Path(tmp)


def add_owner(folder: Path, pid: int) -> None:
    """Record one more owner of a scratch folder on this host (e.g. the spider a crawl task started)."""
    with (folder / OWNER_FILE).open("a", encoding="utf-8") as owners:
        owners.write(f"{socket.gethostname()} {pid}\n")


def sweep_stale(root: Path) -> list[Path]:
    """Remove the scratch folders under ``root`` whose owner processes are all gone; return them."""
    removed = []
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        if folder.is_dir() and not folder.is_symlink() and folder.name.startswith(STAGE_PREFIXES) and _stale(folder):
            size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file() and not f.is_symlink())
            shutil.rmtree(folder, ignore_errors=True)
            if not folder.exists():
                removed.append(folder)
                log.info("removed %s (%d bytes) left by a task that no longer runs", folder, size)
    return removed


def _owners(folder: Path) -> list[tuple[str, int]] | None:
    """The (host, pid) lines of a folder's owner file; None when it has none; ValueError when garbled."""
    try:
        text = (folder / OWNER_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    owners = []
    for line in text.splitlines():
        host, pid_text = line.split()
        owners.append((host, int(pid_text)))
    if not owners:
        raise ValueError("empty owner file")
    return owners


def _stale(folder: Path) -> bool:
    try:
        owners = _owners(folder)
    except (OSError, ValueError):
        return False  # unreadable owner: not ours to judge
    if owners is None:
        try:
            return time.time() - folder.stat().st_mtime > UNOWNED_STALE_AFTER_S
        except FileNotFoundError:
            return False  # removed meanwhile by its own task
    here = socket.gethostname()
    return all(host == here and not process_alive(pid) for host, pid in owners)
