"""Moments and days as every screen writes them: the cached day words must give exactly what
Django's ``date_format`` gives, in any language and zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django.utils import translation
from django.utils.dateformat import format as date_format

from everytouch.business_time import (
    DAY,
    MOMENT,
    written_as_is,
    written_day,
    written_moment,
)
from everytouch.customers.templatetags.formats import day, when

# Spread over 63 years, at odd minutes, both sides of daylight saving.
START = datetime(1950, 1, 1, tzinfo=UTC)
INSTANTS = [START + timedelta(minutes=47_351 * i + i) for i in range(700)]


@pytest.mark.parametrize("language", ["en-us", "de", "fr"])
def test_a_moment_and_a_day_are_written_as_date_format_writes_them(language: str) -> None:
    zone = ZoneInfo("America/New_York")
    with translation.override(language):
        for instant in INSTANTS:
            local = instant.astimezone(zone)
            assert written_as_is(local) == date_format(local, MOMENT)
            assert written_day(local.date()) == date_format(local.date(), DAY)


@override_settings(TIME_ZONE="Asia/Kolkata")
def test_the_page_filters_write_business_time() -> None:
    instant = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)  # 01:30 the next day in Kolkata
    assert when(instant) == "Tue 1 Dec 2026, 01:30" == written_moment(instant)
    assert day(instant) == "Tue 1 Dec 2026"
    assert day(date(2026, 11, 30)) == "Mon 30 Nov 2026"
    assert (when(None), day(None)) == ("—", "—")


def test_the_day_words_follow_the_language_asked_for() -> None:
    with translation.override("de"):
        german = written_day(date(2026, 12, 1))
    assert (german, written_day(date(2026, 12, 1))) == ("Di 1 Dez 2026", "Tue 1 Dec 2026")
