"""Promises over JSON: record one (idempotently), list them, mark one done, and my day.

Thin on purpose: access helper -> action -> schema, as in customers/api.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from everytouch.accounts.auth import DESK_WRITE, STAFF_READ, STAFF_WRITE, caller
from everytouch.accounts.endpoint_kit import (
    ApiId,
    ApiMoment,
    PageMeta,
    PageParams,
    UserRef,
    create_once,
    idempotency_key_doc,
    page_slice,
    staff_member,
    user_ref,
)
from everytouch.business_time import business_tz
from everytouch.customers.actions import log_bulk_access, resolve
from everytouch.customers.models import Customer
from everytouch.followups import actions
from everytouch.followups.models import Commitment, CommitmentStatus
from everytouch.interactions.models import Interaction

router = Router(tags=["follow-ups"])


class CustomerRef(Schema):
    id: int
    name: str


class CommitmentOut(Schema):
    id: int
    customer: CustomerRef
    owner: UserRef | None
    what: str
    due_at: datetime
    status: str
    source_interaction_id: int | None
    cadence_key: str
    done_at: datetime | None
    created_at: datetime


class CommitmentIn(Schema):
    customer_id: ApiId
    what: str = Field(..., max_length=actions.MAX_WHAT)
    due_at: ApiMoment = Field(description="ISO-8601; without an offset it is read in business time")
    owner_id: ApiId | None = Field(None, description="Who keeps the promise; you by default")
    interaction_id: ApiId | None = None


class CommitmentPage(PageMeta):
    items: list[CommitmentOut]


class MyDayOut(Schema):
    overdue: list[CommitmentOut] = Field(description="The most recently due, oldest first")
    today: list[CommitmentOut]
    upcoming: list[CommitmentOut]
    overdue_not_shown: int = Field(0, description="Older overdue promises left off the list")
    overdue_capped: bool = Field(False, description="Counting stopped at 10,000")


def commitment_out(commitment: Commitment) -> CommitmentOut:
    customer = commitment.customer
    return CommitmentOut(
        id=commitment.pk,
        customer=CustomerRef(id=customer.pk, name=customer.display_name),
        owner=user_ref(commitment.owner),
        what=commitment.what,
        # Always UTC, so a replayed answer and a later read print the same instant the same way.
        due_at=commitment.due_at.astimezone(UTC),
        status=commitment.status,
        source_interaction_id=commitment.source_interaction_id,
        cadence_key=commitment.cadence_key,
        done_at=commitment.done_at,
        created_at=commitment.created_at,
    )


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=business_tz()) if timezone.is_naive(moment) else moment


def _payload_objects(
    payload: CommitmentIn, user: User
) -> tuple[Customer, User, Interaction | None]:
    customer = Customer.objects.filter(pk=payload.customer_id).first()
    if customer is None:
        raise HttpError(400, f"customer_id: no customer with id {payload.customer_id}")
    owner = staff_member(payload.owner_id, "owner_id") or user
    source = None
    if payload.interaction_id is not None:
        source = Interaction.objects.filter(pk=payload.interaction_id).first()
        if source is None:
            raise HttpError(400, f"interaction_id: no interaction with id {payload.interaction_id}")
    return resolve(customer), owner, source


def _record(payload: CommitmentIn, user: User) -> tuple[int, CommitmentOut]:
    customer, owner, source = _payload_objects(payload, user)
    try:
        commitment = actions.record_commitment(
            customer, owner, payload.what, _aware(payload.due_at), user, source
        )
    except actions.CommitmentError as exc:
        raise HttpError(400, str(exc)) from exc
    return 201, commitment_out(commitment)


@router.post(
    "/commitments",
    response={201: CommitmentOut},
    summary="Record a promise",
    openapi_extra=idempotency_key_doc(),
    auth=DESK_WRITE,
)
def create_commitment(request: HttpRequest, payload: CommitmentIn) -> Status[dict[str, Any]]:
    """A promise to a customer, due later, with a reminder and escalation. Honours
    Idempotency-Key: a retry with the same key and body gets the first answer back."""
    user = caller(request)
    return create_once(request, user, "POST /commitments", payload, lambda: _record(payload, user))


class ListFilters(Schema):
    mine: bool = False
    status: CommitmentStatus | None = None
    customer_id: ApiId | None = None


def _with_relations() -> Any:
    return Commitment.objects.select_related("customer", "owner")


@router.get("/commitments", response=CommitmentPage, summary="List promises", auth=STAFF_READ)
def list_commitments(
    request: HttpRequest, params: Query[PageParams], filters: Query[ListFilters]
) -> CommitmentPage:
    """Every promise, soonest due first; ``mine=1`` for yours, ``status`` open|done|missed."""
    user = caller(request)
    qs = _with_relations()
    if filters.mine:
        qs = qs.filter(owner=user)
    if filters.status is not None:
        qs = qs.filter(status=filters.status)
    if filters.customer_id is not None:
        qs = qs.filter(customer_id=filters.customer_id)
    items, meta = page_slice(request, qs.order_by("due_at", "pk"), params)
    log_bulk_access(user, "api.list", len(items), "promises")
    return CommitmentPage(**meta.model_dump(), items=[commitment_out(c) for c in items])


@router.post(
    "/commitments/{commitment_id}/done",
    response=CommitmentOut,
    summary="Mark done",
    auth=STAFF_WRITE,
)
def done_commitment(request: HttpRequest, commitment_id: int) -> CommitmentOut:
    """The promise was kept; by its owner or a manager. Doing it twice changes nothing."""
    user = caller(request)
    commitment = get_object_or_404(_with_relations(), pk=commitment_id)
    done = actions.complete_commitment(commitment, user)
    return commitment_out(get_object_or_404(_with_relations(), pk=done.pk))


@router.get(
    "/my-day",
    response=MyDayOut,
    summary="My overdue, today's and this week's promises",
    auth=STAFF_READ,
)
def my_day(request: HttpRequest) -> MyDayOut:
    user = caller(request)
    day = actions.my_day(user, timezone.now())
    log_bulk_access(user, "api.list", len(day.overdue + day.today + day.upcoming), "promises")
    return MyDayOut(
        overdue=[commitment_out(c) for c in day.overdue],
        today=[commitment_out(c) for c in day.today],
        upcoming=[commitment_out(c) for c in day.upcoming],
        overdue_not_shown=day.overdue_not_shown,
        overdue_capped=day.overdue_capped,
    )
