"""Writing a demo plan into the database, all or nothing.

``load_demo`` writes a plan with ``bulk_create`` so the full demo loads in a few seconds.
Because ``bulk_create`` bypasses the actions, the loader writes the same timeline events the
actions would (customer created, contact added, interaction logged, transferred), with the
same summaries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from everytouch.accounts.models import Profile, Role
from everytouch.customers.models import (
    ContactKind,
    ContactPoint,
    Customer,
    EventKind,
    TimelineEvent,
)
from everytouch.demo.activity import load_activity
from everytouch.demo.data import BACKUPS, DEFAULT_SEED, DEMO_PASSWORD, LANGUAGES, SKILLS, TEAMS
from everytouch.demo.planner import (
    STAFF,
    DemoError,
    PlannedCustomer,
    PlannedInteraction,
    plan_demo,
)
from everytouch.interactions.actions import summary_line
from everytouch.interactions.models import Interaction, Transfer, Turn
from everytouch.staff.actions import StaffDetails, ensure_staff, set_backup, update_details
from everytouch.staff.models import StaffMember, Team


@dataclass(frozen=True)
class DemoCounts:
    staff: int
    customers: int
    interactions: int
    transcripts: int
    transfers: int

    def summary(self) -> str:
        return (
            f"{self.staff} staff, {self.customers} customers, {self.interactions} interactions "
            f"({self.transcripts} with transcripts, {self.transfers} transferred)"
        )


def is_loaded() -> bool:
    return User.objects.filter(username=STAFF[0].username).exists()


def _create_staff() -> dict[str, User]:
    taken = list(User.objects.filter(username__in=[s.username for s in STAFF]))
    if taken:
        names = ", ".join(u.username for u in taken)
        raise DemoError(f"demo usernames already taken: {names}")
    # One hash for the shared demo password: hashing it eight times would take seconds.
    password = make_password(DEMO_PASSWORD)
    users = User.objects.bulk_create(
        User(
            username=s.username,
            first_name=s.first_name,
            last_name=s.last_name,
            email=f"{s.username}@brightline.example",
            password=password,
            is_staff=s.role == Role.OWNER,
            is_superuser=s.role == Role.OWNER,
        )
        for s in STAFF
    )
    Profile.objects.bulk_create(
        Profile(user=u, role=s.role) for u, s in zip(users, STAFF, strict=True)
    )
    return {u.username: u for u in users}


def _create_directory(users: dict[str, User], now: datetime) -> None:
    """Teams, titles, extensions, skills and backups, through the staff app's actions."""
    teams = {
        key: Team.objects.get_or_create(name=name, defaults={"manager": users[manager]})[0]
        for key, (name, manager) in TEAMS.items()
    }
    members: dict[str, StaffMember] = {}
    for index, person in enumerate(STAFF):
        details = StaffDetails(
            title=person.title,
            team=teams[person.team],
            extension=str(101 + index),
            skills=list(SKILLS[person.team]),
            languages=list(LANGUAGES.get(person.username, ("english",))),
            # The owner founded the business nine years ago; the others joined since.
            start_date=(now - timedelta(days=365 * 9 - 300 * index)).date(),
        )
        members[person.username] = update_details(ensure_staff(users[person.username]), details)
    for username, backup in BACKUPS.items():
        set_backup(members[username], members[backup])


def _event(
    customer: Customer,
    kind: EventKind,
    summary: str,
    at: datetime,
    actor: User | None,
    data: dict[str, object],
) -> TimelineEvent:
    return TimelineEvent(
        customer=customer, kind=kind, summary=summary[:500], happened_at=at, actor=actor, data=data
    )


def _customer_events(
    customer: Customer, plan: PlannedCustomer, actor: User | None
) -> list[TimelineEvent]:
    at = plan.created_at
    events = [_event(customer, EventKind.CUSTOMER_CREATED, "Customer created", at, actor, {})]
    for kind, value in _contacts(plan):
        data: dict[str, object] = {"kind": kind.value, "value": value}
        events.append(
            _event(customer, EventKind.CONTACT_ADDED, f"Added {kind} {value}", at, actor, data)
        )
    return events


def _contacts(plan: PlannedCustomer) -> list[tuple[ContactKind, str]]:
    phones = [(ContactKind.PHONE, p) for p in plan.phones]
    return phones + [(ContactKind.EMAIL, e) for e in plan.emails]


def _create_customers(plans: Sequence[PlannedCustomer], users: dict[str, User]) -> list[Customer]:
    customers = Customer.objects.bulk_create(
        Customer(
            name=p.name,
            company=p.company,
            notes=p.notes,
            owner=users[p.owner] if p.owner else None,
        )
        for p in plans
    )
    for customer, plan in zip(customers, plans, strict=True):
        customer.created_at = customer.updated_at = plan.created_at
    Customer.objects.bulk_update(customers, ["created_at", "updated_at"], batch_size=500)
    ContactPoint.objects.bulk_create(
        ContactPoint(customer=c, kind=kind, value=value)
        for c, p in zip(customers, plans, strict=True)
        for kind, value in _contacts(p)
    )
    TimelineEvent.objects.bulk_create(
        event
        for c, p in zip(customers, plans, strict=True)
        for event in _customer_events(c, p, c.owner)
    )
    return customers


def _interaction_row(
    plan: PlannedInteraction, customers: Sequence[Customer], users: dict[str, User]
) -> Interaction:
    return Interaction(
        customer=customers[plan.customer] if plan.customer is not None else None,
        channel=plan.channel,
        direction=plan.direction,
        started_at=plan.started_at,
        ended_at=plan.ended_at,
        handled_by=users[plan.transferred_to or plan.handled_by],
        summary=plan.summary,
        need=plan.need,
    )


def _transfer_rows(
    pairs: list[tuple[Interaction, PlannedInteraction]], users: dict[str, User]
) -> tuple[list[Transfer], list[TimelineEvent]]:
    transfers: list[Transfer] = []
    events: list[TimelineEvent] = []
    for row, plan in pairs:
        if plan.transferred_to is None:
            continue
        first, to = users[plan.handled_by], users[plan.transferred_to]
        transfers.append(
            Transfer(interaction=row, from_user=first, to_user=to, reason=plan.transfer_reason)
        )
        if row.customer is not None:
            at = plan.started_at + timedelta(seconds=40)
            summary = f"Transferred to {to.get_full_name()}: {plan.transfer_reason}"
            data: dict[str, object] = {"interaction_id": row.pk, "reason": plan.transfer_reason}
            events.append(_event(row.customer, EventKind.TRANSFERRED, summary, at, first, data))
    return transfers, events


def _logged_events(
    pairs: list[tuple[Interaction, PlannedInteraction]], users: dict[str, User]
) -> list[TimelineEvent]:
    return [
        _event(
            row.customer,
            EventKind.INTERACTION_LOGGED,
            summary_line(row),
            row.started_at,
            users[plan.handled_by],
            {"interaction_id": row.pk},
        )
        for row, plan in pairs
        if row.customer is not None
    ]


def _create_interactions(
    plans: Sequence[PlannedInteraction], customers: Sequence[Customer], users: dict[str, User]
) -> None:
    rows = Interaction.objects.bulk_create(_interaction_row(p, customers, users) for p in plans)
    pairs = list(zip(rows, plans, strict=True))
    Interaction.objects.filter(pk__in=[r.pk for r in rows]).update(created_at=F("started_at"))
    Turn.objects.bulk_create(
        Turn(interaction=row, index=i, speaker=t.speaker, text=t.text, start=t.start)
        for row, plan in pairs
        for i, t in enumerate(plan.turns)
    )
    transfers, transfer_events = _transfer_rows(pairs, users)
    Transfer.objects.bulk_create(transfers)
    for transfer in transfers:
        transfer.created_at = transfer.interaction.started_at + timedelta(seconds=40)
    Transfer.objects.bulk_update(transfers, ["created_at"], batch_size=500)
    TimelineEvent.objects.bulk_create([*_logged_events(pairs, users), *transfer_events])


@transaction.atomic
def load_demo(
    seed: int = DEFAULT_SEED,
    size: float = 1.0,
    now: datetime | None = None,
    *,
    with_activity: bool = True,
) -> DemoCounts:
    """Write the demo business into the database, all or nothing."""
    plan = plan_demo(seed, size, now)
    users = _create_staff()
    _create_directory(users, (now or timezone.now()))
    customers = _create_customers(plan.customers, users)
    _create_interactions(plan.interactions, customers, users)
    TimelineEvent.objects.filter(customer__in=customers).update(created_at=F("happened_at"))
    if with_activity:
        # Open work is about today whatever ``now`` the history was planned around: the
        # actions refuse promises due in the past, as they should.
        load_activity(users, timezone.now())
    return DemoCounts(
        staff=len(STAFF),
        customers=len(customers),
        interactions=len(plan.interactions),
        transcripts=sum(1 for p in plan.interactions if p.turns),
        transfers=sum(1 for p in plan.interactions if p.transferred_to),
    )
