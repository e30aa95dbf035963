"""The one parser of instants and days, and the one window type: the rules each caller relies on."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from newsarchive.instants import (
    Window,
    instant_or_none,
    is_bare_date,
    local_day,
    parse_day,
    parse_instant,
    parse_iso,
    parse_window,
    plain_utc,
    to_instant,
)

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-11-05T09:30:00+01:00", datetime(2024, 11, 5, 8, 30, tzinfo=UTC)),
    ("2024-11-05T09:30:00Z", datetime(2024, 11, 5, 9, 30, tzinfo=UTC)),
    ("2024-11-05 09:30:00.250-05:00", datetime(2024, 11, 5, 14, 30, 0, 250000, tzinfo=UTC)),
    ("2024-11-05T09:30", datetime(2024, 11, 5, 9, 30, tzinfo=UTC)),  # naive: UTC by default
    ("2024-11-05", datetime(2024, 11, 5, tzinfo=UTC)),  # bare: midnight UTC by default
    ("20241105", datetime(2024, 11, 5, tzinfo=UTC)),  # the basic form is a bare date too
    (" 2024-11-05T09:30:00Z ", datetime(2024, 11, 5, 9, 30, tzinfo=UTC)),
])
def test_iso_forms_with_the_default_rules(text: str, expected: datetime) -> None:
    assert parse_instant(text) == expected


def test_the_offset_written_is_kept() -> None:
    moment = parse_instant("2024-11-05T09:30:00+01:00")
    assert moment.utcoffset() == timedelta(hours=1) and moment.isoformat() == "2024-11-05T09:30:00+01:00"


def test_bare_and_naive_follow_the_callers_zone() -> None:
    # The extract stage: a page's bare date is the site's midnight (its date= partition and window test).
    assert parse_instant("2024-11-05", bare=PARIS, naive=PARIS) == datetime(2024, 11, 4, 23, tzinfo=UTC)
    assert parse_instant("2024-07-05T12:00", bare=PARIS, naive=PARIS) == datetime(2024, 7, 5, 10, tzinfo=UTC)
    # An offset written wins over any zone.
    assert parse_instant("2024-11-05T12:00Z", bare=PARIS, naive=PARIS) == datetime(2024, 11, 5, 12, tzinfo=UTC)
    # The same bare date for an analyst's filter is midnight UTC: one hour later.
    assert parse_instant("2024-11-05") - parse_instant("2024-11-05", bare=PARIS) == timedelta(hours=1)


def test_callers_that_need_exact_instants_refuse_the_incomplete_forms() -> None:
    with pytest.raises(ValueError, match="date without a time"):
        parse_instant("2024-11-05", bare=None)
    with pytest.raises(ValueError, match="UTC offset"):
        parse_instant("2024-11-05T10:00", naive=None)
    assert parse_instant("2024-11-05T10:00+00:00", bare=None, naive=None) == datetime(2024, 11, 5, 10, tzinfo=UTC)


@pytest.mark.parametrize("text", ["", "yesterday", "2024-13-01", "2024-11-31", "2024-11-05T25:00", "05/11/2024"])
def test_junk_is_a_value_error_that_names_the_text(text: str) -> None:
    with pytest.raises(ValueError, match="not an ISO 8601 date or date-time"):
        parse_instant(text)
    assert instant_or_none(text) is None


def test_stored_values_may_be_absent_or_broken() -> None:
    for value in (None, "", "  ", 20241105, "junk"):
        assert instant_or_none(value) is None
    found = instant_or_none("2024-11-05T09:30:00+01:00")
    assert found == datetime(2024, 11, 5, 8, 30, tzinfo=UTC) and found is not None and found.tzinfo is UTC


def test_objects_follow_the_same_rules() -> None:
    assert to_instant(date(2024, 11, 5)) == datetime(2024, 11, 5, tzinfo=UTC)
    assert to_instant(datetime(2024, 11, 5, 10)) == datetime(2024, 11, 5, 10, tzinfo=UTC)
    assert to_instant(date(2024, 11, 5), bare=PARIS) == datetime(2024, 11, 4, 23, tzinfo=UTC)
    aware = datetime(2024, 11, 5, 10, tzinfo=timezone(timedelta(hours=2)))
    assert to_instant(aware) is aware
    with pytest.raises(TypeError):
        to_instant(20241105)  # type: ignore[arg-type]


def test_days_are_strict_iso_calendar_dates() -> None:
    assert parse_day("2024-11-05") == date(2024, 11, 5)
    for text in ("2024-11-5", "20241105", "2024-11-05T00:00", "2024-02-30", "٢٠٢٤-١١-٠٥"):
        with pytest.raises(ValueError):
            parse_day(text)
    assert is_bare_date("2024-11-05") and is_bare_date("20241105")
    assert not is_bare_date("2024-11-05T00:00") and not is_bare_date("junk")
    assert parse_iso("2024-11-05T10:00") == datetime(2024, 11, 5, 10)  # kept naive, as written


def test_window_is_half_open_in_plain_utc() -> None:
    window = parse_window("2024-11-05", "2024-11-06T00:00:00+01:00")
    assert window.start == datetime(2024, 11, 5, tzinfo=UTC) and window.end == datetime(2024, 11, 5, 23, tzinfo=UTC)
    assert window.start.tzinfo is UTC and window.end.tzinfo is UTC
    assert window.contains(window.start) and not window.contains(window.end)
    assert window.overlaps(window.end - timedelta(seconds=1), window.end + timedelta(days=1))
    assert not window.overlaps(window.end, window.end + timedelta(days=1))
    assert window.length_days == pytest.approx(23 / 24)
    assert str(window) == "[2024-11-05T00:00:00+00:00, 2024-11-05T23:00:00+00:00)"
    assert Window.from_json(window.to_json()) == window


def test_window_refuses_naive_or_empty_bounds() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Window(datetime(2024, 11, 5), datetime(2024, 11, 6, tzinfo=UTC))
    with pytest.raises(ValueError, match="empty window"):
        parse_window("2024-11-06", "2024-11-05")
    with pytest.raises(ValueError):
        Window.from_json({"start": "2024-11-05"})


def test_window_days_are_the_local_days_it_touches() -> None:
    window = parse_window("2024-10-31T23:30:00+00:00", "2024-11-02T00:00:00+00:00")
    assert window.days(PARIS) == (date(2024, 11, 1), date(2024, 11, 2))
    assert window.days(UTC) == (date(2024, 10, 31), date(2024, 11, 1))
    assert local_day(datetime(2024, 11, 6, 4, 30, tzinfo=UTC), NEW_YORK) == date(2024, 11, 5)


def test_pendulum_bounds_become_plain_utc_datetimes() -> None:
    import pendulum  # Airflow's data intervals are pendulum DateTimes
    start = pendulum.datetime(2024, 11, 5, tz="Europe/Paris")
    window = Window(start, start.add(days=1))
    assert type(window.start) is datetime and window.start == datetime(2024, 11, 4, 23, tzinfo=UTC)
    # Arithmetic on the bounds stays aware (pendulum's can drop the zone after astimezone(UTC)).
    assert (window.start - timedelta(days=90)).tzinfo is UTC
    assert plain_utc(start) == window.start


def test_the_module_needs_only_the_standard_library() -> None:
    """extract/, spiders/, archive/ and pipeline/ all import it: it must load nothing heavy."""
    code = ("import sys; before = set(sys.modules); import newsarchive.instants; "
            "new = {m.split('.')[0] for m in set(sys.modules) - before}; "
            "print(sorted(new - set(sys.stdlib_module_names) - {'newsarchive'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
