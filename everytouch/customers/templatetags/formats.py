"""How every page writes a moment and a phone number: one style, the business's zone and region.

Loaded as a template builtin (settings.TEMPLATES), so a page never has to remember to load it.
"""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format

from everytouch.business_time import (
    CLOCK,
    business_tz,
    written_as_is,
    written_day,
    written_until,
)
from everytouch.customers.contacts import format_phone

register = template.Library()

# One date style for every screen: MOMENT, DAY and CLOCK are business_time's, which
# sentences written in Python (away messages, routing advice, notices) use too.


def _local(value: datetime) -> datetime:
    # Naive datetimes only come from code that already speaks business time; aware ones (all
    # stored ones) are shown in the business's zone, whatever zone the server runs in.
    return timezone.localtime(value, business_tz()) if timezone.is_aware(value) else value


@register.filter
def when(value: datetime | None, empty: str = "—") -> str:
    """A moment as people write it, in business time: ``Mon 30 Nov 2026, 15:07``."""
    return written_as_is(_local(value)) if value else empty


@register.filter
def day(value: datetime | date | None, empty: str = "—") -> str:
    """A day as people write it: ``Mon 30 Nov 2026`` (business time for a moment)."""
    if not value:
        return empty
    return written_day(_local(value).date() if isinstance(value, datetime) else value)


@register.filter
def clock(value: datetime | None, empty: str = "—") -> str:
    """The time of day in business time: ``15:07``."""
    return date_format(_local(value), CLOCK) if value else empty


@register.filter
def until(value: datetime | None, empty: str = "—") -> str:
    """When someone is back: ``Wed 2 Dec 2026`` (the last day away) for a whole-day absence."""
    return written_until(value) if value else empty


@register.filter
def phone(value: str | None, empty: str = "—") -> str:
    """A stored E.164 phone in national format for the business's region (international else)."""
    return format_phone(value) if value else empty
