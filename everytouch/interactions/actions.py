"""Logging touches, capturing details at the desk, and transfers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from everytouch.accounts.access import DESK_ROLES, has_role
from everytouch.accounts.people import display_name
from everytouch.analysis.redact import redact_turns
from everytouch.customers import timeline
from everytouch.customers.actions import (
    CustomerData,
    create_customer,
    resolve,
    update_customer,
)
from everytouch.customers.models import ContactKind, Customer
from everytouch.interactions.hooks import interaction_logged
from everytouch.interactions.models import Channel, Direction, Interaction, Transfer, Turn
from everytouch.redaction import redacted

MAX_TURNS = 20_000


@dataclass(frozen=True, slots=True)
class TurnData:
    speaker: str
    text: str
    start: float | None = None


@dataclass
class InteractionData:
    channel: Channel
    direction: Direction = Direction.INBOUND
    started_at: datetime | None = None
    ended_at: datetime | None = None
    summary: str = ""
    need: str = ""
    handled_by: User | None = None
    turns: Sequence[TurnData] = field(default_factory=tuple)


class InvalidInteraction(ValueError):
    """Interaction data that cannot be stored; the message says why."""


def _validate(data: InteractionData) -> None:
    if data.started_at and data.ended_at and data.ended_at < data.started_at:
        raise InvalidInteraction("ended_at is before started_at")
    if len(data.turns) > MAX_TURNS:
        raise InvalidInteraction(f"at most {MAX_TURNS} turns per interaction")
    if data.handled_by is not None and not has_role(data.handled_by, DESK_ROLES):
        raise InvalidInteraction(f"{data.handled_by.username} does not work the desk")


def summary_line(interaction: Interaction) -> str:
    """The one-line timeline summary of a touch ("Inbound call: toner for the C300i").

    Public so code that writes interactions in bulk (the demo) puts the same words on the
    timeline as ``log_interaction`` does.
    """
    text = interaction.need or interaction.summary or "no summary"
    channel = interaction.get_channel_display().lower()
    return f"{interaction.get_direction_display()} {channel}: {text}"


@transaction.atomic
def log_interaction(
    customer: Customer | None, data: InteractionData, actor: User | None
) -> Interaction:
    """Store one touch with its turns and put it on the customer's timeline."""
    _validate(data)
    customer = resolve(customer) if customer is not None else None
    interaction = Interaction.objects.create(
        customer=customer,
        channel=data.channel,
        direction=data.direction,
        started_at=data.started_at or timezone.now(),
        ended_at=data.ended_at,
        handled_by=data.handled_by or actor,
        summary=data.summary.strip(),
        need=data.need.strip(),
    )
    # Read as one conversation, so a card number read out over two turns goes from both; the
    # save-time pass (everytouch/redaction.py) sees one row at a time and could not join them.
    texts = redact_turns([t.text for t in data.turns])
    Turn.objects.bulk_create(
        redacted(
            Turn(interaction=interaction, index=i, speaker=t.speaker, text=text, start=t.start)
            for i, (t, text) in enumerate(zip(data.turns, texts, strict=True))
        )
    )
    if customer is not None:
        timeline.interaction_logged(
            customer, actor, interaction.pk, summary_line(interaction), interaction.started_at
        )
    interaction_logged.fire(interaction)
    return interaction


@transaction.atomic
def capture_at_desk(
    customer: Customer | None,
    details: CustomerData,
    data: InteractionData,
    actor: User,
) -> Interaction:
    """The desk's one form: create or update the caller and log the touch, all or nothing."""
    if customer is None:
        # Whoever takes the first touch owns a new customer until someone hands them on.
        details.owner = details.owner or actor
        customer = create_customer(details, actor)
    else:
        customer = update_customer(resolve(customer), details, actor)
    return log_interaction(customer, data, actor)


@transaction.atomic
def transfer(interaction: Interaction, to_user: User, reason: str, actor: User) -> Transfer:
    """Hand a live interaction to a colleague; the customer and everything captured go along."""
    if not has_role(to_user, DESK_ROLES):
        raise InvalidInteraction(f"{to_user.username} cannot take transfers")
    from_user = interaction.handled_by or actor
    if from_user.pk == to_user.pk:
        raise InvalidInteraction("this interaction is already with that person")
    record = Transfer.objects.create(
        interaction=interaction, from_user=from_user, to_user=to_user, reason=reason.strip()
    )
    interaction.handled_by = to_user
    interaction.save(update_fields=["handled_by"])
    if interaction.customer is not None:
        name = display_name(to_user)
        timeline.transferred(interaction.customer, actor, interaction.pk, name, record.reason)
    return record


CHECKLIST = ("name", "phone", "email", "need")


def missing_details(customer: Customer | None, need: str = "") -> list[str]:
    """What the rep should still ask for, so nobody asks twice and nothing is forgotten."""
    have: set[str] = set()
    if customer is not None:
        if customer.name:
            have.add("name")
        kinds = set(customer.contacts.values_list("kind", flat=True))
        if ContactKind.PHONE in kinds:
            have.add("phone")
        if ContactKind.EMAIL in kinds:
            have.add("email")
    if need.strip():
        have.add("need")
    return [item for item in CHECKLIST if item not in have]
