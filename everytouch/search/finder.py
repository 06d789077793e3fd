"""What the search box finds: customers, leads and interactions, only those the user may open.

It sits above leads and interactions in the layers because it reads all three. Customers come
from the one customer search (``search_customers``); a lead or an interaction matches by its
number ("#123"), by its own text (need, product, summary) through its search index
(``customers.textindex``), or by belonging to a customer that matches, so "0119" also finds
Jane's calls and leads. Each way of matching gives at most ``SEARCH_CAP`` candidates, found once
per search, so a search costs about the same at a thousand records or five million.

Who may see which kind is the same role set the kind's own list page checks: a user shown a
result can always open it, and a user without a role finds nothing at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db.models import QuerySet

from everytouch.accounts.access import STAFF_ROLES, AnyUser, has_role
from everytouch.accounts.models import Role
from everytouch.accounts.paging import capped_count
from everytouch.customers.models import Customer
from everytouch.customers.search import (
    SEARCH_CAP,
    candidate_ids,
    clean_query,
    record_number,
    search_customers,
)
from everytouch.customers.textindex import TextIndex, among, ids_of
from everytouch.interactions.models import SEARCH_INDEX as INTERACTION_INDEX
from everytouch.interactions.models import Interaction
from everytouch.leads.models import SEARCH_INDEX as LEAD_INDEX
from everytouch.leads.models import Lead

# One character finds half the book; two is the shortest query answered ("Al", "#7").
MIN_LENGTH = 2
# A broad search's leads and touches through their customers come from this many of the best
# matching customers: each has about five touches, all read and sorted to find the newest
# (39 ms on PostgreSQL for 1,000 customers at scale 0.1 on a loaded machine).
RELATED_CUSTOMERS = 200


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
    # The matches were cut at ``SEARCH_CAP`` per way of matching: these are the best of them,
    # and the page says "showing the best N; type more to narrow it".
    cut: bool = False

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
    """Every record of ``kind`` matching ``query`` that ``user`` may open, best first (at most
    about ``SEARCH_CAP`` of each way of matching: see ``Section.cut``)."""
    text = clean(query)
    finders = (
        _FINDERS if len(text) >= MIN_LENGTH and kind in kinds_for(user) else _NONE_FOR_ANY_TEXT
    )
    return finders[kind](_Query(text))


def search(user: AnyUser, query: str, limit: int) -> Results:
    """The first ``limit`` matches of each kind the user may see, with each kind's total."""
    found = _Query(clean(query), first=limit)
    finders = _FINDERS if len(found.text) >= MIN_LENGTH else _NONE_FOR_ANY_TEXT
    sections = []
    for kind in kinds_for(user):
        qs = finders[kind](found)
        known = found.totals.get(kind)
        total, capped = (known(), False) if known is not None else capped_count(qs, limit)
        sections.append(Section(kind, list(qs[:limit]), total, capped, cut=is_cut(total)))
    return Results(found.text, sections)


def is_cut(count: int) -> bool:
    """Whether a kind's ``count`` matches may be only its best ones (see ``Section.cut``)."""
    return count >= SEARCH_CAP


@dataclass
class _Query:
    """One search's text, and the customers it matches, found once for all three kinds."""

    text: str
    # Only the first ``first`` of each kind are shown (the search of every kind at once); None
    # when the whole list is (one kind's pages).
    first: int | None = None
    _customer_ids: list[int] | None = None
    # How to count a kind's matches more cheaply than a COUNT of its sorted list.
    totals: dict[Kind, Callable[[], int]] = field(default_factory=dict)

    def customer_ids(self) -> list[int]:
        if self._customer_ids is None:
            self._customer_ids = candidate_ids(self.text)
        return self._customer_ids


def _customers(found: _Query) -> QuerySet[Customer]:
    ids = found.customer_ids()
    # Counted without the ranking, which a COUNT of the ranked list would work out for every
    # row (a pager counts the list itself).
    found.totals[Kind.CUSTOMERS] = lambda: Customer.objects.filter(
        among(Customer, ids), merged_into__isnull=True
    ).count()
    return search_customers(found.text, ids).prefetch_related("contacts")


def _related_ids(
    found: _Query, kind: Kind, index: TextIndex, by_customer: QuerySet[Any]
) -> tuple[list[int], bool]:
    """Ids of the leads or interactions ``found`` matches: the record's own number ("#301")
    alone; otherwise the newest ``SEARCH_CAP`` whose own text holds the query (through the
    index), then the newest ``SEARCH_CAP`` of the best ``RELATED_CUSTOMERS`` matching
    customers' (``by_customer`` sorted newest first; the customer id index answers it).

    Also whether the ids are already in ``by_customer``'s order: when nothing matched by its own
    text, they all came from that one sorted query."""
    number = record_number(found.text)
    if number is not None:
        return [number], True
    ids: dict[int, None] = {}
    own = index.match(found.text, SEARCH_CAP)
    if own is not None:
        ids.update(dict.fromkeys(ids_of(own)))
    in_order = not ids
    customers = found.customer_ids()[:RELATED_CUSTOMERS]
    if customers:
        theirs = by_customer.filter(among(by_customer.model, customers, "customer_id"))
        theirs = theirs.values_list("pk", flat=True)
        ids.update(dict.fromkeys(theirs[:SEARCH_CAP]))
    # Every id came from the table or its index (kept by triggers): each is a record.
    count = len(ids)
    found.totals[kind] = lambda: count
    return list(ids), in_order


def _newest_matches(
    found: _Query, kind: Kind, index: TextIndex, newest: QuerySet[Any]
) -> QuerySet[Any]:
    """The leads or interactions ``found`` matches, newest first (``newest``'s order).

    When only the first few are shown, they are picked from the ids' own rows first: asked for
    with ORDER BY and LIMIT over a thousand ids, PostgreSQL walked its newest-first index and
    tested each row against the list (36,000 rows for a common name, the whole table for a name
    whose records are all old).
    """
    model = newest.model
    ids, in_order = _related_ids(found, kind, index, newest)
    if found.first is not None and len(ids) > found.first:
        if not in_order:
            ids = list(newest.filter(among(model, ids)).values_list("pk", flat=True))
        ids = ids[: found.first]
    return newest.filter(among(model, ids))


def _leads(found: _Query) -> QuerySet[Lead]:
    newest = Lead.objects.order_by("-last_activity_at", "-pk")
    return _newest_matches(found, Kind.LEADS, LEAD_INDEX, newest).select_related(
        "customer", "owner"
    )


def _interactions(found: _Query) -> QuerySet[Interaction]:
    newest = Interaction.objects.order_by("-started_at", "-pk")
    return _newest_matches(found, Kind.INTERACTIONS, INTERACTION_INDEX, newest).select_related(
        "customer", "handled_by"
    )


_FINDERS: dict[Kind, Callable[[_Query], QuerySet[Any]]] = {
    Kind.CUSTOMERS: _customers,
    Kind.LEADS: _leads,
    Kind.INTERACTIONS: _interactions,
}
# What a query too short (or a kind not allowed) finds: nothing, without asking the database.
_NONE_FOR_ANY_TEXT: dict[Kind, Callable[[_Query], QuerySet[Any]]] = {
    Kind.CUSTOMERS: lambda _text: Customer.objects.none(),
    Kind.LEADS: lambda _text: Lead.objects.none(),
    Kind.INTERACTIONS: lambda _text: Interaction.objects.none(),
}
