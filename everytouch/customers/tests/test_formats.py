from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.template import Context, Template
from django.test import override_settings


def _render(text: str, **context: object) -> str:
    return Template(text).render(Context(context))


@override_settings(TIME_ZONE="America/Chicago")
def test_it_writes_a_moment_in_the_business_zone_in_one_style() -> None:
    moment = datetime(2026, 11, 30, 21, 7, tzinfo=UTC)
    assert _render("{{ m|when }}", m=moment) == "Mon 30 Nov 2026, 15:07"
    assert _render("{{ m|day }}", m=moment) == "Mon 30 Nov 2026"
    assert _render("{{ m|clock }}", m=moment) == "15:07"


@override_settings(TIME_ZONE="America/Chicago")
def test_it_takes_the_day_of_a_late_moment_in_the_business_zone() -> None:
    # 02:00 UTC on Tuesday is still Monday evening in Chicago.
    assert _render("{{ m|day }}", m=datetime(2026, 12, 1, 2, 0, tzinfo=UTC)) == "Mon 30 Nov 2026"


def test_it_writes_a_plain_date_and_a_dash_for_nothing() -> None:
    assert _render("{{ d|day }}", d=date(2026, 12, 2)) == "Wed 2 Dec 2026"
    assert _render("{{ m|when }}|{{ m|phone }}", m=None) == "—|—"


@pytest.mark.parametrize(
    ("stored", "shown"),
    [("+13315550119", "(331) 555-0119"), ("+442079460958", "+44 20 7946 0958"), ("junk", "junk")],
)
def test_it_writes_phones_in_national_format_at_home_only(stored: str, shown: str) -> None:
    assert _render("{{ p|phone }}", p=stored) == shown
