"""Ownership is one concept: every model with an owner registers here.

Handover, routing and the "nothing is ever left without an active owner" invariant find owned
rows through this registry rather than through a list kept by hand in each place, so a new owned
model (leads, commitments, ...) is covered by registering it in its app's ``ready()``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db.models import Model, Q, QuerySet


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
        inactive = Q(**{f"{self.owner_field}__isnull": True})
        inactive |= Q(**{f"{self.owner_field}__is_active": False})
        inactive |= Q(**{f"{self.owner_field}__profile__isnull": True})
        return self.open_rows().filter(inactive)


_registry: dict[str, OwnedKind] = {}


def register(kind: OwnedKind) -> None:
    _registry[kind.label] = kind


def kinds() -> Iterator[OwnedKind]:
    yield from _registry.values()


def kind(label: str) -> OwnedKind:
    return _registry[label]


def is_active_owner(user: User | None) -> bool:
    """A person who can own things: an active login with a role."""
    if user is None or not user.is_active:
        return False
    return hasattr(user, "profile")


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
