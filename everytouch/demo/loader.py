"""Writing a demo plan into the database, all or nothing, through the apps' own code.

Customers are created and transfers made by the customers' and interactions' actions, so
contact points, timeline events and their summaries come from the code the app runs. Two things
go in bulk, each saying why where it does: the staff logins (one password hash for all) and the
2,000 interaction rows with their turns, whose timeline events are then written by the same
functions ``log_interaction`` uses. The actions stamp "now"; the loader then moves those
stamps back to when the planned history happened.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from everytouch.accounts.models import Profile, Role
from everytouch.customers import timeline
from everytouch.customers.actions import CustomerData, create_customer
from everytouch.customers.models import Customer, EventKind, TimelineEvent
from everytouch.demo.activity import load_activity
from everytouch.demo.data import BACKUPS, DEFAULT_SEED, DEMO_PASSWORD, LANGUAGES, SKILLS, TEAMS
from everytouch.demo.planner import (
    STAFF,
    DemoError,
    PlannedCustomer,
    PlannedInteraction,
    plan_demo,
)
from everytouch.demo.quality import load_quality
from everytouch.interactions.actions import summary_line, transfer
from everytouch.interactions.models import Interaction, Transfer, Turn
from everytouch.redaction import redacted
from everytouch.staff.directory.actions import (
    StaffDetails,
    ensure_staff,
    set_backup,
    update_details,
)
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


def _customer_data(plan: PlannedCustomer, users: dict[str, User]) -> CustomerData:
    owner = users[plan.owner] if plan.owner else None
    contacts = [*plan.phones, *plan.emails]
    return CustomerData(plan.name, plan.company, plan.notes, owner, contacts)


def _create_customers(plans: Sequence[PlannedCustomer], users: dict[str, User]) -> list[Customer]:
    """Through ``create_customer``: contact points are checked and put on the timeline by the
    customers app itself; only the dates are the plan's, as the action stamps "now"."""
    customers: list[Customer] = []
    for plan in plans:
        data = _customer_data(plan, users)
        customers.append(create_customer(data, actor=data.owner))
    for customer, plan in zip(customers, plans, strict=True):
        customer.created_at = customer.updated_at = plan.created_at
    Customer.objects.bulk_update(customers, ["created_at", "updated_at"], batch_size=500)
    # One statement rather than a row-by-row update: the demo has a thousand of these events.
    added = Customer.objects.filter(pk=OuterRef("customer_id")).values("created_at")[:1]
    TimelineEvent.objects.filter(customer__in=customers).update(happened_at=Subquery(added))
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
        # Whoever picked up first; ``transfer`` below hands it on like a live call.
        handled_by=users[plan.handled_by],
        summary=plan.summary,
        need=plan.need,
    )


def _log_history(
    pairs: list[tuple[Interaction, PlannedInteraction]], users: dict[str, User]
) -> None:
    """The timeline events ``log_interaction`` writes, made by the same functions."""
    for row, plan in pairs:
        if row.customer is not None:
            actor = users[plan.handled_by]
            summary = summary_line(row)
            timeline.interaction_logged(row.customer, actor, row.pk, summary, row.started_at)


def _transfer_history(
    pairs: list[tuple[Interaction, PlannedInteraction]], users: dict[str, User]
) -> None:
    """Planned transfers through ``transfer``, forty seconds into the call."""
    records: list[Transfer] = []
    for row, plan in pairs:
        if plan.transferred_to is not None:
            to, first = users[plan.transferred_to], users[plan.handled_by]
            record = transfer(row, to, plan.transfer_reason, first)
            record.created_at = plan.started_at + timedelta(seconds=40)
            records.append(record)
    Transfer.objects.bulk_update(records, ["created_at"], batch_size=500)
    # The action stamps its timeline event "now"; the demo's customers are new, so every
    # transfer on their timelines is one of these and moves back to when it happened.
    at = {r.interaction_id: r.created_at for r in records}
    touched = {r.interaction.customer_id for r in records}
    events = list(TimelineEvent.objects.filter(customer__in=touched, kind=EventKind.TRANSFERRED))
    for event in events:
        event.happened_at = at[event.data["interaction_id"]]
    TimelineEvent.objects.bulk_update(events, ["happened_at"], batch_size=500)


def _create_interactions(
    plans: Sequence[PlannedInteraction], customers: Sequence[Customer], users: dict[str, User]
) -> None:
    # The rows go in bulk: ``log_interaction`` would insert them one by one and queue a lead
    # capture for each of 2,000 long-settled touches, which the demo's worker would then act
    # on. Bulk writes send no signals, so the rows go through the redaction pass by hand. What
    # is derived from the rows (the timeline, the transfers) comes from the apps' own functions.
    rows = Interaction.objects.bulk_create(
        redacted(_interaction_row(p, customers, users) for p in plans)
    )
    pairs = list(zip(rows, plans, strict=True))
    # Each touch was analysed when it was logged, as the job after ``log_interaction`` does;
    # left unanalysed, the sweep would turn months-old calls into today's leads.
    Interaction.objects.filter(pk__in=[r.pk for r in rows]).update(
        created_at=F("started_at"), analysed_at=Coalesce(F("ended_at"), F("started_at"))
    )
    Turn.objects.bulk_create(
        redacted(
            Turn(interaction=row, index=i, speaker=t.speaker, text=t.text, start=t.start)
            for row, plan in pairs
            for i, t in enumerate(plan.turns)
        )
    )
    _log_history(pairs, users)
    _transfer_history(pairs, users)


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
        load_quality(users, timezone.now())
    return DemoCounts(
        staff=len(STAFF),
        customers=len(customers),
        interactions=len(plan.interactions),
        transcripts=sum(1 for p in plan.interactions if p.turns),
        transfers=sum(1 for p in plan.interactions if p.transferred_to),
    )
