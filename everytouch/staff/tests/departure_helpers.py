"""Builders shared by the departure tests."""

from __future__ import annotations

from django.contrib.auth.models import User

from everytouch.customers.models import Customer
from everytouch.staff.models import MessageStatus, TakenMessage


def make_message(
    owner: User, customer: Customer | None, status: MessageStatus = MessageStatus.OPEN
) -> TakenMessage:
    # Built directly: these tests are about ownership, not about taking messages at the desk.
    return TakenMessage.objects.create(
        customer=customer,
        caller_name="Caller",
        callback_number="+12015550100",
        about="Call me back",
        intended_for=owner,
        owner=owner,
        taken_by=owner,
        status=status,
    )
