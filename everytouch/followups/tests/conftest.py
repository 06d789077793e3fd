"""Fixtures for the follow-up tests: a fixed Monday morning in business hours."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from everytouch.followups.tests.helpers import MONDAY_10


@pytest.fixture
def monday(settings: Any) -> Iterator[time_machine.Traveller]:
    settings.TIME_ZONE = "UTC"
    settings.EVERYTOUCH_BUSINESS_HOURS = "09:00-17:00"
    settings.EVERYTOUCH_BUSINESS_DAYS = "0,1,2,3,4"
    settings.EVERYTOUCH_REMINDER_MINUTES = 60
    with time_machine.travel(MONDAY_10, tick=False) as traveller:
        yield traveller
