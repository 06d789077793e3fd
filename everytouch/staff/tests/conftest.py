"""Fixtures for the staff tests: a fixed Monday morning in business hours, a customer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from everytouch.customers.models import Customer
from everytouch.staff.tests.messages_fixtures import MONDAY_10
from everytouch.testing import make_customer


@pytest.fixture
def monday(settings: Any) -> Iterator[time_machine.Traveller]:
    settings.TIME_ZONE = "UTC"
    settings.EVERYTOUCH_BUSINESS_HOURS = "09:00-17:00"
    settings.EVERYTOUCH_BUSINESS_DAYS = "0,1,2,3,4"
    settings.EVERYTOUCH_MESSAGE_ESCALATION_HOURS = 4.0
    with time_machine.travel(MONDAY_10, tick=False) as traveller:
        yield traveller


@pytest.fixture
def customer() -> Customer:
    return make_customer()
