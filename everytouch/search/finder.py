"""What the search box finds: customers, leads and interactions, only those the user may open.

It sits above leads and interactions in the layers because it reads all three. Customers come
from the one customer search (``search_customers``); a lead or an interaction matches by its
number ("#123"), by its own text (need, product, summary), or by belonging to a customer that
matches, so "0119" also finds Jane's calls and leads.

Who may see which kind is the same role set the kind's own list page checks: a user shown a
result can always open it, and a user without a role finds nothing at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db.models import Q, QuerySet

from everytouch.accounts.access import STAFF_ROLES, AnyUser, has_role
from everytouch.accounts.models import Role
from everytouch.accounts.paging import capped_count
from everytouch.customers.models import Customer
from everytouch.customers.search import clean_query, record_number, search_customers
from everytouch.interactions.models import Interaction
from everytouch.leads.models import Lead

# One character finds half the book; two is the shortest query answered ("Al", "#7").
MIN_LENGTH = 2


class Kind(StrEnum):
    CUSTOMERS = "customers"
    LEADS = "leads"
    INTERACTIONS = "interactions"

    @property
    def label(self) -> str:
        return self.value.capitalize()


# The roles each kind's list and detail pages let in (customer_list, lead_board,
# interaction_list and their detail pages): a result is never a page the user cannot open.
VISIBLE_TO: dict[Kind, frozenset[Role]] = {
    Kind.CUSTOMERS: STAFF_ROLES,
    Kind.LEADS: STAFF_ROLES,
    Kind.INTERACTIONS: STAFF_ROLES,
}


@dataclass(frozen=True)
class Section:
    kind: Kind
    items: list[Any]
    total: int
    # ``total`` is where counting stopped (paging.COUNT_CAP): there are more matches than that.
    capped: bool = False

    @property
    def more(self) -> int:
        return self.total - len(self.items)

    @property
    def total_text(self) -> str:
        return f"more than {self.total:,}" if self.capped else f"{self.total:,}"


@dataclass(frozen=True)
class Results:
    query: str
    sections: list[Section]

    @property
    def total(self) -> int:
        return sum(s.total for s in self.sections)

    @property
    def total_text(self) -> str:
        capped = any(s.capped for s in self.sections)
        return f"more than {self.total:,}" if capped else f"{self.total:,}"


def clean(raw: str) -> str:
    """The query as it will be searched for (control characters gone, length capped)."""
    return clean_query(raw)


def is_too_short(query: str) -> bool:
    return len(clean(query)) < MIN_LENGTH


def kinds_for(user: AnyUser) -> list[Kind]:
    """The kinds of record this user may find, in the order results are shown."""
    return [kind for kind in Kind if has_role(user, VISIBLE_TO[kind])]


def matching(user: AnyUser, kind: Kind, query: str) -> QuerySet[Any]:
    """Every record of ``kind`` matching ``query`` that ``user`` may open, best first."""
    text = clean(query)
    finders = (
        _FINDERS if len(text) >= MIN_LENGTH and kind in kinds_for(user) else _NONE_FOR_ANY_TEXT
    )
    return finders[kind](text)


def search(user: AnyUser, query: str, limit: int) -> Results:
    """The first ``limit`` matches of each kind the user may see, with each kind's total."""
    text = clean(query)
    finders = _FINDERS if len(text) >= MIN_LENGTH else _NONE_FOR_ANY_TEXT
    sections = []
    for kind in kinds_for(user):
        qs = finders[kind](text)
        # A broad query ("an") matches most of five million touches: counting them all took
        # longer than finding the first few, so the count stops at paging.COUNT_CAP.
        total, capped = capped_count(qs, limit)
        sections.append(Section(kind, list(qs[:limit]), total, capped))
    return Results(text, sections)


def _customers(text: str) -> QuerySet[Customer]:
    return search_customers(text).prefetch_related("contacts")


def _by_number_or(text: str, own_text: Q) -> Q:
    number = record_number(text)
    if number is not None:
        return Q(pk=number)
    return own_text | Q(customer__in=search_customers(text).values("pk"))


def _leads(text: str) -> QuerySet[Lead]:
    own = Q(need__icontains=text) | Q(product_interest__icontains=text)
    qs = Lead.objects.filter(_by_number_or(text, own))
    return qs.select_related("customer", "owner").order_by("-last_activity_at", "-pk")


def _interactions(text: str) -> QuerySet[Interaction]:
    own = Q(summary__icontains=text) | Q(need__icontains=text)
    qs = Interaction.objects.filter(_by_number_or(text, own))
    return qs.select_related("customer", "handled_by").order_by("-started_at", "-pk")


_FINDERS: dict[Kind, Callable[[str], QuerySet[Any]]] = {
    Kind.CUSTOMERS: _customers,
    Kind.LEADS: _leads,
    Kind.INTERACTIONS: _interactions,
}
# What a query too short (or a kind not allowed) finds: nothing, without asking the database.
_NONE_FOR_ANY_TEXT: dict[Kind, Callable[[str], QuerySet[Any]]] = {
    Kind.CUSTOMERS: lambda _text: Customer.objects.none(),
    Kind.LEADS: lambda _text: Lead.objects.none(),
    Kind.INTERACTIONS: lambda _text: Interaction.objects.none(),
}
