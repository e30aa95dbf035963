"""Archives with a life for the lifecycle tests: daily windows written through the pipeline's own write path
(``extract_stage.write_records``: article objects, versions, bundles, index, history), updates of old
articles, stale copies and fetch-time ties. Loaded by path from conftest.py and handed out as ``life``.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from extract import ArticleRecord, RawRef
from extract.record import article_id
from newsarchive.archive.reader import Archive
from newsarchive.archive.store import Store
from newsarchive.demosite.generated.config import site_toml
from newsarchive.instants import Window
from newsarchive.pipeline.extract_stage import write_records
from newsarchive.pipeline.sites import parse_site

SITE = "gen"
TZ = ZoneInfo("Europe/Paris")
WORDS = ["the", "council", "met", "on", "tuesday", "to", "discuss", "the", "new", "tram", "line", "and", "its",
         "cost", "to", "the", "city", "budget"]


def site_config() -> Any:
    """The generated site's config (site id ``gen``, Europe/Paris)."""
    return parse_site(Path("gen.toml"), tomllib.loads(site_toml("http://gen.example/")))


def day_window(day: date, days: int = 1) -> Window:
    """[day 00:00, day + days 00:00) in Paris: a daily run's window."""
    start = datetime.combine(day, time(), tzinfo=TZ)
    return Window(start, start + timedelta(days=days))


def slug(day: date, n: int) -> str:
    return f"{day:%Y-%m-%d}-story-{n}"


def url_of(day: date, n: int) -> str:
    return f"http://gen.example/world/{day:%Y/%m/%d}/{slug(day, n)}"


def record(day: date, n: int, *, version: int = 1, fetched: datetime | None = None, title: str | None = None,
           text: str | None = None) -> ArticleRecord:
    """Article ``n`` of ``day`` (published 09:00 + n minutes, Paris) as fetched at ``fetched``; ``version`` > 1
    is an edit (new text, ``modified`` one day per version later)."""
    url = url_of(day, n)
    published = datetime.combine(day, time(9, n), tzinfo=TZ)
    modified = published + timedelta(days=version - 1) if version > 1 else None
    fetched = fetched or (modified or published) + timedelta(hours=3)
    body = text or "\n".join(" ".join(WORDS[: 8 + (n + k + version) % 9]) + f" ({slug(day, n)} v{version})."
                             for k in range(4))
    return ArticleRecord(
        id=article_id(url), url=url + "?utm_source=feed", canonical_url=url, site=SITE,
        title=title or f"Story {slug(day, n)} v{version}", text=body, authors=("Ann Lee",),
        published=published.isoformat(), modified=modified.isoformat() if modified else None,
        language="en", language_confidence=0.99, section="world", tags=("city",),
        fetched_at=fetched.astimezone(ZoneInfo("UTC")).isoformat(timespec="seconds"),
        raw=RawRef(warc_key=f"raw/site={SITE}/date={day:%Y-%m-%d}/x.warc.gz", offset=1000 + n),
    )


@dataclass
class Life:
    """The writes applied to an archive so far (replayable on a twin archive that is never compacted)."""

    writes: list[tuple[Window, list[ArticleRecord]]] = field(default_factory=list)

    def write(self, store: Store, window: Window, records: list[ArticleRecord]) -> None:
        """One run of ``window`` writing ``records`` (the extract stage's write path)."""
        write_records(site_config(), window, records, store)
        self.writes.append((window, records))

    def replay(self, store: Store) -> None:
        """Apply every write so far to another archive."""
        for window, records in self.writes:
            write_records(site_config(), window, records, store)


FIRST_DAY = date(2024, 10, 27)
DAYS = 10  # Oct 27 .. Nov 5: two months, the boundary inside


def daily_life(store: Store, *, per_day: int = 3) -> Life:
    """Daily runs over two months with what years of them bring: updates of earlier articles (versions, one
    of them written into the previous month by a later run), a stale copy from an overlapping window, and
    a fetch-time tie between two windows."""
    life = Life()
    for offset in range(DAYS):
        day = FIRST_DAY + timedelta(days=offset)
        records = [record(day, n) for n in range(per_day)]
        if day == date(2024, 10, 29):  # an edit of Oct 27's first story, caught by the Oct 29 run
            records.append(record(FIRST_DAY, 0, version=2))
        if day == date(2024, 11, 2):  # edited again, and an October story edited in November
            records += [record(FIRST_DAY, 0, version=3), record(date(2024, 10, 31), 1, version=2)]
        life.write(store, day_window(day), records)
    # An overlapping two-day window run earlier (an older fetch of Oct 30's stories: stale copies).
    older = [replace(record(date(2024, 10, 30), n), title="Stale title",
                     fetched_at="2024-10-30T08:30:00+00:00") for n in range(per_day)]
    life.write(store, day_window(date(2024, 10, 29), 2), older)
    # The same fetch time in two windows: the window that ends later wins (readers and SQL alike). Written
    # last, so its record is also the object's (a tie of same-text copies is otherwise read from whichever of
    # bundle and object a read uses: rows match on key, fetch time and text digest only).
    tie = record(date(2024, 11, 3), 5, fetched=datetime(2024, 11, 3, 12, tzinfo=TZ))
    shorter = Window(datetime.combine(date(2024, 11, 3), time(9), tzinfo=TZ), day_window(date(2024, 11, 3)).end)
    life.write(store, shorter, [replace(tie, title="Shorter window")])
    life.write(store, day_window(date(2024, 11, 3), 2), [replace(tie, title="Longer window")])
    return life


def snapshot(store: Store, workers: int = 8, light: bool = False) -> dict[str, Any]:
    """What every reader returns: the index, the articles (bundles and single GETs), a month, the versions,
    the stats, and histories of the updated articles (``light``: the index, articles and versions only)."""
    archive, single = Archive(store, workers=workers), Archive(store, workers=workers, bundles=False)
    everything = archive.select()
    if light:
        return {"index": archive.index().to_pylist(), "articles": list(archive.records(everything)),
                "versions": [v.tagged() for v in archive.with_versions(everything)]}
    return {
        "index": archive.index().to_pylist(),
        "articles": list(archive.articles()),
        "single": list(single.articles()),
        "november": list(archive.articles(start="2024-11-01", end="2024-12-01")),
        "one_day": [r["id"] for r in archive.articles(start="2024-10-30", end="2024-10-31")],
        "versions": [v.tagged() for v in archive.with_versions(everything)],
        "stats": archive.stats().to_pylist(),
        "history": [[v.tagged() for v in archive.history(article_id(url_of(FIRST_DAY, 0)))],
                    [v.tagged() for v in archive.history(article_id(url_of(date(2024, 10, 31), 1)))]],
    }


def object_keys(store: Store, prefix: str = "") -> list[str]:
    """Every key of the archive under ``prefix`` (sorted)."""
    return sorted(store.list(prefix))


def ids_everywhere(store: Store) -> dict[str, set[str]]:
    """Which article ids each kind of object holds: articles/, versions/, and the rows of every Parquet file."""
    import io

    import pyarrow.parquet as pq

    found: dict[str, set[str]] = {"articles": set(), "versions": set(), "index": set(), "bundles": set(),
                                  "history": set()}
    for key in store.list(""):
        kind = key.split("/", 1)[0]
        if kind == "articles":
            found[kind].add(key.rsplit("/", 1)[1].removesuffix(".json"))
        elif kind == "versions":
            found[kind].add(key.split("/")[2])
        elif kind in ("index", "bundles", "history"):
            found[kind].update(pq.read_table(io.BytesIO(store.get(key)), columns=["id"]).column("id").to_pylist())
    return found


def texts_everywhere(store: Store) -> Iterator[tuple[str, bytes]]:
    """Every object's bytes (to look for a text that must be gone)."""
    for key in store.list(""):
        yield key, store.get(key)


class HookStore:
    """A real store that calls ``hook(operation, key)`` before each write, delete or listing (to run another
    actor at an exact point between two of this one's operations); reads pass through."""

    def __init__(self, inner: Store, hook: Callable[[str, str], None]) -> None:
        self.inner, self.hook = inner, hook

    def put(self, key: str, data: bytes, **kwargs: Any) -> None:
        self.hook("put", key)
        self.inner.put(key, data, **kwargs)

    def put_file(self, key: str, path: Any, **kwargs: Any) -> None:
        self.hook("put", key)
        self.inner.put_file(key, path, **kwargs)

    def put_if(self, key: str, data: bytes, **kwargs: Any) -> str:
        self.hook("put_if", key)
        return self.inner.put_if(key, data, **kwargs)

    def delete(self, key: str) -> None:
        self.hook("delete", key)
        self.inner.delete(key)

    def delete_if(self, key: str, etag: str) -> bool:
        self.hook("delete_if", key)
        return self.inner.delete_if(key, etag)

    def list(self, prefix: str = "") -> Iterator[str]:
        self.hook("list", prefix)
        return self.inner.list(prefix)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class Crash(Exception):
    """Raised by a CrashingStore: the process died here."""


class CrashingStore(HookStore):
    """A real store whose ``n``-th write or delete raises Crash instead of happening (a killed process)."""

    def __init__(self, inner: Store, n: int) -> None:
        self.count = 0
        self.n = n
        super().__init__(inner, self._maybe_crash)

    def _maybe_crash(self, operation: str, key: str) -> None:
        if operation == "list":
            return
        self.count += 1
        if self.count == self.n:
            raise Crash(f"crash before {operation} {key}")


def stored(store: Store, key: str) -> dict[str, Any]:
    """A stored JSON object."""
    return dict(json.loads(store.get(key)))
