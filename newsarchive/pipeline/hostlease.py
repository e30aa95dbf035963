"""One crawl per host at a time, across sites, tasks, workers and machines: a host's turn.

A site's politeness (delay, concurrency, robots.txt) holds inside its own crawl. Several sites can live on
one host (sections of one publisher, say), and the crawl pool lets several crawls run at once: without
more, their requests would add up at that host. So the crawl stage first waits for the host's turn.

The archive is the only thing every worker shares, so the queue lives there, as Lamport's bakery over
plain objects (PUT, LIST and DELETE, strongly consistent on S3, MinIO and a local folder; no conditional
write is needed, so every store works)::

    hosts/host=<H>/choosing/<holder>.json                 while a crawl picks its number (milliseconds)
    hosts/host=<H>/tickets/<number>-<holder>.json         a crawl waiting or crawling; deleted when done

A crawl marks itself choosing, takes the number one above the highest ticket, writes its ticket and
unmarks itself; it crawls once no one is choosing and no live ticket is ahead of its own ((number,
holder) order), so turns go first come, first served. The holder renews its ticket while it crawls. A
ticket (or choosing mark) stops counting when it was not renewed for ``LEASE_SECONDS``, at once when its
process is gone from this machine (a killed task: the scratch sweep's rule), and in the process that
failed to delete it (a store outage); the next crawl removes it. ``H`` is the host and port of the
site's base URL. Leaving the queue never fails a crawl: a ticket that cannot be deleted expires.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

log = logging.getLogger("newsarchive.hosts")

PREFIX = "hosts"
JSON = "application/json"
# A ticket not renewed for this long belongs to a crawl that died; renewed every RENEW_SECONDS meanwhile.
LEASE_SECONDS = float(os.environ.get("NEWSARCHIVE_HOST_LEASE_S", "300"))
RENEW_SECONDS = LEASE_SECONDS / 5
# How often a waiting crawl looks again, and how long it waits at most before giving up (HostBusy). A crawl
# run by hand waits for as long as it takes; an Airflow crawl task waits TASK_WAIT_SECONDS, then hands its
# pool slot back and is rescheduled RESCHEDULE_SECONDS later, so crawls queued for one busy host do not
# hold the crawl pool while other hosts are free.
POLL_SECONDS = float(os.environ.get("NEWSARCHIVE_HOST_POLL_S", "2"))
MAX_WAIT_SECONDS = float(os.environ.get("NEWSARCHIVE_HOST_MAX_WAIT_S", str(2 * 3600)))
TASK_WAIT_SECONDS = float(os.environ.get("NEWSARCHIVE_HOST_TASK_WAIT_S", "10"))
RESCHEDULE_SECONDS = float(os.environ.get("NEWSARCHIVE_HOST_RESCHEDULE_S", "30"))
_UNSAFE = re.compile(r"[^a-z0-9.-]+")
_TICKET = re.compile(r"^(\d{12})-([A-Za-z0-9_.-]+)\.json$")


class HostBusy(RuntimeError):
    """The host stayed busy with other crawls for longer than the wait allowed: try again later (an Airflow
    task is rescheduled, freeing its pool slot meanwhile)."""


def host_id(base_url: str) -> str:
    """The host a site's requests go to, as a key part: host name and port (``example.org_443``)."""
    parts = urlsplit(base_url)
    host = (parts.hostname or "").lower()
    if not host:
        raise ValueError(f"no host in {base_url!r}")
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    return f"{_UNSAFE.sub('-', host).strip('-.')}_{port}"


@dataclass(frozen=True)
class Ticket:
    """A crawl's place in a host's queue."""

    number: int
    holder: str
    key: str

    @property
    def order(self) -> tuple[int, str]:
        """Queue order: number, then holder (two crawls may draw the same number)."""
        return self.number, self.holder


@dataclass(frozen=True)
class Turn:
    """A host's turn, held: which host, by whom, and how long the crawl waited for it."""

    host: str
    holder: str
    waited_s: float


def _prefix(host: str, kind: str) -> str:
    return f"{PREFIX}/host={host}/{kind}/"


def _tickets(store: Any, host: str) -> list[Ticket]:
    found = []
    prefix = _prefix(host, "tickets")
    for key in store.list(prefix):
        match = _TICKET.match(key[len(prefix):])
        if match:
            found.append(Ticket(int(match.group(1)), match.group(2), key))
    return sorted(found, key=lambda t: t.order)


def _body(holder: str, what: str) -> bytes:
    data = {"holder": holder, "what": what, "machine": socket.gethostname(), "pid": os.getpid(),
            "expires": time.time() + LEASE_SECONDS}
    return json.dumps(data, sort_keys=True).encode("utf-8")


# Queue objects this process wrote but could not delete (the store failed): dead to it, retried later.
_ABANDONED: set[str] = set()


def _live(store: Any, key: str, now: float) -> bool:
    """Whether a queue object's holder is still there: renewed lately, its process alive if it ran on this
    machine, not one this process abandoned (a vanished or unreadable object is dead)."""
    from newsarchive.archive.errors import KeyNotFound
    from newsarchive.pipeline.processes import process_alive

    if key in _ABANDONED:
        return False
    try:
        body = json.loads(store.get(key))
        expires, machine, pid = float(body.get("expires", 0)), str(body.get("machine")), int(body.get("pid", 0))
    except KeyNotFound:
        return False
    except (ValueError, AttributeError, TypeError):
        return False  # unreadable: nobody renews it
    if machine == socket.gethostname() and pid != os.getpid() and not process_alive(pid):
        return False
    return expires > now


def _drop(store: Any, key: str) -> None:
    """Delete a queue object; a failure is logged and the object abandoned (it expires), never raised."""
    try:
        store.delete(key)
        _ABANDONED.discard(key)
    except Exception as exc:  # the store is down: the crawl's own outcome matters more than its ticket
        _ABANDONED.add(key)
        log.warning("could not delete %s (%s): it stops counting in %.0fs", key, exc, LEASE_SECONDS)


class HostQueue:
    """The bakery for one host in one archive store."""

    def __init__(self, store: Any, host: str, what: str, clock: Callable[[], float] = time.time) -> None:
        self.store, self.host, self.what, self.clock = store, host, what, clock
        self.holder = f"{_UNSAFE.sub('-', socket.gethostname().lower())[:40]}.{os.getpid()}.{secrets.token_hex(4)}"
        self.ticket: Ticket | None = None

    def enter(self) -> Ticket:
        """Take a number: the highest ticket's plus one, with the choosing mark around the draw."""
        for key in [k for k in _ABANDONED if k.startswith(_prefix(self.host, ""))]:
            _drop(self.store, key)
        choosing = _prefix(self.host, "choosing") + f"{self.holder}.json"
        self.store.put(choosing, _body(self.holder, self.what), content_type=JSON)
        try:
            tickets = _tickets(self.store, self.host)
            number = (tickets[-1].number if tickets else 0) + 1
            key = _prefix(self.host, "tickets") + f"{number:012d}-{self.holder}.json"
            self.store.put(key, _body(self.holder, self.what), content_type=JSON)
            self.ticket = Ticket(number, self.holder, key)
        finally:
            _drop(self.store, choosing)
        return self.ticket

    def ahead(self) -> list[str]:
        """The holders that go before this one now: choosing, or with a live ticket ahead of it."""
        assert self.ticket is not None
        now = self.clock()
        choosing = []
        for key in self.store.list(_prefix(self.host, "choosing")):
            if key.endswith(f"/{self.holder}.json"):
                continue
            if _live(self.store, key, now):
                choosing.append(key.rsplit("/", 1)[-1].removesuffix(".json"))
            else:
                _drop(self.store, key)
        if choosing:
            return choosing
        mine, blockers = self.ticket.order, []
        for ticket in _tickets(self.store, self.host):
            if ticket.order >= mine:
                break
            if _live(self.store, ticket.key, now):
                blockers.append(ticket.holder)
            else:  # its crawl died without leaving the queue: tidy up (it no longer counts either way)
                log.warning("host %s: dropping the dead ticket of %s", self.host, ticket.holder)
                _drop(self.store, ticket.key)
        return blockers

    def renew(self) -> None:
        """Push the ticket's expiry back (the holder is alive)."""
        assert self.ticket is not None
        self.store.put(self.ticket.key, _body(self.holder, self.what), content_type=JSON)

    def leave(self) -> None:
        """Give the turn (or the place in the queue) up; never raises (see _drop)."""
        if self.ticket is not None:
            _drop(self.store, self.ticket.key)
            self.ticket = None


@contextmanager
def host_turn(store: Any, base_url: str, what: str, *, max_wait_s: float | None = None,
              poll_s: float = POLL_SECONDS) -> Iterator[Turn]:
    """Wait for the host's turn (first come, first served), hold it while the body runs, renewing it, and
    give it up after. HostBusy when other crawls held the host for longer than ``max_wait_s`` (default
    MAX_WAIT_SECONDS); the place in the queue is given up then too."""
    max_wait_s = MAX_WAIT_SECONDS if max_wait_s is None else max_wait_s
    host = host_id(base_url)
    queue = HostQueue(store, host, what)
    started = time.monotonic()
    queue.enter()
    try:
        while blockers := queue.ahead():
            waited = time.monotonic() - started
            if waited > max_wait_s:
                raise HostBusy(f"host {host} busy for {waited:.0f}s with other crawls ({', '.join(blockers[:3])})")
            log.info("host %s is being crawled by %s: waiting for its turn (%.0fs so far)", host,
                     ", ".join(blockers[:3]), waited)
            time.sleep(poll_s * (0.5 + secrets.randbelow(1000) / 1000))
        waited = time.monotonic() - started
        log.info("host %s: %s has its turn after %.1fs", host, what, waited)
        with _renewing(queue):
            yield Turn(host, queue.holder, waited)
    finally:
        queue.leave()


@contextmanager
def _renewing(queue: HostQueue) -> Iterator[None]:
    """Renew the queue's ticket every RENEW_SECONDS in a daemon thread while the body runs."""
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(RENEW_SECONDS):
            try:
                queue.renew()
            except Exception:  # a renewal that fails must not kill the crawl; a later one may succeed
                log.warning("could not renew the turn on host %s", queue.host, exc_info=True)

    thread = threading.Thread(target=renew, name="host-turn-renewal", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)
