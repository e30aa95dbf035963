"""A lease object: one holder at a time for a maintenance job (a site's month being compacted, say).

Created with a conditional write (``If-None-Match: *``), so two processes never both get it; a lease whose
holder crashed is taken over once expired (a conditional write on the expired object's tag), and released
with a conditional delete, so a holder that lost its lease never deletes the next holder's.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from newsarchive.archive.errors import ArchiveError, KeyNotFound, PreconditionFailed

if TYPE_CHECKING:
    from newsarchive.archive.store import Store

log = logging.getLogger(__name__)

# A lease left by a crashed holder may be taken over after this long; a holder renews it between its steps
# (wall-clock time here only bounds how long a crash blocks the next try, it decides nothing about data).
LEASE_SECONDS = 10 * 60


class LeaseBusy(ArchiveError):
    """Another process holds the lease."""


class Lease:
    """A held lease: ``renew()`` between steps pushes its expiry back (LeaseBusy if it was taken over)."""

    def __init__(self, store: Store, key: str, seconds: float) -> None:
        self.store, self.key, self.seconds = store, key, seconds
        self.etag = _acquire(store, key, self._body())

    def _body(self) -> bytes:
        holder = f"{socket.gethostname()}:{os.getpid()}"
        return json.dumps({"holder": holder, "expires": time.time() + self.seconds}).encode("utf-8")

    def renew(self) -> None:
        """Extend the lease (a conditional write on its tag): LeaseBusy when another process took it over."""
        try:
            self.etag = self.store.put_if(self.key, self._body(), etag=self.etag, content_type="application/json")
        except PreconditionFailed:
            raise LeaseBusy(f"{self.key} was taken over: stopping") from None

    def release(self) -> None:
        """Give the lease up (unless another process took it over meanwhile)."""
        try:
            self.store.delete_if(self.key, self.etag)
        except PreconditionFailed:
            log.warning("%s was taken over while its holder ran", self.key)


@contextmanager
def lease(store: Store, key: str, seconds: float = LEASE_SECONDS) -> Iterator[Lease]:
    """Hold the lease object ``key`` while the body runs (LeaseBusy if someone else holds an unexpired one)."""
    held = Lease(store, key, seconds)
    try:
        yield held
    finally:
        held.release()


def _acquire(store: Store, key: str, body: bytes) -> str:
    """Create the lease, or take it over when expired; its new tag (LeaseBusy when held)."""
    for _ in range(3):
        try:
            return store.put_if(key, body, etag=None, content_type="application/json")
        except PreconditionFailed:
            pass
        try:
            held = store.get_tagged(key)
        except KeyNotFound:
            continue  # released meanwhile: try to create it again
        if not _expired(held.data):
            raise LeaseBusy(f"{key} is held by another process")
        try:
            etag = store.put_if(key, body, etag=held.etag, content_type="application/json")
        except PreconditionFailed:
            raise LeaseBusy(f"{key} was taken over by another process") from None
        log.warning("%s: took over an expired lease", key)
        return etag
    raise LeaseBusy(f"{key} keeps changing hands")


def _expired(data: bytes) -> bool:
    """Whether a stored lease has expired (an unreadable one counts as expired: nobody can renew it)."""
    try:
        return float(json.loads(data).get("expires", 0)) < time.time()
    except (ValueError, AttributeError, TypeError):
        return True
