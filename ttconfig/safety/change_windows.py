"""Change windows: when loosening may be applied (environment.yaml `policy.change_windows`).

A window opens at every time its cron expression names, in its own time zone (so daylight
saving moves it with the desk's clock), and stays open for `minutes`. Tightening is never
held back by windows: it is the emergency lever. Pure: the caller passes `now`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from cronsim import CronSim

from ttconfig.models.environment import ChangeWindow


def _local(window: ChangeWindow, moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(window.timezone))


def is_open(window: ChangeWindow, now: datetime) -> bool:
    """True when some opening of `window` is at or before `now` and less than `minutes` ago.

    The length is real time: it is subtracted in UTC, so a window is as long on the nights
    the clocks change as on any other (local arithmetic would stretch or cut it by an hour).
    """
    start = (now.astimezone(UTC) - timedelta(minutes=window.minutes))
    opening = next(CronSim(window.cron, _local(window, start)))
    return opening <= now


def open_window(windows: Sequence[ChangeWindow], now: datetime) -> ChangeWindow | None:
    return next((w for w in windows if is_open(w, now)), None)


def next_opening(windows: Sequence[ChangeWindow], now: datetime) -> datetime | None:
    """The soonest time a window opens after `now` (in that window's time zone)."""
    openings = [next(CronSim(w.cron, _local(w, now))) for w in windows]
    return min(openings, default=None)


def describe(window: ChangeWindow) -> str:
    return f"'{window.cron}' {window.timezone} for {window.minutes} min"
