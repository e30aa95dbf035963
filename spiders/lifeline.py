"""The spider process dies with its parent (the crawl task), however the parent dies.

A task killed with SIGKILL (the OOM killer, a lost worker, a stuck task cleared) runs no cleanup, so it
cannot stop its spider: an orphaned spider would go on crawling the site, writing into a scratch folder
that the next task sweeps as abandoned, for a WARC nobody uploads. So the spider, given its parent's pid:

- asks Linux to SIGKILL it the moment the parent exits (``prctl(PR_SET_PDEATHSIG)``; the signal follows
  the parent *thread* that started it: the pipeline starts and waits for the spider in one thread);
- exits at once if the parent is already gone (it may have died before the request above was made);
- checks every ``POLL_S`` that its parent is still its parent (on systems without prctl, and in case the
  signal is lost), and exits otherwise.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
import threading
import time

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1  # linux/prctl.h
POLL_S = 0.5
EXIT_ORPHANED = 1


def _request_death_signal() -> bool:
    """Ask the kernel for SIGKILL when the parent exits (Linux only); whether that worked."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _orphaned(parent_pid: int) -> None:
    """Leave now: nothing the crawl would still write can be used (os._exit: no cleanup, no flush)."""
    print(f"spiders.runner: parent process {parent_pid} is gone: stopping", file=sys.stderr, flush=True)
    os._exit(EXIT_ORPHANED)


def _watch(parent_pid: int) -> None:
    while True:
        time.sleep(POLL_S)
        if os.getppid() != parent_pid:
            _orphaned(parent_pid)


def die_with_parent(parent_pid: int) -> None:
    """Make this process end when ``parent_pid`` (its parent) ends; exits at once if it already has."""
    signalled = _request_death_signal()
    if os.getppid() != parent_pid:
        _orphaned(parent_pid)
    threading.Thread(target=_watch, args=(parent_pid,), name="lifeline", daemon=True).start()
    log.debug("lifeline to parent %d (death signal %s)", parent_pid, "set" if signalled else "unavailable")
