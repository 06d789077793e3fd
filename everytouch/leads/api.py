"""Leads over JSON: capture, list, read, move along the pipeline, hand off.

Thin on purpose: access helper -> action -> schema. Refusals (an owner who cannot own leads, a
stage change that skips the rules) are 400 with the reason in ``detail``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from everytouch import bounds
from everytouch.accounts.access import may_act_for
from everytouch.accounts.auth import DESK_WRITE, STAFF_READ, STAFF_WRITE, caller
from everytouch.accounts.endpoint_kit import (
    ApiId,
    PageMeta,
    PageParams,
    UserRef,
    create_once,
    idempotency_key_doc,
    page_slice,
    staff_member,
    user_ref,
)
from everytouch.customers.actions import log_access, log_bulk_access, resolve
from everytouch.customers.models import Customer
from everytouch.interactions.models import Interaction
from everytouch.leads import actions, queries
from everytouch.leads.actions import LeadData
from everytouch.leads.errors import LeadError
from everytouch.leads.models import Lead, Stage
from everytouch.leads.queries import LeadFilter

router = Router(tags=["leads"])


class LeadCustomerRef(Schema):
    id: int
    name: str
    company: str


class LeadIn(Schema):
    customer_id: ApiId
    need: str = Field(..., min_length=1, max_length=300)
    product_interest: str = Field("", max_length=200)
    budget: str = Field("", max_length=100)
    timeline: str = Field("", max_length=100)
    owner_id: ApiId | None = Field(None, description="Default: the customer's owner, else sales")
    source_interaction_id: ApiId | None = None


class LeadOut(Schema):
    id: int
    created: bool | None = Field(
        None,
        description="On capture: false when an existing lead for "
        "the same need (last 30 days) was updated instead",
    )
    customer: LeadCustomerRef
    need: str
    product_interest: str
    budget: str
    timeline: str
    stage: str
    lost_reason: str
    owner: UserRef | None
    created_at: datetime
    first_response_at: datetime | None
    speed_to_lead_seconds: float | None
    last_activity_at: datetime
    closed_at: datetime | None
    source_interaction_id: int | None
    url: str


class ActivityOut(Schema):
    kind: str
    summary: str
    actor: UserRef | None
    created_at: datetime


class LeadDetailOut(LeadOut):
    activities: list[ActivityOut]


class LeadPage(PageMeta):
    items: list[LeadOut]


class LeadFilters(Schema):
    owner_id: ApiId | None = None
    stage: Stage | None = None
    untouched_days: int | None = Field(None, ge=0, le=bounds.MAX_LOOKBACK_DAYS)
    q: str = Field("", max_length=200)
    customer_id: ApiId | None = None


class StageIn(Schema):
    stage: Stage
    lost_reason: str = Field("", max_length=300)


class HandoffIn(Schema):
    owner_id: ApiId


def lead_out(request: HttpRequest, lead: Lead, created: bool | None = None) -> LeadOut:
    speed = lead.speed_to_lead
    customer = lead.customer
    return LeadOut(
        id=lead.pk,
        created=created,
        customer=LeadCustomerRef(id=customer.pk, name=customer.name, company=customer.company),
        need=lead.need,
        product_interest=lead.product_interest,
        budget=lead.budget,
        timeline=lead.timeline,
        stage=lead.stage,
        lost_reason=lead.lost_reason,
        owner=user_ref(lead.owner),
        created_at=lead.created_at,
        first_response_at=lead.first_response_at,
        speed_to_lead_seconds=speed.total_seconds() if speed is not None else None,
        last_activity_at=lead.last_activity_at,
        closed_at=lead.closed_at,
        source_interaction_id=lead.source_interaction_id,
        url=request.build_absolute_uri(reverse("lead_detail", args=[lead.pk])),
    )


def lead_detail(request: HttpRequest, lead: Lead) -> LeadDetailOut:
    activities = [
        ActivityOut(
            kind=a.kind, summary=a.summary, actor=user_ref(a.actor), created_at=a.created_at
        )
        for a in lead.activities.select_related("actor")
    ]
    return LeadDetailOut(**lead_out(request, lead).model_dump(), activities=activities)


def _get_lead(lead_id: int) -> Lead:
    return get_object_or_404(Lead.objects.select_related("customer", "owner"), pk=lead_id)


def _changeable(request: HttpRequest, lead_id: int) -> tuple[Lead, User]:
    user = caller(request)
    lead = _get_lead(lead_id)
    if not may_act_for(user, lead.owner_id):
        raise PermissionDenied("only the lead's owner or a manager can change it")
    return lead, user


def _customer(customer_id: int) -> Customer:
    customer = Customer.objects.select_related("owner").filter(pk=customer_id).first()
    if customer is None:
        raise HttpError(400, f"customer_id: no customer with id {customer_id}")
    return resolve(customer)


def _interaction(interaction_id: int | None, customer: Customer) -> Interaction | None:
    if interaction_id is None:
        return None
    interaction = Interaction.objects.filter(pk=interaction_id).first()
    if interaction is None or interaction.customer_id not in {None, customer.pk}:
        raise HttpError(
            400, f"source_interaction_id: no interaction {interaction_id} of this customer"
        )
    return interaction


def _refused(exc: LeadError) -> HttpError:
    return HttpError(400, str(exc))


@router.post(
    "/leads",
    response={200: LeadOut, 201: LeadOut},
    summary="Capture a lead",
    openapi_extra=idempotency_key_doc(),
    auth=DESK_WRITE,
)
def create_lead(request: HttpRequest, payload: LeadIn) -> Status[dict[str, Any]]:
    """201 with a new lead, or 200 with the customer's lead for the same need updated."""
    user = caller(request)
    customer = _customer(payload.customer_id)
    owner = staff_member(payload.owner_id, "owner_id")
    source = _interaction(payload.source_interaction_id, customer)
    data = LeadData(payload.need, payload.product_interest, payload.budget, payload.timeline)

    def create() -> tuple[int, LeadOut]:
        try:
            lead, created = actions.capture_lead(
                customer, data, owner=owner, actor=user, source_interaction=source
            )
        except LeadError as exc:
            raise _refused(exc) from exc
        log_access(user, customer, "api.lead_capture")
        return (201 if created else 200), lead_out(request, lead, created)

    return create_once(request, user, "POST /leads", payload, create)


@router.get("/leads", response=LeadPage, summary="List leads", auth=STAFF_READ)
def list_leads(
    request: HttpRequest, filters: Query[LeadFilters], params: Query[PageParams]
) -> LeadPage:
    """Newest first; filter by owner, stage, customer, untouched for N days, or text."""
    user = caller(request)
    f = LeadFilter(
        owner_id=filters.owner_id,
        stage=filters.stage or "",
        untouched_days=filters.untouched_days,
        q=filters.q,
    )
    qs = queries.filter_leads(f)
    if filters.customer_id is not None:
        qs = qs.filter(customer_id=filters.customer_id)
    leads, meta = page_slice(request, qs.order_by("-created_at", "-pk"), params)
    log_bulk_access(user, "api.list", len(leads), "leads")
    return LeadPage(**meta.model_dump(), items=[lead_out(request, lead) for lead in leads])


@router.get("/leads/{lead_id}", response=LeadDetailOut, summary="Get a lead", auth=STAFF_READ)
def get_lead(request: HttpRequest, lead_id: int) -> LeadDetailOut:
    """One lead with its activities (stage changes, hand-offs, responses)."""
    user = caller(request)
    lead = _get_lead(lead_id)
    log_access(user, lead.customer, "api.lead_read")
    return lead_detail(request, lead)


@router.post(
    "/leads/{lead_id}/stage",
    response=LeadOut,
    summary="Move a lead to a stage",
    auth=STAFF_WRITE,
)
def move_stage(request: HttpRequest, lead_id: int, payload: StageIn) -> LeadOut:
    """Allowed moves are in docs/leads.md; lost needs ``lost_reason``; won and lost close it."""
    lead, user = _changeable(request, lead_id)
    try:
        lead = actions.move_stage(lead, payload.stage, user, payload.lost_reason)
    except LeadError as exc:
        raise _refused(exc) from exc
    return lead_out(request, lead)


@router.post(
    "/leads/{lead_id}/handoff",
    response=LeadOut,
    summary="Hand a lead off",
    auth=STAFF_WRITE,
)
def handoff(request: HttpRequest, lead_id: int, payload: HandoffIn) -> LeadOut:
    """Give the lead to another sales owner; they are notified and webhooks fire."""
    lead, user = _changeable(request, lead_id)
    to = staff_member(payload.owner_id, "owner_id")
    assert to is not None
    try:
        lead = actions.hand_off(lead, to, user)
    except LeadError as exc:
        raise _refused(exc) from exc
    return lead_out(request, lead)
