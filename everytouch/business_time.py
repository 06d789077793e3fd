"""Business hours and the business time zone, from one place (settings).

``EVERYTOUCH_BUSINESS_HOURS`` ("09:00-17:00") and ``EVERYTOUCH_BUSINESS_DAYS`` ("0,1,2,3,4",
Monday is 0) are read in ``TIME_ZONE``. Escalations count business hours, not clock hours, so a
message left on Friday evening does not escalate at midnight.
"""

from __future__ import annotations

import functools
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.dateformat import format as date_format
from django.utils.translation import get_language

# One date style for every screen and every sentence the app writes: "Mon 30 Nov 2026, 15:07"
# and "Mon 30 Nov 2026" (the template filters in customers/templatetags/formats.py use these).
MOMENT = "D j M Y, H:i"
DAY = "D j M Y"
CLOCK = "H:i"


def business_tz() -> ZoneInfo:
    return ZoneInfo(str(settings.TIME_ZONE))


def written_moment(moment: datetime) -> str:
    """A moment in business time, as every screen writes it: ``Mon 30 Nov 2026, 15:07``."""
    return written_as_is(moment.astimezone(business_tz()))


def written_as_is(moment: datetime) -> str:
    """``moment`` written in MOMENT's style in its own zone (what ``date_format(moment, MOMENT)``
    writes). The day is the dear part: its words are translated on every call, and a list page
    writes a hundred or more moments, most of them on a few days."""
    return f"{written_day(moment.date())}, {moment.hour:02d}:{moment.minute:02d}"


def written_day(value: date) -> str:
    """A day as people write it: ``Mon 30 Nov 2026``."""
    return _written_day(value, get_language())


@functools.lru_cache(maxsize=4096)
def _written_day(value: date, language: str | None) -> str:
    # Keyed by language: the names of days and months are translated.
    return date_format(value, DAY)


def written_until(moment: datetime) -> str:
    """When someone is back: ``Wed 2 Dec 2026`` for an exclusive midnight, else the moment.

    An absence booked as whole days ends at the midnight after the last day away; people say
    "until Wednesday", not "until Thursday 00:00", so that midnight shows the day before it.
    """
    local = moment.astimezone(business_tz())
    if (local.hour, local.minute, local.second) == (0, 0, 0):
        return written_day((local - timedelta(days=1)).date())
    return written_moment(local)


def _parse_hours(spec: str) -> tuple[time, time]:
    start, _, end = spec.partition("-")
    return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())


def opening_hours() -> tuple[time, time]:
    return _parse_hours(str(settings.EVERYTOUCH_BUSINESS_HOURS))


def business_days() -> frozenset[int]:
    raw = str(settings.EVERYTOUCH_BUSINESS_DAYS)
    return frozenset(int(d) for d in raw.split(",") if d.strip())


def _day_window(day: datetime) -> tuple[datetime, datetime]:
    opens, closes = opening_hours()
    tz = business_tz()
    return (
        datetime.combine(day.date(), opens, tzinfo=tz),
        datetime.combine(day.date(), closes, tzinfo=tz),
    )


def is_business_time(moment: datetime) -> bool:
    local = moment.astimezone(business_tz())
    opens, closes = _day_window(local)
    return local.weekday() in business_days() and opens <= local < closes


def add_business_hours(start: datetime, hours: float) -> datetime:
    """The moment ``hours`` of business time after ``start`` (an aware datetime)."""
    days = business_days()
    if not days or hours <= 0:
        return start
    left = timedelta(hours=hours)
    cursor = start.astimezone(business_tz())
    # A year of days bounds the walk even for one open hour a week.
    for _ in range(400 + int(hours)):
        opens, closes = _day_window(cursor)
        if cursor.weekday() in days and cursor < closes:
            cursor = max(cursor, opens)
            if cursor + left <= closes:
                return cursor + left
            left -= closes - cursor
        next_day = (cursor + timedelta(days=1)).date()
        cursor = datetime.combine(next_day, time(0), tzinfo=business_tz())
    raise ValueError("business hours are too short to add that many hours")
