"""Date parsing: offsets kept as stated, bare dates only without a time, the site's zone for naive times."""

from __future__ import annotations

import pytest

from extract.dates import parse_date, pick_date


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-11-13T15:07:00+01:00", "2024-11-13T15:07:00+01:00"),
        ("2024-11-13T15:07:00.123+0100", "2024-11-13T15:07:00+01:00"),
        ("2024-11-13T14:07:00Z", "2024-11-13T14:07:00+00:00"),
        ("2024-11-13 15:07:00 -05:00", "2024-11-13T15:07:00-05:00"),
        ("2024-11-13T15:07+05:30", "2024-11-13T15:07:00+05:30"),
        ("2024-11-13", "2024-11-13"),
        ("20241113", "2024-11-13"),
        ("2024-11-13T15:07:00", "2024-11-13T15:07:00"),
    ],
)
def test_parse_date(raw: str, expected: str) -> None:
    parsed = parse_date(raw)
    assert parsed is not None
    assert parsed.value == expected


def test_naive_time_placed_in_site_timezone_with_dst() -> None:
    summer = parse_date("2024-07-01T12:00:00", "Europe/Paris")
    winter = parse_date("2024-11-13T12:00:00", "Europe/Paris")
    assert summer is not None and summer.value == "2024-07-01T12:00:00+02:00"
    assert winter is not None and winter.value == "2024-11-13T12:00:00+01:00"


def test_stated_offset_is_not_replaced_by_site_timezone() -> None:
    parsed = parse_date("2024-11-13T12:00:00-05:00", "Europe/Paris")
    assert parsed is not None and parsed.value == "2024-11-13T12:00:00-05:00"


@pytest.mark.parametrize("raw", ["", "yesterday", "1970-01-01", "0001-01-01T00:00:00Z", "2024-13-45", None])
def test_unusable_dates(raw: str | None) -> None:
    assert parse_date(raw) is None


def test_pick_date_prefers_first_with_time_then_bare() -> None:
    assert pick_date(["2024-11-13", "2024-11-13T15:07:00+01:00"]) == "2024-11-13T15:07:00+01:00"
    assert pick_date([None, "garbage", "2024-11-13"]) == "2024-11-13"
    assert pick_date(["2024-11-12T10:00:00Z", "2024-11-13T15:07:00+01:00"]) == "2024-11-12T10:00:00+00:00"
    assert pick_date([]) is None
