"""A learner's clock: their time zone, the hour their study day starts, and times put in words (no Flask).

Every moment is stored in UTC; these functions turn it into what the learner reads. A study day runs
from ``day_hour`` (4 a.m. by default, as in Anki) to the same hour the next day, in the learner's zone,
so a review at 1 a.m. still counts for the evening before.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

DEFAULT_ZONE = "UTC"
DEFAULT_DAY_HOUR = 4


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """Every IANA zone name this machine knows, sorted (for the account page's list)."""
    return tuple(sorted(available_timezones() - {"localtime", "Factory"}))


def is_zone(name: str | None) -> bool:
    """Whether ``name`` is an IANA time zone such as 'Europe/Paris'."""
    if not name or len(name) > 64 or name not in zone_names():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@lru_cache(maxsize=512)
def zone(name: str | None) -> ZoneInfo:
    """The zone of that name; UTC for a missing or unknown name (an account made before zones existed)."""
    if not is_zone(name):
        return ZoneInfo(DEFAULT_ZONE)
    return ZoneInfo(name)


def _require_aware(when: dt.datetime) -> None:
    if when.tzinfo is None:
        raise ValueError("naive datetime given; pass an aware datetime")


def study_date(when: dt.datetime, tz: ZoneInfo, day_hour: int = DEFAULT_DAY_HOUR) -> dt.date:
    """The study day a moment belongs to: its local date, less a day before ``day_hour``."""
    _require_aware(when)
    return (when.astimezone(tz) - dt.timedelta(hours=day_hour)).date()


def day_bounds(date: dt.date, tz: ZoneInfo, day_hour: int = DEFAULT_DAY_HOUR) -> tuple[dt.datetime, dt.datetime]:
    """When a study day starts and ends, in UTC (23 or 25 hours long across a daylight-saving change)."""
    def start(d: dt.date) -> dt.datetime:
        return dt.datetime.combine(d, dt.time(day_hour), tzinfo=tz).astimezone(dt.UTC)
    return start(date), start(date + dt.timedelta(days=1))


def day_start(now: dt.datetime, tz: ZoneInfo, day_hour: int = DEFAULT_DAY_HOUR) -> dt.datetime:
    """The start (UTC) of the study day ``now`` is in."""
    return day_bounds(study_date(now, tz, day_hour), tz, day_hour)[0]


def clock_time(local: dt.datetime) -> str:
    """'09:05' (24-hour, as most of the world reads a schedule)."""
    return local.strftime("%H:%M")


def absolute(when: dt.datetime, tz: ZoneInfo, with_year: bool = True) -> str:
    """'2 Mar 2026, 09:05' in the learner's zone."""
    _require_aware(when)
    local = when.astimezone(tz)
    day = f"{local.day} {local.strftime('%b')}" + (f" {local.year}" if with_year else "")
    return f"{day}, {clock_time(local)}"


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}{'' if n == 1 else 's'}"


def relative(when: dt.datetime, now: dt.datetime, tz: ZoneInfo) -> str:
    """A moment as a person says it: 'now', 'in 10 minutes', 'in 3 hours', 'tomorrow at 09:00',
    'yesterday at 18:30', 'in 5 days', '3 weeks ago', else the date ('2 Mar 2027').

    Calendar words ('tomorrow') follow the learner's local calendar, not the study day.
    """
    _require_aware(when)
    _require_aware(now)
    seconds = (when - now).total_seconds()
    future = seconds >= 0
    gap = abs(seconds)
    if gap < 60:
        return "now"
    if gap < 3600:
        minutes = round(gap / 60)
        return f"in {_plural(minutes, 'minute')}" if future else f"{_plural(minutes, 'minute')} ago"
    local, today = when.astimezone(tz), now.astimezone(tz)
    days = (local.date() - today.date()).days
    if days == 0:
        hours = round(gap / 3600)
        return f"in {_plural(hours, 'hour')}" if future else f"{_plural(hours, 'hour')} ago"
    if days == 1:
        return f"tomorrow at {clock_time(local)}"
    if days == -1:
        return f"yesterday at {clock_time(local)}"
    if abs(days) < 14:
        return f"in {days} days" if days > 0 else f"{-days} days ago"
    if abs(days) < 60:
        weeks = round(abs(days) / 7)
        return f"in {weeks} weeks" if days > 0 else f"{weeks} weeks ago"
    if local.year == today.year:
        return f"{local.day} {local.strftime('%b')}"
    return f"{local.day} {local.strftime('%b')} {local.year}"


def offset_label(tz: ZoneInfo, now: dt.datetime) -> str:
    """'UTC+02:00' for the zone at that moment (for the account page)."""
    offset = now.astimezone(tz).utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def streak(days: set[dt.date], today: dt.date) -> int:
    """Consecutive study days up to today; a day not yet studied today does not break it."""
    day = today if today in days else today - dt.timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= dt.timedelta(days=1)
    return count


def from_wall_clock(local: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """A time typed as the learner's wall clock (naive, e.g. from a datetime-local input) as aware UTC.

    A time the clocks skip or repeat at a daylight-saving change is read as before the change (fold 0)."""
    return local.replace(tzinfo=tz).astimezone(dt.UTC)


def to_wall_clock(when: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """An aware moment as the naive wall-clock time of the zone (for a datetime-local input)."""
    _require_aware(when)
    return when.astimezone(tz).replace(tzinfo=None)
