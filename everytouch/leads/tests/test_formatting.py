"""How long a lead waited, as the pages, the activity log and the CLI print it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from everytouch.leads.formatting import duration


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=59), "0 min"),
        (timedelta(minutes=59, seconds=59), "59 min"),
        (timedelta(hours=1), "1 h 0 min"),
        (timedelta(hours=47, minutes=59), "47 h 59 min"),
        (timedelta(hours=48), "2 days"),
        (timedelta(days=9, hours=23), "9 days"),
    ],
)
def test_it_reads_minutes_then_hours_then_days(delta: timedelta, text: str) -> None:
    assert duration(delta) == text


def test_it_shows_a_dash_while_the_clock_still_runs() -> None:
    assert duration(None) == "—"
