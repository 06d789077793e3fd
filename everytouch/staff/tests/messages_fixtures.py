"""Shared pieces for the message tests: a fixed Monday morning, a customer, a message."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User

from everytouch.customers.models import Customer
from everytouch.staff.messages import take_message
from everytouch.staff.models import TakenMessage
from everytouch.testing import make_customer

# Monday 10:00 UTC: four business hours later is 14:00 the same day.
MONDAY_10 = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
MONDAY_14 = datetime(2025, 3, 3, 14, 0, tzinfo=UTC)
MONDAY_16 = datetime(2025, 3, 3, 16, 0, tzinfo=UTC)
TUESDAY_11 = datetime(2025, 3, 4, 11, 0, tzinfo=UTC)


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


def a_message(intended_for: User, taken_by: User, **extra: Any) -> TakenMessage:
    values: dict[str, Any] = {
        "caller_name": "Jane Doe",
        "callback_number": "(201) 555-0199",
        "about": "Wants a quote for 40 chairs",
    }
    values.update(extra)
    return take_message(intended_for=intended_for, taken_by=taken_by, **values)
