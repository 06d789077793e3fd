"""Every test starts at 10:00 on a Tuesday, so that office hours never depend on the wall clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine


def next_tuesday_10am(now: datetime) -> datetime:
    days_ahead = (1 - now.weekday()) % 7 or 7
    return (now + timedelta(days=days_ahead)).replace(hour=10, minute=0, second=0, microsecond=0)


@pytest.fixture(autouse=True)
def _office_hours() -> Iterator[None]:
    # Availability and routing depend on working hours; without this a test passes at 11:00
    # and fails at 18:00. Every test starts at 10:00 on a Tuesday (UTC, the default business
    # time zone) in the near future, with the clock running; tests that need another moment
    # travel again inside this one.
    with time_machine.travel(next_tuesday_10am(datetime.now(UTC)), tick=True):
        yield
