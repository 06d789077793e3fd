"""Departures: someone is leaving, and everything they own must get a new, active owner.

Owned things are found through ``everytouch.ownership`` only, so leads, commitments and whatever
registers later are handed over (and block completion) without edits here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, get_args

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

from everytouch import ownership
from everytouch.accounts.access import DESK_ROLES, MANAGER_ROLES, has_role, role_of
from everytouch.accounts.actions import close_login
from everytouch.accounts.people import display_name
from everytouch.customers.models import Customer
from everytouch.staff.directory.actions import StaffError, ensure_staff, set_backup
from everytouch.staff.models import (
    Absence,
    Departure,
    DepartureStatus,
    Employment,
    StaffMember,
    Team,
)

Strategy = Literal["all", "round_robin", "by_company"]
STRATEGIES: tuple[str, ...] = get_args(Strategy)


class DepartureConflict(StaffError):
    """The departure is not in a state that allows this (already open, completed, items left)."""


def _require_manager(actor: User, doing: str) -> None:
    if not actor.is_active or not has_role(actor, MANAGER_ROLES):
        raise PermissionDenied(f"only a manager or owner can {doing}")


def _require_open(departure: Departure) -> None:
    if departure.status != DepartureStatus.OPEN:
        raise DepartureConflict(f"this departure is already {departure.get_status_display()}")


def _locked(departure: Departure) -> Departure:
    """Re-read the departure under a row lock so two managers cannot act on it at once."""
    Departure.objects.select_for_update().filter(pk=departure.pk).first()
    departure.refresh_from_db()
    qs = StaffMember.objects.select_for_update(of=("self",)).select_related("user", "user__profile")
    departure.staff = qs.get(pk=departure.staff_id)
    return departure


# --- opening ------------------------------------------------------------------------------------


@transaction.atomic
def open_departure(member: StaffMember, effective_on: date, actor: User) -> Departure:
    """Mark ``member`` as leaving on ``effective_on`` and open their handover."""
    _require_manager(actor, "open a departure")
    member = (
        StaffMember.objects.select_for_update(of=("self",)).select_related("user").get(pk=member.pk)
    )
    if member.employment == Employment.DEPARTED:
        raise DepartureConflict(f"{member.name} has already departed")
    if member.departures.filter(status=DepartureStatus.OPEN).exists():
        raise DepartureConflict(f"{member.name} already has an open departure")
    member.employment, member.leaves_on = Employment.LEAVING, effective_on
    member.save(update_fields=["employment", "leaves_on"])
    return Departure.objects.create(staff=member, effective_on=effective_on, opened_by=actor)


@transaction.atomic
def cancel_departure(departure: Departure, actor: User) -> Departure:
    """They are staying after all. What was already handed over stays with its new owner."""
    _require_manager(actor, "cancel a departure")
    departure = _locked(departure)
    _require_open(departure)
    member = departure.staff
    member.employment, member.leaves_on = Employment.ACTIVE, None
    member.save(update_fields=["employment", "leaves_on"])
    departure.status = DepartureStatus.CANCELLED
    departure.save(update_fields=["status"])
    return departure


# --- what is left -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanPart:
    """One kind of row the leaver still owns: how many, and the first few (oldest first)."""

    count: int
    rows: Sequence[Model]


def handover_plan(departure: Departure, shown: int) -> dict[str, PlanPart]:
    """The open rows the leaver still owns, per registered kind (empty kinds included).

    Only the first ``shown`` rows of a kind are read, with what their names need (owner and
    customer) in the same query: a leaver may own thousands of customers.
    """
    user = departure.staff.user
    plan = {}
    for kind in ownership.kinds():
        owned = kind.owned_by(user)
        related = [name for name in (kind.owner_field, kind.customer_field) if name]
        rows = list(owned.select_related(*related).order_by("pk")[:shown])
        count = len(rows) if len(rows) < shown else owned.count()
        plan[kind.label] = PlanPart(count, rows)
    return plan


def _plural(label: str, n: int) -> str:
    return f"{n} {label}" if n == 1 else f"{n} {label}s"


def count_phrase(counts: dict[str, int]) -> str:
    """'3 customers and 1 message' (kinds with none are left out); '' when all are zero."""
    parts = [_plural(label, n) for label, n in counts.items() if n]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def still_owned(user: User, counts: dict[str, int] | None = None) -> str:
    """'' when nothing is left, else '3 customers and 1 message are still owned by Dana Ruiz'.

    ``counts``: what the user still owns per kind, when the caller has counted it already.
    """
    counts = ownership.open_items_of(user) if counts is None else counts
    if not any(counts.values()):
        return ""
    verb = "is" if sum(counts.values()) == 1 else "are"
    return f"{count_phrase(counts)} {verb} still owned by {display_name(user)}"


def closing_departure(user: User) -> Departure | None:
    """The completed departure that closed this login, if one did (for the login page)."""
    qs = Departure.objects.filter(staff__user=user, status=DepartureStatus.COMPLETED)
    return qs.select_related("opened_by").order_by("-completed_at", "-pk").first()


# --- handing over -------------------------------------------------------------------------------


def _refusal(user: User, leaver: User) -> str | None:
    """Why ``user`` cannot take over the leaver's work, or None if they can."""
    if user.pk == leaver.pk:
        return f"cannot hand over to {display_name(user)}, who is the person leaving"
    why = ownership.refusal(user)
    if why == ownership.NOBODY:
        return f"cannot hand over to person #{user.pk}: no such person"
    leaving = StaffMember.objects.filter(user=user, employment=Employment.LEAVING)
    if why is None and leaving.exists():
        why = "is leaving too"
    if why is None and not has_role(user, DESK_ROLES):
        why = _cannot_own_customers(user)
    return f"cannot hand over to {display_name(user)}, who {why}" if why else None


def _cannot_own_customers(user: User) -> str:
    role = role_of(user)
    named = f"is a {role.label.lower()}" if role is not None else "has no desk role"
    return f"{named} and cannot own customers or leads"


def eligible_recipients(leaver: User) -> QuerySet[User]:
    """Who may take over the leaver's work: staying people who can own customers (the desk
    roles; a trainer can be sent a message but cannot look after customers or leads)."""
    qs = ownership.possible_owners().exclude(pk=leaver.pk)
    qs = qs.filter(profile__role__in=DESK_ROLES)
    qs = qs.exclude(staff__employment=Employment.LEAVING)
    return qs.order_by("first_name", "last_name", "username")


def _recipients(strategy: str, to: User | None, recipients: list[User], leaver: User) -> list[User]:
    if strategy not in STRATEGIES:
        raise StaffError(f"unknown strategy {strategy!r}; use one of {', '.join(STRATEGIES)}")
    people = [to] if strategy == "all" and to is not None else list(recipients)
    if strategy != "all" and not people and to is not None:
        people = [to]
    if not people:
        need = "a person to hand everything to" if strategy == "all" else "at least one recipient"
        raise StaffError(f"choose {need}")
    if strategy == "all" and len(people) > 1:
        raise StaffError("'all' hands everything to one person; choose only one")
    unique = list({u.pk: u for u in people}.values())
    for user in unique:
        refusal = _refusal(user, leaver)
        if refusal is not None:
            raise StaffError(refusal)
    return unique


def _company_key(customer: Customer) -> str:
    return " ".join(customer.company.lower().split())


@dataclass
class _Assigner:
    """Decides who gets each row; the same inputs always give the same split."""

    strategy: str
    recipients: list[User]
    turn: int = 0
    by_customer: dict[int, User] = field(default_factory=dict)
    by_company: dict[str, User] = field(default_factory=dict)

    def _next(self) -> User:
        user = self.recipients[self.turn % len(self.recipients)]
        self.turn += 1
        return user

    def for_customer(self, customer: Customer) -> User:
        key = _company_key(customer)
        if self.strategy == "by_company" and key and key in self.by_company:
            user = self.by_company[key]
        else:
            user = self._next()
            if key:
                self.by_company.setdefault(key, user)
        self.by_customer[customer.pk] = user
        return user

    def for_row(self, customer: Customer | None) -> User:
        # A message or lead follows its customer to the customer's new owner, so the caller's
        # next call and the message land on the same desk.
        if customer is not None and customer.pk in self.by_customer:
            return self.by_customer[customer.pk]
        key = _company_key(customer) if customer is not None else ""
        if self.strategy == "by_company" and key in self.by_company:
            return self.by_company[key]
        return self._next()


def _ordered_kinds() -> list[ownership.OwnedKind]:
    # Customers first: rows linked to a customer follow wherever that customer went.
    return sorted(ownership.kinds(), key=lambda k: k.model is not Customer)


def _company_order(row: Model) -> tuple[str, int]:
    return (_company_key(row) if isinstance(row, Customer) else "", row.pk)


def _rows(kind: ownership.OwnedKind, leaver: User, strategy: str) -> list[Model]:
    rows = list(kind.owned_by(leaver).select_for_update(of=("self",)).order_by("pk"))
    if strategy == "by_company":
        # Whole companies are dealt out in alphabetical order, so the split is predictable.
        rows.sort(key=_company_order)
    return rows


def _move_backups(leaver: StaffMember, successor: User | None) -> None:
    """Whoever relied on the leaver as backup now relies on the successor (or on nobody)."""
    heir = ensure_staff(successor) if successor is not None else None
    if heir is not None and (heir.employment != Employment.ACTIVE or not heir.user.is_active):
        # The successor has since left or is leaving too: nobody is better than a dead end.
        heir = None
    for member in StaffMember.objects.filter(backup=leaver):
        set_backup(member, None if heir is None or heir.pk == member.pk else heir)
    covering = Absence.objects.filter(backup=leaver, ends_at__gt=timezone.now())
    if heir is not None:
        covering.filter(staff=heir).update(backup=None)
        covering.exclude(staff=heir).update(backup=heir)
    else:
        covering.update(backup=None)


@transaction.atomic
def hand_over(
    departure: Departure,
    *,
    to: User | None = None,
    strategy: Strategy = "all",
    recipients: list[User] | None = None,
    actor: User,
) -> dict[str, int]:
    """Give every open row the leaver owns, of every registered kind, to active colleagues.

    "all" gives everything to ``to``; "round_robin" deals rows out across ``recipients`` in the
    order given; "by_company" keeps each company's customers with one recipient. Rows linked to
    a customer follow that customer's new owner. Returns how many rows of each kind moved.
    A refused handover raises before anything is written.
    """
    _require_manager(actor, "hand over someone's work")
    departure = _locked(departure)
    _require_open(departure)
    leaver = departure.staff.user
    people = _recipients(strategy, to, recipients or [], leaver)
    assigner = _Assigner(strategy, people)
    reason = f"handover from {display_name(leaver)}"
    moved: dict[str, int] = {}
    for kind in _ordered_kinds():
        rows = _rows(kind, leaver, strategy)
        for row in rows:
            new_owner = (
                assigner.for_customer(row)
                if isinstance(row, Customer)
                else assigner.for_row(kind.customer_of(row))
            )
            ownership.give(kind, row, new_owner, actor, reason)
        moved[kind.label] = len(rows)
    departure.successor = people[0]
    departure.save(update_fields=["successor"])
    _move_backups(departure.staff, people[0])
    return moved


# --- completing ---------------------------------------------------------------------------------


@transaction.atomic
def complete_departure(departure: Departure, actor: User) -> Departure:
    """The leaver is gone: no login, no ownership. Refused while they still own anything."""
    _require_manager(actor, "complete a departure")
    departure = _locked(departure)
    _require_open(departure)
    member, user = departure.staff, departure.staff.user
    if actor.pk == user.pk:
        raise DepartureConflict("another manager must complete your own departure")
    left = still_owned(user)
    if left:
        raise DepartureConflict(left)
    _move_backups(member, departure.successor)
    # Escalations go to a team's manager: a team must not keep escalating to someone gone.
    Team.objects.filter(manager=user).update(manager=_new_team_manager(departure.successor))
    now = timezone.now()
    member.employment, member.departed_at = Employment.DEPARTED, now
    member.save(update_fields=["employment", "departed_at"])
    close_login(user)
    departure.status, departure.completed_at = DepartureStatus.COMPLETED, now
    departure.save(update_fields=["status", "completed_at"])
    return departure


def _new_team_manager(successor: User | None) -> User | None:
    """The successor takes over the team if they may manage; otherwise any manager is asked."""
    return successor if successor is not None and has_role(successor, MANAGER_ROLES) else None
