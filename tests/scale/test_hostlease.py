"""newsarchive.pipeline.hostlease: one crawl per host at a time across sites and processes, first come first served, a
dead
crawl's turn expiring, on a local folder and on S3."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from newsarchive.archive.local import LocalStore
from newsarchive.archive.store import open_store
from newsarchive.pipeline import hostlease
from newsarchive.pipeline.hostlease import HostBusy, HostQueue, host_id, host_turn

ROOT = Path(__file__).resolve().parents[2]
URL = "http://127.0.0.1:8765/"


def test_host_id_is_host_and_port() -> None:
    assert host_id("http://127.0.0.1:8765/news/") == "127.0.0.1_8765"
    assert host_id("https://News.Example.org/fr/") == "news.example.org_443"
    assert host_id("http://example.org") == "example.org_80"
    assert host_id("http://[::1]:9000/") == "1_9000"
    with pytest.raises(ValueError, match="no host"):
        host_id("not a url")


def contend(store: Any, urls: list[str], hold_s: float = 0.05) -> tuple[dict[str, int], list[tuple[str, float, float]]]:
    """One thread per URL takes its host's turn at once; the most holders inside per host, and the spans."""
    inside: dict[str, int] = {}
    most: dict[str, int] = {}
    spans: list[tuple[str, float, float]] = []
    lock = threading.Lock()
    start = threading.Barrier(len(urls))
    errors: list[BaseException] = []

    def crawl(url: str) -> None:
        try:
            start.wait(timeout=10)
            with host_turn(store, url, "test", poll_s=0.02, max_wait_s=60):
                host = host_id(url)
                with lock:
                    inside[host] = inside.get(host, 0) + 1
                    most[host] = max(most.get(host, 0), inside[host])
                began = time.monotonic()
                time.sleep(hold_s)
                with lock:
                    inside[host] -= 1
                    spans.append((host, began, time.monotonic()))
        except BaseException as exc:  # surfaced by the test
            errors.append(exc)

    threads = [threading.Thread(target=crawl, args=(url,)) for url in urls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return most, spans


def test_one_turn_per_host_and_hosts_do_not_wait_for_each_other(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    other = "http://127.0.0.1:9999/"
    most, spans = contend(store, [URL] * 6 + [other] * 2, hold_s=0.1)
    assert most == {"127.0.0.1_8765": 1, "127.0.0.1_9999": 1}
    assert len(spans) == 8
    first_other = min(s for s in spans if s[0] == "127.0.0.1_9999")
    # The second host's first crawl ran while the first host's queue was still being served.
    assert first_other[1] < max(s[2] for s in spans if s[0] == "127.0.0.1_8765")
    assert list(store.list("hosts/")) == []  # every crawl left the queue


def test_turns_on_s3(s3_bucket: str) -> None:
    store = open_store(f"s3://{s3_bucket}/archive")
    most, spans = contend(store, [URL] * 4)
    assert most == {"127.0.0.1_8765": 1} and len(spans) == 4
    assert list(store.list("hosts/")) == []


def test_first_come_first_served(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    first = HostQueue(store, "h_80", "first")
    first.enter()
    second = HostQueue(store, "h_80", "second")
    second.enter()
    assert first.ahead() == [] and second.ahead() == [first.holder]
    third = HostQueue(store, "h_80", "third")
    third.enter()
    first.leave()
    assert second.ahead() == [] and third.ahead() == [second.holder]
    assert first.ticket is None and second.ticket is not None and third.ticket is not None
    assert third.ticket.number > second.ticket.number


def test_a_dead_crawls_turn_expires(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = LocalStore(tmp_path)
    dead = HostQueue(store, host_id(URL), "killed crawl")
    dead.enter()
    assert dead.ticket is not None
    body = json.loads(store.get(dead.ticket.key))
    expired = json.dumps({**body, "expires": time.time() - 1}).encode()
    store.put(dead.ticket.key, expired, content_type="application/json")
    with host_turn(store, URL, "next", poll_s=0.01, max_wait_s=5) as turn:
        assert turn.waited_s < 5
    assert "dead ticket" in caplog.text and list(store.list("hosts/")) == []


def test_a_live_turn_makes_the_next_crawl_wait_then_give_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hostlease, "RENEW_SECONDS", 0.05)
    store = LocalStore(tmp_path)
    with host_turn(store, URL, "long crawl", poll_s=0.01):
        busy = pytest.raises(HostBusy, match=r"127\.0\.0\.1_8765 busy")
        with busy, host_turn(store, URL, "next", poll_s=0.02, max_wait_s=0.3):
            pass
        assert len(list(store.list("hosts/"))) == 1  # the waiting crawl left the queue when it gave up
    assert list(store.list("hosts/")) == []


TURN_SCRIPT = """
import sys, time
from newsarchive.archive.local import LocalStore
from newsarchive.pipeline.hostlease import host_turn
with host_turn(LocalStore(sys.argv[1]), sys.argv[2], "process", poll_s=0.02, max_wait_s=60):
    print("in", time.time(), flush=True)
    time.sleep(0.2)
    print("out", time.time(), flush=True)
"""


def test_turns_hold_across_processes(tmp_path: Path) -> None:
    """Separate processes (as tasks on a worker are): their turns never overlap."""
    procs = [subprocess.Popen([sys.executable, "-c", TURN_SCRIPT, str(tmp_path), URL], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True) for _ in range(4)]
    events = []
    for proc in procs:
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0
        events += [(float(when), kind) for kind, when in (line.split() for line in out.splitlines())]
    assert [kind for _, kind in sorted(events)] == ["in", "out"] * 4


def test_a_killed_crawls_turn_ends_with_its_process(tmp_path: Path) -> None:
    """A crawl process SIGKILLed on this machine leaves its ticket; the next crawl does not wait for it."""
    script = TURN_SCRIPT.replace('time.sleep(0.2)', 'time.sleep(600)')
    proc = subprocess.Popen([sys.executable, "-c", script, str(tmp_path), URL], cwd=ROOT, stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None and proc.stdout.readline().startswith("in ")
    proc.kill()
    proc.wait(timeout=30)
    store = LocalStore(tmp_path)
    assert len(list(store.list("hosts/"))) == 1
    with host_turn(store, URL, "next", poll_s=0.01, max_wait_s=5) as turn:
        assert turn.waited_s < 5
    assert list(store.list("hosts/")) == []


class FailingDeletes(LocalStore):
    """A store whose deletes fail, as during an outage."""

    def delete(self, key: str) -> None:
        raise OSError("store down")


def test_leaving_never_fails_the_crawl_and_an_abandoned_ticket_is_not_waited_for(tmp_path: Path) -> None:
    failing = FailingDeletes(tmp_path)
    with host_turn(failing, URL, "during an outage", poll_s=0.01):
        pass  # the crawl succeeded; its ticket (and choosing mark) could not be deleted
    assert len(list(failing.list("hosts/"))) == 2
    store = LocalStore(tmp_path)  # the store is back: this process neither waits for them nor keeps them
    with host_turn(store, URL, "retry", poll_s=0.01, max_wait_s=5) as turn:
        assert turn.waited_s < 5
    assert list(store.list("hosts/")) == []
