"""Time windows [start, end): what one run archives."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time


@dataclass(frozen=True)
class Window:
    """A half-open interval of instants [start, end), both timezone-aware (stored in UTC)."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("window bounds must be timezone-aware")
        if self.end <= self.start:
            raise ValueError(f"empty window: end {self.end.isoformat()} is not after start {self.start.isoformat()}")
        object.__setattr__(self, "start", _plain_utc(self.start))
        object.__setattr__(self, "end", _plain_utc(self.end))

    def contains(self, instant: datetime) -> bool:
        """Whether an aware instant lies in [start, end)."""
        return self.start <= instant < self.end

    def __str__(self) -> str:
        return f"[{self.start.isoformat()}, {self.end.isoformat()})"


def _plain_utc(moment: datetime) -> datetime:
    """The instant as a plain ``datetime`` in UTC: Airflow hands pendulum DateTimes, whose arithmetic after
    ``astimezone(UTC)`` can drop the zone (a naive result that no aware instant compares with)."""
    utc = moment.astimezone(UTC)
    return datetime(utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second, utc.microsecond, tzinfo=UTC)


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 date or date-time; a bare date is midnight UTC, a naive time is UTC."""
    text = text.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(), tzinfo=UTC)
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not an ISO 8601 date or date-time: {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def parse_window(start: str, end: str) -> Window:
    """Build a Window from two ISO strings (CLI and DAG params)."""
    return Window(parse_instant(start), parse_instant(end))
