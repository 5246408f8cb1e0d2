"""Change windows: open from each cron opening for `minutes`, in the window's own time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from ttconfig.models.environment import ChangeWindow, Policy
from ttconfig.safety.change_windows import describe, is_open, next_opening, open_window

CHICAGO = ZoneInfo("America/Chicago")
LONDON = ZoneInfo("Europe/London")


def window(cron: str = "0 8 * * 1-5", timezone: str = "America/Chicago",
           minutes: int = 60) -> ChangeWindow:
    return ChangeWindow.model_validate({"cron": cron, "timezone": timezone,
                                        "minutes": minutes})


def chicago(year: int, month: int, day: int, hour: int, minute: int = 0,
            second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=CHICAGO)


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(("now", "expected"), [
    (chicago(2026, 1, 6, 8, 0), True),
    (chicago(2026, 1, 6, 8, 30), True),
    (chicago(2026, 1, 6, 8, 59, 59), True),
    (chicago(2026, 1, 6, 9, 0), False),
    (chicago(2026, 1, 6, 7, 59, 59), False),
    (chicago(2026, 1, 10, 8, 30), False),
], ids=["opening-minute", "inside", "second-before-closing", "closing", "before-opening",
        "saturday"])
def test_is_open_from_the_opening_for_its_minutes(now: datetime, expected: bool) -> None:
    assert is_open(window(), now) is expected


def test_now_in_another_time_zone_is_the_same_instant() -> None:
    assert is_open(window(), utc(2026, 1, 6, 14, 30)) is True
    assert is_open(window(), utc(2026, 1, 6, 8, 30)) is False


@pytest.mark.parametrize(("now", "expected"), [
    (utc(2026, 1, 6, 14, 0), True),
    (utc(2026, 1, 6, 13, 0), False),
    (utc(2026, 7, 7, 13, 0), True),
    (utc(2026, 7, 7, 14, 0), False),
], ids=["winter-14utc", "winter-13utc", "summer-13utc", "summer-14utc"])
def test_a_window_follows_the_desks_clock_across_daylight_saving(
        now: datetime, expected: bool) -> None:
    assert is_open(window(), now) is expected


def test_a_window_crossing_midnight_stays_open_into_the_next_day() -> None:
    late = window(cron="30 23 * * *", minutes=60)
    assert is_open(late, chicago(2026, 1, 7, 0, 15)) is True
    assert is_open(late, chicago(2026, 1, 7, 0, 29, 59)) is True
    assert is_open(late, chicago(2026, 1, 7, 0, 30)) is False
    assert is_open(late, chicago(2026, 1, 6, 23, 29)) is False


def test_a_window_lasts_its_minutes_on_the_night_clocks_go_back() -> None:
    night = window(cron="0 1 * * *", minutes=60)
    assert is_open(night, utc(2026, 11, 1, 6, 30)) is True
    assert is_open(night, utc(2026, 11, 1, 7, 30)) is False


def test_a_window_lasts_its_minutes_on_the_night_clocks_go_forward() -> None:
    night = window(cron="0 1 * * *", minutes=120)
    assert is_open(night, utc(2026, 3, 8, 8, 30)) is True


def test_open_window_is_the_first_open_one() -> None:
    morning, evening = window(), window(cron="0 17 * * 1-5", minutes=30)
    assert open_window([morning, evening], chicago(2026, 1, 6, 17, 10)) == evening
    assert open_window([morning, evening], chicago(2026, 1, 6, 12, 0)) is None
    assert open_window([], chicago(2026, 1, 6, 8, 10)) is None


def test_next_opening_with_two_windows_is_the_soonest() -> None:
    morning, evening = window(), window(cron="0 17 * * 1-5", minutes=30)
    assert next_opening([morning, evening], chicago(2026, 1, 6, 12, 0)) == \
        chicago(2026, 1, 6, 17, 0)
    assert next_opening([evening, morning], chicago(2026, 1, 6, 18, 0)) == \
        chicago(2026, 1, 7, 8, 0)


def test_next_opening_compares_instants_across_time_zones() -> None:
    chicago_8 = window()  # 14:00 UTC in January
    london_9 = window(cron="0 9 * * 1-5", timezone="Europe/London")  # 09:00 UTC
    opening = next_opening([chicago_8, london_9], utc(2026, 1, 6, 6, 0))
    assert opening == utc(2026, 1, 6, 9, 0)
    assert opening is not None
    assert opening.tzinfo == LONDON


def test_next_opening_is_after_now_and_skips_the_weekend() -> None:
    assert next_opening([window()], chicago(2026, 1, 6, 8, 0)) == chicago(2026, 1, 7, 8, 0)
    assert next_opening([window()], chicago(2026, 1, 9, 9, 0)) == chicago(2026, 1, 12, 8, 0)
    assert next_opening([], chicago(2026, 1, 6, 8, 0)) is None


def test_describe_says_when_where_and_how_long() -> None:
    assert describe(window()) == "'0 8 * * 1-5' America/Chicago for 60 min"


@pytest.mark.parametrize(("data", "field", "words"), [
    ({"cron": "61 8 * * *", "timezone": "America/Chicago", "minutes": 60}, "cron",
     "not a cron expression (minute hour day month weekday): Bad minute"),
    ({"cron": "0 8 1-31 *", "timezone": "America/Chicago", "minutes": 60}, "cron",
     "has 5 fields"),
    ({"cron": "0 8 * * mon-fry", "timezone": "America/Chicago", "minutes": 60}, "cron",
     "Bad day-of-week"),
    ({"cron": "0 8 * * 1-5", "timezone": "America/Chikago", "minutes": 60}, "timezone",
     "not an IANA time zone"),
    ({"cron": "0 8 * * 1-5", "timezone": "CST-6", "minutes": 60}, "timezone",
     "not an IANA time zone"),
    ({"cron": "0 8 * * 1-5", "timezone": "America/Chicago", "minutes": 0}, "minutes",
     "greater than 0"),
    ({"cron": "0 8 * * 1-5", "timezone": "America/Chicago", "minutes": 24 * 60 + 1},
     "minutes", "less than or equal to 1440"),
], ids=["bad-minute", "four-fields", "bad-weekday", "unknown-zone", "posix-zone", "zero-minutes",
        "over-a-day"])
def test_a_bad_window_is_refused_with_a_clear_message(data: dict[str, Any], field: str,
                                                      words: str) -> None:
    with pytest.raises(ValidationError) as raised:
        ChangeWindow.model_validate(data)
    (error,) = raised.value.errors()
    assert error["loc"] == (field,)
    assert words in str(raised.value)


def test_a_six_field_cron_is_refused() -> None:
    with pytest.raises(ValidationError, match="a cron expression has 5 fields"):
        ChangeWindow.model_validate({"cron": "0 8 * * 1-5 *", "timezone": "America/Chicago",
                                     "minutes": 60})


def test_a_bad_window_in_a_policy_names_where_it_is() -> None:
    with pytest.raises(ValidationError) as raised:
        Policy.model_validate({"change_windows": [
            {"cron": "0 8 * * 1-5", "timezone": "America/Chicago", "minutes": 60},
            {"cron": "0 8 * * 1-5", "timezone": "Mars/Olympus", "minutes": 60}]})
    (error,) = raised.value.errors()
    assert error["loc"] == ("change_windows", 1, "timezone")
    assert "time zone" in error["msg"]
