"""The raw layer of a window: one immutable WARC per crawl attempt, and how the stages find and fetch them.

No raw object is ever read-modify-written: each crawl uploads a WARC (and its crawl numbers) under a key of
its own, ``raw/site=S/date=D/<window>/<attempt>.warc.gz`` (``newsarchive.archive.keys``), so two runs of one window at
once both keep their WARC, and an article's ``raw`` pointer (WARC key + offset) points into an object that
never changes. Readers take every WARC of the window: the attempts, and the single ``<window>.warc.gz`` of
archives written before attempts existed.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsarchive.instants import Window

if TYPE_CHECKING:
    from newsarchive.archive.store import Store

log = logging.getLogger("newsarchive.raw")

ATTEMPT_RANDOM_BYTES = 6  # 12 hex digits after the start time: collisions are out of reach


def new_attempt_id(started: datetime | None = None) -> str:
    """A crawl attempt id, unique per crawl: its start (UTC, for order and for people) and a random part.

    Not a pure function of the window, on purpose: two crawls of one window must not share a raw object.
    """
    moment = (started or datetime.now(UTC)).astimezone(UTC)
    return f"{moment:%Y%m%dT%H%M%SZ}-{secrets.token_hex(ATTEMPT_RANDOM_BYTES)}"


def _order(key: str) -> tuple[int, str]:
    """The old single WARC first, then the attempts by id (their start time)."""
    from newsarchive.archive import keys

    attempt = keys.parse_raw_warc_key(key).attempt
    return (0, "") if attempt is None else (1, attempt)


@dataclass(frozen=True)
class StoredWindow:
    """One crawled window of a site: its WARC keys, oldest first."""

    window: Window
    warc_keys: tuple[str, ...]

    @property
    def latest_warc_key(self) -> str:
        """The WARC of the window's latest crawl attempt."""
        return self.warc_keys[-1]


def _warc_keys(listed: Iterable[str]) -> list[tuple[Any, str]]:
    """(parsed key, key) of the WARCs among listed raw keys (crawl numbers and anything else skipped)."""
    from newsarchive.archive import keys
    from newsarchive.archive.errors import InvalidKey

    found = []
    for key in listed:
        if not key.endswith(keys.WARC_SUFFIX):
            continue
        try:
            found.append((keys.parse_raw_warc_key(key), key))
        except InvalidKey:
            log.warning("ignored %s: not a raw WARC key of this layout", key)
    return found


def window_warc_keys(store: Store, site_id: str, window: Window) -> list[str]:
    """Every WARC of exactly this window, oldest first (one listing of the window's raw date folder)."""
    from newsarchive.archive import keys

    start, end = window.start.astimezone(UTC), window.end.astimezone(UTC)
    listed = store.list(keys.raw_prefix(site_id, start.date()))
    return sorted((k for p, k in _warc_keys(listed) if (p.start, p.end) == (start, end)), key=_order)


def stored_windows(store: Store, site_id: str, window: Window) -> list[StoredWindow]:
    """The site's crawled windows overlapping [start, end), oldest first, each with all its WARCs."""
    from newsarchive.archive import keys

    by_window: dict[tuple[datetime, datetime], list[str]] = {}
    for parsed, key in _warc_keys(store.list(keys.raw_prefix(site_id))):
        if parsed.start < window.end and window.start < parsed.end:
            by_window.setdefault((parsed.start, parsed.end), []).append(key)
    return [StoredWindow(Window(start, end), tuple(sorted(found, key=_order)))
            for (start, end), found in sorted(by_window.items())]


def download_warcs(store: Store, warc_keys: Iterable[str], folder: Path) -> list[tuple[Path, str]]:
    """Download WARCs into folder: (local path, key) each, in the order given."""
    fetched = []
    for n, key in enumerate(warc_keys):
        path = folder / f"window-{n:03d}.warc.gz"
        store.download(key, path)
        fetched.append((path, key))
    return fetched
