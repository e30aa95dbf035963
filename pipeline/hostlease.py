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
holder) order), so turns go first come, first served. The holder renews its ticket while it crawls; a
ticket not renewed for ``LEASE_SECONDS`` (its task was killed) no longer counts. ``H`` is the host and
port of the site's base URL.
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
# How often a waiting crawl looks again, and how long it waits at most before failing (the task retries).
POLL_SECONDS = float(os.environ.get("NEWSARCHIVE_HOST_POLL_S", "2"))
MAX_WAIT_SECONDS = float(os.environ.get("NEWSARCHIVE_HOST_MAX_WAIT_S", str(2 * 3600)))
_UNSAFE = re.compile(r"[^a-z0-9.-]+")
_TICKET = re.compile(r"^(\d{12})-([A-Za-z0-9_.-]+)\.json$")


class HostBusy(RuntimeError):
    """The host stayed busy with other crawls for longer than the wait allowed: the task should retry."""


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


def _live(store: Any, key: str, now: float) -> bool:
    """Whether a queue object is still renewed by its holder (a vanished one is not)."""
    from archive.errors import KeyNotFound

    try:
        expires = float(json.loads(store.get(key)).get("expires", 0))
    except KeyNotFound:
        return False
    except (ValueError, AttributeError, TypeError):
        return False  # unreadable: nobody renews it
    return expires > now


class HostQueue:
    """The bakery for one host in one archive store."""

    def __init__(self, store: Any, host: str, what: str, clock: Callable[[], float] = time.time) -> None:
        self.store, self.host, self.what, self.clock = store, host, what, clock
        self.holder = f"{_UNSAFE.sub('-', socket.gethostname().lower())[:40]}.{os.getpid()}.{secrets.token_hex(4)}"
        self.ticket: Ticket | None = None

    def enter(self) -> Ticket:
        """Take a number: the highest ticket's plus one, with the choosing mark around the draw."""
        choosing = _prefix(self.host, "choosing") + f"{self.holder}.json"
        self.store.put(choosing, _body(self.holder, self.what), content_type=JSON)
        try:
            tickets = _tickets(self.store, self.host)
            number = (tickets[-1].number if tickets else 0) + 1
            key = _prefix(self.host, "tickets") + f"{number:012d}-{self.holder}.json"
            self.store.put(key, _body(self.holder, self.what), content_type=JSON)
            self.ticket = Ticket(number, self.holder, key)
        finally:
            self.store.delete(choosing)
        return self.ticket

    def ahead(self) -> list[str]:
        """The holders that go before this one now: choosing, or with a live ticket ahead of it."""
        assert self.ticket is not None
        now = self.clock()
        choosing = [key for key in self.store.list(_prefix(self.host, "choosing"))
                    if not key.endswith(f"/{self.holder}.json") and _live(self.store, key, now)]
        if choosing:
            return [key.rsplit("/", 1)[-1].removesuffix(".json") for key in choosing]
        mine, blockers = self.ticket.order, []
        for ticket in _tickets(self.store, self.host):
            if ticket.order >= mine:
                break
            if _live(self.store, ticket.key, now):
                blockers.append(ticket.holder)
            else:  # its crawl died without leaving the queue: tidy up (it no longer counts either way)
                log.warning("host %s: dropping the expired ticket of %s", self.host, ticket.holder)
                self.store.delete(ticket.key)
        return blockers

    def renew(self) -> None:
        """Push the ticket's expiry back (the holder is alive)."""
        assert self.ticket is not None
        self.store.put(self.ticket.key, _body(self.holder, self.what), content_type=JSON)

    def leave(self) -> None:
        """Give the turn (or the place in the queue) up."""
        if self.ticket is not None:
            self.store.delete(self.ticket.key)
            self.ticket = None


@contextmanager
def host_turn(store: Any, base_url: str, what: str, *, max_wait_s: float = MAX_WAIT_SECONDS,
              poll_s: float = POLL_SECONDS) -> Iterator[Turn]:
    """Wait for the host's turn (first come, first served), hold it while the body runs, renewing it, and
    give it up after. HostBusy when other crawls held the host for longer than ``max_wait_s``."""
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
