"""Ownership is one concept: who may own, whose work passes to whom, and handing a row over.

Every model with an owner registers an ``OwnedKind`` here; handover, routing and the "nothing is
ever left without an active owner" invariant find owned rows through this registry rather than
through a list kept by hand in each place, so a new owned model is covered by registering it in
its app's ``ready()``.

This module belongs to the staff layer (docs/architecture.md): following successors reads
completed departures. Customers sit below it, so staff registers the customer kind.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db.models import Model, Q, QuerySet

from everytouch.customers import actions as customer_actions
from everytouch.customers import timeline
from everytouch.customers.models import Customer
from everytouch.staff.models import Departure, DepartureStatus, Employment


@dataclass(frozen=True)
class OwnedKind:
    label: str
    model: type[Model]
    owner_field: str = "owner"
    # Rows that still need a living owner (an open lead, an unanswered message); closed rows
    # keep their historical owner.
    open_filter: Q = field(default_factory=Q)
    # Name of the row's ForeignKey to Customer, if any, so handovers reach the timeline.
    customer_field: str | None = None

    def open_rows(self) -> QuerySet[Model]:
        return self.model._default_manager.filter(self.open_filter)

    def owned_by(self, user: User) -> QuerySet[Model]:
        return self.open_rows().filter(**{self.owner_field: user})

    def without_active_owner(self) -> QuerySet[Model]:
        owner = self.owner_field
        nobody = Q(**{f"{owner}__isnull": True})
        return self.open_rows().filter(nobody | ~Q(**{f"{owner}__in": possible_owners()}))

    def customer_of(self, row: Model) -> Customer | None:
        if isinstance(row, Customer):
            return row
        customer = getattr(row, self.customer_field) if self.customer_field else None
        return customer if isinstance(customer, Customer) else None


_registry: dict[str, OwnedKind] = {}


def register(kind: OwnedKind) -> None:
    _registry[kind.label] = kind


def kinds() -> Iterator[OwnedKind]:
    yield from _registry.values()


def kind(label: str) -> OwnedKind:
    return _registry[label]


# --- who may own ---------------------------------------------------------------------------------


NOBODY = "is nobody"


def refusal(user: User | None) -> str | None:
    """Why this person cannot own anything ('has departed', ...), or None if they can.

    Read from the database, not from the instance: a ``User`` loaded before a departure (or a
    cached directory entry on it) would still look active.
    """
    fresh = _fresh(user)
    if fresh is None:
        return NOBODY
    member = getattr(fresh, "staff", None)
    if member is not None and member.employment == Employment.DEPARTED:
        return "has departed"
    if not fresh.is_active:
        return "can no longer log in"
    if not hasattr(fresh, "profile"):
        return "has no role here"
    return None


def _fresh(user: User | None) -> User | None:
    if user is None or user.pk is None:
        return None
    return User.objects.select_related("profile", "staff").filter(pk=user.pk).first()


def can_own(user: User | None) -> bool:
    """An active login with a role who has not left: the one rule for every owned thing."""
    return refusal(user) is None


def possible_owners() -> QuerySet[User]:
    """Everyone ``can_own`` accepts, as a query (for pickers and round robins)."""
    qs = User.objects.filter(is_active=True, profile__isnull=False)
    return qs.exclude(staff__employment=Employment.DEPARTED)


# --- whose work passes to whom -------------------------------------------------------------------


def _handed_to(user: User) -> User | None:
    departure = (
        Departure.objects.filter(staff__user=user, status=DepartureStatus.COMPLETED)
        .exclude(successor=None)
        .select_related("successor__profile")
        .order_by("-completed_at", "-pk")
        .first()
    )
    return departure.successor if departure is not None else None


def successor_for(user: User) -> User | None:
    """Who now looks after a departed person's work: the living end of the chain of successors
    (A left to B, who left to C), or None when the chain ends with nobody who can own."""
    seen = {user.pk}
    current = _handed_to(user)
    while current is not None and current.pk not in seen:
        if can_own(current):
            return current
        seen.add(current.pk)
        current = _handed_to(current)
    return None


# --- handing a row over --------------------------------------------------------------------------


def open_items_of(user: User) -> dict[str, int]:
    """How many open things of each kind this person owns (what a handover must move)."""
    return {k.label: k.owned_by(user).count() for k in kinds()}


def orphans() -> dict[str, list[int]]:
    """Open rows with no active owner, by kind: empty when the invariant holds."""
    out: dict[str, list[int]] = {}
    for k in kinds():
        ids = list(k.without_active_owner().values_list("pk", flat=True))
        if ids:
            out[k.label] = ids
    return out


def give(kind: OwnedKind, row: Model, new_owner: User, actor: User, reason: str) -> None:
    """Make ``new_owner`` the owner of ``row`` and say so on its customer's timeline.

    The caller holds the transaction and has checked ``can_own(new_owner)``.
    """
    if isinstance(row, Customer):
        customer_actions.set_owner(row, new_owner, actor, reason)
        return
    setattr(row, kind.owner_field, new_owner)
    row.save(update_fields=[kind.owner_field])
    customer = kind.customer_of(row)
    if customer is not None:
        timeline.item_handed_over(customer, actor, kind.label, row.pk, new_owner, reason)
