"""Shared pieces for the message tests: moments of a fixed Monday, a message."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.contrib.auth.models import User

from everytouch.staff.messages.actions import take_message
from everytouch.staff.models import TakenMessage

# Monday 10:00 UTC: four business hours later is 14:00 the same day.
MONDAY_10 = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
MONDAY_14 = datetime(2025, 3, 3, 14, 0, tzinfo=UTC)
MONDAY_16 = datetime(2025, 3, 3, 16, 0, tzinfo=UTC)
TUESDAY_11 = datetime(2025, 3, 4, 11, 0, tzinfo=UTC)


def a_message(intended_for: User, taken_by: User, **extra: Any) -> TakenMessage:
    values: dict[str, Any] = {
        "caller_name": "Jane Doe",
        "callback_number": "(201) 555-0199",
        "about": "Wants a quote for 40 chairs",
    }
    values.update(extra)
    return take_message(intended_for=intended_for, taken_by=taken_by, **values)
