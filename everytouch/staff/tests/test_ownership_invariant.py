"""Nothing is ever left without an active owner, whatever happens in whatever order.

A hypothesis state machine runs random sequences of availability changes, absences, backups,
new customers and messages, departures, handovers (good and bad) and completions, and after
every step checks that every open row of every registered owned kind has an active owner.
Kinds come from ``ownership.kinds()``: a kind registered later (leads, commitments) is checked,
and gets rows from ``make_row``, without edits here. A refused step must change nothing.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from everytouch import ownership
from everytouch.accounts.actions import create_user
from everytouch.accounts.models import Role
from everytouch.customers.actions import CustomerData, create_customer
from everytouch.customers.models import Customer, TimelineEvent
from everytouch.staff.departures import actions as handover
from everytouch.staff.directory.actions import (
    StaffError,
    ensure_staff,
    schedule_absence,
    set_backup,
)
from everytouch.staff.directory.actions import set_status as set_availability
from everytouch.staff.models import (
    Absence,
    Departure,
    DepartureStatus,
    Employment,
    MessageStatus,
    StaffMember,
    Status,
    TakenMessage,
)
from everytouch.staff.tests.departure_helpers import make_message

CAST = [
    ("boss", Role.OWNER),
    ("mgr", Role.MANAGER),
    ("ann", Role.REP),
    ("bob", Role.REP),
    ("cat", Role.REP),
    ("dan", Role.REP),
    ("tina", Role.TRAINER),
    ("otto", None),
]
REFUSED = (StaffError, PermissionDenied)


def snapshot() -> dict[str, Any]:
    """Everything a refused step must leave exactly as it was."""
    owned = {
        k.label: sorted(k.model._default_manager.values_list("pk", k.owner_field))
        for k in ownership.kinds()
    }
    staff = StaffMember.objects.values_list(
        "pk", "employment", "leaves_on", "backup_id", "status", "status_until", "departed_at"
    )
    return {
        "owned": owned,
        "staff": sorted(staff),
        "departures": sorted(Departure.objects.values_list("pk", "status", "successor_id")),
        "users": sorted(User.objects.values_list("pk", "is_active")),
        "absences": sorted(Absence.objects.values_list("pk", "backup_id")),
        "events": TimelineEvent.objects.count(),
    }


def take_message(intended: User, taker: User, customer: Customer | None) -> Any:
    """Through the desk's action when it exists, so its owner choice is exercised too."""
    try:
        messages = importlib.import_module("everytouch.staff.messages.actions")
    except ImportError:
        return make_message(intended, customer)
    return messages.take_message(
        intended_for=intended,
        about="Please call back",
        taken_by=taker,
        customer=customer,
        callback_number="+12015550100",
    )


def _value_for(f: models.Field[Any, Any], owner: User, customer: Customer | None) -> Any:
    if f.choices:
        return f.choices[0][0]
    if isinstance(f, models.ForeignKey):
        target = f.related_model
        if target is User:
            return owner
        if target is Customer:
            return customer
        return target._default_manager.first()  # type: ignore[union-attr]
    simple: dict[type[models.Field[Any, Any]], Any] = {
        models.DateTimeField: timezone.now(),
        models.DateField: timezone.localdate(),
        models.BooleanField: False,
        models.DecimalField: 0,
        models.FloatField: 0.0,
        models.IntegerField: 0,
        models.JSONField: {},
    }
    if f.blank:
        return ""
    return next((v for t, v in simple.items() if isinstance(f, t)), "x")


def make_row(kind: ownership.OwnedKind, owner: User, customer: Customer | None) -> None:
    """A row of any registered kind, filled from its fields; skipped if it cannot be made open."""
    values: dict[str, Any] = {}
    for f in kind.model._meta.concrete_fields:
        auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        if not (f.null or f.has_default() or f.primary_key or auto):
            values[f.name] = _value_for(f, owner, customer)
    values[kind.owner_field] = owner
    if kind.customer_field and customer is not None:
        values[kind.customer_field] = customer
    if any(v is None for v in values.values()):
        return
    try:
        with transaction.atomic():
            row = kind.model._default_manager.create(**values)
            if not kind.open_rows().filter(pk=row.pk).exists():
                transaction.set_rollback(True)
    except IntegrityError:
        # Guessed values can break a model's own rules (a unique key); this row is not needed.
        return


class Ownership(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        # Each example runs in a savepoint that teardown rolls back: a clean slate every time.
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.people = [
            create_user(name, "pw", role, first_name=name.capitalize()) for name, role in CAST
        ]
        for user in self.people:
            ensure_staff(user)
        self.steps: list[str] = []

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    # --- helpers ---------------------------------------------------------------------------

    def fresh(self, user: User) -> User:
        return User.objects.select_related("profile").get(pk=user.pk)

    def owners(self) -> list[User]:
        qs = User.objects.filter(pk__in=[u.pk for u in self.people], is_active=True)
        return list(qs.filter(profile__isnull=False).select_related("profile").order_by("pk"))

    def departures(self) -> list[Departure]:
        return list(Departure.objects.order_by("pk"))

    def managers(self) -> list[User]:
        return [u for u in self.owners() if u.profile.role in (Role.OWNER, Role.MANAGER)]

    def actor(self, data: st.DataObject, anyone: bool) -> User:
        """Usually an active manager; with ``anyone``, whoever, so refusals happen too."""
        managers = self.managers()
        pool = self.people if anyone or not managers else managers
        return self.fresh(data.draw(st.sampled_from(pool)))

    def departure(self, data: st.DataObject, anyone: bool) -> Departure | None:
        """With ``anyone``, any departure (even a closed one); else an open one, opened if need."""
        if anyone and Departure.objects.exists():
            return data.draw(st.sampled_from(self.departures()))
        member = ensure_staff(data.draw(st.sampled_from(self.people)))
        pending = member.departures.filter(status=DepartureStatus.OPEN).first()
        managers = [u for u in self.managers() if u.pk != member.user_id]
        if pending is not None or not managers:
            return pending
        opened = self.attempt(
            f"{managers[0]} departs {member}",
            lambda: handover.open_departure(member, date(2031, 1, 1), managers[0]),
        )
        return member.departures.get(status=DepartureStatus.OPEN) if opened else None

    def attempt(self, what: str, op: Callable[[], object]) -> bool:
        before = snapshot()
        try:
            op()
        except REFUSED as exc:
            assert snapshot() == before, f"{what} was refused ({exc}) but changed something"
            self.steps.append(f"{what}: refused ({exc})")
            return False
        self.steps.append(what)
        return True

    # --- rules -----------------------------------------------------------------------------

    @rule(data=st.data(), company=st.sampled_from(["", "Acme", "Zeta"]))
    def new_customer(self, data: st.DataObject, company: str) -> None:
        owner = data.draw(st.sampled_from(self.owners()))
        data_ = CustomerData(name=f"C{Customer.objects.count()}", company=company, owner=owner)
        create_customer(data_, owner)

    @rule(data=st.data())
    def new_message(self, data: st.DataObject) -> None:
        intended = data.draw(st.sampled_from(self.people))
        customers = list(Customer.objects.filter(merged_into__isnull=True))
        customer = data.draw(st.sampled_from([None, *customers]))
        taker = data.draw(st.sampled_from(self.owners()))
        self.attempt(f"message for {intended}", lambda: take_message(intended, taker, customer))

    @rule(data=st.data())
    def new_row_of_every_kind(self, data: st.DataObject) -> None:
        owner = data.draw(st.sampled_from(self.owners()))
        customer = Customer.objects.filter(merged_into__isnull=True).first()
        for kind in ownership.kinds():
            if kind.model not in (Customer, TakenMessage):
                make_row(kind, owner, customer)

    @rule(data=st.data())
    def close_a_message(self, data: st.DataObject) -> None:
        open_ids = list(TakenMessage.objects.exclude(status=MessageStatus.DONE).values("pk"))
        if open_ids:
            pk = data.draw(st.sampled_from(open_ids))["pk"]
            TakenMessage.objects.filter(pk=pk).update(status=MessageStatus.DONE)

    @rule(data=st.data(), status=st.sampled_from(Status), hours=st.integers(-5, 48))
    def set_status(self, data: st.DataObject, status: Status, hours: int) -> None:
        member = ensure_staff(data.draw(st.sampled_from(self.people)))
        until = timezone.now() + timedelta(hours=hours) if hours else None
        self.attempt(f"{member} {status}", lambda: set_availability(member, status, until))

    @rule(data=st.data(), start=st.integers(-2, 10), days=st.integers(-1, 5))
    def book_absence(self, data: st.DataObject, start: int, days: int) -> None:
        member = ensure_staff(data.draw(st.sampled_from(self.people)))
        backup = data.draw(st.sampled_from([None, *map(ensure_staff, self.people)]))
        starts = timezone.now() + timedelta(days=start)
        ends = starts + timedelta(days=days, hours=1)
        self.attempt(
            f"{member} away", lambda: schedule_absence(member, starts, ends, "trip", backup)
        )

    @rule(data=st.data())
    def choose_backup(self, data: st.DataObject) -> None:
        member = ensure_staff(data.draw(st.sampled_from(self.people)))
        backup = data.draw(st.sampled_from([None, *map(ensure_staff, self.people)]))
        self.attempt(f"{member} backup {backup}", lambda: set_backup(member, backup))

    @rule(data=st.data(), day=st.integers(0, 60), anyone=st.booleans())
    def open_departure(self, data: st.DataObject, day: int, anyone: bool) -> None:
        member = ensure_staff(data.draw(st.sampled_from(self.people)))
        actor = self.actor(data, anyone)
        effective = date(2031, 1, 1) + timedelta(days=day)
        self.attempt(
            f"{actor} departs {member}",
            lambda: handover.open_departure(member, effective, actor),
        )

    @rule(
        data=st.data(),
        strategy=st.sampled_from(["all", "round_robin", "by_company"]),
        anyone=st.booleans(),
    )
    def hand_over(self, data: st.DataObject, strategy: handover.Strategy, anyone: bool) -> None:
        departure = self.departure(data, anyone)
        if departure is None:
            return
        # Mostly people who can take work; sometimes anyone, so refusals are exercised too.
        pool = self.people if anyone else self.owners()
        people = data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3))
        actor = self.actor(data, anyone)
        self.attempt(
            f"{actor} hands {departure} over {strategy} to {people}",
            lambda: handover.hand_over(
                departure, to=people[0], strategy=strategy, recipients=people, actor=actor
            ),
        )

    @rule(data=st.data(), cancel=st.booleans(), anyone=st.booleans())
    def finish_departure(self, data: st.DataObject, cancel: bool, anyone: bool) -> None:
        departure = self.departure(data, anyone)
        if departure is None:
            return
        actor = self.actor(data, anyone)
        act = handover.cancel_departure if cancel else handover.complete_departure
        self.attempt(f"{actor} {act.__name__} {departure}", lambda: act(departure, actor))

    # --- invariants ------------------------------------------------------------------------

    @invariant()
    def every_open_row_has_an_active_owner(self) -> None:
        assert ownership.orphans() == {}, self.steps

    @invariant()
    def nobody_relies_on_someone_who_left(self) -> None:
        departed = Employment.DEPARTED
        assert not StaffMember.objects.filter(backup__employment=departed).exists(), self.steps
        later = Absence.objects.filter(ends_at__gt=timezone.now(), backup__employment=departed)
        assert not later.exists(), self.steps

    @invariant()
    def employment_matches_departures(self) -> None:
        pending = Departure.objects.filter(status=DepartureStatus.OPEN)
        leaving = StaffMember.objects.filter(employment=Employment.LEAVING)
        assert sorted(pending.values_list("staff_id", flat=True)) == sorted(
            leaving.values_list("pk", flat=True)
        ), self.steps
        departed = StaffMember.objects.filter(employment=Employment.DEPARTED)
        assert not departed.filter(user__is_active=True).exists(), self.steps


@pytest.mark.django_db
def test_it_never_leaves_an_open_row_without_an_active_owner() -> None:
    run_state_machine_as_test(  # type: ignore[no-untyped-call]
        Ownership,
        settings=settings(
            max_examples=15,
            stateful_step_count=30,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
