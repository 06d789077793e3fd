"""Who is calling? The screen pop's lookup: the customer, their owner and contacts, one query.

A phone system asks on every ring, so this path is kept lean (docs/benchmarks.md, "Identify"):
the query that finds the contact point also joins the customer, the owner and all of the
customer's contact points (one row per contact point), compiled once (``PreparedQuery``). A
customer merged into another is followed to the survivor, one query per step, as ``resolve``
does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User

from everytouch.accounts.people import display_name
from everytouch.customers.contacts import Normalised
from everytouch.customers.models import ContactKind, ContactPoint, Customer
from everytouch.prepared import PreparedQuery

# The same columns from either starting point; the contact points come last, ordered by id as
# the customer page lists them.
_CUSTOMER = ("name", "company", "merged_into_id", "owner_id")
_OWNER = ("owner__first_name", "owner__last_name", "owner__username")
_CONTACT = ("contacts__kind", "contacts__value")


def _columns(prefix: str) -> list[str]:
    return [f"{prefix}{name}" for name in ("id", *_CUSTOMER, *_OWNER, *_CONTACT)]


BY_CONTACT = PreparedQuery(
    lambda kind, value: (
        ContactPoint.objects.filter(kind=kind, value=value)
        .values_list(*_columns("customer__"))
        .order_by("customer__contacts__id")
    ),
    str,
    str,
)
BY_ID = PreparedQuery(
    lambda pk: Customer.objects.filter(pk=pk).values_list(*_columns("")).order_by("contacts__id"),
    int,
)


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class Identified:
    """What the pop shows about a customer."""

    pk: int
    name: str
    company: str
    owner: Person | None
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)


def _owner(row: Sequence[Any]) -> Person | None:
    owner_id, first, last, username = row[4:8]
    if owner_id is None:
        return None
    # An unsaved User only to name them the one way colleagues are named everywhere.
    return Person(owner_id, display_name(User(first_name=first, last_name=last, username=username)))


def _identified(rows: list[Sequence[Any]]) -> Identified:
    first = rows[0]
    found = Identified(pk=first[0], name=first[1], company=first[2], owner=_owner(first))
    for kind, value in (row[8:10] for row in rows):
        if kind == ContactKind.PHONE:
            found.phones.append(value)
        elif kind == ContactKind.EMAIL:
            found.emails.append(value)
    return found


def find_caller(normalised: Normalised) -> Identified | None:
    """The customer with this phone or e-mail (merges followed), or None."""
    rows = BY_CONTACT.rows(str(normalised.kind), normalised.value)
    seen: set[int] = set()
    while rows and rows[0][3] is not None and rows[0][3] not in seen:
        seen.add(rows[0][0])
        rows = BY_ID.rows(rows[0][3])
    return _identified(rows) if rows else None
