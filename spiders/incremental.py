"""Incremental crawling, the spider's side: what the archive already holds (spec ``archived``), whether the
site reports a modification after the archived copy (sitemap lastmod, feed updated, news-sitemap date),
which archived articles are due for a revisit by age, and the conditional request headers that let an
unchanged page answer 304 (the archived copy's ETag and Last-Modified).

Standard library only (and spiders.dates): the pipeline uses the validator rules below when it indexes the
response headers, so what the spec accepts and what the index holds are one rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from newsarchive.instants import Window
from spiders.dates import DateHint, parse_date

# Hints that say the site changed an article: a sitemap lastmod or feed updated/modified ("lastmod"), and a
# news-sitemap publication date (a site that re-dates an updated article there). A feed pubDate or a URL date
# is the publication, not a change.
SIGNAL_KINDS = frozenset({"lastmod", "news"})
# An ETag sent back verbatim in If-None-Match: visible ASCII (a quoted string, W/ allowed), bounded. Anything
# else from a site is not stored, so the next check is unconditional (nothing is lost, one 200 is spent).
_ETAG = re.compile(r"^[\x21-\x7e](?:[\x20-\x7e]{0,253}[\x21-\x7e])?$")


def clean_etag(value: Any) -> str | None:
    """A response's ETag as it may be sent back (If-None-Match), or None when absent or unusable."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if _ETAG.match(value) else None


def clean_http_date(value: Any) -> str | None:
    """A Last-Modified value as an IMF-fixdate (``Wed, 15 Jan 2025 10:00:00 GMT``), or None when unparsable."""
    if not isinstance(value, str) or not value.strip() or len(value) > 100:
        return None
    try:
        moment = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # HTTP dates are GMT
    return format_datetime(moment.astimezone(UTC), usegmt=True)


@dataclass(frozen=True)
class ArchivedCopy:
    """What the archive holds of one article.

    ``time``: the copy's latest modified (else published) time, what a modification signal is compared with;
    ``published``: its publication (for revisits by age); ``article_id``: one article under several URLs;
    ``fetched_at``: when the copy was fetched (a 304's WARC revisit record refers to it); ``etag`` and
    ``last_modified``: the copy's response validators, sent back as If-None-Match / If-Modified-Since.
    """

    time: DateHint
    published: DateHint | None = None
    article_id: str | None = None
    fetched_at: datetime | None = None
    etag: str | None = None
    last_modified: str | None = None

    def conditional_headers(self) -> dict[str, str]:
        """The request headers that let the site answer 304 when the page has not changed since the copy."""
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers

    def to_json(self) -> str | dict[str, str]:
        """The spec form: the bare time when nothing else is known, else an object."""
        fields = {"published": self.published.iso() if self.published else None, "id": self.article_id,
                  "fetched_at": self.fetched_at.isoformat() if self.fetched_at else None, "etag": self.etag,
                  "last_modified": self.last_modified}
        extra = {k: v for k, v in fields.items() if v is not None}
        return {"time": self.time.iso(), **extra} if extra else self.time.iso()


_ENTRY_FIELDS = frozenset({"time", "published", "id", "fetched_at", "etag", "last_modified"})


def parse_archived(value: Any, tz: tzinfo) -> ArchivedCopy:
    """One spec ``archived`` value: an ISO date or instant (the copy's time), or an object with ``time`` and
    optionally ``published``, ``id``, ``fetched_at``, ``etag``, ``last_modified``. ValueError says what is
    wrong."""
    if isinstance(value, str):
        return ArchivedCopy(time=_hint(value, tz, "time"))
    if not isinstance(value, Mapping):
        raise ValueError(f"must be an ISO 8601 date or instant, or an object, got {type(value).__name__}")
    unknown = sorted(set(value) - _ENTRY_FIELDS)
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r} (known: {', '.join(sorted(_ENTRY_FIELDS))})")
    published = value.get("published")
    fetched = value.get("fetched_at")
    article_id = value.get("id")
    if article_id is not None and not (isinstance(article_id, str) and re.fullmatch(r"[0-9a-f]{8,64}", article_id)):
        raise ValueError(f"id must be 8-64 lower-case hex digits, got {article_id!r}")
    etag, last_modified = value.get("etag"), value.get("last_modified")
    if etag is not None and clean_etag(etag) != etag:
        raise ValueError("etag must be visible ASCII of at most 255 characters")
    if last_modified is not None and clean_http_date(last_modified) is None:
        raise ValueError(f"last_modified must be an HTTP date, got {str(last_modified)[:80]!r}")
    return ArchivedCopy(
        time=_hint(value.get("time"), tz, "time"),
        published=_hint(published, tz, "published") if published is not None else None,
        article_id=article_id,
        fetched_at=_hint(fetched, tz, "fetched_at").value if fetched is not None else None,
        etag=etag,
        last_modified=clean_http_date(last_modified) if last_modified is not None else None,
    )


def _hint(text: Any, tz: tzinfo, name: str) -> DateHint:
    hint = parse_date(text, "archived", tz) if isinstance(text, str) else None
    if hint is None:
        raise ValueError(f"{name} must be an ISO 8601 date or instant, got {str(text)[:80]!r}")
    return hint


@dataclass(frozen=True)
class Revisit:
    """An archived article due for a revisit: the URL to request, its dedup key and its copy."""

    url: str
    key: str
    copy: ArchivedCopy


class ArchivedCopies:
    """The archive's articles for this crawl (spec ``archived``), by the spider's dedup key."""

    def __init__(self, archived: Iterable[tuple[str, ArchivedCopy | DateHint]],
                 key: Callable[[str], str | None]) -> None:
        self._known: dict[str, ArchivedCopy] = {}
        self._urls: dict[str, str] = {}  # dedup key -> a URL the article was archived under
        for url, value in archived:
            copy = value if isinstance(value, ArchivedCopy) else ArchivedCopy(time=value)
            k = key(url)
            if k is None:
                continue
            # Several URLs of one article (fetched URL, canonical URL) may map to one key: keep the newest.
            if k not in self._known or copy.time.latest > self._known[k].time.latest:
                self._known[k] = copy
                self._urls.setdefault(k, url)
        self._articles = len({c.article_id or k for k, c in self._known.items()})

    def __contains__(self, key: object) -> bool:
        return key in self._known

    def __len__(self) -> int:
        """How many articles (an article archived under two URLs counts once when its id is known)."""
        return self._articles

    def get(self, key: str) -> ArchivedCopy:
        """The archived copy under a dedup key (KeyError if none)."""
        return self._known[key]

    def modified_since(self, key: str, hints: Iterable[DateHint], window: Window | None = None) -> bool:
        """Whether some modification signal (sitemap/feed lastmod, news-sitemap date) is after the copy.

        The copy's time is its latest instant (a bare date: the end of that day); a day-precision signal
        counts from the start of its day, so only a later day says "modified since". For a copy published
        before ``window``, the signal must also fall in the window or after it: the run whose window holds a
        change re-checks the article, and the next runs do not again (a change that left the text as it was,
        answered 304, writes nothing that would tell them).
        """
        copy = self._known[key]
        earlier = (window is not None and copy.published is not None
                   and copy.published.latest <= window.start)
        return any(h.kind in SIGNAL_KINDS and h.earliest >= copy.time.latest and h.earliest > copy.time.value
                   and not (earlier and window is not None and h.before(window)) for h in hints)

    def due_for_revisit(self, start: datetime, end: datetime, ages: Sequence[timedelta]) -> list[Revisit]:
        """The archived articles whose age at the window [start, end) is one of ``ages``: published in
        [start - age, end - age). One entry per article, youngest age first, then by publication and key
        (a budget too small for all goes to the freshest articles, the likeliest to be edited)."""
        due: dict[str, tuple[int, datetime, str]] = {}
        for rank, age in enumerate(sorted(ages)):
            since, until = start - age, end - age
            for key, copy in self._known.items():
                if copy.published is None or not since <= copy.published.value < until:
                    continue
                article = copy.article_id or key
                if article not in due:
                    due[article] = (rank, copy.published.value, key)
        return [Revisit(self._urls[key], key, self._known[key]) for _, _, key in sorted(due.values())]
