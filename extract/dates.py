"""Date strings as pages write them, normalised to ISO 8601 (keeping the offset the page states).

A clean ISO 8601 value is read by the one parser of instants (``newsarchive.instants``); the forms pages write
beside it (``2024-11-5 9:30 UTC``, a date inside a longer string, compact ``20241105T0930``) by the patterns
below. Either way a time without an offset is placed in the site's zone when it is known, else kept naive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from newsarchive.instants import parse_iso

# Dates outside this range are typos or placeholders (1970-01-01, 0001-01-01, 2099...).
MIN_YEAR = 1990
MAX_YEAR = 2100

_ISO = re.compile(
    r"(?P<date>\d{4}-\d{1,2}-\d{1,2})"
    r"(?:[T ](?P<time>\d{1,2}:\d{2}(?::\d{2})?)(?P<frac>[.,]\d+)?"
    r"\s*(?P<tz>Z|z|UTC|GMT|[+-]\d{2}:?\d{2}|[+-]\d{2})?)?"
)
_COMPACT = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:T?(?P<H>\d{2})(?P<M>\d{2})(?P<S>\d{2})?)?")


@dataclass(frozen=True)
class ParsedDate:
    """A date the page states: ``value`` in ISO 8601, ``has_time`` False for a bare date."""

    value: str
    has_time: bool


def _offset(tz: str | None) -> timezone | None:
    if not tz:
        return None
    if tz.upper() in ("Z", "UTC", "GMT"):
        return UTC
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 14 or minutes > 59:
        return None
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def format_instant(moment: datetime) -> str:
    """ISO 8601 to the second; a UTC offset is written +00:00 (never Z) so values sort and compare as text."""
    return moment.replace(microsecond=0).isoformat()


def parse_date(text: str | None, tz_name: str | None = None) -> ParsedDate | None:
    """Parse a machine-readable date (ISO 8601 or compact) as found in metadata.

    A time without an offset is placed in ``tz_name`` when given (the site's zone), else kept naive.
    Returns None for anything unparseable or out of range.
    """
    if not text:
        return None
    text = text.strip()
    clean = _clean_iso(text, tz_name)
    if clean is not None:
        return clean
    match = _ISO.search(text[:64])
    if match:
        year, month, day = (int(p) for p in match.group("date").split("-"))
        time_part = match.group("time")
        hour = minute = second = 0
        if time_part:
            pieces = [int(p) for p in time_part.split(":")]
            hour, minute = pieces[0], pieces[1]
            second = pieces[2] if len(pieces) > 2 else 0
        tz = _offset(match.group("tz"))
    else:
        compact = _COMPACT.match(text)
        if not compact:
            return None
        year, month, day = int(compact["y"]), int(compact["m"]), int(compact["d"])
        time_part = compact["H"]
        hour, minute, second = int(compact["H"] or 0), int(compact["M"] or 0), int(compact["S"] or 0)
        tz = None
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        if not time_part:
            return ParsedDate(date(year, month, day).isoformat(), has_time=False)
        moment = datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    return _stated(moment.replace(tzinfo=tz) if tz is not None else moment, tz_name)


def _stated(moment: datetime, tz_name: str | None) -> ParsedDate:
    """A date-time as the record states it: its own offset, else the site's zone's offset at that moment
    (when the zone is known), else naive."""
    if moment.tzinfo is None:
        zone = _zone(tz_name)
        if zone is not None:
            # Keep the fixed offset valid at that moment (ZoneInfo would print the same, but be explicit).
            offset = moment.replace(tzinfo=zone).utcoffset()
            moment = moment.replace(tzinfo=timezone(offset)) if offset is not None else moment
    return ParsedDate(format_instant(moment), has_time=True)


def _clean_iso(text: str, tz_name: str | None) -> ParsedDate | None:
    """A value that is ISO 8601 as a whole, read by the one parser; None to leave it to the patterns (not
    ISO as a whole, out of range, or an offset past +-14:00, which pages write by mistake)."""
    try:
        value = parse_iso(text)
    except ValueError:
        return None
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        return None
    if not isinstance(value, datetime):
        return ParsedDate(value.isoformat(), has_time=False)
    offset = value.utcoffset()
    if offset is not None and abs(offset) > timedelta(hours=14):
        return None
    return _stated(value, tz_name)


def pick_date(candidates: list[str | None], tz_name: str | None = None) -> str | None:
    """The first candidate (in preference order) that carries a time; a bare date only if none does."""
    bare: str | None = None
    for raw in candidates:
        parsed = parse_date(raw, tz_name)
        if parsed is None:
            continue
        if parsed.has_time:
            return parsed.value
        if bare is None:
            bare = parsed.value
    return bare
