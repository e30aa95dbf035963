"""Process liveness, shared by the local Airflow stack (stopping components) and scratch-folder sweeps."""

from __future__ import annotations

import os
from pathlib import Path


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs on this host (one owned by another user counts as alive; a zombie,
    dead but not yet reaped by its parent, does not: in a container whose init never reaps, it stays forever)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """Whether /proc says the process is a zombie (False where there is no /proc)."""
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return False
    # The command name may hold spaces and parentheses: the state follows the last ")".
    return stat.rsplit(")", 1)[-1].split()[:1] == ["Z"]
