"""Interactions over JSON: a phone system or chat tool logs each touch, with its turns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import model_validator

from everytouch.accounts.auth import DESK_WRITE, STAFF_READ, caller
from everytouch.accounts.endpoint_kit import (
    ApiAwareMoment,
    ApiId,
    FiniteOut,
    PageMeta,
    PageParams,
    UserRef,
    create_once,
    idempotency_key_doc,
    page_slice,
    refused,
    staff_member,
    user_ref,
)
from everytouch.customers.actions import (
    CustomerData,
    identify,
    log_access,
    log_bulk_access,
    resolve,
)
from everytouch.customers.fields import ApiEmail, ApiPhone
from everytouch.customers.models import Customer
from everytouch.interactions.actions import (
    MAX_TURNS,
    InteractionData,
    TurnData,
    capture_at_desk,
    log_interaction,
)
from everytouch.interactions.models import Channel, Direction, Interaction, Speaker

router = Router(tags=["interactions"])
# A turn starts within a week of the call's start: more is a unit mistake (ms for seconds).
MAX_TURN_START = 7 * 24 * 3600


class TurnIn(Schema):
    speaker: Speaker
    text: str = Field(..., min_length=1, max_length=20_000)
    start: float | None = Field(
        None,
        ge=0,
        le=MAX_TURN_START,
        allow_inf_nan=False,
        description="Seconds from the start of the call",
    )


class InteractionIn(Schema):
    """Name the customer by ``customer_id``, or give a phone and/or e-mail to identify them.

    An unknown phone or e-mail creates the customer (named ``customer_name``) with the touch.
    """

    customer_id: ApiId | None = None
    phone: ApiPhone = ""
    email: ApiEmail = ""
    customer_name: str = Field("", max_length=200)
    channel: Channel
    direction: Direction = Direction.INBOUND
    started_at: ApiAwareMoment | None = None
    ended_at: ApiAwareMoment | None = None
    summary: str = Field("", max_length=20_000)
    need: str = Field("", max_length=300)
    handled_by_id: ApiId | None = None
    turns: list[TurnIn] = Field(default_factory=list, max_length=MAX_TURNS)

    @model_validator(mode="after")
    def one_way_to_the_customer(self) -> InteractionIn:
        by_contact = bool(self.phone or self.email)
        if self.customer_id is not None and by_contact:
            raise ValueError("give customer_id or phone/email, not both")
        if self.customer_id is None and not by_contact:
            raise ValueError("give customer_id, or a phone or e-mail to identify the customer")
        return self


class CustomerRef(Schema):
    id: int
    name: str


class InteractionOut(Schema):
    id: int
    customer: CustomerRef | None
    channel: str
    direction: str
    started_at: datetime
    ended_at: datetime | None
    summary: str
    need: str
    handled_by: UserRef | None


class TurnOut(Schema):
    speaker: str
    text: str
    start: FiniteOut


class InteractionDetailOut(InteractionOut):
    turns: list[TurnOut]


class InteractionFilters(Schema):
    customer_id: ApiId | None = None
    handled_by_id: ApiId | None = None
    channel: Channel | None = None


class InteractionPage(PageMeta):
    items: list[InteractionOut]


def interaction_out(interaction: Interaction) -> InteractionOut:
    customer = interaction.customer
    return InteractionOut(
        id=interaction.pk,
        customer=CustomerRef(id=customer.pk, name=customer.display_name) if customer else None,
        channel=interaction.channel,
        direction=interaction.direction,
        started_at=interaction.started_at,
        ended_at=interaction.ended_at,
        summary=interaction.summary,
        need=interaction.need,
        handled_by=user_ref(interaction.handled_by),
    )


def _interaction_data(payload: InteractionIn) -> InteractionData:
    return InteractionData(
        channel=payload.channel,
        direction=payload.direction,
        started_at=payload.started_at,
        ended_at=payload.ended_at,
        summary=payload.summary,
        need=payload.need,
        handled_by=staff_member(payload.handled_by_id, "handled_by_id"),
        turns=[TurnData(t.speaker, t.text, t.start) for t in payload.turns],
    )


def _identified(payload: InteractionIn) -> Customer | None:
    # Both are normalised already, each as its own kind, so identify() cannot swap them.
    for value in (payload.phone, payload.email):
        if value and (customer := identify(value)) is not None:
            return customer
    return None


def _log(payload: InteractionIn, user: User) -> Interaction:
    data = _interaction_data(payload)
    if payload.customer_id is not None:
        customer = resolve(get_object_or_404(Customer, pk=payload.customer_id))
        return log_interaction(customer, data, user)
    details = CustomerData(name=payload.customer_name, contacts=[payload.phone, payload.email])
    return capture_at_desk(_identified(payload), details, data, user)


@router.post(
    "/interactions",
    response={201: InteractionOut, **refused(404, 409)},
    summary="Log an interaction",
    openapi_extra=idempotency_key_doc(),
    auth=DESK_WRITE,
)
def create_interaction(request: HttpRequest, payload: InteractionIn) -> Status[dict[str, Any]]:
    """Log a call, e-mail, chat or visit with its turns; identify-or-create the customer."""
    user = caller(request)

    def create() -> tuple[int, InteractionOut]:
        interaction = _log(payload, user)
        if interaction.customer is not None:
            log_access(user, interaction.customer, "api.log_interaction")
        return 201, interaction_out(interaction)

    return create_once(request, user, "POST /interactions", payload, create)


@router.get("/interactions", response=InteractionPage, summary="List interactions", auth=STAFF_READ)
def list_interactions(
    request: HttpRequest, filters: Query[InteractionFilters], params: Query[PageParams]
) -> InteractionPage:
    """Newest first, filtered by customer, handler and channel."""
    user = caller(request)
    qs = Interaction.objects.select_related("customer", "handled_by")
    if filters.customer_id is not None:
        qs = qs.filter(customer_id=filters.customer_id)
    if filters.handled_by_id is not None:
        qs = qs.filter(handled_by_id=filters.handled_by_id)
    if filters.channel is not None:
        qs = qs.filter(channel=filters.channel)
    interactions, meta = page_slice(request, qs, params)
    for customer in {i.customer for i in interactions if i.customer is not None}:
        log_access(user, customer, "api.list_interactions")
    log_bulk_access(user, "api.list", len(interactions), "interactions")
    return InteractionPage(**meta.model_dump(), items=[interaction_out(i) for i in interactions])


@router.get(
    "/interactions/{interaction_id}",
    response=InteractionDetailOut,
    summary="Get an interaction",
    auth=STAFF_READ,
)
def get_interaction(request: HttpRequest, interaction_id: int) -> InteractionDetailOut:
    """One interaction with its ordered turns."""
    user = caller(request)
    qs = Interaction.objects.select_related("customer", "handled_by")
    interaction = get_object_or_404(qs, pk=interaction_id)
    if interaction.customer is not None:
        log_access(user, interaction.customer, "api.read_interaction")
    turns = [
        TurnOut(speaker=t.speaker, text=t.text, start=t.start) for t in interaction.turns.all()
    ]
    return InteractionDetailOut(**interaction_out(interaction).model_dump(), turns=turns)
