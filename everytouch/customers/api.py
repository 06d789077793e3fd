"""Customers over JSON: the screen pop a phone system calls, search, create, read, update.

Thin on purpose: access helper -> action -> schema. Nothing here changes state by itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, P, Query, QueryEx, Router, Schema
from ninja.responses import Status
from pydantic import model_validator

from everytouch.accounts.auth import DESK_WRITE, MANAGER_ADMIN, OWNER_ADMIN, STAFF_READ, caller
from everytouch.accounts.endpoint_kit import (
    ApiId,
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
    create_customer,
    find_contact,
    log_access,
    log_bulk_access,
    resolve,
    update_customer,
)
from everytouch.customers.contacts import normalise
from everytouch.customers.fields import ApiEmail, ApiPhone
from everytouch.customers.models import ContactKind, ContactPoint, Customer, TimelineEvent
from everytouch.customers.search import search_customers
from everytouch.interactions.models import Interaction

router = Router(tags=["customers"])

SCREEN_POP_INTERACTIONS = 5
DETAIL_TIMELINE_EVENTS = 20
MAX_CONTACTS = 20

PhoneList = list[ApiPhone]
EmailList = list[ApiEmail]


class InteractionBrief(Schema):
    id: int
    channel: str
    direction: str
    started_at: datetime
    summary: str
    need: str
    handled_by: UserRef | None


class CustomerOut(Schema):
    id: int
    name: str
    company: str
    owner: UserRef | None
    phones: list[str]
    emails: list[str]
    url: str = Field(description="The customer's page on the desk")


class ScreenPopCustomer(CustomerOut):
    last_interactions: list[InteractionBrief]


class IdentifyOut(Schema):
    found: bool
    kind: str = Field(description="phone or email")
    normalised: str = Field(description="E.164 phone or lower-cased e-mail")
    customer: ScreenPopCustomer | None = None


class TimelineEventOut(Schema):
    id: int
    kind: str
    happened_at: datetime
    summary: str
    actor: UserRef | None


class CustomerDetailOut(ScreenPopCustomer):
    notes: str
    created_at: datetime
    timeline: list[TimelineEventOut]


class CustomerIn(Schema):
    name: str = Field("", max_length=200)
    company: str = Field("", max_length=200)
    notes: str = Field("", max_length=10_000)
    owner_id: ApiId | None = None
    phones: PhoneList = Field(default_factory=list, max_length=MAX_CONTACTS)
    emails: EmailList = Field(default_factory=list, max_length=MAX_CONTACTS)

    @model_validator(mode="after")
    def says_who(self) -> CustomerIn:
        if not any(s.strip() for s in (self.name, self.company, *self.phones, *self.emails)):
            raise ValueError("give at least a name, company, phone or e-mail")
        return self


class CustomerPatch(Schema):
    """Blank or missing fields leave the stored value alone; phones and e-mails are added."""

    name: str = Field("", max_length=200)
    company: str = Field("", max_length=200)
    notes: str = Field("", max_length=10_000)
    owner_id: ApiId | None = None
    phones: PhoneList = Field(default_factory=list, max_length=MAX_CONTACTS)
    emails: EmailList = Field(default_factory=list, max_length=MAX_CONTACTS)


class CustomerPage(PageMeta):
    items: list[CustomerOut]


# --- serialising ---------------------------------------------------------------------------------


def _contacts(customer: Customer) -> tuple[list[str], list[str]]:
    points: list[ContactPoint] = list(customer.contacts.all())
    phones = [p.value for p in points if p.kind == ContactKind.PHONE]
    emails = [p.value for p in points if p.kind == ContactKind.EMAIL]
    return phones, emails


def customer_out(request: HttpRequest, customer: Customer) -> CustomerOut:
    phones, emails = _contacts(customer)
    return CustomerOut(
        id=customer.pk,
        name=customer.name,
        company=customer.company,
        owner=user_ref(customer.owner),
        phones=phones,
        emails=emails,
        url=request.build_absolute_uri(reverse("customer_detail", args=[customer.pk])),
    )


def interaction_brief(interaction: Interaction) -> InteractionBrief:
    return InteractionBrief(
        id=interaction.pk,
        channel=interaction.channel,
        direction=interaction.direction,
        started_at=interaction.started_at,
        summary=interaction.summary,
        need=interaction.need,
        handled_by=user_ref(interaction.handled_by),
    )


def _last_interactions(customer: Customer) -> list[InteractionBrief]:
    qs = Interaction.objects.filter(customer=customer).select_related("handled_by")
    return [interaction_brief(i) for i in qs[:SCREEN_POP_INTERACTIONS]]


def screen_pop(request: HttpRequest, customer: Customer) -> ScreenPopCustomer:
    base = customer_out(request, customer)
    return ScreenPopCustomer(**base.model_dump(), last_interactions=_last_interactions(customer))


def _timeline(customer: Customer) -> list[TimelineEventOut]:
    events = TimelineEvent.objects.filter(customer=customer).select_related("actor")
    return [
        TimelineEventOut(
            id=e.pk,
            kind=e.kind,
            happened_at=e.happened_at,
            summary=e.summary,
            actor=user_ref(e.actor),
        )
        for e in events[:DETAIL_TIMELINE_EVENTS]
    ]


def customer_detail(request: HttpRequest, customer: Customer) -> CustomerDetailOut:
    pop = screen_pop(request, customer)
    return CustomerDetailOut(
        **pop.model_dump(),
        notes=customer.notes,
        created_at=customer.created_at,
        timeline=_timeline(customer),
    )


def _customer_data(payload: CustomerIn | CustomerPatch) -> CustomerData:
    # Each value was normalised as its own field's kind, and an E.164 number or an address
    # reads back as the same kind, so a phone cannot become an e-mail here or the other way.
    return CustomerData(
        name=payload.name,
        company=payload.company,
        notes=payload.notes,
        owner=staff_member(payload.owner_id, "owner_id"),
        contacts=[*payload.phones, *payload.emails],
    )


def _get_customer(customer_id: int) -> Customer:
    return resolve(get_object_or_404(Customer.objects.select_related("owner"), pk=customer_id))


# --- endpoints -----------------------------------------------------------------------------------


@router.get(
    "/identify",
    response={200: IdentifyOut, **refused(400)},
    summary="Identify a caller by phone or e-mail",
    auth=STAFF_READ,
)
def identify_caller(request: HttpRequest, q: QueryEx[str, P(max_length=254)]) -> IdentifyOut:
    """The screen pop: who is this phone number or e-mail, in any format?"""
    user = caller(request)
    normalised = normalise(q)
    point = find_contact(normalised)
    customer = resolve(point.customer) if point is not None else None
    if customer is None:
        return IdentifyOut(found=False, kind=normalised.kind, normalised=normalised.value)
    log_access(user, customer, "api.identify")
    return IdentifyOut(
        found=True,
        kind=normalised.kind,
        normalised=normalised.value,
        customer=screen_pop(request, customer),
    )


@router.get("/customers", response=CustomerPage, summary="Search customers", auth=STAFF_READ)
def list_customers(
    request: HttpRequest,
    params: Query[PageParams],
    q: QueryEx[str, P(max_length=254)] = "",
) -> CustomerPage:
    """Customers whose name, company, e-mail or phone (any format) matches ``q``."""
    user = caller(request)
    qs = search_customers(q).prefetch_related("contacts")
    customers, meta = page_slice(request, qs, params)
    for customer in customers:
        log_access(user, customer, "api.list")
    log_bulk_access(user, "api.search" if q.strip() else "api.list", len(customers), "customers")
    items = [customer_out(request, c) for c in customers]
    return CustomerPage(**meta.model_dump(), items=items)


@router.post(
    "/customers",
    response={201: CustomerOut, **refused(409)},
    summary="Create a customer",
    openapi_extra=idempotency_key_doc(),
    auth=DESK_WRITE,
)
def create_customer_endpoint(request: HttpRequest, payload: CustomerIn) -> Status[dict[str, Any]]:
    """Create a customer with phones and e-mails; all or nothing. Honours Idempotency-Key."""
    user = caller(request)

    def create() -> tuple[int, CustomerOut]:
        customer = create_customer(_customer_data(payload), user)
        log_access(user, customer, "api.create")
        return 201, customer_out(request, customer)

    return create_once(request, user, "POST /customers", payload, create)


@router.get(
    "/customers/{customer_id}",
    response=CustomerDetailOut,
    summary="Get a customer",
    auth=STAFF_READ,
)
def get_customer(request: HttpRequest, customer_id: int) -> CustomerDetailOut:
    """One customer with contacts, last interactions and recent timeline (merges followed)."""
    user = caller(request)
    customer = _get_customer(customer_id)
    log_access(user, customer, "api.read")
    return customer_detail(request, customer)


@router.patch(
    "/customers/{customer_id}",
    response={200: CustomerOut, **refused(409)},
    summary="Update a customer",
    auth=DESK_WRITE,
)
def patch_customer(request: HttpRequest, customer_id: int, payload: CustomerPatch) -> CustomerOut:
    """Fill in or change details and add contact points; blank fields are left alone."""
    user = caller(request)
    customer = _get_customer(customer_id)
    customer = update_customer(customer, _customer_data(payload), user)
    log_access(user, customer, "api.update")
    return customer_out(request, customer)


# --- data rights (export and erase; everytouch/privacy) -------------------------------------------
# Imported where used so this block stays apart from the module's import list, which other
# changes edit.


class ErasureOut(Schema):
    customer_id: int
    erased_at: datetime
    counts: dict[str, int] = Field(description="How many rows of each kind were anonymised")


@router.get(
    "/customers/{customer_id}/export",
    response=dict[str, Any],
    summary="Export a customer's complete data",
    auth=MANAGER_ADMIN,
)
def export_customer_endpoint(request: HttpRequest, customer_id: int) -> dict[str, Any]:
    """Everything stored about the customer in every app, one document (owners and managers)."""
    from everytouch.privacy.actions import export_customer

    user = caller(request)
    return export_customer(_get_customer(customer_id), user)


@router.post(
    "/customers/{customer_id}/erase",
    response={200: ErasureOut, **refused(409)},
    summary="Erase a customer (irreversible)",
    auth=OWNER_ADMIN,
)
def erase_customer_endpoint(request: HttpRequest, customer_id: int) -> ErasureOut:
    """Anonymise the customer everywhere, keeping counts and dates; owners only."""
    from ninja.errors import HttpError

    from everytouch.privacy.actions import AlreadyErased, erase_customer

    user = caller(request)
    try:
        record = erase_customer(_get_customer(customer_id), user)
    except AlreadyErased as exc:
        raise HttpError(409, str(exc)) from exc
    return ErasureOut(
        customer_id=record.customer_id, erased_at=record.erased_at, counts=record.counts
    )
