"""Instants, days and windows: the one parser of ISO 8601 dates and times, and the one window type.

Standard library only, so that ``extract/``, ``spiders/``, ``archive/`` and ``pipeline/`` all use it without
loading anything heavy.

- A **day** (a partition, a site file's date) is written ``YYYY-MM-DD`` (``parse_day``).
- An **instant** is a timezone-aware ``datetime``. ``parse_instant`` reads a date-time as Python's
  ``datetime.fromisoformat`` does (``T`` or a space, fractions of a second, ``Z`` or a UTC offset) or a bare
  date (any ISO 8601 date without a time: ``2024-11-05``, ``20241105``; ``is_bare_date``). The two
  incomplete forms mean what the caller says, through parameters rather than a second parser, because
  callers differ on purpose:

  ``bare``: the zone whose midnight a bare date is. UTC for windows and the analysts' filters (the CLI, the
  DAG params, ``newsarchive pull``, ``Archive.index``); the site's zone for a page's publication date when
  the extract stage tests it against the window and picks its ``date=`` partition. ``None`` refuses a bare
  date (the bounds of a crawl spec are exact instants).

  ``naive``: the zone a date-time without an offset is read in. UTC by default; the site's zone for dates a
  site writes (feeds, sitemaps, pages); ``None`` refuses it (which zone would it be?).

- A **window** is ``[start, end)`` between two aware instants (``Window``), stored as plain UTC datetimes.

RFC 822 and HTTP dates (feeds, ``Last-Modified``, ``Retry-After``) are read by the spider's feed and header
code (``email.utils``) and produce the same aware datetimes; the messy date strings of web pages are read by
``extract.dates``, which tries this parser first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def parse_day(text: str) -> date:
    """A calendar date written ``YYYY-MM-DD`` (blanks around it ignored); ValueError otherwise."""
    stripped = text.strip()
    if _DAY.fullmatch(stripped):
        try:
            return date.fromisoformat(stripped)
        except ValueError:
            pass
    raise ValueError(f"not a date YYYY-MM-DD: {text!r}")


def parse_iso(text: str) -> date | datetime:
    """A bare date as a ``date``, anything else ``datetime.fromisoformat`` reads as a ``datetime``, naive or
    aware as written (``Z`` is UTC). ValueError when it is neither. The rules of ``parse_instant`` are not
    applied: this is for callers that keep a naive time naive (``extract.dates`` without a site zone)."""
    stripped = text.strip()
    for read in (date.fromisoformat, datetime.fromisoformat):  # a date without a time first
        try:
            return read(stripped)
        except ValueError:
            continue
    raise ValueError(f"not an ISO 8601 date or date-time: {stripped!r}")


def is_bare_date(text: str) -> bool:
    """Whether ``text`` is an ISO 8601 date without a time (what ``bare`` of ``parse_instant`` applies to)."""
    try:
        return not isinstance(parse_iso(text), datetime)
    except ValueError:
        return False


def parse_instant(text: str, *, bare: tzinfo | None = UTC, naive: tzinfo | None = UTC) -> datetime:
    """An aware instant from an ISO 8601 date-time or bare date: a bare date is midnight in ``bare``, a time
    without offset is read in ``naive`` (see the module doc); ValueError saying why otherwise. The instant
    keeps the offset it was written with."""
    value = parse_iso(text)
    if not isinstance(value, datetime):
        if bare is None:
            raise ValueError(f"a date without a time is not an instant here: {text.strip()!r}")
        return datetime.combine(value, time(), tzinfo=bare)
    if value.tzinfo is None or value.utcoffset() is None:
        if naive is None:
            raise ValueError(f"must carry a UTC offset, got {text.strip()!r}")
        return value.replace(tzinfo=naive)
    return value


def to_instant(value: date | datetime | str, *, bare: tzinfo | None = UTC, naive: tzinfo | None = UTC) -> datetime:
    """``parse_instant`` for a string; the same rules for ``date`` (midnight in ``bare``) and ``datetime``
    (a naive one in ``naive``) objects. ValueError (TypeError for another type) says why."""
    if isinstance(value, str):
        return parse_instant(value, bare=bare, naive=naive)
    if isinstance(value, datetime):
        if value.tzinfo is not None and value.utcoffset() is not None:
            return value
        if naive is None:
            raise ValueError(f"must carry a UTC offset, got {value.isoformat()!r}")
        return value.replace(tzinfo=naive)
    if isinstance(value, date):
        if bare is None:
            raise ValueError(f"a date without a time is not an instant here: {value.isoformat()!r}")
        return datetime.combine(value, time(), tzinfo=bare)
    raise TypeError(f"expected a date, a datetime or an ISO 8601 string, got {type(value).__name__}")


def instant_or_none(value: object, *, bare: tzinfo | None = UTC, naive: tzinfo | None = UTC) -> datetime | None:
    """``parse_instant`` for stored values that may be absent or broken, as a plain UTC datetime (its UTC date
    is then ``.date()``); None for anything but a string it reads (None, "", a number, junk)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return plain_utc(parse_instant(value, bare=bare, naive=naive))
    except ValueError:
        return None


def plain_utc(moment: datetime) -> datetime:
    """An aware instant as a plain ``datetime`` in UTC. Airflow hands pendulum DateTimes, whose arithmetic
    after ``astimezone(UTC)`` can drop the zone (a naive result that no aware instant compares with)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"not an aware instant: {moment.isoformat()!r}")
    utc = moment.astimezone(UTC)
    return datetime(utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second, utc.microsecond, tzinfo=UTC)


def local_day(instant: datetime, tz: tzinfo) -> date:
    """The calendar date of an aware instant in ``tz`` (an article's ``date=`` partition in its site's zone)."""
    return instant.astimezone(tz).date()


@dataclass(frozen=True)
class Window:
    """A half-open interval of instants ``[start, end)``: both bounds aware, ``end`` after ``start``, kept as
    plain UTC datetimes (see ``plain_utc``). What one run archives, what a crawl looks for."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("window bounds must be timezone-aware")
        start, end = plain_utc(self.start), plain_utc(self.end)
        if end <= start:
            raise ValueError(f"empty window: end {end.isoformat()} is not after start {start.isoformat()}")
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)

    def contains(self, instant: datetime) -> bool:
        """Whether an aware instant lies in [start, end)."""
        return self.start <= instant < self.end

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """Whether the half-open span [start, end) of aware instants shares an instant with the window."""
        return start < self.end and end > self.start

    @property
    def length(self) -> timedelta:
        """How long the window is."""
        return self.end - self.start

    @property
    def length_days(self) -> float:
        """The window's length in days (so that windows of any width compare per day)."""
        return self.length.total_seconds() / 86400

    def days(self, tz: tzinfo) -> tuple[date, ...]:
        """The calendar days (in ``tz``) that [start, end) overlaps, in order."""
        first = local_day(self.start, tz)
        last = local_day(self.end - timedelta(microseconds=1), tz)  # end is exclusive
        return tuple(first + timedelta(days=n) for n in range((last - first).days + 1))

    def to_json(self) -> dict[str, str]:
        """``{"start": ISO, "end": ISO}``, as results, reports and alerts carry it."""
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Window:
        """The window of a ``to_json`` mapping (ValueError when it is not one)."""
        start, end = data.get("start"), data.get("end")
        if not isinstance(start, str) or not isinstance(end, str):
            raise ValueError(f"a window needs ISO 8601 start and end strings, got {dict(data)!r}")
        return parse_window(start, end)

    def __str__(self) -> str:
        return f"[{self.start.isoformat()}, {self.end.isoformat()})"


def parse_window(start: str, end: str) -> Window:
    """A Window from two ISO 8601 strings (CLI, DAG params): a bare date is midnight UTC, a naive time UTC."""
    return Window(parse_instant(start), parse_instant(end))
