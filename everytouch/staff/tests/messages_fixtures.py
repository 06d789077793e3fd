"""Shared pieces for the message tests: a fixed Monday morning, reachable staff, a customer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User

from everytouch.customers.models import Customer
from everytouch.customers.tests.factories import make_customer
from everytouch.staff.actions import ensure_staff, set_backup
from everytouch.staff.messages import take_message
from everytouch.staff.models import TakenMessage, Team

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
def office(manager: User, rep: User, rep2: User) -> Team:
    """Ron's backup is Rita; both are on Maria's team; everyone has an e-mail address."""
    for user in (manager, rep, rep2):
        user.email = f"{user.username}@example.com"
        user.save(update_fields=["email"])
    team = Team.objects.create(name="Desk", manager=manager)
    for user in (manager, rep, rep2):
        member = ensure_staff(user)
        member.team = team
        member.save(update_fields=["team"])
    set_backup(ensure_staff(rep), ensure_staff(rep2))
    return team


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
