"""Customers over JSON: the screen pop a phone system calls, search, create, read, update.

Thin on purpose: access helper -> action -> schema. Nothing here changes state by itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, P, Query, QueryEx, Router, Schema
from ninja.errors import HttpError
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
from everytouch.accounts.people import display_name
from everytouch.customers.actions import (
    CustomerData,
    create_customer,
    log_access,
    log_bulk_access,
    resolve,
    update_customer,
)
from everytouch.customers.contacts import normalise
from everytouch.customers.fields import ApiEmail, ApiPhone
from everytouch.customers.models import ContactKind, ContactPoint, Customer, TimelineEvent
from everytouch.customers.screen_pop import Identified, find_caller
from everytouch.customers.search import search_customers
from everytouch.interactions.models import Interaction
from everytouch.prepared import PreparedQuery

router = Router(tags=["customers"])

SCREEN_POP_INTERACTIONS = 5
DETAIL_TIMELINE_EVENTS = 20
MAX_CONTACTS = 20

IDENTIFY_FIELDS_DOC = (
    "Extras to include, comma-separated: `last_interactions` (the five most recent "
    "interactions). Without it the customer is who they are, their owner and contact points."
)

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


class IdentifiedCustomer(CustomerOut):
    last_interactions: list[InteractionBrief] = Field(
        default_factory=list,
        description="The five most recent interactions, newest first; only with "
        "`fields=last_interactions` (absent otherwise)",
    )


class IdentifyOut(Schema):
    found: bool
    kind: str = Field(description="phone or email")
    normalised: str = Field(description="E.164 phone or lower-cased e-mail")
    customer: IdentifiedCustomer | None = None


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


# --- the screen pop ------------------------------------------------------------------------------
# A phone system calls identify on every ring: the default answer is what a pop shows (who, their
# owner and contact points, one query after the token check), and anything more is asked for
# by name in ``fields`` (docs/api.md).

IDENTIFY_FIELDS = ("last_interactions",)
RECENT_INTERACTIONS = PreparedQuery(
    lambda pk: Interaction.objects.filter(customer_id=pk).values_list(
        "id",
        "channel",
        "direction",
        "started_at",
        "summary",
        "need",
        "handled_by_id",
        "handled_by__first_name",
        "handled_by__last_name",
        "handled_by__username",
    )[:SCREEN_POP_INTERACTIONS],
    int,
)


def identify_fields(raw: str) -> frozenset[str]:
    """The extras asked for in ``fields`` (comma-separated); 422 naming an unknown one."""
    asked = frozenset(name.strip() for name in raw.split(",") if name.strip())
    if unknown := sorted(asked - set(IDENTIFY_FIELDS)):
        known = ", ".join(IDENTIFY_FIELDS)
        raise HttpError(422, f"fields: unknown field {unknown[0]!r}; known fields: {known}")
    return asked


def _recent_interactions(customer_id: int) -> list[dict[str, Any]]:
    briefs = []
    for row in RECENT_INTERACTIONS.rows(customer_id):
        pk, channel, direction, started_at, summary, need, handler_id, *names = row
        handler = None
        if handler_id is not None:
            first, last, username = names
            person = User(first_name=first, last_name=last, username=username)
            handler = {"id": handler_id, "name": display_name(person)}
        briefs.append(
            {
                "id": pk,
                "channel": channel,
                "direction": direction,
                "started_at": started_at,
                "summary": summary,
                "need": need,
                "handled_by": handler,
            }
        )
    return briefs


def _pop(request: HttpRequest, found: Identified, fields: frozenset[str]) -> dict[str, Any]:
    owner = found.owner
    pop: dict[str, Any] = {
        "id": found.pk,
        "name": found.name,
        "company": found.company,
        "owner": {"id": owner.id, "name": owner.name} if owner is not None else None,
        "phones": found.phones,
        "emails": found.emails,
        "url": request.build_absolute_uri(reverse("customer_detail", args=[found.pk])),
    }
    if "last_interactions" in fields:
        pop["last_interactions"] = _recent_interactions(found.pk)
    return pop


@router.get(
    "/identify",
    response={200: IdentifyOut, **refused(400)},
    summary="Identify a caller by phone or e-mail",
    auth=STAFF_READ,
    # A field left out of the answer (an extra not asked for in ``fields``) is absent, not null.
    exclude_unset=True,
)
def identify_caller(
    request: HttpRequest,
    q: QueryEx[str, P(max_length=254)],
    fields: QueryEx[str, P(max_length=200, description=IDENTIFY_FIELDS_DOC)] = "",
) -> dict[str, Any]:
    """The screen pop: who is this phone number or e-mail, in any format?"""
    user = caller(request)
    extras = identify_fields(fields)
    normalised = normalise(q)
    found = find_caller(normalised)
    answer: dict[str, Any] = {
        "found": found is not None,
        "kind": normalised.kind,
        "normalised": normalised.value,
        "customer": None,
    }
    if found is not None:
        log_access(user, found.pk, "api.identify")
        answer["customer"] = _pop(request, found, extras)
    return answer


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
