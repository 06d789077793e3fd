"""Stay-in-touch cadences: a won lead gets its follow-ups once, on business days."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth.models import User

from everytouch.customers.models import EventKind, TimelineEvent
from everytouch.followups import actions
from everytouch.followups.models import CadencePlan, Commitment
from everytouch.followups.tests.helpers import a_lead
from everytouch.leads.actions import move_stage
from everytouch.leads.models import Stage
from everytouch.staff.directory.actions import ensure_staff
from everytouch.staff.models import Employment, Team
from everytouch.testing import make_customer

pytestmark = pytest.mark.django_db


def test_it_creates_the_default_plans_follow_ups_at_close_of_business_on_business_days(
    monday: time_machine.Traveller, rep: User
) -> None:
    customer = make_customer()
    lead = a_lead(customer, rep)
    made = actions.start_cadence(lead, rep)
    assert [(c.what, c.due_at, c.owner) for c in made] == [
        ("Thank-you call (after the sale)", datetime(2025, 3, 10, 17, tzinfo=UTC), rep),
        ("Check-in call (after the sale)", datetime(2025, 4, 2, 17, tzinfo=UTC), rep),
        (
            "Review: how is it going, what else do they need? (after the sale)",
            # 1 June 2025 is a Sunday: the follow-up waits for Monday.
            datetime(2025, 6, 2, 17, tzinfo=UTC),
            rep,
        ),
        ("Anniversary call (after the sale)", datetime(2026, 3, 3, 17, tzinfo=UTC), rep),
    ]
    assert all(c.customer == customer for c in made)
    made_events = TimelineEvent.objects.filter(kind=EventKind.COMMITMENT_MADE, customer=customer)
    assert made_events.count() == 4


def test_it_creates_nothing_twice_when_the_cadence_starts_again(
    monday: time_machine.Traveller, rep: User
) -> None:
    lead = a_lead(make_customer(), rep)
    first = actions.start_cadence(lead, rep)
    monday.shift(3600)
    assert actions.start_cadence(lead, rep) == []
    assert Commitment.objects.count() == len(first) == 4
    keys = set(Commitment.objects.values_list("cadence_key", flat=True))
    assert len(keys) == 4


def test_it_starts_a_new_cadence_for_the_same_customers_next_won_lead(
    monday: time_machine.Traveller, rep: User
) -> None:
    customer = make_customer()
    actions.start_cadence(a_lead(customer, rep), rep)
    actions.start_cadence(a_lead(customer, rep), rep)
    assert Commitment.objects.filter(customer=customer).count() == 8


def test_it_follows_the_plan_a_manager_set(
    monday: time_machine.Traveller, manager: User, rep: User
) -> None:
    plan = actions.default_plan()
    actions.set_plan_steps(plan, [{"after_days": 2, "what": "Delivery check"}], manager)
    made = actions.start_cadence(a_lead(make_customer(), rep), manager)
    assert [(c.what, c.due_at, c.created_by) for c in made] == [
        ("Delivery check (after the sale)", datetime(2025, 3, 5, 17, tzinfo=UTC), manager)
    ]
    assert CadencePlan.objects.filter(is_default=True).count() == 1


def test_it_gives_the_follow_ups_to_the_manager_when_the_lead_owner_has_left(
    monday: time_machine.Traveller, manager: User, rep: User
) -> None:
    lead = a_lead(make_customer(), rep)
    Team.objects.create(name="Sales", manager=manager)
    member = ensure_staff(rep)
    member.employment = Employment.DEPARTED
    member.save(update_fields=["employment"])
    made = actions.start_cadence(lead, None)
    assert {c.owner for c in made} == {manager}


def test_it_starts_the_cadence_when_the_lead_is_moved_to_won(
    monday: time_machine.Traveller, rep: User
) -> None:
    lead = a_lead(make_customer(), rep, Stage.QUALIFIED)
    move_stage(lead, Stage.WON, rep)
    made = Commitment.objects.filter(customer=lead.customer).order_by("due_at")
    assert [(c.what, c.owner, c.created_by) for c in made][:1] == [
        ("Thank-you call (after the sale)", rep, rep)
    ]
    assert made.count() == 4
