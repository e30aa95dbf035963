"""Scratch folders: a task killed with SIGKILL leaves its folder, and the next task on the host removes it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsarchive.pipeline.scratch import OWNER_FILE, UNOWNED_STALE_AFTER_S, scratch_dir, sweep_stale

ROOT = Path(__file__).resolve().parents[2]
HOLD = """
import sys, time
from newsarchive.pipeline.scratch import scratch_dir
with scratch_dir("crawl-victim-") as tmp:
    (tmp / "window.warc.gz").write_bytes(b"x" * 4096)
    print(tmp, flush=True)
    time.sleep(600)
"""


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NEWSARCHIVE_WORK_DIR", str(tmp_path / "work"))
    return tmp_path / "work"


def _holder(work: Path) -> tuple[subprocess.Popen[str], Path]:
    """A real process holding a scratch folder (as a crawl task does), and that folder."""
    env = {**os.environ, "NEWSARCHIVE_WORK_DIR": str(work)}
    proc = subprocess.Popen([sys.executable, "-c", HOLD], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    return proc, Path(proc.stdout.readline().strip())


def test_a_killed_tasks_folder_is_swept_by_the_next_task(work: Path) -> None:
    victim, left = _holder(work)
    survivor, alive = _holder(work)
    try:
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        assert left.is_dir() and (left / "window.warc.gz").exists()  # SIGKILL runs no cleanup
        with scratch_dir("extract-next-") as mine:
            assert not left.exists(), "the dead task's folder is still there"
            assert alive.is_dir(), "a running task's folder was removed"
            assert (mine / OWNER_FILE).read_text().split() == [socket.gethostname(), str(os.getpid())]
        assert not mine.exists()
    finally:
        survivor.kill()
        survivor.wait(timeout=10)


def test_what_is_not_ours_to_remove_stays(work: Path) -> None:
    work.mkdir(parents=True)
    other_host = work / "crawl-a-1"
    other_host.mkdir()
    (other_host / OWNER_FILE).write_text("some-other-host 1\n")
    unowned_young = work / "crawl-a-2"
    unowned_young.mkdir()
    unowned_old = work / "extract-a-3"
    unowned_old.mkdir()
    old = time.time() - UNOWNED_STALE_AFTER_S - 60
    os.utime(unowned_old, (old, old))
    garbled = work / "crawl-a-4"
    garbled.mkdir()
    (garbled / OWNER_FILE).write_text("not an owner line at all\n")
    foreign = work / "notes"
    foreign.mkdir()
    os.utime(foreign, (old, old))
    assert sweep_stale(work) == [unowned_old]
    assert sorted(p.name for p in work.iterdir()) == ["crawl-a-1", "crawl-a-2", "crawl-a-4", "notes"]


def test_only_stage_prefixes(work: Path) -> None:
    with pytest.raises(ValueError, match="must start with"), scratch_dir("other-"):
        pass


def test_a_folder_stays_while_any_owner_runs(work: Path) -> None:
    """A crawl task's folder also names its spider: killed task, live spider -> the folder is still in use."""
    from newsarchive.pipeline.scratch import add_owner

    victim, left = _holder(work)
    spider = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        add_owner(left, spider.pid)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        assert sweep_stale(work) == [] and left.is_dir(), "a folder was swept while its spider still ran"
        spider.kill()
        spider.wait(timeout=10)
        assert sweep_stale(work) == [left]
    finally:
        spider.kill()
        spider.wait(timeout=10)


def test_a_zombie_is_not_alive() -> None:
    from newsarchive.pipeline.processes import process_alive

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        deadline = time.monotonic() + 30
        while Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
            assert time.monotonic() < deadline, "the child never exited"
            time.sleep(0.05)
        assert not process_alive(child.pid)  # exited, not yet reaped (wait() not called)
        assert process_alive(os.getpid())
    finally:
        child.wait(timeout=10)
    assert not process_alive(child.pid)
