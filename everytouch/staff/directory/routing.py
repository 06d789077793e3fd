"""Who should take this caller? One decision, with its reason, for the desk and the API.

Order: the person asked for or the customer's owner if available; else their backup; else an
available colleague with the skill for the topic; else round robin among everyone available;
else the owner anyway, with a note to take a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from everytouch.accounts.access import DESK_ROLES
from everytouch.accounts.people import display_name
from everytouch.customers.models import Customer
from everytouch.ownership import successor_for
from everytouch.staff.directory.availability import availability, away_message
from everytouch.staff.models import Employment, StaffMember


@dataclass(frozen=True)
class RouteDecision:
    to: StaffMember | None
    reason: str
    rule: str
    away_message: str = ""
    asked_for: StaffMember | None = None

    @property
    def message_for(self) -> User | None:
        """Whom a message should be taken for: the person asked for, else the suggested one."""
        member = self.asked_for or self.to
        return member.user if member else None


def _available(member: StaffMember | None, now: datetime) -> bool:
    return member is not None and availability(member, now).is_available


def _member(user: User) -> StaffMember | None:
    qs = StaffMember.objects.select_related("user", "team", "backup__user")
    return qs.filter(user=user).first()


def _candidates(topic: str) -> list[StaffMember]:
    qs = StaffMember.objects.filter(
        employment__in=[Employment.ACTIVE, Employment.LEAVING],
        user__is_active=True,
        user__profile__role__in=DESK_ROLES,
    ).select_related("user", "team")
    # Never-routed people first on every database (PostgreSQL sorts NULLs last by default).
    members = list(qs.order_by(F("last_routed_at").asc(nulls_first=True), "pk"))
    if not topic:
        return members
    wanted = {w for w in topic.lower().replace(",", " ").split() if w}
    return [m for m in members if wanted & {s.lower() for s in m.skills}]


def _first_available(members: list[StaffMember], now: datetime) -> StaffMember | None:
    # Ordered by last_routed_at (never-routed first): picking the first is round robin.
    return next((m for m in members if _available(m, now)), None)


def _target_person(customer: Customer | None, asked_for: User | None) -> tuple[User | None, str]:
    person = asked_for or (customer.owner if customer else None)
    if person is None:
        return None, ""
    if person.is_active:
        return person, ""
    successor = successor_for(person)
    name = display_name(person)
    if successor is None:
        return None, f"{name} no longer works here."
    new_name = display_name(successor)
    return successor, f"{name} no longer works here; {new_name} now looks after their customers."


def decide(
    customer: Customer | None,
    topic: str = "",
    asked_for: User | None = None,
    now: datetime | None = None,
) -> RouteDecision:
    """The routing decision without side effects (see ``route`` for the one that records it)."""
    now = now or timezone.now()
    person, departed_note = _target_person(customer, asked_for)
    target = _member(person) if person else None
    asked = _member(asked_for) if asked_for else None
    prefix = f"{departed_note} " if departed_note else ""
    if target is not None:
        role = "asked for" if asked_for and asked_for.is_active else "the customer's owner"
        if _available(target, now):
            return RouteDecision(
                target, f"{prefix}{target.name} is {role} and available.", "owner", "", asked
            )
        note = away_message(target, now)
        backup = availability(target, now).backup
        if _available(backup, now):
            assert backup is not None
            reason = f"{prefix}{target.name} is unavailable; {backup.name} is their backup."
            return RouteDecision(backup, reason, "backup", note, asked)
        prefix = f"{prefix}{note} "
    skilled = _first_available(_candidates(topic), now) if topic else None
    if skilled is not None:
        reason = f"{prefix}{skilled.name} is available and handles {topic}."
        return RouteDecision(skilled, reason.strip(), "skill", _note(target, now), asked)
    anyone = _first_available(_candidates(""), now)
    if anyone is not None:
        reason = f"{prefix}{anyone.name} is next in turn among those available."
        return RouteDecision(anyone, reason.strip(), "round_robin", _note(target, now), asked)
    reason = f"{prefix}Nobody is available: take a message."
    return RouteDecision(target, reason.strip(), "message", _note(target, now), asked)


def _note(target: StaffMember | None, now: datetime) -> str:
    return away_message(target, now) if target is not None else ""


@transaction.atomic
def route(
    customer: Customer | None,
    topic: str = "",
    asked_for: User | None = None,
    now: datetime | None = None,
) -> RouteDecision:
    """Decide and remember who was sent a caller, so round robin moves on."""
    decision = decide(customer, topic, asked_for, now)
    if decision.to is not None and decision.rule in {"skill", "round_robin"}:
        decision.to.last_routed_at = now or timezone.now()
        decision.to.save(update_fields=["last_routed_at"])
    return decision
