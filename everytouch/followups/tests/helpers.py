"""Shared pieces for the follow-up tests: a fixed Monday, promises, calls, leads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User

from everytouch.customers.models import Customer
from everytouch.followups.actions import record_commitment
from everytouch.followups.models import Commitment
from everytouch.interactions.actions import InteractionData, TurnData, log_interaction
from everytouch.interactions.models import Channel, Interaction
from everytouch.leads.models import Lead, Stage

# Monday 3 March 2025, 10:00 UTC (the business time zone in these tests).
MONDAY_10 = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)


def a_commitment(
    customer: Customer,
    owner: User,
    hours: float = 4,
    what: str = "Call back with the quote for 40 chairs",
    **extra: Any,
) -> Commitment:
    """A promise due ``hours`` from now, recorded by its owner."""
    due_at = datetime.now(UTC) + timedelta(hours=hours)
    return record_commitment(customer, owner, what, due_at, owner, **extra)


def a_call(customer: Customer | None, rep: User, lines: list[tuple[str, str]]) -> Interaction:
    turns = [TurnData(speaker, text) for speaker, text in lines]
    data = InteractionData(channel=Channel.CALL, summary="Quote", handled_by=rep, turns=turns)
    return log_interaction(customer, data, rep)


def a_lead(customer: Customer, owner: User, stage: Stage = Stage.WON) -> Lead:
    now = datetime.now(UTC)
    return Lead.objects.create(
        customer=customer,
        need="40 chairs",
        need_key="40 chairs",
        owner=owner,
        created_by=owner,
        stage=stage,
        created_at=now,
        last_activity_at=now,
        closed_at=now if stage == Stage.WON else None,
    )
