"""GET /api/v1/search: the top-bar search for scripts and phone systems, same results and rules.

Anyone with a role may search (403 otherwise, like every list endpoint); each kind of record
is included only for the roles that may open it, as on the page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, P, QueryEx, Router, Schema

from everytouch.accounts.auth import STAFF_READ, caller
from everytouch.customers.actions import log_access, log_bulk_access
from everytouch.customers.contacts import format_phone
from everytouch.customers.models import ContactKind, Customer
from everytouch.customers.search import MAX_QUERY
from everytouch.interactions.models import Interaction
from everytouch.leads.models import Lead
from everytouch.search import finder

router = Router(tags=["search"])
DEFAULT_LIMIT = 10
MAX_LIMIT = 50


class SearchHit(Schema):
    id: int
    title: str = Field(description="What the record is called on screen")
    detail: str = Field(description="The line under the title: company, contacts, stage, ...")
    customer_id: int | None = Field(default=None, description="Whose record this is")
    at: datetime | None = Field(default=None, description="When an interaction started")
    url: str


class SearchSection(Schema):
    kind: str = Field(description="customers, leads or interactions")
    total: int = Field(description="Every match of this kind, of which the first `limit` are here")
    total_capped: bool = Field(
        False, description="True when `total` is where counting stopped (10,000): there are more"
    )
    cut: bool = Field(
        False,
        description="True when only the best matches were searched (about 1,000 per way of"
        " matching): type more to narrow it",
    )
    items: list[SearchHit]


class SearchOut(Schema):
    query: str = Field(description="The query as searched: trimmed, at most 200 characters")
    too_short: bool = Field(description="True when the query is under 2 characters: no results")
    sections: list[SearchSection]


@router.get(
    "/search",
    response=SearchOut,
    summary="Search customers, leads and interactions",
    auth=STAFF_READ,
)
def search(
    request: HttpRequest,
    q: QueryEx[str, P(max_length=MAX_QUERY)] = "",
    limit: QueryEx[int, P(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> SearchOut:
    """Name, company, e-mail, any part of a phone in any format, or a number (``#123``)."""
    user = caller(request)
    results = finder.search(user, q, limit)
    sections = []
    for section in results.sections:
        items = [_hit(request, section.kind, item) for item in section.items]
        sections.append(
            SearchSection(
                kind=section.kind,
                total=section.total,
                total_capped=section.capped,
                cut=section.cut,
                items=items,
            )
        )
        if section.kind == finder.Kind.CUSTOMERS:
            for customer in section.items:
                log_access(user, customer, "api.search")
    kinds = "+".join(s.kind for s in sections if s.items) or "nothing"
    log_bulk_access(user, "api.search", sum(len(s.items) for s in sections), kinds)
    return SearchOut(query=results.query, too_short=finder.is_too_short(q), sections=sections)


def _hit(request: HttpRequest, kind: finder.Kind, item: Any) -> SearchHit:
    if kind == finder.Kind.CUSTOMERS:
        return _customer_hit(request, item)
    if kind == finder.Kind.LEADS:
        return _lead_hit(request, item)
    return _interaction_hit(request, item)


def _url(request: HttpRequest, name: str, pk: int) -> str:
    return request.build_absolute_uri(reverse(name, args=[pk]))


def _customer_hit(request: HttpRequest, customer: Customer) -> SearchHit:
    # Phones first: it is usually a phone that is being matched against.
    points = sorted(customer.contacts.all(), key=lambda c: c.kind != ContactKind.PHONE)
    contacts = [format_phone(c.value) if c.kind == ContactKind.PHONE else c.value for c in points]
    company = [customer.company] if customer.name and customer.company else []
    return SearchHit(
        id=customer.pk,
        title=customer.display_name,
        detail=" · ".join([*company, *contacts]),
        customer_id=customer.pk,
        url=_url(request, "customer_detail", customer.pk),
    )


def _lead_hit(request: HttpRequest, lead: Lead) -> SearchHit:
    return SearchHit(
        id=lead.pk,
        title=lead.need,
        detail=f"{lead.customer.display_name} · {lead.get_stage_display()}",
        customer_id=lead.customer_id,
        url=_url(request, "lead_detail", lead.pk),
    )


def _interaction_hit(request: HttpRequest, interaction: Interaction) -> SearchHit:
    who = interaction.customer.display_name if interaction.customer else "unknown caller"
    text = interaction.need or interaction.summary
    return SearchHit(
        id=interaction.pk,
        title=f"{interaction.get_channel_display()} #{interaction.pk}",
        detail=" · ".join(part for part in (who, text[:80]) if part),
        customer_id=interaction.customer_id,
        at=interaction.started_at,
        url=_url(request, "interaction_detail", interaction.pk),
    )
