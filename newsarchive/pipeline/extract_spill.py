"""The extract stage's first pass: a window's WARCs extracted into a spill file on local disk.

Each record the window keeps is written to the spill as it comes out of the worker pool, with its response's
validators (ETag, Last-Modified, for the index); memory holds only a small ``Kept`` entry per record (what the
dedup rules and the partitioned writes need), so the stage's memory does not grow with the window's texts.
The second pass (newsarchive.pipeline.extract_write) reads the records back one publication day at a time.
"""

from __future__ import annotations

import logging
import pickle
import struct
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, TypeVar
from zoneinfo import ZoneInfo

from newsarchive.instants import Window
from newsarchive.pipeline.extract_write import publication_date, published_instant
from newsarchive.pipeline.incremental import ResponseValidators
from newsarchive.pipeline.rejections import reject
from newsarchive.pipeline.sites import SiteConfig
from newsarchive.pipeline.versions import Fetched, is_newer_fetch

if TYPE_CHECKING:
    from extract import ArticleRecord, ExtractHints
    from newsarchive.archive.store import Store
    from newsarchive.archive.warc import WarcResponse
    from newsarchive.pipeline.extract_pool import ExtractPool

HTML_TYPES = ("text/html", "application/xhtml+xml")
INSIDE, OUTSIDE = "inside", "outside"  # where a record's publication falls against the window
_LENGTH = struct.Struct("<Q")  # each spilled record: its pickle's length, then the pickle


@dataclass(frozen=True, slots=True)
class Kept:
    """What the stage holds of a spilled record: its identity for the dedup rules, its partition and
    order for the writes, and where it sits in the spill."""

    id: str
    fetched_at: str | None
    text_sha256: str
    published: str
    day: date
    offset: int


class Spill:
    """An append-only file of records in the task's scratch folder, read back by offset.

    Pickle, not JSON: the records (with their transient template positions) come back exactly as the
    extractor made them, and the file is written by this process and read by it or by its own write workers
    (``Spill.reader``), never by anything else."""

    def __init__(self, path: Path, *, mode: str = "w+b") -> None:
        self.path = path
        self._file = path.open(mode)
        self._end = 0

    @classmethod
    def reader(cls, path: Path) -> Spill:
        """The spill at ``path``, opened read-only (a write worker reading the records its task spilled)."""
        return cls(path, mode="rb")

    def flush(self) -> None:
        """Hand what was added to the operating system, so another process reading the file sees it."""
        self._file.flush()

    def __enter__(self) -> Spill:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._file.close()

    def add(self, record: ArticleRecord, day: date, validators: ResponseValidators | None = None) -> Kept:
        """Write a record (published on ``day``, its ``date=`` partition) and its response's validators at the
        end; return its entry."""
        if not record.published:  # the window test rejects undated records before they are kept
            raise ValueError(f"{record.url}: an undated record cannot be spilled")
        data = pickle.dumps((record, dict(validators) if validators else None), protocol=pickle.HIGHEST_PROTOCOL)
        self._file.seek(self._end)
        self._file.write(_LENGTH.pack(len(data)) + data)
        offset, self._end = self._end, self._end + _LENGTH.size + len(data)
        return Kept(record.id, record.fetched_at, record.text_sha256, record.published, day, offset)

    def read(self, entry: Kept) -> ArticleRecord:
        """The record an entry stands for, as it was added."""
        return self.read_with_validators(entry)[0]

    def read_with_validators(self, entry: Kept) -> tuple[ArticleRecord, ResponseValidators | None]:
        """The record an entry stands for and its response's validators, as they were added."""
        self._file.seek(entry.offset)
        (length,) = _LENGTH.unpack(self._file.read(_LENGTH.size))
        found: tuple[ArticleRecord, ResponseValidators | None] = pickle.loads(self._file.read(length))
        return found

    def records(self, entries: list[Kept]) -> Iterator[ArticleRecord]:
        """The records of ``entries``, one at a time, in their order."""
        return (self.read(entry) for entry in entries)


class _Fetch(Fetched, Protocol):
    """A fetch of an article, as the dedup rules see it (an ArticleRecord or its Kept entry)."""

    @property
    def id(self) -> str: ...
    @property
    def text_sha256(self) -> str: ...


F = TypeVar("F", bound=_Fetch)


def extract_hints(site: SiteConfig) -> ExtractHints:
    """The extractor's hints for a site (its [extraction] table, languages, timezone and size limit)."""
    from extract import ExtractHints

    return ExtractHints(prune_xpaths=site.extraction.prune_xpaths, languages=site.languages,
                        timezone=site.timezone, min_words=site.extraction.min_words,
                        max_elements=site.extraction.max_elements, max_bytes=site.politeness.max_response_bytes)


def _article_responses(warc_path: Path, counts: Counter[str], max_body_bytes: int) -> Iterator[WarcResponse]:
    """The WARC's responses that may be articles: role article, status 200, an HTML content type, a body read
    whole within max_body_bytes (the spider's limit). A gzip body is inflated, bounded, by the extractor."""
    from newsarchive.archive.warc import iter_responses

    with warc_path.open("rb") as stream:
        for response in iter_responses(stream, max_body_bytes=max_body_bytes):
            if response.role not in (None, "article"):
                continue
            counts["responses"] += 1
            if 300 <= response.status < 400:
                counts["redirects"] += 1  # the spider followed it; the target is its own response
                continue
            if response.status != 200:
                reject(counts, f"http_{response.status}", response.target_uri, "", logging.DEBUG)
                continue
            if response.content_type and response.content_type not in HTML_TYPES:
                reject(counts, "not_html", response.target_uri, f"content type {response.content_type}",
                       logging.DEBUG)
                continue
            if response.body_truncated:
                reject(counts, "too_large", response.target_uri, f"over {max_body_bytes} bytes once decoded")
                continue
            yield response


def extract_records(site: SiteConfig, window: Window, warc_path: Path, warc_key: str, counts: Counter[str],
                    spill: Spill, outside: list[ArticleRecord] | None = None,
                    outside_validators: dict[tuple[str, int], ResponseValidators] | None = None,
                    pool: ExtractPool | None = None) -> list[Kept]:
    """Extract every article of the window from a local WARC in the worker pool into ``spill``; count every
    other page by reason. Pages stream through the pool (a bounded number in flight), outcomes come back in
    WARC order; only a fetch that wins over the ones kept so far is spilled, with its response's validators.
    With ``outside``, articles published outside the window are added to it (an update of an archived article,
    or out of the window: newsarchive.pipeline.incremental.archived_updates decides) instead of being counted,
    and their validators to ``outside_validators`` by (WARC key, offset). ``pool``: the stage's (see
    ``site_pool``); without it, one of the site's for this WARC alone."""
    from extract import RawRef
    from newsarchive.pipeline.extract_pool import Page
    from newsarchive.pipeline.incremental import response_validators

    if pool is None:
        with site_pool(site) as own:
            return extract_records(site, window, warc_path, warc_key, counts, spill, outside, outside_validators, own)
    tz = ZoneInfo(site.timezone)
    in_flight: dict[int, ResponseValidators] = {}  # by offset: the pages between the WARC and their outcome

    def pages() -> Iterator[Page]:
        for r in _article_responses(warc_path, counts, site.politeness.max_response_bytes):
            in_flight[r.offset] = response_validators(r.headers)
            yield Page(body=r.body, url=r.target_uri, fetched_at=r.fetched_at,
                       content_type=r.headers.get("content-type"), raw=RawRef(warc_key=warc_key, offset=r.offset))

    kept: dict[str, Kept] = {}
    for outcome in pool.extract(pages()):
        url = outcome.page.url
        assert outcome.page.raw is not None  # every page above has its raw reference
        validators = in_flight.pop(outcome.page.raw.offset)
        if outcome.record is None:
            crashed = outcome.reason == "extractor_error"  # a bug: the log shows its traceback
            reject(counts, outcome.reason or "extractor_error", url, outcome.detail,
                   logging.ERROR if crashed else logging.INFO)
            continue
        record = outcome.record
        placed = _place(record, url, window, tz, counts)
        if placed == OUTSIDE and outside is not None:
            outside.append(record)
            if outside_validators is not None:
                outside_validators[(warc_key, outcome.page.raw.offset)] = validators
        elif placed == OUTSIDE:
            counts["out_of_window"] += 1
        elif placed == INSIDE and _wins(record, kept, counts):
            kept[record.id] = spill.add(record, publication_date(record, tz), validators)
    counts["extract_workers"] = pool.size
    counts["extract_worker_restarts"] = pool.restarts  # the pool's, over every WARC it has read
    return _drop_duplicate_texts(list(kept.values()), counts)


def site_pool(site: SiteConfig) -> ExtractPool:
    """The site's extract pool (its ``[extraction]`` settings, the environment's overrides), to enter."""
    from newsarchive.pipeline.extract_pool import ExtractPool, pool_settings

    settings = pool_settings(site.extraction.workers, site.extraction.page_timeout_s)
    return ExtractPool(settings.workers, settings.page_timeout_s, site=site.id, hints=extract_hints(site))


def _place(record: ArticleRecord, url: str, window: Window, tz: ZoneInfo, counts: Counter[str]) -> str | None:
    """INSIDE or OUTSIDE the window by the record's publication instant; None, counted, for an undated record
    or an unreadable date."""
    if not record.published:
        reject(counts, "no_publication_date", url, "")
        return None
    try:
        published = published_instant(record.published, tz)
    except ValueError:
        reject(counts, "bad_publication_date", url, repr(record.published))
        return None
    return INSIDE if window.contains(published) else OUTSIDE


def _wins(fetch: _Fetch, kept: dict[str, F], counts: Counter[str]) -> bool:
    """Whether ``fetch`` replaces what ``kept`` holds of its article: several fetches of one article (a
    redirect and its target, reruns' WARCs) are counted duplicates, and the latest fetch wins."""
    if fetch.id not in kept:
        return True
    counts["duplicate.same_canonical_url"] += 1
    return is_newer_fetch(fetch, kept[fetch.id])


def _drop_duplicate_texts(fetches: list[F], counts: Counter[str]) -> list[F]:
    """Keep one fetch per identical text (syndicated copies under other URLs); first by id wins."""
    seen: set[str] = set()
    kept = []
    for fetch in sorted(fetches, key=lambda r: r.id):
        if fetch.text_sha256 in seen:
            counts["duplicate.same_text"] += 1
            continue
        seen.add(fetch.text_sha256)
        kept.append(fetch)
    return kept


def latest_fetches(per_warc: list[list[F]], counts: Counter[str]) -> list[F]:
    """One fetch per article from several WARCs of the window (one per crawl attempt): the latest fetch
    wins, as within one WARC; identical texts under other ids are then dropped across WARCs too. In id order."""
    if len(per_warc) == 1:
        return per_warc[0]
    kept: dict[str, F] = {}
    for fetch in (f for found in per_warc for f in found):
        if _wins(fetch, kept, counts):
            kept[fetch.id] = fetch
    return _drop_duplicate_texts(list(kept.values()), counts)


@dataclass
class WindowWarcs:
    """What the window's WARCs gave: the spilled records per WARC (their validators spilled with them),
    records published outside the window and their responses' validators (ETag, Last-Modified), and which
    responses re-checked an archived article, by (WARC key, offset)."""

    per_warc: list[list[Kept]] = field(default_factory=list)
    outside: list[ArticleRecord] = field(default_factory=list)
    validators: dict[tuple[str, int], ResponseValidators] = field(default_factory=dict)
    rechecked: set[tuple[str, int]] = field(default_factory=set)


def read_window_warcs(site: SiteConfig, window: Window, store: Store, warc_key: str | None, counts: Counter[str],
                      folder: Path, spill: Spill, pool: ExtractPool | None = None) -> WindowWarcs:
    """Extract the records of every WARC of the window (``warc_key`` among them even if not listed yet) into
    ``spill``, each WARC downloaded to ``folder`` and removed once read; in ``pool``, the stage's, when given."""
    from newsarchive.pipeline.incremental import warc_updates
    from newsarchive.pipeline.raw import download_warcs, window_warc_keys

    warc_keys = window_warc_keys(store, site.id, window)
    if warc_key is not None and warc_key not in warc_keys:
        warc_keys.append(warc_key)  # not listed (yet): it was uploaded, so it is read all the same
    found = WindowWarcs()
    for path, key in download_warcs(store, warc_keys, folder):
        found.per_warc.append(extract_records(site, window, path, key, counts, spill, found.outside,
                                              found.validators, pool))
        stored = warc_updates(path)
        found.rechecked.update((key, offset) for offset in stored.rechecked)
        counts["updates.not_modified"] += stored.not_modified
        path.unlink()  # read: the spill holds what the window keeps of it
    counts["warcs"] = len(warc_keys)
    return found
