"""What an analyst asks the archive for: sites, a [start, end) range of publication instants, languages,
access (free, paywalled, metered).

A ``Query`` is built from loose inputs (a site id or a list, dates or ISO strings) and knows which
``date=`` partitions can hold matching articles and whether one index row matches. Instants follow the
CLI's rules (``newsarchive.instants``, the defaults): a bare date is midnight UTC, a naive time is UTC.
A record whose ``published`` is a bare date (the page gave no time) counts as midnight UTC of that date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from newsarchive.archive.errors import ArchiveError
from newsarchive.archive.keys import check_site
from newsarchive.instants import to_instant

# The `date=` partition is the publication date in the site's timezone; UTC offsets run from -12:00
# to +14:00, so an instant's local date lies within these margins of its UTC date.
WEST_MARGIN = timedelta(hours=12)
EAST_MARGIN = timedelta(hours=14)

TimeBound = date | datetime | str
# The values of an ArticleRecord's ``access`` (extract.access.ACCESS_VALUES; not imported: the reader
# does not load the extractor).
ACCESS_VALUES = ("free", "paywalled", "metered")


class InvalidQuery(ArchiveError, ValueError):
    """A filter the reader cannot apply (bad date, empty range, bad site or language)."""


def parse_bound(value: TimeBound, name: str) -> datetime:
    """An aware UTC datetime from a date (midnight UTC), a datetime (naive = UTC) or an ISO string."""
    if not isinstance(value, date | str):  # datetime is a date
        raise InvalidQuery(f"bad {name} {value!r}: give a date, a datetime or an ISO string")
    try:
        return to_instant(value).astimezone(UTC)
    except ValueError:
        raise InvalidQuery(f"bad {name} {value!r}: not an ISO 8601 date or date-time") from None


def _names(value: str | Iterable[str] | None, what: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    items = [value] if isinstance(value, str) else list(value)
    if not items or not all(isinstance(item, str) and item.strip() for item in items):
        raise InvalidQuery(f"bad {what} filter {value!r}: give a non-empty name or list of names")
    return tuple(sorted({item.strip() for item in items}))


@dataclass(frozen=True)
class Query:
    """Normalised filters: ``sites``/``languages``/``access`` None means all; ``start``/``end`` None means open."""

    sites: tuple[str, ...] | None = None
    start: datetime | None = None
    end: datetime | None = None
    languages: tuple[str, ...] | None = None
    access: tuple[str, ...] | None = None

    @classmethod
    def build(
        cls,
        site: str | Iterable[str] | None = None,
        start: TimeBound | None = None,
        end: TimeBound | None = None,
        lang: str | Iterable[str] | None = None,
        access: str | Iterable[str] | None = None,
    ) -> Query:
        """Validate and normalise the reader's keyword filters (InvalidQuery / InvalidKey on bad input)."""
        sites = _names(site, "site")
        for name in sites or ():
            check_site(name)
        languages = _names(lang, "lang")
        lo = parse_bound(start, "start") if start is not None else None
        hi = parse_bound(end, "end") if end is not None else None
        if lo is not None and hi is not None and hi <= lo:
            raise InvalidQuery(f"empty range: end {hi.isoformat()} is not after start {lo.isoformat()}")
        accesses = _names(access, "access")
        unknown = sorted(set(a.lower() for a in accesses or ()) - set(ACCESS_VALUES))
        if unknown:
            raise InvalidQuery(f"bad access filter {unknown}: use {', '.join(ACCESS_VALUES)}")
        return cls(
            sites=sites,
            start=lo,
            end=hi,
            languages=tuple(code.lower() for code in languages) if languages else None,
            access=tuple(sorted({a.lower() for a in accesses})) if accesses else None,
        )

    def date_span(self) -> tuple[date | None, date | None]:
        """First and last ``date=`` partitions that can hold a match (None = unbounded)."""
        first = (self.start - WEST_MARGIN).date() if self.start is not None else None
        last = (self.end + EAST_MARGIN).date() if self.end is not None else None
        return first, last

    def partition_matches(self, day: date) -> bool:
        """Whether the ``date=`` partition ``day`` may hold matching articles."""
        first, last = self.date_span()
        return (first is None or day >= first) and (last is None or day <= last)

    def month_matches(self, month: date) -> bool:
        """Whether the compacted month starting on ``month`` may hold matching articles."""
        first, last = self.date_span()
        following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        return (first is None or following > first) and (last is None or month <= last)

    def days(self, month: date | None = None) -> frozenset[date] | None:
        """The ``date=`` days that can hold a match (within ``month`` if given); None when unbounded."""
        first, last = self.date_span()
        if month is not None:
            following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
            first = month if first is None else max(first, month)
            last = following - timedelta(days=1) if last is None else min(last, following - timedelta(days=1))
        if first is None or last is None:
            return None
        return frozenset(first + timedelta(days=n) for n in range(max((last - first).days + 1, 0)))

    def instant_matches(self, instant: datetime | None) -> bool:
        """Whether a publication instant lies in [start, end) (no instant matches only an open range)."""
        if instant is None:
            return self.start is None and self.end is None
        return (self.start is None or instant >= self.start) and (self.end is None or instant < self.end)

    def language_matches(self, language: str | None) -> bool:
        """Whether a record's language passes the language filter."""
        return self.languages is None or (language or "").lower() in self.languages

    def access_matches(self, access: str | None) -> bool:
        """Whether a record's access passes the access filter (a record from before schema version 2 has
        no access and matches only when no access is asked for)."""
        return self.access is None or access in self.access
