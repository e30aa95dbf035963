"""Fixture archives for the analyst tests, written with the archive's own API (records + index files).

Imported by the analyst tests' conftest as ``tests.analyst.worlds`` and handed to tests as the ``worlds`` fixture.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from extract.record import ArticleRecord, RawRef, article_id
from newsarchive.archive.bundles import write_partition
from newsarchive.archive.keys import article_key, index_key, raw_warc_key
from newsarchive.archive.local import LocalStore
from newsarchive.archive.s3 import S3Options
from newsarchive.archive.store import Store
from newsarchive.pipeline.extract_stage import index_row

EXTRACTOR = {"langdetect": "1.0.9", "newsarchive-extract": "1.0.0", "trafilatura": "2.0.0"}


def s3_options(server: Any) -> S3Options:
    """Explicit options for the session's moto_server (small retry budget: tests fail fast)."""
    env = server.env()
    return S3Options(
        endpoint_url=server.endpoint, region=env["AWS_DEFAULT_REGION"], access_key_id=env["AWS_ACCESS_KEY_ID"],
        secret_access_key=env["AWS_SECRET_ACCESS_KEY"], max_attempts=2, connect_timeout=2.0, read_timeout=10.0,
    )


def parse_window(text: str) -> tuple[datetime, datetime]:
    """'2024-11-01/2024-11-02' -> two aware datetimes (ISO date-times also accepted)."""
    from newsarchive.instants import parse_instant

    start, end = text.split("/")
    return parse_instant(start), parse_instant(end)


def make_record(
    site: str, slug: str, published: str, *, language: str | None = "en", text: str | None = None,
    title: str | None = None, fetched_at: str = "2024-11-05T12:00:00Z", authors: tuple[str, ...] = ("Ann Lee",),
    tags: tuple[str, ...] = ("politics",), window: str = "2024-11-01/2024-11-04",
) -> ArticleRecord:
    """A realistic ArticleRecord (id from the canonical URL, raw pointing at its window's WARC)."""
    canonical = f"https://{site}.example/news/{slug}"
    start, end = parse_window(window)
    return ArticleRecord(
        id=article_id(canonical), url=canonical + "?ref=feed", canonical_url=canonical, site=site,
        title=title or f"Story {slug}", text=text or f"First paragraph of {slug}.\nSecond paragraph, quoted \"here\".",
        authors=authors, published=published, language=language, language_confidence=0.99 if language else 0.0,
        section="news", tags=tags, description=f"About {slug}", image=f"https://{site}.example/img/{slug}.jpg",
        site_name=site.title(), raw=RawRef(warc_key=raw_warc_key(site, start, end), offset=1024),
        fetched_at=fetched_at, extractor=dict(EXTRACTOR), dropped={"ads": 2},
    )


def partition_day(record: ArticleRecord) -> date:
    """The `date=` partition of a test record: the date part of `published` (its stated offset is the site's)."""
    assert record.published is not None
    return date.fromisoformat(record.published[:10])


@dataclass(frozen=True)
class Written:
    """What a fixture archive holds: its store, the records (latest copy per id) and the index keys."""

    store: Store
    records: tuple[ArticleRecord, ...]
    index_keys: tuple[str, ...]


def write_window(store: Store, window: str, records: Iterable[ArticleRecord]) -> list[str]:
    """Write records as one run of `window` does: a JSON per article, a bundle and an index per (site, date)."""
    start, end = parse_window(window)
    rows: dict[tuple[str, date], tuple[list[dict[str, Any]], list[str]]] = {}
    for record in records:
        day = partition_day(record)
        key = article_key(record.site, day, record.id)
        text = record.to_json()
        store.put(key, text.encode("utf-8"), content_type="application/json; charset=utf-8")
        day_rows, texts = rows.setdefault((record.site, day), ([], []))
        day_rows.append(index_row(record, key, day))
        texts.append(text)
    keys = []
    for (site, day), (day_rows, texts) in sorted(rows.items()):
        key = index_key(site, day, start, end)
        write_partition(store, key, day_rows, texts)
        keys.append(key)
    return keys


def world_records() -> list[ArticleRecord]:
    """Two sites, three languages, boundary instants, a bare date, and offsets that cross midnight UTC."""
    return [
        make_record("alpha", "a1", "2024-11-01T08:00:00+00:00", text="The Election results are in.\nTurnout rose."),
        # 23:30 at -05:00 is 04:30 UTC on Nov 2, in the Nov 1 partition.
        make_record("alpha", "a2", "2024-11-01T23:30:00-05:00", text="Markets closed higher.\nElectionless week."),
        make_record("alpha", "a3", "2024-11-02T00:00:00+00:00", text="Weather: rain.\nWind later."),
        make_record("alpha", "a4", "2024-11-03", language="fr", text="Le marché est ouvert.\nIl pleut.",
                    authors=("Jean Dupont", "Marie Curie"), tags=("économie", "météo")),
        make_record("beta", "b1", "2024-11-01T10:00:00+01:00", language="de", text="Die Wahl ist vorbei.\nEnde."),
        # 00:30 at +01:00 is 23:30 UTC on Nov 1, in the Nov 2 partition.
        make_record("beta", "b2", "2024-11-02T00:30:00+01:00", language="de", text="Nachts geschrieben.\nRuhig."),
        make_record("beta", "b3", "2024-11-02T12:00:00+01:00", language="fr", text="Élection locale.\nFin.",
                    authors=(), tags=()),
    ]


def build_world(store: Store) -> Written:
    """The world's records, with alpha's a1 also in an older overlapping window (stale title, earlier fetch)."""
    records = world_records()
    stale = replace(records[0], title="Stale title", fetched_at="2024-11-01T09:00:00Z")
    keys = write_window(store, "2024-11-01/2024-11-02", [stale])
    keys += write_window(store, "2024-11-01/2024-11-04", records)
    return Written(store=store, records=tuple(records), index_keys=tuple(sorted(keys)))


def instant_order(records: Iterable[ArticleRecord]) -> list[str]:
    """Ids in the reader's order: publication instant (bare date = midnight UTC), then id."""
    from newsarchive.instants import instant_or_none

    return [r.id for r in sorted(records, key=lambda r: (instant_or_none(r.published), r.id))]


class RecordingStore:
    """A real LocalStore that records list prefixes and object reads, and makes GETs slow (20 ms)."""

    def __init__(self, inner: LocalStore, delay: float = 0.0) -> None:
        self.inner = inner
        self.delay = delay
        self.listed: list[str] = []
        self.read: list[str] = []
        self.active = 0
        self.peak = 0
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return self.inner.url

    def list(self, prefix: str = "") -> Iterator[str]:
        with self.lock:
            self.listed.append(prefix)
        return self.inner.list(prefix)

    def get(self, key: str) -> bytes:
        with self.lock:
            self.read.append(key)
            self.active += 1
            self.peak = max(self.peak, self.active)
        try:
            time.sleep(self.delay)
            return self.inner.get(key)
        finally:
            with self.lock:
                self.active -= 1

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)
